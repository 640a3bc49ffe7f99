from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup

from events import jury_admin, vote_admin  # noqa: F401  (importing them registers the awards admin)
from events.forms import SessionAdminForm
from events.live import admin as live_admin  # noqa: F401  (the reveal's admin action)
from events.models import Edition, Room, Session, Speaker, Track
from events.services import record_session_changes


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "date"
    menu_label = _("Editions")
    list_display = ["name", "city", "venue", "starts_on", "ends_on"]
    list_filter = ["city"]
    search_fields = ["name", "city"]
    ordering = ["-starts_on"]


class RoomViewSet(SnippetViewSet):
    model = Room
    icon = "home"
    menu_label = _("Rooms")
    list_display = ["name", "edition", "capacity", "sort_order"]
    list_filter = ["edition"]


class TrackViewSet(SnippetViewSet):
    model = Track
    icon = "tag"
    menu_label = _("Tracks")
    list_display = ["name", "name_en", "edition"]
    list_filter = ["edition"]


class SpeakerViewSet(SnippetViewSet):
    model = Speaker
    icon = "user"
    menu_label = _("Speakers")
    list_display = ["name", "organisation", "title"]
    search_fields = ["name", "organisation"]
    ordering = ["name"]


class SessionEditView(EditView):
    """Saves the session, then records what changed for calendars and the programme's change list."""

    def save_instance(self):
        before = Session.objects.select_related("room").get(pk=self.object.pk)
        with transaction.atomic():
            session = super().save_instance()
            record_session_changes(before, session, by=self.request.user)
        return session


class SessionViewSet(SnippetViewSet):
    model = Session
    icon = "time"
    menu_label = _("Sessions")
    edit_view_class = SessionEditView
    edit_handler = ObjectList(Session.panels, base_form_class=SessionAdminForm)
    list_display = ["title", "starts_at", "ends_at", "room", "kind", "is_cancelled"]
    list_filter = ["edition", "kind", "room", "track", "language", "is_cancelled"]
    search_fields = ["title", "title_en", "abstract"]
    ordering = ["starts_at"]
    list_per_page = 50


class ConferenceViewSetGroup(SnippetViewSetGroup):
    items = [EditionViewSet, SessionViewSet, SpeakerViewSet, RoomViewSet, TrackViewSet]
    menu_icon = "calendar"
    menu_label = _("Conference")
    menu_name = "conference"
    menu_order = 200


register_snippet(ConferenceViewSetGroup)
