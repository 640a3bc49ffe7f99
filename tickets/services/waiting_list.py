"""The waiting list of a sold-out capacity. When places free up (an order expires, is cancelled or refunded, or
an offer runs out), the first in line is offered one with a personal voucher valid WAITING_LIST_OFFER_HOURS. While
the offer is open the place is theirs: other buyers count it as taken. Used, it becomes their order's place;
expired, it goes to the next in line."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from home import ratelimit
from tickets.models import Capacity, Voucher, WaitingListEntry
from tickets.models.orders import CODE_ALPHABET

from . import TicketingError

PER_IP = (10, 60 * 60)


def open_offers(capacity_ids, *, now, except_voucher=None):
    """{capacity id: offers open now}: places promised to people from the waiting list."""
    offers = WaitingListEntry.objects.filter(
        capacity_id__in=capacity_ids, status=WaitingListEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    if except_voucher is not None:
        offers = offers.exclude(voucher=except_voucher)
    counts = {}
    for capacity_id in offers.values_list("capacity_id", flat=True):
        counts[capacity_id] = counts.get(capacity_id, 0) + 1
    return counts


def join_waiting_list(capacity, *, name, email, language, ip=""):
    """Puts `email` in line for `capacity` (once: asking again keeps the place in line it has)."""
    if ip and not ratelimit.allow("waiting-list:ip", ip, limit=PER_IP[0], period=PER_IP[1]):
        raise TicketingError(_("Too many attempts in a short time. Wait a while and try again."), code="rate_limited")
    email = email.strip().lower()
    existing = WaitingListEntry.objects.filter(
        capacity=capacity, email=email, status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return WaitingListEntry.objects.create(capacity=capacity, name=name.strip(), email=email, language=language)
    except IntegrityError:  # the same address at the same moment
        return WaitingListEntry.objects.get(capacity=capacity, email=email, status=WaitingListEntry.Status.WAITING)


def _voucher_code():
    return "KO-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


@transaction.atomic
def offer_free_places(capacity, *, now=None):
    """Offers each place of `capacity` that is free and not yet offered to the next person in line, under the
    capacity's row lock. Returns the entries offered."""
    from tickets.emails import send_waiting_list_offer

    from .orders import places_free

    now = now or timezone.now()
    capacity = Capacity.objects.select_for_update().get(pk=capacity.pk)
    waiting = WaitingListEntry.objects.filter(capacity=capacity, status=WaitingListEntry.Status.WAITING)
    if not waiting.exists():
        return []
    free = places_free([capacity], now=now)[capacity.pk]
    offered = []
    for entry in waiting.select_for_update().order_by("created_at", "pk")[:free]:
        expires = now + dt.timedelta(hours=settings.WAITING_LIST_OFFER_HOURS)
        voucher = Voucher.objects.create(
            edition=capacity.edition,
            code=_voucher_code(),
            kind=Voucher.Kind.AMOUNT,
            value=0,
            max_uses=1,
            valid_until=expires,
            note=f"Waiting list: {entry.email}",
        )
        voucher.ticket_types.set(capacity.ticket_types.all())
        entry.status = WaitingListEntry.Status.OFFERED
        entry.voucher = voucher
        entry.offered_at = now
        entry.offer_expires_at = expires
        entry.save(update_fields=["status", "voucher", "offered_at", "offer_expires_at"])
        send_waiting_list_offer(entry)
        _expire_later(entry)
        offered.append(entry)
    return offered


def _expire_later(entry):
    from tickets.tasks import expire_offer_later

    transaction.on_commit(lambda: expire_offer_later(entry.pk, at=entry.offer_expires_at))


@transaction.atomic
def expire_offer(entry, *, now=None):
    """Ends an offer that ran out unused and offers the place to the next in line."""
    now = now or timezone.now()
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != WaitingListEntry.Status.OFFERED or entry.offer_expires_at > now:
        return entry
    entry.status = WaitingListEntry.Status.EXPIRED
    entry.save(update_fields=["status"])
    offer_free_places(entry.capacity, now=now)
    return entry


def use_offer(voucher):
    """The voucher of an offer has just bought its place: the entry is done and no longer holds a place."""
    WaitingListEntry.objects.filter(voucher=voucher, status=WaitingListEntry.Status.OFFERED).update(
        status=WaitingListEntry.Status.USED
    )


def offer_places_freed_by(order):
    """After `order` stopped holding its places: offer them to whoever waits for its capacities."""
    capacity_ids = set(
        Capacity.objects.filter(ticket_types__tickets__order=order).values_list("pk", flat=True).distinct()
    )
    if not WaitingListEntry.objects.filter(
        capacity_id__in=capacity_ids, status=WaitingListEntry.Status.WAITING
    ).exists():
        return
    for capacity in Capacity.objects.filter(pk__in=capacity_ids).order_by("pk"):
        offer_free_places(capacity)
