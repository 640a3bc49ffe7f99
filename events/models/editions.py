import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index


class EditionQuerySet(models.QuerySet):
    def upcoming(self):
        """Editions that have not ended yet, the nearest first."""
        return self.filter(ends_on__gte=timezone.localdate()).order_by("starts_on")


class Edition(index.Indexed, models.Model):
    """One year's conference: where and when it is held, and when the banquet starts."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. “Trygg & Säker 2027”"))
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    city = models.CharField(_("city"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    banquet_starts_at = models.DateTimeField(
        _("banquet starts"), null=True, blank=True, help_text=_("The award winner is revealed at the banquet.")
    )
    banquet_venue = models.CharField(_("banquet venue"), max_length=200, blank=True)
    refund_until = models.DateField(
        _("full refund until"),
        null=True,
        blank=True,
        help_text=_("Buyers may cancel on their order page and get everything back until this day; after it, not."),
    )
    changes_until = models.DateField(
        _("attendee changes until"),
        null=True,
        blank=True,
        help_text=_(
            "Attendees' names and dietary needs can be changed on the order page until this day. "
            "Empty: until the day before the conference."
        ),
    )
    tickets_to_each_attendee = models.BooleanField(
        _("send each attendee their own ticket"),
        default=False,
        help_text=_("Besides the buyer's confirmation, each attendee gets an email with their own ticket."),
    )

    objects = EditionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("year")]),
        MultiFieldPanel([FieldPanel("city"), FieldPanel("venue"), FieldPanel("address")], heading=_("Place")),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading=_("Dates")),
        MultiFieldPanel([FieldPanel("banquet_starts_at"), FieldPanel("banquet_venue")], heading=_("Banquet")),
        MultiFieldPanel(
            [FieldPanel("refund_until"), FieldPanel("changes_until"), FieldPanel("tickets_to_each_attendee")],
            heading=_("Ticket terms"),
        ),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("city"), index.FilterField("year")]

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot come before the first day.")})
        if self.banquet_starts_at and self.starts_on and self.ends_on:
            banquet_day = timezone.localtime(self.banquet_starts_at).date()
            if not self.starts_on <= banquet_day <= self.ends_on:
                raise ValidationError({"banquet_starts_at": _("The banquet must be held during the conference.")})

    @property
    def days(self):
        return (self.ends_on - self.starts_on).days + 1

    def attendee_changes_until(self):
        """The last day attendees' details can be changed by the buyer."""
        return self.changes_until or self.starts_on - dt.timedelta(days=1)
