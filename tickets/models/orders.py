"""Orders and what they hold: attendees, their tickets, card payments' refunds and the Stripe events applied.

An order's states and the moves between them are written down here, once (`Order.Status`, `Order.TRANSITIONS`);
`tickets.services.orders.transition` makes every move and logs it."""

import secrets
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_order_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def new_secret():
    """192 random bits, URL-safe: order pages and tickets are found by this alone."""
    return secrets.token_urlsafe(24)


def holds_places(now, *, via=""):
    """The condition on an order (reached through `via`, e.g. "order__") whose tickets take places: paid or
    invoiced, or pending with a hold that has not run out."""
    return Q(**{f"{via}status__in": Order.CONFIRMED}) | Q(
        **{f"{via}status": Order.Status.PENDING, f"{via}hold_expires_at__gt": now}
    )


class OrderQuerySet(models.QuerySet):
    def holding(self, now=None):
        """Orders whose tickets take places (see holds_places)."""
        return self.filter(holds_places(now or timezone.now()))


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        INVOICED = "invoiced", _("Invoiced")
        EXPIRED = "expired", _("Expired")
        CANCELED = "canceled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # Every allowed move. A late card payment can still make an expired order paid (if a place is free) or
    # refunded (if not); an invoice order is confirmed at once and then paid or cancelled with a credit note.
    TRANSITIONS = {
        Status.PENDING: {Status.PAID, Status.INVOICED, Status.EXPIRED, Status.CANCELED},
        Status.EXPIRED: {Status.PAID, Status.REFUNDED, Status.CANCELED},
        Status.INVOICED: {Status.PAID, Status.CANCELED},
        Status.PAID: {Status.REFUNDED, Status.CANCELED},
        Status.CANCELED: {Status.REFUNDED},
        Status.REFUNDED: set(),
    }
    CONFIRMED = (Status.PAID, Status.INVOICED)  # tickets valid

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Card")
        INVOICE = "invoice", _("Invoice")

    class BuyerKind(models.TextChoices):
        PERSON = "person", _("Private person")
        ORGANISATION = "organisation", _("Organisation")

    edition = models.ForeignKey("events.Edition", on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(_("order code"), max_length=12, unique=True, default=new_order_code, editable=False)
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(_("language"), max_length=8, default="sv")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    hold_expires_at = models.DateTimeField(_("places held until"))
    voucher = models.ForeignKey(
        "tickets.Voucher", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    total = models.DecimalField(_("total including VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))

    # Buyer and billing
    buyer_kind = models.CharField(_("buyer"), max_length=20, choices=BuyerKind.choices, blank=True)
    buyer_name = models.CharField(_("buyer's name"), max_length=200, blank=True)
    buyer_email = models.EmailField(_("buyer's email"), blank=True)
    buyer_phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    invoice_address = models.CharField(_("invoice address"), max_length=200, blank=True)
    invoice_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    invoice_city = models.CharField(_("city"), max_length=100, blank=True)
    reference = models.CharField(_("your reference"), max_length=100, blank=True)
    peppol_id = models.CharField(_("PEPPOL or GLN id"), max_length=100, blank=True)

    # Payment
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    invoice_due_on = models.DateField(_("invoice due"), null=True, blank=True)
    stripe_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_session_url = models.URLField(max_length=2000, blank=True)
    stripe_payment_intent = models.CharField(max_length=255, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "hold_expires_at"])]

    def __str__(self):
        return self.code

    @property
    def is_confirmed(self):
        return self.status in self.CONFIRMED

    def holds_places(self, now=None):
        now = now or timezone.now()
        return self.is_confirmed or (self.status == self.Status.PENDING and self.hold_expires_at > now)

    @property
    def total_ore(self):
        return int(self.total * 100)

    @property
    def is_organisation(self):
        return self.buyer_kind == self.BuyerKind.ORGANISATION


class Attendee(models.Model):
    """A person the order brings to the conference; the registration form fills the details in."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attendees")
    position = models.PositiveSmallIntegerField(_("number"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("title"), max_length=200, blank=True)
    dietary_needs = models.CharField(_("dietary needs and allergies"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="unique_attendee_position")]

    def __str__(self):
        return self.name or f"#{self.position}"

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}".strip()


class Ticket(models.Model):
    """One ticket type for one attendee, at the price the order was made for. The secret is what the QR holds."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey("tickets.TicketType", on_delete=models.PROTECT, related_name="tickets")
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    list_price = models.DecimalField(_("list price"), max_digits=10, decimal_places=2)
    price = models.DecimalField(_("price including VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["pk"]  # by attendee and type: tickets.services.orders.tickets_query

    def __str__(self):
        return f"{self.ticket_type} – {self.attendee}"


class Refund(models.Model):
    """Money going back to a card. Sent to Stripe by the task worker with the row's id as idempotency key, so
    retries never refund twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To be sent")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.order} {self.amount}"


class StripeEvent(models.Model):
    """A Stripe event applied; its id is unique, so a duplicate delivery finds it here and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events")
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return self.event_id
