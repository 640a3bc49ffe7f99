"""Work for the task worker: letting holds run out, and sending refunds to Stripe until Stripe has them."""

import datetime as dt
import logging

import stripe
from django.conf import settings
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


DAILY = dt.timedelta(days=1)


def schedule_daily_anonymisation():
    """Queues the daily anonymisation unless a run is already waiting in the database queue. Returns whether it
    queued one."""
    if "django_tasks_db" in settings.INSTALLED_APPS and anonymise_personal_data.get_backend().supports_defer:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status="READY", task_path=anonymise_personal_data.module_path)
        if waiting.exists():
            return False
    anonymise_personal_data.enqueue()
    return True


@task()
def anonymise_personal_data():
    """Anonymises what is past the retention period, then queues itself for the same time tomorrow (where the
    queue can wait): started once by `manage.py anonymise_attendees --schedule`."""
    from tickets.services.retention import anonymise_expired

    anonymise_expired()
    if anonymise_personal_data.get_backend().supports_defer:
        anonymise_personal_data.using(run_after=timezone.now() + DAILY).enqueue()


@task()
def offer_freed_places(order_id):
    from tickets.services.waiting_list import offer_places_freed_by

    order = Order.objects.filter(pk=order_id).first()
    if order is not None:
        offer_places_freed_by(order)


def expire_offer_later(entry_id, *, at):
    _later(expire_offer, at).enqueue(entry_id)


@task()
def expire_offer(entry_id):
    from tickets.models import WaitingListEntry
    from tickets.services.waiting_list import expire_offer as end_offer

    entry = WaitingListEntry.objects.filter(pk=entry_id).first()
    if entry is not None:
        end_offer(entry)
