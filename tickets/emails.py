"""Email to buyers about their orders. Queued when the order's status changes (after commit), rendered and sent
by the task worker in the buyer's language; sending is retried by home.emails.send_email."""

from django.db import transaction
from django_tasks import task

from home.emails import attachment, render_email, send_email
from tickets.models import Invoice, Order

CONFIRMED = "confirmed"
LATE_REFUND = "late_refund"


def send_order_confirmation(order, *, invoice=None):
    """Queues the confirmation of `order` (with the invoice attached, if any) for after the commit."""
    invoice_id = invoice.pk if invoice else None
    transaction.on_commit(lambda: prepare_order_email.enqueue(order.pk, CONFIRMED, invoice_id))


def send_late_payment_refunded(order):
    transaction.on_commit(lambda: prepare_order_email.enqueue(order.pk, LATE_REFUND, None))


def order_page_url(order):
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    with translation.override(order.language):
        path = reverse("tickets:order", kwargs={"secret": order.secret})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@task()
def prepare_order_email(order_id, kind, invoice_id=None):
    """Renders the email `kind` about order `order_id` and hands it to the sender."""
    from tickets.services.orders import tickets_query
    from tickets.services.pricing import vat_summary

    order = Order.objects.select_related("edition").get(pk=order_id)
    tickets = list(tickets_query(order))
    context = {
        "order": order,
        "tickets": tickets,
        "attendees": list(order.attendees.order_by("position")),
        "vat_rows": vat_summary((t.vat_rate, t.price) for t in tickets),
        "order_url": order_page_url(order),
        "edition": order.edition,
    }
    files = []
    if invoice_id:
        from tickets.invoice_pdf import render_invoice_pdf

        invoice = Invoice.objects.get(pk=invoice_id)
        context["invoice"] = invoice
        files.append(attachment(f"{invoice.number}.pdf", render_invoice_pdf(invoice), "application/pdf"))
    template = {CONFIRMED: "tickets/emails/order_confirmed", LATE_REFUND: "tickets/emails/late_payment_refunded"}[kind]
    message = render_email(template, context, to=[order.buyer_email], language=order.language, attachments=files)
    send_email.enqueue(message)
