"""The buyer's order page and what they can do there themselves: download the tickets (a PDF per attendee, a
phone-sized PNG per ticket, the calendar file), change an attendee's details until the edition's deadline, have the
confirmation sent again, and cancel the order under the edition's terms.

The order is found by its unguessable secret alone; an attendee by their number in the order and a ticket by its id,
both looked up only among the order's own. What may be done, and until when, is decided in
`tickets.services.self_service`; the views show the service's answer. Every response is personal: no cache keeps it
and no search engine lists it (`private`), and no personal data goes into an address.
"""

import logging
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tickets.forms import AttendeeChangeForm, CancelOrderForm
from tickets.models import Invoice, Order, Refund, Ticket
from tickets.services import TicketingError, payments, self_service
from tickets.services import orders as order_services
from tickets.views.registration import SESSION_KEY, order_summary, private

logger = logging.getLogger(__name__)

ENDED = (Order.Status.CANCELED, Order.Status.REFUNDED)


def _order(secret):
    return get_object_or_404(Order.objects.select_related("edition"), secret=secret)


def _confirmed_order(secret):
    """The paid or invoiced order with this secret; anything else has no tickets to show or change."""
    order = _order(secret)
    if not order.is_confirmed:
        raise Http404("This order has no valid tickets.")
    return order


def _contact_email(request):
    """Whom a buyer writes to when the page cannot do what they need: the site's contact address."""
    from home.models import SiteSettings

    try:
        email = SiteSettings.for_request(request).email
    except SiteSettings.DoesNotExist:  # no site for this host: the sender address still reaches the organiser
        email = ""
    return email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _order_url(order):
    return reverse("tickets:order", kwargs={"secret": order.secret})


def _download(content, content_type, filename, *, as_attachment=True):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


# --- The order page -------------------------------------------------------------------------------------------


def _terms(request, order):
    """What the buyer may still do with a confirmed order, and until when, for the page to say."""
    edition = order.edition
    today = timezone.localdate()
    return {
        "changes_open": self_service.changes_open(order, today=today),
        "changes_until": edition.attendee_changes_until(),
        "cancellation_open": self_service.cancellation_open(order, today=today),
        "refund_until": edition.refund_until,
        "refund_passed": edition.refund_until is not None and today > edition.refund_until,
        "contact_email": _contact_email(request),
    }


@private
@require_safe
def order_page(request, secret):
    order = _order(secret)
    if order.status == Order.Status.PENDING and order.stripe_session_id:
        try:
            order = payments.refresh_from_stripe(order)  # the buyer may be back before Stripe's webhook
        except TicketingError:
            logger.warning("Return from Stripe not applied", exc_info=True, extra={"order": order.code})
    if order.status != Order.Status.PENDING and request.session.get(SESSION_KEY) == order.secret:
        request.session.pop(SESSION_KEY)
    invoices = list(order.invoices.order_by("-issued_on", "-pk"))
    invoice = next((one for one in invoices if one.kind == Invoice.Kind.INVOICE), None)
    context = {
        **order_summary(order),
        "order": order,
        "invoice": invoice,
        "credit_note": next((one for one in invoices if one.kind == Invoice.Kind.CREDIT_NOTE), None),
        "processing": order.status == Order.Status.PENDING and bool(order.stripe_session_id),
        "continue_url": reverse("tickets:review") if request.session.get(SESSION_KEY) == order.secret else "",
    }
    if order.is_confirmed:
        context.update(_terms(request, order))
    elif order.status == Order.Status.CANCELED:
        context["refund"] = order.refunds.exclude(status=Refund.Status.FAILED).first()
    return render(request, "tickets/order_page.html", context)


@private
@require_safe
def invoice_pdf(request, secret, number):
    order = get_object_or_404(Order, secret=secret)
    # Numbers are typed by organisers in a form that refuses NUL; PostgreSQL cannot compare text holding one.
    invoice = None if "\x00" in number else order.invoices.filter(number=number).first()
    if invoice is None:
        raise Http404("No such invoice on this order.")
    from tickets.invoice_pdf import render_invoice_pdf  # reportlab is loaded only when an invoice is asked for

    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


# --- Downloads ------------------------------------------------------------------------------------------------


def _tickets(order):
    """The order's tickets with what the ticket files print, without further queries."""
    return (
        Ticket.objects.filter(order=order)
        .select_related("ticket_type", "attendee", "order__edition")
        .order_by("attendee__position", "ticket_type__sort_order", "pk")
    )


@private
@require_safe
def ticket_pdf(request, secret, position):
    """One attendee's tickets as a PDF, a page a ticket, each with its QR code."""
    order = _confirmed_order(secret)
    tickets = list(_tickets(order).filter(attendee__position=position))
    if not tickets:
        raise Http404("No such attendee on this order.")
    from tickets.ticket_files import ticket_pdf as render_ticket_pdf  # reportlab only when a ticket is asked for

    content = render_ticket_pdf(tickets, language=request.LANGUAGE_CODE)
    return _download(content, "application/pdf", f"biljett-{order.code}-{position}.pdf")


@private
@require_safe
def ticket_png(request, secret, ticket_id):
    """One ticket as a phone-screen image, shown in the browser so that it can be saved to the photos."""
    order = _confirmed_order(secret)
    ticket = _tickets(order).filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("No such ticket on this order.")
    from tickets.ticket_files import wallet_png

    content = wallet_png(ticket, language=request.LANGUAGE_CODE)
    return _download(content, "image/png", f"biljett-{order.code}-{ticket.pk}.png", as_attachment=False)


@private
@require_safe
def order_ics(request, secret):
    """The conference (and the banquet) for the buyer's calendar."""
    order = _confirmed_order(secret)
    from tickets.ticket_files import conference_ics

    content = conference_ics(order.edition, language=request.LANGUAGE_CODE)
    return _download(content, "text/calendar; charset=utf-8", f"trygg-och-saker-{order.edition.year}.ics")


# --- Changing an attendee -------------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "HEAD", "POST"])
def order_attendee(request, secret, position):
    order = _confirmed_order(secret)
    attendee = get_object_or_404(order.attendees, position=position)
    tickets = list(order_services.tickets_query(order).filter(attendee=attendee))
    posted = request.method == "POST"
    form = AttendeeChangeForm(request.POST if posted else None, attendee=attendee, tickets=tickets)
    refusal = ""
    if posted and form.is_valid():
        try:
            self_service.change_attendee(order, attendee.pk, form.changes())
        except TicketingError as refused:
            refusal = refused.message
        else:
            messages.success(request, _("The details of attendee %(number)s have been saved.") % {"number": position})
            return redirect(_order_url(order))
    has_errors = bool(refusal or form.errors)
    context = {
        **_terms(request, order),
        "order": order,
        "attendee": attendee,
        "form": form,
        "forms": [form],
        "show_form": posted or self_service.changes_open(order),  # a refused change is shown again, as typed
        "refusal": refusal,
        "has_errors": has_errors,
        "order_url": _order_url(order),
    }
    return render(request, "tickets/order_attendee.html", context, status=400 if has_errors else 200)


# --- Sending the confirmation again ---------------------------------------------------------------------------


@private
@require_POST
def order_resend(request, secret):
    order = _confirmed_order(secret)
    try:
        self_service.resend_confirmation(order)
    except TicketingError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The confirmation has been sent again to %(email)s.") % {"email": order.buyer_email}
        )
    return redirect(_order_url(order))


# --- Cancelling -----------------------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "HEAD", "POST"])
def order_cancel(request, secret):
    order = _order(secret)
    if order.status in ENDED:
        return redirect(_order_url(order))  # cancelled already (a second click, another tab): nothing more to do
    if not order.is_confirmed:
        raise Http404("This order has nothing to cancel.")
    form = CancelOrderForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        reason = "cancelled by the buyer"
        if form.cleaned_data["reason"]:
            reason = f"{reason}: {form.cleaned_data['reason']}"
        try:
            self_service.cancel_order(order, reason=reason)
        except TicketingError as refused:
            refusal = refused.message
            order.refresh_from_db()
        else:
            messages.success(request, _("Your order has been cancelled."))
            return redirect(_order_url(order))
    has_errors = bool(refusal or form.errors)
    context = {
        **_terms(request, order),
        **order_summary(order),
        "order": order,
        "invoice": order.invoices.filter(kind=Invoice.Kind.INVOICE, credit_note__isnull=True).first(),
        "card": order.status == Order.Status.PAID and order.payment_method == Order.PaymentMethod.CARD,
        "form": form,
        "forms": [form],
        "refusal": refusal,
        "has_errors": has_errors,
        "order_url": _order_url(order),
    }
    return render(request, "tickets/order_cancel.html", context, status=400 if has_errors else 200)
