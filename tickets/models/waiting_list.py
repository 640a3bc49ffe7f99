"""People waiting for places of a sold-out capacity, in the order they came."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WaitingListEntry(models.Model):
    """One person waiting for a place. When one frees up, the first in line is offered it with a personal voucher
    that holds the place for them until the offer runs out; then the list moves on."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a place")
        USED = "used", _("Used the offer")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    capacity = models.ForeignKey("tickets.Capacity", on_delete=models.CASCADE, related_name="waiting_list")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, default="sv")
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    voucher = models.OneToOneField(
        "tickets.Voucher", on_delete=models.SET_NULL, null=True, blank=True, related_name="waiting_list_entry"
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["capacity", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["capacity", "email"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_place_in_line_per_email",
            )
        ]

    def __str__(self):
        return f"{self.capacity.name}: {self.name}"
