"""Card payments through Stripe Checkout, and refunds.

Whichever comes first of the buyer's return and Stripe's webhook confirms the order; the other finds it confirmed
and changes nothing. Every status change happens under the order's row lock, so the confirmation email is queued
exactly once. A payment that arrives after its hold ran out is honoured while places are free, and otherwise
refunded at once."""

import datetime as dt
import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from tickets.models import Order, Refund

from . import PaymentError, SoldOut
from .orders import _pending_with_hold, actor_name, lock_order, retake_places, tickets_query, transition
from .pricing import to_ore

logger = logging.getLogger(__name__)

STRIPE_MIN_EXPIRY = dt.timedelta(minutes=31)  # Stripe refuses expires_at sooner than 30 minutes ahead
REFUND_ACTION = "tickets.order.refund"
MADE_IN_STRIPE = "Stripe"  # the actor of a refund someone made in Stripe's dashboard


def stripe_client():
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentError(_("Card payment is not available at the moment. Choose invoice or try again later."))
    options = {"base_addresses": {"api": settings.STRIPE_API_BASE}} if settings.STRIPE_API_BASE else {}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **options)


def _checkout_params(order, *, success_url, cancel_url, expires_at):
    with override(order.language):
        line_items = [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "sek",
                    "unit_amount": to_ore(ticket.price),
                    "product_data": {"name": f"{ticket.ticket_type.display_name} – {ticket.attendee.name}"},
                },
            }
            for ticket in tickets_query(order)
        ]
    return {
        "mode": "payment",
        "allowed_payment_method_types": ["card"],
        "line_items": line_items,
        "customer_email": order.buyer_email,
        "client_reference_id": order.code,
        "metadata": {"order": order.code},
        "payment_intent_data": {"metadata": {"order": order.code}},
        "locale": "en" if order.language == "en" else "sv",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }


def start_card_payment(order, *, success_url, cancel_url, now=None):
    """The address of a Stripe Checkout page for `order`, with its hold stretched to the page's expiry (the same
    page again while it is open). success_url may contain {CHECKOUT_SESSION_ID}."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _pending_with_hold(order, now=now)
        if order.stripe_session_url and order.hold_expires_at - now >= STRIPE_MIN_EXPIRY - dt.timedelta(minutes=1):
            return order.stripe_session_url
        order.hold_expires_at = max(order.hold_expires_at, now + STRIPE_MIN_EXPIRY)
        order.payment_method = Order.PaymentMethod.CARD
        order.save(update_fields=["hold_expires_at", "payment_method"])
        params = _checkout_params(
            order, success_url=success_url, cancel_url=cancel_url, expires_at=order.hold_expires_at
        )
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=params,
            options={"idempotency_key": f"checkout-{order.code}-{params['expires_at']}"},
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a checkout session", exc_info=True, extra={"order": order.code})
        raise PaymentError(_("The card payment could not be started. Please try again in a moment.")) from error
    with transaction.atomic():
        order = lock_order(order)
        order.stripe_session_id = session.id
        order.stripe_session_url = session.url
        order.save(update_fields=["stripe_session_id", "stripe_session_url"])
    return session.url


def refresh_from_stripe(order):
    """Asks Stripe about the order's checkout session (the buyer came back before the webhook) and applies it."""
    if order.status != Order.Status.PENDING or not order.stripe_session_id:
        return order
    try:
        session = stripe_client().v1.checkout.sessions.retrieve(order.stripe_session_id)
    except (stripe.StripeError, PaymentError):
        logger.warning("Could not fetch a checkout session", exc_info=True, extra={"order": order.code})
        return order
    if session.payment_status == "paid":
        return confirm_card_payment(order, session.to_dict(), actor="return page")
    return order


def confirm_card_payment(order, session, *, actor, now=None):
    """Applies a paid checkout `session` (a dict) to `order`: paid (and the confirmation email queued) if it holds its
    places or can take them again; refunded, with an email saying why, if they are gone. Applying it again
    changes nothing."""
    now = now or timezone.now()
    if session.get("currency") != "sek" or session.get("amount_total") != order.total_ore:
        logger.error(
            "Checkout amount does not match the order",
            extra={"order": order.code, "amount": session.get("amount_total"), "expected": order.total_ore},
        )
        raise PaymentError(_("The payment does not match the order."), code="amount_mismatch")
    from tickets import emails

    with transaction.atomic():
        order = lock_order(order)
        payment_intent = session.get("payment_intent") or ""
        if order.stripe_payment_intent and order.stripe_payment_intent == payment_intent:
            return order  # this payment was applied already
        if order.status in (Order.Status.PAID, Order.Status.INVOICED, Order.Status.REFUNDED):
            # A second payment for an order that is settled: give it back.
            return _refund_unwanted(order, payment_intent, actor=actor, reason="paid twice")
        order.stripe_payment_intent = payment_intent
        order.stripe_session_id = session.get("id") or order.stripe_session_id
        order.save(update_fields=["stripe_payment_intent", "stripe_session_id"])
        if order.status == Order.Status.CANCELED:
            return _refund_late_payment(order, actor=actor, now=now, reason="paid after the order was cancelled")
        if order.holds_places(now):
            transition(order, Order.Status.PAID, actor=actor, reason="card payment", now=now)
        else:
            try:
                retake_places(order, now=now)
            except SoldOut:
                if order.status == Order.Status.PENDING:
                    transition(order, Order.Status.EXPIRED, actor=actor, reason="hold expired", now=now)
                return _refund_late_payment(order, actor=actor, now=now)

            transition(order, Order.Status.PAID, actor=actor, reason="late card payment, places still free", now=now)
        emails.send_order_confirmation(order)
        return order


def _refund_late_payment(order, *, actor, now, reason="late payment, sold out"):
    transition(order, Order.Status.REFUNDED, actor=actor, reason=f"{reason}: refunded", now=now)
    request_refund(order, amount=order.total, reason=reason, actor=actor)
    from tickets import emails

    emails.send_late_payment_refunded(order)
    return order


def _refund_unwanted(order, payment_intent, *, actor, reason):
    if Refund.objects.filter(order=order, reason__startswith=f"{payment_intent}:").exists():
        return order
    logger.warning("Second payment for a settled order", extra={"order": order.code})
    request_refund(
        order, amount=order.total, reason=f"{payment_intent}: {reason}", actor=actor, payment_intent=payment_intent
    )
    return order


def request_refund(order, *, amount, reason, by=None, actor="", payment_intent=None):
    """A refund of `amount` to the order's card (locked by the caller), sent to Stripe by the task worker after the
    commit, and its one entry in the order's log: who asked, how much and why (Stripe's refund id joins it when
    Stripe has made the refund)."""
    refund = Refund.objects.create(order=order, amount=amount, reason=reason)
    log(
        instance=order,
        action=REFUND_ACTION,
        user=by,
        data={"refund": refund.pk, "amount": str(refund.amount), "reason": reason, "actor": actor_name(by, actor)},
    )
    refund_after_commit(refund, payment_intent=payment_intent)
    return refund


def refund_after_commit(refund, *, payment_intent=None):
    """Queues `refund` for the task worker once the transaction commits."""
    from tickets.tasks import submit_refund

    transaction.on_commit(lambda: submit_refund.enqueue(refund.pk, payment_intent or ""))


def _note_refund_made(order, refund, made):
    """Adds Stripe's refund id to the refund's entry in the order's log: still one entry per refund, however often
    it is sent (a refund asked for before the log kept them so gets its entry now)."""
    stripe_data = {"stripe_refund_id": made.id, "stripe_status": made.status}
    entry = ModelLogEntry.objects.for_instance(order).filter(action=REFUND_ACTION, data__refund=refund.pk).first()
    if entry is None:
        data = {"refund": refund.pk, "amount": str(refund.amount), "reason": refund.reason, "actor": actor_name()}
        log(instance=order, action=REFUND_ACTION, data=data | stripe_data)
    else:
        entry.data = entry.data | stripe_data
        entry.save(update_fields=["data"])


def send_refund(refund, *, payment_intent=""):
    """Sends `refund` to Stripe once: the refund's id is the idempotency key, so a retry after a timeout finds
    the refund Stripe already made. Returns the refund; raises stripe.StripeError for the task to retry."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
        if refund.status == Refund.Status.SUCCEEDED:
            return refund
        refund.attempts += 1
        refund.save(update_fields=["attempts"])
    order = refund.order
    try:
        made = stripe_client().v1.refunds.create(
            params={
                "payment_intent": payment_intent or order.stripe_payment_intent,
                "amount": to_ore(refund.amount),
                "metadata": {"order": order.code, "refund": str(refund.pk)},
            },
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
    except stripe.StripeError as error:
        Refund.objects.filter(pk=refund.pk).update(last_error=str(error)[:2000])
        raise
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.stripe_refund_id = made.id
        refund.status = Refund.Status.SUCCEEDED if made.status in ("succeeded", "pending") else Refund.Status.FAILED
        refund.save(update_fields=["stripe_refund_id", "status"])
        _note_refund_made(order, refund, made)
    return refund


@transaction.atomic
def fail_card_payment(order, *, actor, reason):
    """A delayed payment failed: a pending order is cancelled and its places freed."""
    order = lock_order(order)
    if order.status in (Order.Status.PENDING, Order.Status.EXPIRED):
        transition(order, Order.Status.CANCELED, actor=actor, reason=reason)
    return order


@transaction.atomic
def checkout_expired(order, session_id, *, actor):
    """Stripe gave up on a checkout page: forget it, and end the order if its hold has run out too."""
    order = lock_order(order)
    if order.status != Order.Status.PENDING or order.stripe_session_id != session_id:
        return order
    order.stripe_session_url = ""
    order.save(update_fields=["stripe_session_url"])
    if order.hold_expires_at <= timezone.now():
        transition(order, Order.Status.EXPIRED, actor=actor, reason="checkout expired")
    return order


@transaction.atomic
def record_charge_refunded(order, charge, *, actor):
    """A refund made in Stripe (also our own, echoed back): what of it is not ours gets its entry in the order's
    log, and a paid order refunded in full becomes refunded."""
    order = lock_order(order)
    _log_refunds_made_in_stripe(order, charge)
    if charge.get("refunded") and order.status in (Order.Status.PAID, Order.Status.CANCELED):
        transition(order, Order.Status.REFUNDED, actor=actor, reason="refunded in Stripe")
    return order


def _log_refunds_made_in_stripe(order, charge):
    """Someone's refund in Stripe's dashboard reaches the site only as the charge's refunded total: the part of it
    that is neither one of our refunds (sent or on their way) nor logged by an earlier event gets one entry."""
    ours = order.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"] or 0
    logged = ModelLogEntry.objects.for_instance(order).filter(action=REFUND_ACTION, data__actor=MADE_IN_STRIPE)
    logged_ore = sum(to_ore(data.get("amount") or 0) for data in logged.values_list("data", flat=True))
    unknown = (charge.get("amount_refunded") or 0) - to_ore(ours) - logged_ore
    if unknown > 0:
        log(
            instance=order,
            action=REFUND_ACTION,
            data={
                "amount": str((Decimal(unknown) / 100).quantize(Decimal("0.01"))),
                "reason": "refunded in Stripe",
                "actor": MADE_IN_STRIPE,
                "stripe_charge_id": charge.get("id", ""),
            },
        )
