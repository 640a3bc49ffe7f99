"""Doors: check-in lists (which tickets a door admits, and when), the scanner devices allowed to use them, and every
scan recorded, with the answer it got."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class CheckinList(models.Model):
    """A door's list, e.g. “Konferens dag 1” or “Bankett”: the ticket types it admits, optionally only within a
    time window, once per ticket (default) or again and again."""

    edition = models.ForeignKey("events.Edition", on_delete=models.CASCADE, related_name="checkin_lists")
    name = models.CharField(_("name"), max_length=100)
    ticket_types = models.ManyToManyField(
        "tickets.TicketType", related_name="checkin_lists", verbose_name=_("admits ticket types")
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    allow_reentry = models.BooleanField(
        _("re-entry allowed"), default=False, help_text=_("Untick for single entry: a ticket is admitted once.")
    )

    panels = [
        FieldRowPanel([FieldPanel("edition"), FieldPanel("name")]),
        FieldPanel("ticket_types"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Time window")),
        FieldPanel("allow_reentry"),
    ]

    class Meta:
        verbose_name = _("check-in list")
        verbose_name_plural = _("check-in lists")
        ordering = ["edition", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="unique_checkin_list_name")]

    def __str__(self):
        return self.name

    def is_open(self, moment):
        return not (self.opens_at and moment < self.opens_at) and not (self.closes_at and moment >= self.closes_at)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ScannerDevice(models.Model):
    """A phone or scanner handed to door staff, allowed to check in for one edition with a bearer token. Only the
    token's hash is stored; the token is shown once, when the device is created."""

    edition = models.ForeignKey("events.Edition", on_delete=models.CASCADE, related_name="scanner_devices")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. “Dörr A”"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("scanner device")
        verbose_name_plural = _("scanner devices")
        ordering = ["edition", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def create_with_token(cls, *, edition, name):
        """A new device and its token (to hand over now: it cannot be read again)."""
        token = secrets.token_urlsafe(32)
        device = cls.objects.create(edition=edition, name=name, token_hash=hash_token(token))
        return device, token

    @property
    def is_active(self):
        return self.revoked_at is None


class Checkin(models.Model):
    """One scan of a ticket at a list, and the answer the door got. `ok` rows are admissions; the rest are
    recorded refusals and duplicates. A scanner's nonce makes a repeated upload return the first answer."""

    class Result(models.TextChoices):
        OK = "ok", _("Admitted")
        ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")
        WRONG_LIST = "wrong_list", _("Not valid for this list")
        UNPAID = "unpaid", _("Unpaid")
        CANCELED = "canceled", _("Cancelled")
        UNKNOWN = "unknown", _("Unknown ticket")

    checkin_list = models.ForeignKey(CheckinList, on_delete=models.CASCADE, related_name="checkins")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, related_name="checkins")
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    scanned_at = models.DateTimeField(_("scanned"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    device = models.ForeignKey(ScannerDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    nonce = models.CharField(max_length=100, null=True, blank=True, unique=True)
    answer = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-scanned_at"]
        indexes = [models.Index(fields=["checkin_list", "result", "scanned_at"])]

    def __str__(self):
        return f"{self.checkin_list}: {self.result}"
