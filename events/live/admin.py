"""The editors' side of the reveal in the Wagtail admin (imported by events/wagtail_hooks.py).

On the Swedish award page (the one that holds the round) the page header's menu offers "Reveal the winner" and
"Take the winner back" to those who may publish the page, each through a confirmation page that says what will
happen; and, to those who may edit it, the rehearsal of the big screen and the live page. The rules live in
events.live.services; the audit log shows the reveal and the retraction.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from events.live import services
from events.models import AwardPage, NomineePage


class WinnerActionView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then act: GET explains what will happen on every screen, POST does it (publishers only)."""

    template_name = "events/live/admin_confirm.html"
    header_icon = "pick"
    action = None  # "reveal" or "retract"

    def dispatch(self, request, *args, page_id, **kwargs):
        self.award = get_object_or_404(AwardPage, pk=page_id).round_page()
        if not self.award.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.award.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_pages:edit", args=[self.award.pk]), "label": self.award.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draft = self.award.get_latest_revision_as_object()
        shown = self.award.revealed_winner()
        context.update(
            award=self.award,
            action=self.action,
            draft_winner=NomineePage.objects.filter(pk=draft.winner_id).first() if draft.winner_id else None,
            draft_motivation=draft.winner_motivation,
            revealed_winner=shown,
            live_url=reverse("live:page", args=[self.award.slug]),
            rehearsal_url=reverse("live:rehearsal", args=[self.award.slug]),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.award.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            self.perform(request.user)
        except services.RevealError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(error=error), status=409)
        messages.success(request, self.success_message())
        return redirect("wagtailadmin_pages:edit", self.award.pk)


class RevealView(WinnerActionView):
    page_title = _("Reveal the winner")
    action = "reveal"

    def perform(self, user):
        services.announce_winner(self.award, user=user)

    def success_message(self):
        return gettext("The winner of %(award)s is revealed: every live page shows it now.") % {
            "award": self.award.title
        }


class RetractView(WinnerActionView):
    page_title = _("Take the winner back")
    action = "retract"

    def perform(self, user):
        services.retract_winner(self.award, user=user)

    def success_message(self):
        return gettext("The winner of %(award)s is taken back: every live page shows the nominees again.") % {
            "award": self.award.title
        }


urlpatterns = [
    path("<int:page_id>/reveal/", RevealView.as_view(), name="reveal"),
    path("<int:page_id>/retract/", RetractView.as_view(), name="retract"),
]


@hooks.register("register_admin_urls")
def register_live_admin_urls():
    return [path("live/", include((urlpatterns, "live_admin"), namespace="live_admin"))]


@hooks.register("register_page_header_buttons")
def live_page_header_buttons(page, user, view_name, next_url=None):
    """On the award page that holds the round: the reveal (or its retraction), the rehearsal and the live page."""
    award = page.specific
    if not isinstance(award, AwardPage) or award.round_page().pk != page.pk:
        return
    permissions = page.permissions_for_user(user)
    if not permissions.can_edit():
        return
    # The editor hands in the latest draft: whether a winner is out is for the published row to say.
    published = AwardPage.objects.filter(pk=page.pk).values("live", "winner_id").first() or {}
    if permissions.can_publish():
        if published.get("live") and published.get("winner_id"):
            yield Button(
                _("Take the winner back"), reverse("live_admin:retract", args=[page.pk]), icon_name="undo", priority=5
            )
        else:
            yield Button(
                _("Reveal the winner"), reverse("live_admin:reveal", args=[page.pk]), icon_name="pick", priority=5
            )
    if published.get("live"):
        yield Button(
            _("Rehearse the big screen"), reverse("live:rehearsal", args=[page.slug]), icon_name="view", priority=6
        )
        yield Button(_("Open the live page"), reverse("live:page", args=[page.slug]), icon_name="link", priority=7)


@hooks.register("register_log_actions")
def register_live_log_actions(actions):
    @actions.register_action("live.reveal")
    class RevealFormatter(LogFormatter):
        label = _("Reveal the winner")

        def format_message(self, log_entry):
            winner = (log_entry.data or {}).get("winner") or {}
            return gettext("Winner revealed: %(winner)s") % {"winner": winner.get("title", "?")}

    @actions.register_action("live.retract")
    class RetractFormatter(LogFormatter):
        label = _("Take the winner back")

        def format_message(self, log_entry):
            winner = (log_entry.data or {}).get("winner") or {}
            return gettext("Winner taken back: %(winner)s") % {"winner": winner.get("title", "?")}
