"""Paying by invoice: the order is confirmed at once with an invoice numbered without gaps; the organiser marks
it paid, or cancels it with a credit note."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.log_actions import log

from tickets.models import Invoice, InvoiceSequence, InvoiceSettings, Order

from . import TicketingError
from .orders import _pending_with_hold, actor_name, lock_order, tickets_query, transition
from .pricing import vat_summary


def _next_number(prefix):
    sequence, _created = InvoiceSequence.objects.get_or_create(prefix=prefix)
    sequence = InvoiceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number}"


def _seller():
    seller = InvoiceSettings.load()
    return seller, {
        "name": seller.seller_name,
        "organisation_number": seller.organisation_number,
        "vat_number": seller.vat_number,
        "address": seller.address,
        "email": seller.email,
        "bankgiro": seller.bankgiro,
        "f_tax": seller.f_tax,
    }


def _buyer(order):
    return {
        "name": order.organisation_name or order.buyer_name,
        "contact": order.buyer_name,
        "email": order.buyer_email,
        "organisation_number": order.organisation_number,
        "address": order.invoice_address,
        "postcode": order.invoice_postcode,
        "city": order.invoice_city,
        "reference": order.reference,
        "peppol_id": order.peppol_id,
    }


def _lines(order, sign=1):
    lines = {}
    with override(order.language):
        for ticket in tickets_query(order):
            key = (ticket.ticket_type_id, ticket.price)
            if key not in lines:
                lines[key] = {
                    "description": ticket.ticket_type.display_name,
                    "quantity": 0,
                    "unit_price": str(sign * ticket.price),
                    "vat_rate": str(ticket.vat_rate),
                    "amount": "0",
                    "_rate": ticket.vat_rate,
                    "_price": ticket.price,
                }
            lines[key]["quantity"] += 1
    rows = []
    for line in lines.values():
        line["amount"] = str(sign * line.pop("_price") * line["quantity"])
        line.pop("_rate")
        rows.append(line)
    return rows


def _summary(lines):
    return [
        {key: str(value) for key, value in row.items()}
        for row in vat_summary((line["vat_rate"], line["amount"]) for line in lines)
    ]


@transaction.atomic
def place_invoice_order(order, *, now=None, notify=True):
    """Confirms a pending organisation's order for payment by invoice: tickets valid at once, an invoice due in
    INVOICE_DUE_DAYS, and (unless told not to) the email with the tickets and the invoice queued."""
    now = now or timezone.now()
    order = _pending_with_hold(order, now=now)
    if not order.is_organisation or not order.organisation_number:
        raise TicketingError(_("Invoices are for organisations with an organisation number."), code="invoice_person")
    settings_, seller = _seller()
    lines = _lines(order)
    invoice = Invoice.objects.create(
        order=order,
        kind=Invoice.Kind.INVOICE,
        number=_next_number(settings_.number_prefix),
        issued_on=timezone.localdate(now),
        due_on=timezone.localdate(now) + dt.timedelta(days=settings.INVOICE_DUE_DAYS),
        seller=seller,
        buyer=_buyer(order),
        lines=lines,
        vat_summary=_summary(lines),
        total=order.total,
    )
    order.payment_method = Order.PaymentMethod.INVOICE
    order.invoice_due_on = invoice.due_on
    order.save(update_fields=["payment_method", "invoice_due_on"])
    transition(order, Order.Status.INVOICED, actor="buyer", reason=f"invoice {invoice.number}", now=now)
    if notify:
        from tickets import emails

        emails.send_order_confirmation(order)
    return order, invoice


@transaction.atomic
def mark_invoice_paid(order, *, by, reason="", now=None):
    """The organiser saw the invoice's money arrive."""
    order = lock_order(order)
    if order.status != Order.Status.INVOICED:
        raise TicketingError(_("Only an invoiced order can be marked as paid."), code="not_invoiced")
    return transition(order, Order.Status.PAID, by=by, reason=reason or "invoice paid", now=now)


def credit_invoice(order, *, by=None, actor="", reason="", now=None):
    """A credit note cancelling the order's invoice (None if it has none, or it is credited already), written to
    the order's log; the caller holds the order's lock."""
    now = now or timezone.now()
    invoice = order.invoices.filter(kind=Invoice.Kind.INVOICE, credit_note__isnull=True).first()
    if invoice is None:
        return None
    settings_, seller = _seller()
    lines = _lines(order, sign=-1)
    credit_note = Invoice.objects.create(
        order=order,
        kind=Invoice.Kind.CREDIT_NOTE,
        number=_next_number(settings_.number_prefix),
        credits=invoice,
        issued_on=timezone.localdate(now),
        seller=seller,
        buyer=invoice.buyer,
        lines=lines,
        vat_summary=_summary(lines),
        total=-invoice.total,
    )
    log(
        instance=order,
        action="tickets.order.credit_note",
        user=by,
        data={
            "credit_note": credit_note.number,
            "invoice": invoice.number,
            "amount": str(invoice.total),
            "reason": reason,
            "actor": actor_name(by, actor),
        },
    )
    return credit_note


@transaction.atomic
def cancel_invoice_order(order, *, by, actor="", reason="", now=None):
    """Cancels an invoiced order: its places are freed and a credit note cancels the invoice."""
    order = lock_order(order)
    if order.status != Order.Status.INVOICED:
        raise TicketingError(_("Only an unpaid invoiced order can be cancelled here."), code="not_invoiced")
    reason = reason or "invoice cancelled"
    credit_note = credit_invoice(order, by=by, actor=actor, reason=reason, now=now)
    transition(order, Order.Status.CANCELED, by=by, actor=actor, reason=reason, now=now)
    return order, credit_note
