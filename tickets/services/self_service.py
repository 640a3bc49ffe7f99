"""What a buyer may do on the order page after paying: change an attendee's details until the edition's deadline,
have the confirmation sent again, and cancel under the edition's terms (a full refund until a date, then none).
The organiser's admin calls the same functions, without the deadlines."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home import ratelimit
from tickets.models import Order, Refund

from . import TicketingError
from .invoices import cancel_invoice_order, credit_invoice
from .orders import lock_order, transition
from .payments import request_refund

CHANGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "job_title",
    "dietary_needs",
    "accessibility_needs",
)
RESENDS_PER_HOUR = 3


class DeadlinePassed(TicketingError):
    code = "deadline"


def _day(value):
    return date_format(value, "j F Y")


def changes_open(order, *, today=None):
    today = today or timezone.localdate()
    return order.is_confirmed and today <= order.edition.attendee_changes_until()


def cancellation_open(order, *, today=None):
    """Whether the buyer may cancel `order` themselves now: a confirmed card order, or an unpaid invoice, on or
    before the edition's last refund day."""
    today = today or timezone.localdate()
    last_day = order.edition.refund_until
    if last_day is None or today > last_day:
        return False
    card = order.status == Order.Status.PAID and order.payment_method == Order.PaymentMethod.CARD
    return card or order.status == Order.Status.INVOICED


@transaction.atomic
def change_attendee(order, attendee_id, data, *, by=None, actor="buyer", check_deadline=True, today=None):
    """Writes new details of one attendee of a confirmed order (name, email, organisation, title, dietary and
    accessibility needs), on or before the edition's deadline for changes."""
    order = lock_order(order)
    if not order.is_confirmed:
        raise TicketingError(_("Only a paid or invoiced order can be changed."), code="not_confirmed")
    if check_deadline and not changes_open(order, today=today):
        raise DeadlinePassed(
            _("Changes could be made until %(day)s. Write to us and we will help you.")
            % {"day": _day(order.edition.attendee_changes_until())}
        )
    attendee = order.attendees.select_for_update().get(pk=attendee_id)
    before = {name: getattr(attendee, name) for name in CHANGEABLE_FIELDS}
    for name in CHANGEABLE_FIELDS:
        if name in data:
            setattr(attendee, name, (data[name] or "").strip())
    if not (attendee.first_name and attendee.last_name):
        raise TicketingError(_("Enter the attendee's first and last name."), code="name_missing")
    changed = [name for name in CHANGEABLE_FIELDS if getattr(attendee, name) != before[name]]
    if changed:
        attendee.save(update_fields=changed)
        log(
            instance=order,
            action="tickets.order.attendee",
            user=by,
            data={"attendee": attendee.position, "fields": changed, "actor": actor},
        )
    return attendee


def resend_confirmation(order, *, by=None, actor="buyer", limit=True):
    """Sends the confirmation of a confirmed order again (to the buyer; and to each attendee where the edition
    says so), at most RESENDS_PER_HOUR times an hour when the buyer asks."""
    from tickets import emails

    if not order.is_confirmed:
        raise TicketingError(_("Only a paid or invoiced order has tickets to send."), code="not_confirmed")
    if limit and not ratelimit.allow("tickets:resend", order.code, limit=RESENDS_PER_HOUR, period=60 * 60):
        raise TicketingError(
            _("The email has been sent several times in the last hour. Check your spam folder, or try later."),
            code="rate_limited",
        )
    with transaction.atomic():
        log(instance=order, action="tickets.order.resent", user=by, data={"actor": actor})
        emails.send_order_confirmation(order, resend=True)


@transaction.atomic
def cancel_order(order, *, by=None, actor="buyer", reason="", check_terms=True, today=None):
    """Cancels a confirmed order and frees its places at once: a card payment is refunded through Stripe (what is
    left of it, once, however often this is called); an invoice, paid or not, is cancelled with a credit note (a
    paid one is repaid by bank transfer). The buyer may do it until the edition's last refund day, for a card order
    or an unpaid invoice; the organiser (check_terms=False) at any time."""
    order = lock_order(order)
    if order.status in (Order.Status.CANCELED, Order.Status.REFUNDED):
        return order  # a second click, or the webhook's echo: done already
    if check_terms and not cancellation_open(order, today=today):
        raise DeadlinePassed(_("This order can no longer be cancelled here. Write to us and we will help you."))
    if order.status == Order.Status.INVOICED:
        order, _credit_note = cancel_invoice_order(order, by=by, actor=actor, reason=reason or "cancelled by the buyer")
        return order
    if order.status != Order.Status.PAID:
        raise TicketingError(_("Only a paid or invoiced order can be cancelled."), code="not_confirmed")
    if order.payment_method == Order.PaymentMethod.INVOICE:
        # Paid by invoice: the credit note cancels the invoice; the money goes back by bank transfer.
        reason = reason or "cancelled, repay by transfer"
        credit_invoice(order, by=by, actor=actor, reason=reason)
        transition(order, Order.Status.CANCELED, by=by, actor=actor, reason=reason)
        return order
    transition(order, Order.Status.CANCELED, by=by, actor=actor, reason=reason or "cancelled")
    left = order.total - refunded_amount(order)
    if order.stripe_payment_intent and left > 0:
        request_refund(order, amount=left, reason=reason or "cancelled", by=by, actor=actor)
    return order


def refunded_amount(order):
    """What has gone (or is on its way) back to the card: the refunds that have not failed."""
    return sum(order.refunds.exclude(status=Refund.Status.FAILED).values_list("amount", flat=True), Decimal(0))


@transaction.atomic
def refund_part(order, *, amount, by, reason=""):
    """Sends part of a paid card order's money back through Stripe (the organiser's goodwill or a correction); the
    order stays paid and its tickets valid. Never more than what is left of the payment."""
    order = lock_order(order)
    if order.status != Order.Status.PAID or order.payment_method != Order.PaymentMethod.CARD:
        raise TicketingError(_("Only a paid card order can be refunded through Stripe."), code="not_card")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    refunded = refunded_amount(order)
    if amount <= 0 or amount > order.total - refunded:
        raise TicketingError(
            _("The amount must be more than 0 and at most %(left)s kr.")
            % {"left": number_format(order.total - refunded, decimal_pos=2, force_grouping=True)},
            code="amount",
        )
    return request_refund(order, amount=amount, reason=reason or "partial refund", by=by)
