"""The account page's entry for two-factor log-in, and its lines in Wagtail's log (imported by home.wagtail_hooks)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from home.two_factor import services


@hooks.register("register_account_menu_item")
def two_factor_account_menu_item(request):
    return {
        "url": reverse("two_factor:manage"),
        "label": _("Two-factor log-in"),
        "help_text": _("A code from an app on your phone, or a recovery code, besides your password."),
    }


@hooks.register("register_log_actions")
def register_two_factor_log_actions(actions):
    actions.register_action(services.LOG_ENABLED, _("Two-factor log-in set up"), _("Two-factor log-in set up"))
    actions.register_action(
        services.LOG_RECOVERY_CODES, _("New recovery codes"), _("New recovery codes for two-factor log-in")
    )
    actions.register_action(services.LOG_REMOVED, _("Two-factor log-in turned off"), _("Two-factor log-in turned off"))
    actions.register_action(services.LOG_RESET, _("Two-factor log-in reset"), _("Two-factor log-in reset"))
