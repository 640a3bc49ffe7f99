"""What is for sale: capacities shared between ticket types, the types with their prices and VAT, and vouchers."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

VAT_RATES = [
    (Decimal("25.00"), "25 %"),
    (Decimal("12.00"), "12 %"),
    (Decimal("6.00"), "6 %"),
    (Decimal("0.00"), "0 %"),
]


class Capacity(models.Model):
    """A number of places that one or several ticket types draw from (“Konferens” 800, “Bankett” 400).
    Its row is the lock every sale of those types takes."""

    edition = models.ForeignKey("events.Edition", on_delete=models.CASCADE, related_name="capacities")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. “Konferens” or “Bankett”"))
    size = models.PositiveIntegerField(_("places"))

    panels = [FieldPanel("edition"), FieldRowPanel([FieldPanel("name"), FieldPanel("size")])]

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["edition", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="unique_capacity_name")]

    def __str__(self):
        return f"{self.name} ({self.size})"


class TicketType(index.Indexed, models.Model):
    """Something an attendee can buy: a conference pass, a day pass, the banquet. The price includes VAT."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference pass")
        DAY = "day", _("Day pass")
        BANQUET = "banquet", _("Banquet")
        OTHER = "other", _("Other")

    edition = models.ForeignKey("events.Edition", on_delete=models.CASCADE, related_name="ticket_types")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONFERENCE)
    name = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    description = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    valid_on = models.DateField(
        _("valid on"), null=True, blank=True, help_text=_("For a day pass: the day it admits. Empty: every day.")
    )
    price = models.DecimalField(
        _("price including VAT (SEK)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, choices=VAT_RATES, default=Decimal("25.00")
    )
    capacities = models.ManyToManyField(
        Capacity,
        related_name="ticket_types",
        verbose_name=_("capacities"),
        help_text=_("Every ticket sold takes one place in each of these."),
    )
    sale_starts_at = models.DateTimeField(_("sale starts"), null=True, blank=True)
    sale_ends_at = models.DateTimeField(_("sale ends"), null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(
        _("most per order"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    asks_dietary_needs = models.BooleanField(
        _("asks for dietary needs"), default=False, help_text=_("Tick for tickets that include a meal.")
    )
    is_active = models.BooleanField(_("on sale"), default=True, help_text=_("Untick to hide the type from buyers."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("edition"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("valid_on")]),
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("description"), FieldPanel("description_en")],
            heading=_("Name and description"),
        ),
        FieldRowPanel([FieldPanel("price"), FieldPanel("vat_rate")], heading=_("Price")),
        FieldPanel("capacities"),
        FieldRowPanel([FieldPanel("sale_starts_at"), FieldPanel("sale_ends_at")], heading=_("Sale window")),
        FieldRowPanel([FieldPanel("max_per_order"), FieldPanel("sort_order")]),
        FieldRowPanel([FieldPanel("asks_dietary_needs"), FieldPanel("is_active")]),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("name_en"), index.FilterField("edition")]

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["edition", "sort_order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.sale_starts_at and self.sale_ends_at and self.sale_ends_at <= self.sale_starts_at:
            raise ValidationError({"sale_ends_at": _("The sale must end after it starts.")})

    @property
    def display_name(self):
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def display_description(self):
        return self.description_en if get_language() == "en" and self.description_en else self.description

    def on_sale(self, now=None):
        now = now or timezone.now()
        if not self.is_active:
            return False
        if self.sale_starts_at and now < self.sale_starts_at:
            return False
        return not (self.sale_ends_at and now >= self.sale_ends_at)


class Voucher(models.Model):
    """A code that lowers the price of some ticket types, for a limited number of tickets."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        AMOUNT = "amount", _("Amount off (SEK, VAT included)")

    edition = models.ForeignKey("events.Edition", on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(_("code"), max_length=40, help_text=_("Buyers type it in; letters and digits."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    max_uses = models.PositiveIntegerField(_("tickets it can be used for"), default=1)
    ticket_types = models.ManyToManyField(
        TicketType,
        blank=True,
        related_name="vouchers",
        verbose_name=_("for ticket types"),
        help_text=_("Empty: every type."),
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("internal note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("edition"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("value")]),
        FieldRowPanel([FieldPanel("max_uses"), FieldPanel("valid_until")]),
        FieldPanel("ticket_types"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["edition", "code"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="unique_voucher_code")]

    def __str__(self):
        return self.code

    def clean(self):
        self.code = (self.code or "").strip().upper()
        if self.kind == self.Kind.PERCENT and self.value is not None and self.value > 100:
            raise ValidationError({"value": _("A percentage cannot be more than 100.")})

    def applies_to(self, ticket_type, ticket_type_ids):
        """Whether the voucher lowers `ticket_type`'s price (`ticket_type_ids`: the voucher's types, empty = all)."""
        return not ticket_type_ids or ticket_type.pk in ticket_type_ids

    def discounted(self, price):
        """`price` (VAT included) after the voucher, never below zero, rounded to öre."""
        percent = self.kind == self.Kind.PERCENT
        cut = (price * self.value / 100).quantize(Decimal("0.01")) if percent else self.value
        return max(price - cut, Decimal("0.00"))
