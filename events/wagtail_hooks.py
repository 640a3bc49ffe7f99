from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from events.models import Edition


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "date"
    menu_label = _("Editions")
    list_display = ["name", "city", "venue", "starts_on", "ends_on"]
    list_filter = ["city"]
    search_fields = ["name", "city"]
    ordering = ["-starts_on"]


class ConferenceViewSetGroup(SnippetViewSetGroup):
    items = [EditionViewSet]
    menu_icon = "calendar"
    menu_label = _("Conference")
    menu_name = "conference"
    menu_order = 200


register_snippet(ConferenceViewSetGroup)
