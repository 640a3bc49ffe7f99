"""Email to buyers and attendees about their orders. Queued when the order's status changes (after commit), then
rendered — QR codes, PDF tickets, the calendar file, the invoice — and sent by the task worker in the buyer's
language; home.emails.send_email retries when the provider fails."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from home.emails import attachment, render_email, send_email
from tickets.models import Invoice, Order

CONFIRMED = "confirmed"
LATE_REFUND = "late_refund"


def send_order_confirmation(order, *, resend=False):
    """Queues the confirmation of `order` with its tickets (and invoice, if any) for after the commit."""
    transaction.on_commit(lambda: prepare_order_email.enqueue(order.pk, CONFIRMED, resend))


def send_late_payment_refunded(order):
    transaction.on_commit(lambda: prepare_order_email.enqueue(order.pk, LATE_REFUND, False))


def order_page_url(order):
    with translation.override(order.language):
        path = reverse("tickets:order", kwargs={"secret": order.secret})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def qr_content_id(ticket):
    return f"qr-{ticket.pk}@tryggochsaker.se"


def _ticket_files(order, tickets):
    """The files that go with `tickets`: a PDF per attendee, the calendar, and each QR code inline."""
    from tickets.ticket_files import conference_ics, qr_png, ticket_pdf

    files, by_attendee = [], {}
    for ticket in tickets:
        by_attendee.setdefault(ticket.attendee, []).append(ticket)
    for attendee, own in by_attendee.items():
        name = f"biljett-{order.code}-{attendee.position}.pdf"
        files.append(attachment(name, ticket_pdf(own, language=order.language), "application/pdf"))
    calendar = conference_ics(order.edition, language=order.language)
    files.append(attachment("trygg-och-saker.ics", calendar, "text/calendar"))
    for ticket in tickets:
        png = qr_png(ticket.secret, box_size=6)
        files.append(attachment(f"qr-{ticket.pk}.png", png, "image/png", content_id=qr_content_id(ticket)))
    return files


@task()
def prepare_order_email(order_id, kind, resend=False):
    """Renders the email `kind` about order `order_id` (and, for a confirmation where the edition asks for it,
    one to each attendee with their own tickets) and hands them to the sender."""
    from tickets.services.orders import tickets_query
    from tickets.services.pricing import vat_summary

    order = Order.objects.select_related("edition").get(pk=order_id)
    tickets = list(tickets_query(order).select_related("order__edition"))
    for ticket in tickets:
        ticket.qr_cid = qr_content_id(ticket)
    context = {
        "order": order,
        "tickets": tickets,
        "attendees": list(order.attendees.order_by("position")),
        "vat_rows": vat_summary((t.vat_rate, t.price) for t in tickets),
        "order_url": order_page_url(order),
        "edition": order.edition,
        "resend": resend,
    }
    if kind == LATE_REFUND:
        message = render_email(
            "tickets/emails/late_payment_refunded", context, to=[order.buyer_email], language=order.language
        )
        send_email.enqueue(message)
        return

    files = _ticket_files(order, tickets)
    invoice = order.invoices.filter(kind=Invoice.Kind.INVOICE).order_by("-pk").first()
    if invoice is not None:
        from tickets.invoice_pdf import render_invoice_pdf

        context["invoice"] = invoice
        files.insert(0, attachment(f"{invoice.number}.pdf", render_invoice_pdf(invoice), "application/pdf"))
    message = render_email(
        "tickets/emails/order_confirmed", context, to=[order.buyer_email], language=order.language, attachments=files
    )
    send_email.enqueue(message)

    if order.edition.tickets_to_each_attendee:
        for attendee in context["attendees"]:
            own = [t for t in tickets if t.attendee_id == attendee.pk]
            if not attendee.email or not own or attendee.email.lower() == order.buyer_email.lower():
                continue
            attendee_context = {**context, "attendee": attendee, "tickets": own}
            send_email.enqueue(
                render_email(
                    "tickets/emails/attendee_ticket",
                    attendee_context,
                    to=[attendee.email],
                    language=order.language,
                    attachments=_ticket_files(order, own),
                )
            )


def send_waiting_list_offer(entry):
    """Queues the email offering `entry` a place, for after the commit."""
    transaction.on_commit(lambda: prepare_waiting_list_offer.enqueue(entry.pk))


@task()
def prepare_waiting_list_offer(entry_id):
    from tickets.models import WaitingListEntry

    entry = WaitingListEntry.objects.select_related("capacity__edition", "voucher").get(pk=entry_id)
    with translation.override(entry.language):
        register_url = reverse("tickets:register")
    link = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{register_url}?kod={entry.voucher.code}"
    context = {"entry": entry, "edition": entry.capacity.edition, "link": link, "voucher": entry.voucher}
    send_email.enqueue(
        render_email("tickets/emails/waiting_list_offer", context, to=[entry.email], language=entry.language)
    )
