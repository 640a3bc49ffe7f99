from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index


class AwardIndexPage(Page):
    """The conference's prizes, with each award's history below it."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.AwardPage"]
    template = "events/award_index_page.html"

    class Meta:
        verbose_name = _("awards index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["awards"] = AwardPage.objects.child_of(self).live().public().specific()
        return context


class AwardPage(Page):
    """An award: why it exists, what a candidate is judged on, and who has won it."""

    presented_by = models.CharField(
        _("presented by"), max_length=200, blank=True, help_text=_("The organisation behind the award.")
    )
    purpose = RichTextField(
        _("purpose"), features=["bold", "italic", "link"], help_text=_("Why the award exists, in a few sentences.")
    )
    who_can_nominate = RichTextField(
        _("who can nominate"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("e.g. “Anyone may propose a candidate, with an account of how the criteria are met.”"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("presented_by"),
        FieldPanel("purpose"),
        FieldPanel("who_can_nominate"),
        InlinePanel("criteria", heading=_("Criteria"), label=_("criterion"), min_num=1),
        InlinePanel("past_winners", heading=_("Earlier winners"), label=_("winner")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("purpose")]
    parent_page_types = ["events.AwardIndexPage"]
    subpage_types = []
    template = "events/award_page.html"

    class Meta:
        verbose_name = _("award page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["past_winners"] = self.past_winners.order_by("-year")
        return context


class AwardCriterion(Orderable):
    """What the jury judges a candidate on; a nomination answers each criterion."""

    page = ParentalKey(AwardPage, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("What a nominator should describe."))
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, default=1, help_text=_("Relative weight in the jury's score.")
    )

    panels = [FieldPanel("title"), FieldPanel("guidance"), FieldPanel("weight")]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.title


class PastWinner(Orderable):
    """An earlier year's winner, with the jury's motivation, for the award's history."""

    page = ParentalKey(AwardPage, on_delete=models.CASCADE, related_name="past_winners")
    year = models.PositiveSmallIntegerField(_("year"))
    winner = models.CharField(_("winner"), max_length=300)
    description = models.CharField(
        _("who they are"), max_length=300, blank=True, help_text=_("Title, organisation or place.")
    )
    motivation = models.TextField(_("jury's motivation"), blank=True)
    other_nominees = models.CharField(
        _("other nominees"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("winner")]),
        FieldPanel("description"),
        FieldPanel("motivation"),
        FieldPanel("other_nominees"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("earlier winner")
        verbose_name_plural = _("earlier winners")

    def __str__(self):
        return f"{self.year}: {self.winner}"

    @property
    def other_nominee_list(self):
        return [name.strip() for name in self.other_nominees.split(",") if name.strip()]
