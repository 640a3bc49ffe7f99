from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ProgrammePage(Page):
    """The programme of one edition. Sessions and speakers are added in the admin's Programme menu."""

    edition = models.ForeignKey("events.Edition", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="+")
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("edition"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    template = "events/programme_page.html"

    class Meta:
        verbose_name = _("programme page")
