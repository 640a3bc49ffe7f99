"""Work for the task worker: letting holds run out, and sending refunds to Stripe until Stripe has them."""

import datetime as dt
import logging

import stripe
from django.utils import timezone
from django_tasks import task

from tickets.models import Order, Refund

logger = logging.getLogger(__name__)

REFUND_RETRY_DELAYS = [dt.timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 480)]


def _later(task_, at):
    if at and task_.get_backend().supports_defer:
        return task_.using(run_after=at)
    return task_


def expire_hold_later(order_id, *, at):
    """Queues the end of `order_id`'s hold for the moment it runs out (at once where the queue cannot wait)."""
    _later(expire_hold, at).enqueue(order_id)


@task()
def expire_hold(order_id):
    from tickets.services.orders import expire_order

    order = Order.objects.filter(pk=order_id).first()
    if order is not None:
        expire_order(order)


@task()
def submit_refund(refund_id, payment_intent="", attempt=1):
    from tickets.services.payments import send_refund

    refund = Refund.objects.get(pk=refund_id)
    try:
        send_refund(refund, payment_intent=payment_intent)
    except stripe.StripeError:
        if attempt > len(REFUND_RETRY_DELAYS):
            logger.exception("Refund not sent, giving up", extra={"refund": refund_id})
            Refund.objects.filter(pk=refund_id).update(status=Refund.Status.FAILED)
            return
        logger.warning("Refund not sent, will retry", exc_info=True, extra={"refund": refund_id})
        _later(submit_refund, timezone.now() + REFUND_RETRY_DELAYS[attempt - 1]).enqueue(
            refund_id, payment_intent, attempt + 1
        )
