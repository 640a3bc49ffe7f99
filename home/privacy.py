"""Privacy requests (GDPR articles 15 and 17) for one email address, across the apps: everything the site holds
about that person as JSON, and its erasure.

Who the person is: every record that carries the address, compared case-insensitively: orders they bought
(`buyer_email`), attendee records with their address, invoices of those orders or addressed to them, waiting-list
entries, nominations they sent and votes they cast. A ticket, and its check-ins, belongs to the attendee it was
issued to.

What the export holds (`personal_data`), and what it leaves out:
- an order they bought: the buyer's details, the order's amounts, lines and refunds, and only the *number* of
  attendees: the others on the order are other people, and their names go in their own exports;
- their attendee records with the tickets (type, price, the order's status) and each ticket's check-ins (list,
  time, result); never a ticket's or an order's secret, which let anyone in or into the order;
- invoices: number, dates, amounts, lines and the buyer as issued (not the seller);
- waiting-list entries (without the offer's code), nominations with the answers they wrote (not the candidate's
  contact details: those are someone else's), and votes.

What the erasure (`erase`) does, in one transaction:
- deleted, as nothing needs them: waiting-list entries (an open offer is ended and its place offered to the next in
  line), unconfirmed votes, nominations the jury has not yet seen (received, unreviewed, no nominee page), and the
  emails to the address that the task queue kept after sending them;
- anonymised, as the record itself must stay: orders they bought and the invoices of those orders (Bokföringslagen
  keeps accounting records for seven years: code, dates, amounts, lines, VAT and status stay, and so do an
  organisation buyer's name, number and invoice address; the person's name, email, phone and reference go, and for
  a private buyer the address too), their attendee records and what the doors recorded about them (the tickets
  and check-ins stay for the sales and the head count), nominations the jury worked on (the award's record: the
  nominator's name, email and organisation go, the candidate and answers stay), and confirmed votes (they stay
  counted, so a result does not change afterwards, under an address that names nobody);
- the anonymisation uses the retention period's blanks (`tickets.services.retention`).

The log names the person by a keyed hash of the address (`reference`), never by the address: the same address gives
the same reference, so a later request can be matched with this one.
"""

import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import LazyObject
from wagtail.log_actions import log

from events.models import Nomination, Vote
from tickets.models import Attendee, Checkin, Invoice, Order, Ticket, Voucher, WaitingListEntry
from tickets.services.orders import ATTENDEE_FIELDS, BUYER_FIELDS
from tickets.services.retention import ANONYMOUS, ATTENDEE_BLANKS, BUYER_BLANKS

ERASED_ACTION = "privacy.erasure"  # on the organiser's user: what one erasure did
EXPORTED_ACTION = "privacy.export"  # on the organiser's user: that they exported someone's data
ANONYMISED_ACTION = "privacy.anonymised"  # on each order and nomination that was kept but anonymised

PRIVATE_BUYER_BLANKS = {  # a private person's address; an organisation's stays on its order
    "invoice_address": "",
    "invoice_postcode": "",
    "invoice_city": "",
}
INVOICE_CONTACT_BLANKS = {"contact": ANONYMOUS, "email": "", "reference": ""}
PRIVATE_INVOICE_BLANKS = {
    **INVOICE_CONTACT_BLANKS,
    "name": ANONYMOUS,
    "address": "",
    "postcode": "",
    "city": "",
    "peppol_id": "",
}
NOMINATOR_BLANKS = {"nominator_name": ANONYMOUS, "nominator_email": "", "nominator_organisation": ""}
EMAIL_TASK = "home.emails.send_email"


def normalise(email):
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ValueError("an email address is needed")
    return email


def reference(email):
    """A keyed hash of the address (it cannot be turned back into the address without the site's secret key)."""
    return salted_hmac("home.privacy.reference", normalise(email)).hexdigest()[:20]


# --- What is held ---------------------------------------------------------------------------------------------------


class Holdings:
    """The records of one (normalised) address, as querysets."""

    def __init__(self, email):
        self.email = email
        self.orders = Order.objects.filter(buyer_email__iexact=email)
        self.attendees = Attendee.objects.filter(email__iexact=email)
        self.invoices = Invoice.objects.filter(Q(order__buyer_email__iexact=email) | Q(buyer__email__iexact=email))
        self.tickets = Ticket.objects.filter(attendee__in=self.attendees)
        self.checkins = Checkin.objects.filter(ticket__in=self.tickets)
        self.waiting_list = WaitingListEntry.objects.filter(email__iexact=email)
        self.nominations = Nomination.objects.filter(nominator_email__iexact=email)
        self.votes = Vote.objects.filter(email__iexact=email)

    @property
    def worked_on_nominations(self):
        """Nominations the jury has seen: part of the award's record."""
        seen = ~Q(status=Nomination.Status.RECEIVED) | Q(reviews__isnull=False) | Q(nominee_pages__isnull=False)
        return Nomination.objects.filter(pk__in=self.nominations.filter(seen).values("pk"))

    @property
    def unseen_nominations(self):
        return self.nominations.exclude(pk__in=self.worked_on_nominations.values("pk"))

    @property
    def offer_vouchers(self):
        """The vouchers of their waiting-list offers, and any voucher whose note names the address."""
        offered = self.waiting_list.filter(voucher__isnull=False).values("voucher_id")
        return Voucher.objects.filter(Q(pk__in=offered) | Q(note__icontains=self.email))

    def sent_emails(self):
        """Ids of the emails to the address that the task queue still keeps after it sent them (or gave up)."""
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(
            task_path=EMAIL_TASK,
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            args_kwargs__icontains=self.email,
        )
        ids = []
        for row in rows.only("pk", "args_kwargs"):
            messages = [arg for arg in (row.args_kwargs or {}).get("args", []) if isinstance(arg, dict)]
            if any(self.email in (parseaddr(str(to))[1].lower() for to in m.get("to", [])) for m in messages):
                ids.append(row.pk)
        return ids


def holdings(email):
    return Holdings(normalise(email))


# --- The export -----------------------------------------------------------------------------------------------------


def _when(value):
    return value.isoformat() if value else None


def _money(value):
    return str(value) if value is not None else None


def _order(order):
    lines = {}
    for ticket in order.tickets.all():
        key = (ticket.ticket_type.display_name, ticket.price, ticket.vat_rate)
        lines[key] = lines.get(key, 0) + 1
    return {
        "code": order.code,
        "edition": order.edition.name,
        "status": order.status,
        "created_at": _when(order.created_at),
        "paid_at": _when(order.paid_at),
        "total": _money(order.total),
        "buyer": {name: getattr(order, name) for name in BUYER_FIELDS},
        "tickets": [
            {"ticket_type": name, "quantity": quantity, "price": _money(price), "vat_rate": _money(rate)}
            for (name, price, rate), quantity in lines.items()
        ],
        "attendees": order.attendee_count,
        "refunds": [
            {"amount": _money(refund.amount), "status": refund.status, "created_at": _when(refund.created_at)}
            for refund in order.refunds.all()
        ],
    }


def _attendee(attendee):
    return {
        "order": attendee.order.code,
        "edition": attendee.order.edition.name,
        "order_status": attendee.order.status,
        **{name: getattr(attendee, name) for name in ATTENDEE_FIELDS},
        "tickets": [
            {
                "ticket_type": ticket.ticket_type.display_name,
                "price": _money(ticket.price),
                "checkins": [_checkin(checkin) for checkin in ticket.checkins.all()],
            }
            for ticket in attendee.tickets.all()
        ],
    }


def _checkin(checkin):
    return {"list": checkin.checkin_list.name, "result": checkin.result, "scanned_at": _when(checkin.scanned_at)}


def _invoice(invoice):
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "order": invoice.order.code,
        "issued_on": _when(invoice.issued_on),
        "due_on": _when(invoice.due_on),
        "total": _money(invoice.total),
        "buyer": invoice.buyer,
        "lines": invoice.lines,
        "vat_summary": invoice.vat_summary,
    }


def _waiting(entry):
    return {
        "edition": entry.capacity.edition.name,
        "capacity": entry.capacity.name,
        "name": entry.name,
        "email": entry.email,
        "language": entry.language,
        "status": entry.status,
        "created_at": _when(entry.created_at),
        "offered_at": _when(entry.offered_at),
        "offer_expires_at": _when(entry.offer_expires_at),
    }


def _nomination(nomination):
    return {
        "award": nomination.award.title,
        "edition": nomination.edition.name,
        "status": nomination.status,
        "created_at": _when(nomination.created_at),
        "consented_at": _when(nomination.consented_at),
        "language": nomination.language,
        "candidate_kind": nomination.candidate_kind,
        "candidate_name": nomination.candidate_name,
        "candidate_organisation": nomination.candidate_organisation,
        "nominator_name": nomination.nominator_name,
        "nominator_email": nomination.nominator_email,
        "nominator_organisation": nomination.nominator_organisation,
        "answers": [{"criterion": answer.criterion_title, "text": answer.text} for answer in nomination.answers.all()],
    }


def _vote(vote):
    return {
        "award": vote.award.title,
        "edition": vote.edition.name,
        "nominee": vote.nominee.title,
        "created_at": _when(vote.created_at),
        "confirmed_at": _when(vote.confirmed_at),
    }


def personal_data(email, *, now=None):
    """Everything held about `email`, as a JSON-serialisable dict (the module's docstring says what is in it and
    what is left out)."""
    held = holdings(email)
    tickets = Ticket.objects.select_related("ticket_type").order_by("pk")
    orders = (
        held.orders.select_related("edition")
        .annotate(attendee_count=Count("attendees", distinct=True))
        .prefetch_related(Prefetch("tickets", queryset=tickets), "refunds")
        .order_by("created_at", "pk")
    )
    checkins = Checkin.objects.select_related("checkin_list").order_by("scanned_at", "pk")
    attendees = (
        held.attendees.select_related("order__edition")
        .prefetch_related(Prefetch("tickets", queryset=tickets.prefetch_related(Prefetch("checkins", checkins))))
        .order_by("order__created_at", "order_id", "position")
    )
    return {
        "email": held.email,
        "exported_at": _when(now or timezone.now()),
        "orders": [_order(order) for order in orders],
        "attendees": [_attendee(attendee) for attendee in attendees],
        "invoices": [_invoice(invoice) for invoice in held.invoices.select_related("order").order_by("number")],
        "waiting_list": [
            _waiting(entry) for entry in held.waiting_list.select_related("capacity__edition").order_by("created_at")
        ],
        "nominations": [
            _nomination(nomination)
            for nomination in held.nominations.select_related("award", "edition")
            .prefetch_related("answers")
            .order_by("created_at", "pk")
        ],
        "votes": [
            _vote(vote)
            for vote in held.votes.select_related("award", "edition", "nominee").order_by("created_at", "pk")
        ],
    }


@transaction.atomic
def export(email, *, actor):
    """`personal_data(email)`, with a line in the log that `actor` exported it (by reference, not by address)."""
    data = personal_data(email)
    log(
        instance=_as_instance(actor),
        action=EXPORTED_ACTION,
        user=actor,
        data={"reference": reference(email), "records": _record_count(data)},
    )
    return data


def _as_instance(user):
    """The user as a model instance: request.user can come wrapped in more than one lazy object, and Wagtail's log
    looks through one only."""
    return user.__class__._default_manager.get(pk=user.pk) if isinstance(user, LazyObject) else user


def _record_count(data):
    return sum(len(value) for value in data.values() if isinstance(value, list))


# --- The erasure ----------------------------------------------------------------------------------------------------


@dataclass
class Erasure:
    """How many records an erasure deletes and anonymises, by kind (the keys of DELETED and ANONYMISED)."""

    reference: str
    deleted: dict
    anonymised: dict

    @property
    def total(self):
        return sum(self.deleted.values()) + sum(self.anonymised.values())


def plan_erasure(email):
    """What `erase(email)` would do now, without doing it."""
    held = holdings(email)
    return Erasure(
        reference=reference(held.email),
        deleted={
            "waiting_list": held.waiting_list.count(),
            "nominations": held.unseen_nominations.count(),
            "votes": held.votes.filter(confirmed_at__isnull=True).count(),
            "emails": len(held.sent_emails()),
        },
        anonymised={
            "orders": held.orders.count(),
            "invoices": held.invoices.count(),
            "attendees": held.attendees.count(),
            "checkins": held.checkins.count(),
            "nominations": held.worked_on_nominations.count(),
            "votes": held.votes.filter(confirmed_at__isnull=False).count(),
            "vouchers": held.offer_vouchers.count(),
        },
    )


@transaction.atomic
def erase(email, *, actor, now=None):
    """Deletes what nothing needs and anonymises what the accounting or an award's record must keep (the module's
    docstring says which is which); logs it on each record kept and on `actor` without the address. Returns the
    `Erasure` done; a second call finds nothing."""
    now = now or timezone.now()
    held = holdings(email)
    plan = plan_erasure(held.email)
    log_data = {"actor": actor.get_username(), "reference": plan.reference}

    # Lock the orders first (in id order), as every service that changes an order does.
    order_ids = set(held.orders.values_list("pk", flat=True))
    attendee_order_ids = set(held.attendees.values_list("order_id", flat=True))
    locked = Order.objects.select_for_update().filter(pk__in=order_ids | attendee_order_ids).order_by("pk")
    list(locked.values_list("pk", flat=True))

    _anonymise_invoices(held.invoices)
    _anonymise_checkins(held.checkins)
    held.attendees.update(**ATTENDEE_BLANKS)
    Order.objects.filter(pk__in=order_ids).update(**BUYER_BLANKS)
    Order.objects.filter(pk__in=order_ids).exclude(buyer_kind=Order.BuyerKind.ORGANISATION).update(
        organisation_name="", organisation_number="", **PRIVATE_BUYER_BLANKS
    )

    _end_waiting(held, now=now)

    worked_on = list(held.worked_on_nominations)
    held.unseen_nominations.delete()
    Nomination.objects.filter(pk__in=[nomination.pk for nomination in worked_on]).update(**NOMINATOR_BLANKS)

    held.votes.filter(confirmed_at__isnull=True).delete()
    for vote in held.votes.filter(confirmed_at__isnull=False).select_for_update():
        vote.email = f"erased-{vote.pk}@erased.invalid"
        vote.save(update_fields=["email"])

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk__in=held.sent_emails()).delete()

    for order in Order.objects.filter(pk__in=order_ids | attendee_order_ids).order_by("pk"):
        log(instance=order, action=ANONYMISED_ACTION, user=actor, data=log_data)
    for nomination in worked_on:
        log(instance=nomination, action=ANONYMISED_ACTION, user=actor, data=log_data)
    log(
        instance=_as_instance(actor),
        action=ERASED_ACTION,
        user=actor,
        data={"reference": plan.reference, "deleted": plan.deleted, "anonymised": plan.anonymised},
    )
    return plan


def _anonymise_invoices(invoices):
    for invoice in invoices.select_related("order").select_for_update(of=("self",)):
        organisation = invoice.order.is_organisation or bool(invoice.buyer.get("organisation_number"))
        blanks = INVOICE_CONTACT_BLANKS if organisation else PRIVATE_INVOICE_BLANKS
        invoice.buyer = {**invoice.buyer, **{key: value for key, value in blanks.items() if key in invoice.buyer}}
        invoice.save(update_fields=["buyer"])


def _anonymise_checkins(checkins):
    """The door's answer keeps the attendee card it showed: the name goes, and the dietary needs with it."""
    for checkin in checkins.select_for_update():
        card = (checkin.answer or {}).get("attendee")
        if isinstance(card, dict):
            card = {key: value for key, value in card.items() if key != "dietary_needs"}
            card["name"] = ATTENDEE_BLANKS["first_name"]
            checkin.answer = {**checkin.answer, "attendee": card}
            checkin.save(update_fields=["answer"])


def _end_waiting(held, *, now):
    """Deletes the waiting-list entries; an open offer's voucher stops working and its place goes to the next in
    line. Notes naming the address lose it."""
    from tickets.services.waiting_list import offer_free_places

    open_offers = held.waiting_list.filter(status=WaitingListEntry.Status.OFFERED, offer_expires_at__gt=now)
    freed = {entry.capacity for entry in open_offers.select_related("capacity")}
    Voucher.objects.filter(pk__in=open_offers.values("voucher_id")).update(valid_until=now)
    pattern = re.compile(re.escape(held.email), re.IGNORECASE)
    for voucher in held.offer_vouchers.select_for_update():
        voucher.note = pattern.sub(ANONYMOUS, voucher.note)
        voucher.save(update_fields=["note"])
    held.waiting_list.delete()
    for capacity in sorted(freed, key=lambda capacity: capacity.pk):
        offer_free_places(capacity, now=now)
