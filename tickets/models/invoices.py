"""Invoices and credit notes: numbered without gaps, and frozen when issued (what was sold, to whom, by whom)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="doc-full")
class InvoiceSettings(BaseGenericSetting):
    """The seller, as every invoice must name it."""

    seller_name = models.CharField(_("seller"), max_length=200, default="Trygg & Säker AB")
    organisation_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, help_text=_("e.g. SE556677889901"))
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("invoice questions to"), blank=True)
    bankgiro = models.CharField(_("bankgiro"), max_length=20, blank=True)
    f_tax = models.BooleanField(_("approved for F-tax"), default=True)
    number_prefix = models.CharField(
        _("invoice number prefix"), max_length=10, default="TS", help_text=_("Invoices are numbered TS-1001, …")
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("seller_name"),
                FieldRowPanel([FieldPanel("organisation_number"), FieldPanel("vat_number")]),
                FieldPanel("address"),
                FieldPanel("email"),
                FieldRowPanel([FieldPanel("bankgiro"), FieldPanel("f_tax")]),
            ],
            heading=_("Seller"),
        ),
        FieldPanel("number_prefix"),
    ]

    class Meta:
        verbose_name = _("invoice settings")


class InvoiceSequence(models.Model):
    """The last number used; its row is locked while the next invoice takes a number, so none is skipped or
    used twice."""

    prefix = models.CharField(max_length=10, unique=True)
    last_number = models.PositiveIntegerField(default=1000)

    def __str__(self):
        return f"{self.prefix}-{self.last_number}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    order = models.ForeignKey("tickets.Order", on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=30, unique=True)
    credits = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        verbose_name=_("credits invoice"),
    )
    issued_on = models.DateField(_("issued"), default=timezone.localdate)
    due_on = models.DateField(_("due"), null=True, blank=True)
    seller = models.JSONField(_("seller"), default=dict)
    buyer = models.JSONField(_("buyer"), default=dict)
    lines = models.JSONField(_("lines"), default=list)
    vat_summary = models.JSONField(_("VAT per rate"), default=list)
    total = models.DecimalField(_("total including VAT"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-number"]

    def __str__(self):
        return self.number
