"""Personal data is kept only as long as it is needed: some months after an edition ended, its attendees and
buyers are anonymised. What accounting law requires stays: orders' codes, amounts, status and log, refunds,
and invoices and credit notes as issued (they name the buying organisation and its reference)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from tickets.models import Attendee, Order

ANONYMOUS = "–"
ATTENDEE_BLANKS = {
    "first_name": ANONYMOUS,
    "last_name": "",
    "email": "",
    "job_title": "",
    "dietary_needs": "",
    "accessibility_needs": "",
}
BUYER_BLANKS = {
    "buyer_name": ANONYMOUS,
    "buyer_email": "",
    "buyer_phone": "",
    "reference": "",
    "peppol_id": "",
}


def retention_cutoff(*, months=None, today=None):
    """Editions that ended before this day are past the retention period."""
    months = settings.PERSONAL_DATA_RETENTION_MONTHS if months is None else months
    today = today or timezone.localdate()
    return today - dt.timedelta(days=round(months * 365.25 / 12))


def orders_due(*, months=None, today=None):
    return Order.objects.filter(
        edition__ends_on__lt=retention_cutoff(months=months, today=today), anonymised_at__isnull=True
    )


@transaction.atomic
def anonymise_orders(orders, *, now=None):
    """Removes the names, email addresses, phone numbers, titles, dietary and accessibility needs of `orders`'
    attendees and buyers; an organisation's name and number stay (they are not a person's, and the accounting
    needs them). Returns how many orders it anonymised."""
    now = now or timezone.now()
    ids = list(orders.select_for_update().values_list("pk", flat=True))
    Attendee.objects.filter(order_id__in=ids).update(**ATTENDEE_BLANKS)
    Order.objects.filter(pk__in=ids).update(anonymised_at=now, **BUYER_BLANKS)
    for order in Order.objects.filter(pk__in=ids):
        log(instance=order, action="tickets.order.anonymised", data={"actor": "retention"})
    return len(ids)


def anonymise_expired(*, months=None, today=None):
    """Anonymises every order of an edition that ended more than `months` (PERSONAL_DATA_RETENTION_MONTHS) ago."""
    return anonymise_orders(orders_due(months=months, today=today))
