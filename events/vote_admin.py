"""The organisers' view of the public vote in the Wagtail admin (registered from wagtail_hooks): per award and
round, the confirmed votes per nominee, and the unconfirmed ones beside them."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from events.voting import vote_overview

ORGANISERS = "Arrangörer"


def can_see_votes(user):
    """Organisers only: superusers, the organisers' group, or whoever holds `events.view_vote`."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name=ORGANISERS).exists() or user.has_perm("events.view_vote")
    )


class VoteResultsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "events/admin/vote_results.html"
    page_title = _("Public vote")
    header_icon = "circle-check"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        # A plain 403: Wagtail would turn PermissionDenied into a redirect to the dashboard.
        if not can_see_votes(request.user):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "overview": vote_overview()}


class VoteResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_votes(request.user)


@hooks.register("register_admin_urls")
def register_vote_results_url():
    return [path("public-vote/", VoteResultsView.as_view(), name="events_vote_results")]


@hooks.register("register_admin_menu_item")
def register_vote_results_menu_item():
    return VoteResultsMenuItem(_("Public vote"), reverse("events_vote_results"), icon_name="circle-check", order=260)
