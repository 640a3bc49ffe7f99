"""Stripe's webhook events, applied once each and in whatever order they arrive.

The event's id is stored in the same transaction as its effect: a duplicate delivery, even one arriving at the
same instant, meets the unique id and changes nothing. Events the site does not use are acknowledged and
ignored."""

import logging

from django.db import IntegrityError, transaction

from tickets.models import Order, StripeEvent

from . import TicketingError
from .payments import checkout_expired, confirm_card_payment, fail_card_payment, record_charge_refunded

logger = logging.getLogger(__name__)
ACTOR = "stripe webhook"


def _order_for(obj):
    code = (obj.get("metadata") or {}).get("order") or obj.get("client_reference_id")
    if code:
        return Order.objects.filter(code=code).first()
    if obj.get("payment_intent"):
        return Order.objects.filter(stripe_payment_intent=obj["payment_intent"]).first()
    return None


def _session_paid(order, session):
    if session.get("payment_status") != "paid":
        return "waiting for a delayed payment"
    order = confirm_card_payment(order, session, actor=ACTOR)
    return f"order {order.status}"


def _session_failed(order, session):
    return f"order {fail_card_payment(order, actor=ACTOR, reason='delayed payment failed').status}"


def _session_expired(order, session):
    return f"order {checkout_expired(order, session.get('id'), actor=ACTOR).status}"


def _charge_refunded(order, charge):
    return f"order {record_charge_refunded(order, charge, actor=ACTOR).status}"


HANDLERS = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _session_failed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
}


def apply_event(event):
    """Applies a verified Stripe `event` at most once; returns what it did, in a few words."""
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    obj = event["data"]["object"]
    order = _order_for(obj)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event["id"], type=event["type"], order=order)
        except IntegrityError:
            return "duplicate"
        if order is None:
            outcome = "no such order"
        else:
            try:
                with transaction.atomic():
                    outcome = handler(order, obj)
            except TicketingError as error:
                logger.error("Stripe event refused", extra={"event": event["id"], "code": error.code})
                outcome = f"refused: {error.code}"
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
    return outcome
