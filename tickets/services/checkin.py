"""Check-in at the doors: the verdict for a scanned ticket at a list, decided under the ticket's row lock so that
two doors scanning the same ticket at the same instant get exactly one `ok`; a scanner's nonce makes a repeated
upload return the first answer and change nothing. Scans made offline and uploaded later keep the earliest as the
admission and record the others as duplicates."""

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import time_format
from wagtail.log_actions import log

from tickets.models import Checkin, Order, Ticket
from tickets.models.checkin import hash_token

Result = Checkin.Result
ADMISSION_ACTION = "tickets.checkin"
OVERRIDE_ACTION = "tickets.checkin_override"  # a manual check-in, or an uploaded offline scan that took over
CLOCK_SKEW = dt.timedelta(minutes=5)  # a device's clock a little ahead is believed; further ahead, not


def device_for_token(token, *, now=None):
    """The active scanner device the bearer `token` belongs to, or None."""
    from tickets.models import ScannerDevice

    if not token:
        return None
    device = ScannerDevice.objects.select_related("edition").filter(token_hash=hash_token(token)).first()
    if device is None or not device.is_active:
        return None
    now = now or timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > dt.timedelta(minutes=1):
        ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    return device


def attendee_card(ticket, checkin_list):
    """What the door sees of the ticket's holder: name, organisation, ticket type and, where the ticket includes
    a meal, the dietary needs. Nothing else."""
    attendee = ticket.attendee
    card = {
        "name": attendee.name,
        "organisation": attendee.organisation,
        "ticket_type": ticket.ticket_type.display_name,
        "order": ticket.order.code,
    }
    if ticket.ticket_type.asks_dietary_needs:
        card["dietary_needs"] = attendee.dietary_needs
    return card


def _answer(status, ticket, checkin_list, *, checked_in_at=None, by=""):
    return {
        "status": status,
        "attendee": attendee_card(ticket, checkin_list) if ticket is not None else None,
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
        "checked_in_by": by or None,
        "list": str(checkin_list.pk),
    }


def _verdict(ticket, checkin_list, *, scanned_at, uploaded):
    """(result, the admission it conflicts with or None, the admission it took over or None) for a locked `ticket`
    at `checkin_list`. An `uploaded` scan (made offline, sent later) that is earlier than the admission on record
    becomes the admission."""
    if ticket is None or ticket.order.edition_id != checkin_list.edition_id:
        return Result.UNKNOWN, None, None
    status = ticket.order.status
    if status in (Order.Status.CANCELED, Order.Status.REFUNDED):
        return Result.CANCELED, None, None
    if status not in Order.CONFIRMED:
        return Result.UNPAID, None, None
    admits = checkin_list.ticket_types.filter(pk=ticket.ticket_type_id).exists()
    if not admits or not checkin_list.is_open(scanned_at):
        return Result.WRONG_LIST, None, None
    if checkin_list.allow_reentry:
        return Result.OK, None, None
    admission = (
        Checkin.objects.filter(ticket=ticket, checkin_list=checkin_list, result=Result.OK)
        .select_related("device", "user")
        .first()
    )
    if admission is None:
        return Result.OK, None, None
    if uploaded and scanned_at < admission.scanned_at:
        # An earlier scan, uploaded late from a device that was offline: it is the admission.
        admission.result = Result.ALREADY_CHECKED_IN
        admission.save(update_fields=["result"])
        return Result.OK, None, admission
    return Result.ALREADY_CHECKED_IN, admission, None


def _who(checkin):
    if checkin.device_id:
        return checkin.device.name
    if checkin.user_id:
        return checkin.user.get_full_name() or checkin.user.get_username()
    return ""


def _log_admission(checkin, ticket, *, manual, replaced):
    """One entry in the order's log for an admission (refusals are in the Checkin table only): the list, the device
    or person, and for an override (`manual`, found by search; or taking over the admission `replaced`) what it
    overrode. One INSERT in the check-in's transaction: no query reads anything for it."""
    data = {
        "checkin": checkin.pk,
        "ticket": ticket.pk,
        "attendee": ticket.attendee.position,
        "list": checkin.checkin_list_id,
        "list_name": checkin.checkin_list.name,
        "device": checkin.device.name if checkin.device_id else None,
        "result": checkin.result,
        "scanned_at": checkin.scanned_at.isoformat(),
        "manual": manual,
    }
    if replaced is not None:
        data["replaced"] = {"checkin": replaced.pk, "by": _who(replaced), "scanned_at": replaced.scanned_at.isoformat()}
    action = OVERRIDE_ACTION if manual or replaced is not None else ADMISSION_ACTION
    log(instance=ticket.order, action=action, user=checkin.user, data=data)


def redeem(secret, checkin_list, *, device=None, user=None, nonce=None, scanned_at=None, now=None, manual=False):
    """The door's answer for the ticket `secret` at `checkin_list` (ok, already_checked_in with when and where,
    wrong_list, unpaid, canceled or unknown), recorded as a Checkin, an admission also in the order's log. With a
    `nonce` seen before, the first answer, unchanged. `scanned_at` is when the device scanned (offline scans are
    uploaded later); `manual`: the staff found the ticket by search rather than scanning it."""
    nonce = nonce or None
    if nonce and (earlier := Checkin.objects.filter(nonce=nonce).first()):
        return earlier.answer
    uploaded = scanned_at is not None  # a scan the device made earlier, offline, and sends now
    try:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("order", "attendee", "ticket_type")
                .filter(secret=secret)
                .first()
                if secret
                else None
            )
            # The clock is read under the lock: of two doors at the same instant, the second is the later.
            now = now or timezone.now()
            scanned_at = min(scanned_at or now, now + CLOCK_SKEW)
            result, admission, replaced = _verdict(ticket, checkin_list, scanned_at=scanned_at, uploaded=uploaded)
            if result == Result.UNKNOWN:
                ticket = None  # nothing about another edition's ticket
            if admission is not None:
                answer = _answer(result, ticket, checkin_list, checked_in_at=admission.scanned_at, by=_who(admission))
            elif result == Result.OK:
                answer = _answer(result, ticket, checkin_list, checked_in_at=scanned_at)
            else:
                answer = _answer(result, ticket, checkin_list)
            checkin = Checkin.objects.create(
                checkin_list=checkin_list,
                ticket=ticket,
                result=result,
                scanned_at=scanned_at,
                received_at=now,
                device=device,
                user=user if user is not None and user.is_authenticated else None,
                nonce=nonce,
                answer=answer,
            )
            if result == Result.OK:
                _log_admission(checkin, ticket, manual=manual, replaced=replaced)
            return answer
    except IntegrityError:
        if nonce and (earlier := Checkin.objects.filter(nonce=nonce).first()):
            return earlier.answer  # the same upload twice at the same moment
        raise


# --- Reads -------------------------------------------------------------------------------------------------------


def admitted_tickets(checkin_list):
    """Tickets of confirmed orders that `checkin_list` admits."""
    return Ticket.objects.filter(
        order__edition_id=checkin_list.edition_id,
        order__status__in=Order.CONFIRMED,
        ticket_type__in=checkin_list.ticket_types.all(),
    )


def _admitted_here(checkin_list):
    return Checkin.objects.filter(checkin_list=checkin_list, ticket=OuterRef("pk"), result=Result.OK)


def list_status(checkin_list):
    """{"expected", "arrived", "not_arrived"}: the tickets `checkin_list` admits (of confirmed orders), and how many
    of them it has admitted, in one query."""
    counts = admitted_tickets(checkin_list).aggregate(
        expected=Count("pk"), arrived=Count("pk", filter=Q(Exists(_admitted_here(checkin_list))))
    )
    return {**counts, "not_arrived": counts["expected"] - counts["arrived"]}


def not_arrived_tickets(checkin_list):
    """The tickets `checkin_list` admits that it has not admitted yet, with holder, type and order."""
    return (
        admitted_tickets(checkin_list)
        .filter(~Exists(_admitted_here(checkin_list)))
        .select_related("attendee", "ticket_type", "order")
    )


def search(checkin_list, query, *, limit=20):
    """Tickets `checkin_list` admits whose holder's name, email or organisation contains `query`."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    words = query.split()
    tickets = admitted_tickets(checkin_list).select_related("attendee", "ticket_type", "order")
    for word in words:
        tickets = tickets.filter(
            Q(attendee__first_name__icontains=word)
            | Q(attendee__last_name__icontains=word)
            | Q(attendee__email__icontains=word)
            | Q(attendee__organisation__icontains=word)
        )
    tickets = tickets.annotate(
        admitted=Count("checkins", filter=Q(checkins__checkin_list=checkin_list, checkins__result=Result.OK))
    )
    return list(tickets.order_by("attendee__last_name", "attendee__first_name")[:limit])


def secret_hash(secret):
    """What a scanner keeps offline instead of the secret: enough to recognise a ticket, useless to forge one."""
    return hashlib.sha256(secret.encode()).hexdigest()


def offline_data(checkin_list):
    """Every ticket `checkin_list` admits, as a scanner keeps it offline: the secret's hash, the holder's card,
    and whether it has been admitted already."""
    admitted = set(
        Checkin.objects.filter(checkin_list=checkin_list, result=Result.OK).values_list("ticket_id", flat=True)
    )
    tickets = admitted_tickets(checkin_list).select_related("attendee", "ticket_type", "order")
    return [
        {
            "hash": secret_hash(ticket.secret),
            "attendee": attendee_card(ticket, checkin_list),
            "checked_in": ticket.pk in admitted,
        }
        for ticket in tickets
    ]


# --- Arrivals over time -------------------------------------------------------------------------------------------

INTERVAL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Interval:
    """Ten minutes of a list's admissions: when they start (Stockholm time), how many, and how many since the
    list's first admission."""

    start: dt.datetime
    count: int
    total: int

    @property
    def end(self):
        return (self.start.astimezone(dt.UTC) + INTERVAL).astimezone(self.start.tzinfo)

    @property
    def start_text(self):
        return time_format(self.start, "H:i")

    @property
    def label(self):
        return f"{self.start_text}–{time_format(self.end, 'H:i')}"


def _interval_start(moment):
    # Ten minutes counted in UTC are ten minutes in Stockholm too: its offsets from UTC are whole hours.
    seconds = int(moment.timestamp())
    return dt.datetime.fromtimestamp(seconds - seconds % int(INTERVAL.total_seconds()), dt.UTC)


def admissions_by_day(checkin_list):
    """The admissions (ok scans) at `checkin_list` per ten minutes, in Stockholm time, as [(day, [Interval, …]),
    …]: each day from its first interval with an admission to its last, the empty ones between included. One
    query, for the scan times only."""
    moments = Checkin.objects.filter(checkin_list=checkin_list, result=Result.OK).values_list("scanned_at", flat=True)
    counts = Counter(_interval_start(moment) for moment in moments)
    stockholm = timezone.get_default_timezone()
    starts_by_day = {}
    for start in sorted(counts):
        starts_by_day.setdefault(start.astimezone(stockholm).date(), []).append(start)
    days, total = [], 0
    for day, starts in starts_by_day.items():
        intervals, start = [], starts[0]
        while start <= starts[-1]:
            total += counts[start]
            intervals.append(Interval(start.astimezone(stockholm), counts[start], total))
            start += INTERVAL
        days.append((day, intervals))
    return days
