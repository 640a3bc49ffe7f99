from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from home.blocks import BodyBlock
from home.page_cache import PubliclyCachedPage


class HomePage(PubliclyCachedPage, Page):
    """The front page: the next edition, a call to register, and the ways into the site."""

    lead = models.TextField(
        _("lead"),
        blank=True,
        help_text=_("One or two sentences under the conference name: what the conference is and for whom."),
    )
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition shown"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to show the next upcoming edition."),
    )
    registration_page = models.ForeignKey(
        Page,
        verbose_name=_("registration page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the “Register” button leads."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("edition"),
        FieldPanel("registration_page"),
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from events.models import ProgrammePage
        from events.selectors import current_edition

        context = super().get_context(request, *args, **kwargs)
        edition = self.edition or current_edition()
        context["edition"] = edition
        context["programme_page"] = ProgrammePage.objects.child_of(self).live().filter(edition=edition).first()
        context["sections"] = self.get_children().live().public().in_menu().specific()
        return context


class ContentPage(PubliclyCachedPage, Page):
    """A page of text: about the conference, the venue, practical information, terms."""

    lead = models.TextField(_("lead"), blank=True, help_text=_("A short introduction shown in larger type."))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = Page.search_fields

    template = "home/content_page.html"

    class Meta:
        verbose_name = _("content page")


SOCIAL_SERVICES = [
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("youtube", "YouTube"),
    ("bluesky", "Bluesky"),
    ("x", "X"),
]


class SocialLinkValue(blocks.StructValue):
    def label(self):
        return dict(SOCIAL_SERVICES).get(self["service"], self["service"])


class SocialLinkBlock(blocks.StructBlock):
    service = blocks.ChoiceBlock(label=_("service"), choices=SOCIAL_SERVICES)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        value_class = SocialLinkValue
        icon = "link"
        preview_value = {"service": "linkedin", "url": "https://www.linkedin.com/company/example"}


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Who runs the conference and how to reach them; shown in the footer of every page."""

    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    organisation_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    footer_text = RichTextField(
        _("footer text in Swedish"), blank=True, features=["bold", "italic", "link"], help_text=_("A line or two.")
    )
    footer_text_en = RichTextField(
        _("footer text in English"), blank=True, features=["bold", "italic", "link"], help_text=_("A line or two.")
    )
    social_links = StreamField(
        [("link", SocialLinkBlock())], verbose_name=_("social links"), blank=True, use_json_field=True
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("organiser"), FieldPanel("organisation_number"), FieldPanel("address")],
            heading=_("Organiser"),
        ),
        MultiFieldPanel([FieldPanel("email"), FieldPanel("phone")], heading=_("Contact")),
        MultiFieldPanel([FieldPanel("footer_text"), FieldPanel("footer_text_en")], heading=_("Footer")),
        FieldPanel("social_links"),
    ]

    class Meta:
        verbose_name = _("site settings")

    def footer_text_for(self, language_code):
        return self.footer_text_en if language_code == "en" and self.footer_text_en else self.footer_text
