"""Orders from choice to hold: what is left, reserving places under the capacities' row locks, filling in the
attendees and the buyer, letting a hold run out. Every status change goes through `transition`."""

import datetime as dt
import logging
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from tickets.models import Attendee, Capacity, Order, Ticket, TicketType, Voucher
from tickets.models.orders import holds_places

from . import HoldExpired, InvalidTransition, NotOnSale, SoldOut, TicketingError, VoucherRefused
from .waiting_list import open_offers, use_offer

logger = logging.getLogger(__name__)

STATUS_ACTION = "tickets.order.status"

ATTENDEE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "job_title",
    "dietary_needs",
    "accessibility_needs",
)
BUYER_FIELDS = (
    "buyer_kind",
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "organisation_name",
    "organisation_number",
    "invoice_address",
    "invoice_postcode",
    "invoice_city",
    "reference",
    "peppol_id",
    "payment_method",
)


def actor_name(by=None, actor=""):
    """Who did it, as the log says it: the caller's word for it ("buyer", "stripe webhook"), else the user's name,
    else "system"."""
    return actor or (by and by.get_username()) or "system"


def transition(order, to, *, by=None, actor="", reason="", now=None):
    """Moves `order` (locked by the caller) to status `to` if Order.TRANSITIONS allows it, and writes who, when
    and why to the order's log."""
    before = order.status
    if to not in Order.TRANSITIONS[before]:
        raise InvalidTransition(
            _("The order cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Order.Status(before).label, "to": Order.Status(to).label}
        )
    order.status = to
    fields = ["status"]
    if to == Order.Status.PAID:
        order.paid_at = now or timezone.now()
        fields.append("paid_at")
    order.save(update_fields=fields)
    if before in HOLDING_STATES and to not in HOLDING_STATES:
        _offer_freed_places_after_commit(order)
    log(
        instance=order,
        action=STATUS_ACTION,
        user=by,
        data={"from": before, "to": to, "actor": actor_name(by, actor), "reason": reason},
    )
    logger.info("Order %s: %s → %s", order.code, before, to, extra={"order": order.code, "reason": reason})
    return order


HOLDING_STATES = {Order.Status.PENDING, *Order.CONFIRMED}


def _offer_freed_places_after_commit(order):
    from tickets.tasks import offer_freed_places

    transaction.on_commit(lambda: offer_freed_places.enqueue(order.pk))


def lock_order(order):
    """The order's row, locked for the rest of the transaction, as it is now."""
    return Order.objects.select_for_update().get(pk=order.pk)


# --- What is left ---------------------------------------------------------------------------------------------


def _taken(capacity_ids, *, now, exclude_order=None):
    """{capacity id: tickets holding a place in it}, in one query."""
    tickets = Ticket.objects.filter(holds_places(now, via="order__"), ticket_type__capacities__in=capacity_ids)
    if exclude_order is not None:
        tickets = tickets.exclude(order=exclude_order)
    rows = tickets.order_by().values("ticket_type__capacities").annotate(n=Count("pk"))
    return Counter({row["ticket_type__capacities"]: row["n"] for row in rows})


def places_free(capacities, *, now):
    """{capacity id: places neither held by an order nor offered to the waiting list}, in two queries."""
    capacities = list(capacities)
    ids = [capacity.pk for capacity in capacities]
    taken = _taken(ids, now=now)
    taken.update(open_offers(ids, now=now))
    return {capacity.pk: max(capacity.size - taken[capacity.pk], 0) for capacity in capacities}


def availability(edition, *, now=None):
    """{ticket type id: places left} for `edition`'s types (the fewest over its capacities; None = no limit).
    Read without locks: it is what the buyer is shown, the reservation decides again under the lock."""
    now = now or timezone.now()
    capacities = {
        capacity.pk: capacity for capacity in Capacity.objects.filter(edition=edition).prefetch_related("ticket_types")
    }
    free_places = places_free(capacities.values(), now=now)
    left = {}
    for capacity in capacities.values():
        free = free_places[capacity.pk]
        for ticket_type in capacity.ticket_types.all():
            current = left.get(ticket_type.pk)
            left[ticket_type.pk] = free if current is None else min(current, free)
    for ticket_type_id in TicketType.objects.filter(edition=edition).values_list("pk", flat=True):
        left.setdefault(ticket_type_id, None)
    return left


def _ensure_room(wanted, *, now, exclude_order=None, using_voucher=None):
    """Locks the capacities `wanted` ({TicketType: quantity}) draws from, in id order so that buyers never
    deadlock, and raises SoldOut naming the types that no longer fit beside every other order's hold and the
    places offered to the waiting list (except the one `using_voucher` was offered)."""
    capacity_ids = sorted({capacity.pk for ticket_type in wanted for capacity in ticket_type.capacities.all()})
    capacities = {c.pk: c for c in Capacity.objects.select_for_update().filter(pk__in=capacity_ids).order_by("pk")}
    taken = _taken(capacity_ids, now=now, exclude_order=exclude_order)
    taken.update(open_offers(capacity_ids, now=now, except_voucher=using_voucher))
    need = Counter()
    for ticket_type, quantity in wanted.items():
        for capacity in ticket_type.capacities.all():
            need[capacity.pk] += quantity
    full = {pk for pk, n in need.items() if taken[pk] + n > capacities[pk].size}
    if full:
        sold_out = [t for t in wanted if any(c.pk in full for c in t.capacities.all())]
        names = ", ".join(t.display_name for t in sold_out)
        raise SoldOut(
            _("Not enough places left for: %(types)s. Choose fewer tickets or another type.") % {"types": names},
            ticket_types=sold_out,
        )


def _find_voucher(edition, code, wanted, *, now):
    """The voucher `code` of `edition` and the ids of the types it is limited to, if it may discount what is
    `wanted`; else VoucherRefused. How often it has been used is counted later, under its lock."""
    voucher = Voucher.objects.filter(edition=edition, code=code.strip().upper()).first()
    if voucher is None:
        raise VoucherRefused(_("The code “%(code)s” is not valid.") % {"code": code.strip()})
    if voucher.valid_until and now >= voucher.valid_until:
        raise VoucherRefused(_("The code “%(code)s” is no longer valid.") % {"code": voucher.code})
    eligible_ids = set(voucher.ticket_types.values_list("pk", flat=True))
    if not any(voucher.applies_to(t, eligible_ids) for t in wanted):
        raise VoucherRefused(_("The code “%(code)s” does not apply to the tickets chosen.") % {"code": voucher.code})
    return voucher, eligible_ids


def _ensure_voucher_left(order, voucher, *, now):
    """Locks `voucher` and raises VoucherRefused if `order`'s discounted tickets are more than it has left."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    discounted = Ticket.objects.filter(order__voucher=voucher, price__lt=F("list_price"))
    used = discounted.filter(holds_places(now, via="order__")).exclude(order=order).count()
    wanted = discounted.filter(order=order).count()
    left = voucher.max_uses - used
    if wanted > left:
        if left <= 0:
            raise VoucherRefused(_("The code “%(code)s” has been used up.") % {"code": voucher.code})
        raise VoucherRefused(
            ngettext(
                "The code “%(code)s” can be used for %(count)d more ticket only.",
                "The code “%(code)s” can be used for %(count)d more tickets only.",
                left,
            )
            % {"code": voucher.code, "count": left}
        )


def hold_duration():
    return dt.timedelta(minutes=settings.TICKET_HOLD_MINUTES)


@transaction.atomic
def reserve(edition, quantities, *, voucher_code="", language="sv", now=None):
    """Creates a pending order of `edition` holding the places for `quantities` ({ticket type id: n}) for
    TICKET_HOLD_MINUTES, deciding under the capacities' row locks; the voucher, if any, is checked under its own.

    The order is written first and the locks are taken last, just before the commit: they are held for two
    queries, not for the whole order (a buyer waiting for the lock then counts the holder's committed tickets)."""
    now = now or timezone.now()
    quantities = {int(pk): int(n) for pk, n in quantities.items() if int(n) > 0}
    if not quantities:
        raise TicketingError(_("Choose at least one ticket."), code="empty")
    types = list(
        TicketType.objects.filter(edition=edition, pk__in=quantities)
        .prefetch_related("capacities")
        .order_by("sort_order", "pk")
    )
    if len(types) != len(quantities):
        raise NotOnSale(_("One of the ticket types chosen is not for sale."))
    for ticket_type in types:
        if not ticket_type.on_sale(now):
            raise NotOnSale(_("%(type)s is not on sale now.") % {"type": ticket_type.display_name})
        if quantities[ticket_type.pk] > ticket_type.max_per_order:
            raise TicketingError(
                _("You can buy at most %(count)d of %(type)s in one order.")
                % {"count": ticket_type.max_per_order, "type": ticket_type.display_name},
                code="too_many",
            )
    wanted = {t: quantities[t.pk] for t in types}
    voucher, eligible_ids = (None, set())
    if voucher_code.strip():
        voucher, eligible_ids = _find_voucher(edition, voucher_code, wanted, now=now)

    prices = {}
    for ticket_type in wanted:
        prices[ticket_type] = ticket_type.price
        if voucher and voucher.applies_to(ticket_type, eligible_ids):
            prices[ticket_type] = voucher.discounted(ticket_type.price)
    order = Order.objects.create(
        edition=edition,
        language=language,
        hold_expires_at=now + hold_duration(),
        voucher=voucher,
        created_at=now,
        total=sum((prices[t] * n for t, n in wanted.items()), start=Decimal("0.00")),
    )
    attendees = Attendee.objects.bulk_create(
        Attendee(order=order, position=position) for position in range(1, max(quantities.values()) + 1)
    )
    tickets = []
    for ticket_type, quantity in wanted.items():
        price = prices[ticket_type]
        tickets += [
            Ticket(
                order=order,
                attendee=attendees[i],
                ticket_type=ticket_type,
                list_price=ticket_type.price,
                price=price,
                vat_rate=ticket_type.vat_rate,
            )
            for i in range(quantity)
        ]
    Ticket.objects.bulk_create(tickets)
    log(instance=order, action="tickets.order.created", data={"tickets": len(tickets), "actor": "buyer"})

    _ensure_room(wanted, now=now, exclude_order=order, using_voucher=voucher)
    if voucher:
        _ensure_voucher_left(order, voucher, now=now)
        use_offer(voucher)
    _schedule_expiry(order)
    return order


def _schedule_expiry(order):
    from tickets.tasks import expire_hold_later

    transaction.on_commit(lambda: expire_hold_later(order.pk, at=order.hold_expires_at))


def hold_expired_error():
    return HoldExpired(
        _("Your reservation has run out and the places have been released. Please choose your tickets again.")
    )


def _pending_with_hold(order, *, now):
    """The order, locked, still holding its places: a hold that lapsed while the order is pending is taken again
    if the places are still free."""
    order = lock_order(order)
    if order.status != Order.Status.PENDING:
        raise hold_expired_error()
    if order.hold_expires_at <= now:
        try:
            retake_places(order, now=now)
        except SoldOut:
            raise hold_expired_error() from None
    return order


@transaction.atomic
def save_attendees(order, attendees, *, now=None):
    """Writes the attendees' details (a list of dicts in position order) while the order still holds its places."""
    now = now or timezone.now()
    order = _pending_with_hold(order, now=now)
    rows = list(order.attendees.order_by("position"))
    if len(attendees) != len(rows):
        raise TicketingError(_("Fill in every attendee."), code="attendees")
    for row, data in zip(rows, attendees, strict=True):
        for name in ATTENDEE_FIELDS:
            setattr(row, name, (data.get(name) or "").strip())
    Attendee.objects.bulk_update(rows, ATTENDEE_FIELDS)
    return order


@transaction.atomic
def save_buyer(order, data, *, now=None):
    """Writes who pays and how while the order still holds its places. Invoices go to organisations only."""
    now = now or timezone.now()
    order = _pending_with_hold(order, now=now)
    for name in BUYER_FIELDS:
        setattr(order, name, (data.get(name) or "").strip())
    if order.payment_method == Order.PaymentMethod.INVOICE and not order.is_organisation:
        raise TicketingError(_("Invoices are for organisations. Choose card payment."), code="invoice_person")
    order.save(update_fields=BUYER_FIELDS)
    return order


@transaction.atomic
def expire_order(order, *, now=None, actor="system", reason=""):
    """Ends a pending order whose hold has run out: its places are free again (they already were to readers,
    who ignore lapsed holds). Anything else is left as it is."""
    now = now or timezone.now()
    order = lock_order(order)
    if order.status != Order.Status.PENDING or order.hold_expires_at > now:
        return order
    return transition(order, Order.Status.EXPIRED, actor=actor, reason=reason or "hold expired", now=now)


def retake_places(order, *, now):
    """For a locked order whose hold lapsed: takes its places again under the capacities' locks (SoldOut if they
    are gone) and holds them for another TICKET_HOLD_MINUTES."""
    wanted = Counter()
    for ticket in order.tickets.select_related("ticket_type").prefetch_related("ticket_type__capacities"):
        wanted[ticket.ticket_type] += 1
    _ensure_room(dict(wanted), now=now, exclude_order=order)
    order.hold_expires_at = now + hold_duration()
    order.save(update_fields=["hold_expires_at"])
    _schedule_expiry(order)


def tickets_query(order):
    return order.tickets.select_related("ticket_type", "attendee").order_by(
        "attendee__position", "ticket_type__sort_order"
    )


def cancel_pending(order, *, by=None, reason=""):
    """The buyer gives up before paying: the places are freed at once."""
    with transaction.atomic():
        order = lock_order(order)
        if order.status != Order.Status.PENDING:
            return order
        return transition(order, Order.Status.CANCELED, by=by, actor="buyer", reason=reason or "abandoned")


__all__ = [
    "ATTENDEE_FIELDS",
    "BUYER_FIELDS",
    "availability",
    "cancel_pending",
    "expire_order",
    "hold_expired_error",
    "lock_order",
    "reserve",
    "retake_places",
    "save_attendees",
    "save_buyer",
    "tickets_query",
    "transition",
]
