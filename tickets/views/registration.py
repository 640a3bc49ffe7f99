"""The public registration, in four steps (choose tickets → attendees → payer → review and pay). The order page,
where a registration ends, is in `tickets.views.order_page`.

Each step loads the pending order named in the visitor's session, calls one service and, when the service says no,
shows its message next to what it concerns. Places, vouchers, prices and payments are decided in
`tickets.services`, never here. Every page here is personal: no cache keeps it, no search engine lists it, and
no personal data goes into an address.
"""

import math
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from events.models import Edition
from home import ratelimit
from home.security import csp_update_at_request
from tickets.forms import AttendeeForm, BuyerForm, TicketChoiceForm
from tickets.models import Order
from tickets.services import HoldExpired, SoldOut, TicketingError, VoucherRefused, payments
from tickets.services import invoices as invoice_services
from tickets.services import orders as order_services
from tickets.services.pricing import vat_summary

SESSION_KEY = "tickets.order_secret"
STRIPE_CHECKOUT = "https://checkout.stripe.com"
STEPS = [
    ("register", gettext_lazy("Choose tickets")),
    ("attendees", gettext_lazy("Attendees")),
    ("buyer", gettext_lazy("Payer")),
    ("review", gettext_lazy("Review and pay")),
]


class StartOver(Exception):
    """The visitor has no order that still holds places: back to the first step, saying why."""

    def __init__(self, message=""):
        super().__init__(message)
        self.message = message


def private(view):
    """Personal pages: never cached (they hold a CSRF token, names and an order's secret), never indexed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def step(view):
    """A step after the first: the view gets the visitor's pending order, or the visitor starts over."""

    @private
    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            order = _pending_order(request)
            return view(request, order, *args, **kwargs)
        except HoldExpired as expired:
            return _start_over(request, expired.message)
        except StartOver as start_over:
            return _start_over(request, start_over.message)

    return wrapped


def _pending_order(request):
    secret = request.session.get(SESSION_KEY)
    order = Order.objects.select_related("edition", "voucher").filter(secret=secret).first() if secret else None
    if order is None:
        raise StartOver(_("Start by choosing your tickets."))
    if order.is_confirmed:
        raise StartOver()  # done already: _start_over shows the order page
    if order.status != Order.Status.PENDING:
        raise StartOver(order_services.hold_expired_error().message)
    # A hold that lapsed may still be taken again by the next service call (if the places are free), but a page
    # that says “reserved until 14:32” at 14:40 would be wrong, so a visitor who only looks starts over.
    if request.method != "POST" and not order.holds_places():
        raise StartOver(order_services.hold_expired_error().message)
    return order


def _start_over(request, message):
    secret = request.session.pop(SESSION_KEY, None)
    order = Order.objects.filter(secret=secret).first() if secret else None
    if order is not None and order.is_confirmed:
        return redirect("tickets:order", secret=order.secret)
    if message:
        messages.warning(request, message)
    return redirect("tickets:register")


def _order_in_session(request):
    """The visitor's pending order that still holds places, if any (shown on step 1 as “continue”)."""
    secret = request.session.get(SESSION_KEY)
    order = Order.objects.filter(secret=secret).first() if secret else None
    if order is not None and order.status == Order.Status.PENDING and order.holds_places():
        return order
    return None


def _step_context(order, current):
    number = [name for name, _label in STEPS].index(current) + 1
    now = timezone.now()
    context = {
        "step_number": number,
        "step_count": len(STEPS),
        "steps": [
            {
                "name": name,
                "label": label,
                "number": index,
                "current": index == number,
                "done": index < number,
                # Going back to step 1 would start a new reservation; the later steps can be revisited.
                "url": reverse(f"tickets:{name}") if 1 < index < number else "",
            }
            for index, (name, label) in enumerate(STEPS, start=1)
        ],
        "order": order,
    }
    if order is not None:
        seconds = (order.hold_expires_at - now).total_seconds()
        context["hold_minutes_left"] = max(math.ceil(seconds / 60), 0)
    return context


# --- Step 1: choose tickets -----------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "HEAD", "POST"])
def choose(request):
    edition = Edition.objects.upcoming().first()
    now = timezone.now()
    ticket_types = []
    if edition is not None:
        ticket_types = [t for t in edition.ticket_types.order_by("sort_order", "pk") if t.on_sale(now)]
    if not ticket_types:
        return render(request, "tickets/registration_closed.html", {"edition": edition})

    current = _order_in_session(request)
    # A choice is decided by the reservation itself, under its lock; what is left is counted only to show it.
    posted = request.method == "POST"
    left = {} if posted else order_services.availability(edition, now=now)
    # A waiting list's offer links here with the personal code filled in.
    initial = {"voucher_code": request.GET.get("kod", "")[:40]}
    # Bound on every POST, an empty one too: it is refused with a message, not shown as a blank form.
    form = TicketChoiceForm(request.POST if posted else None, ticket_types=ticket_types, left=left, initial=initial)
    status = 200
    if posted:
        if form.is_valid():
            # Reservations per address (settings.RATE_LIMITS), so that no script holds every place: counted before
            # reserving, so that simultaneous posts cannot all slip through, and given back when nothing ends up
            # held. A refused voucher code stays counted: guessing codes costs attempts too.
            ip = ratelimit.client_ip(request)
            try:
                ratelimit.count_attempt("registration_ip", ip)
            except ratelimit.RateLimited as limited:
                return ratelimit.render_429(request, limited, back_url=request.get_full_path())
            try:
                order = order_services.reserve(
                    edition,
                    form.quantities(),
                    voucher_code=form.cleaned_data["voucher_code"],
                    language=request.LANGUAGE_CODE,
                )
            except SoldOut as sold_out:
                ratelimit.give_back("registration_ip", ip)
                form.add_error(None, sold_out.message)
                form.mark_sold_out(sold_out.ticket_types, _("Not enough places left"))
            except VoucherRefused as refused:
                form.add_error("voucher_code", refused.message)
            except TicketingError as refused:
                ratelimit.give_back("registration_ip", ip)
                form.add_error(None, refused.message)
            else:
                if current is not None:  # a new choice replaces the reservation made before: no more places held
                    order_services.cancel_pending(current, reason="chose again")
                    ratelimit.give_back("registration_ip", ip)
                request.session[SESSION_KEY] = order.secret
                return redirect("tickets:attendees")
        status = 400
        form.show_places(order_services.availability(edition, now=now))
    context = {
        **_step_context(None, "register"),
        "form": form,
        "forms": [form],
        "has_errors": bool(form.errors),
        "edition": edition,
        "current_order": current,
    }
    return render(request, "tickets/registration_choose.html", context, status=status)


# --- Step 2: attendees ----------------------------------------------------------------------------------------


def _tickets_by_attendee(order):
    grouped = {}
    for ticket in order_services.tickets_query(order):
        grouped.setdefault(ticket.attendee_id, []).append(ticket)
    return grouped


@step
def attendees(request, order):
    grouped = _tickets_by_attendee(order)
    data = request.POST if request.method == "POST" else None
    forms = [
        AttendeeForm(data, attendee=attendee, tickets=grouped.get(attendee.pk, []))
        for attendee in order.attendees.order_by("position")
    ]
    refusal = ""
    if request.method == "POST":
        valid = [form.is_valid() for form in forms]  # every form, so that each one shows its errors
        if all(valid):
            try:
                order_services.save_attendees(order, [form.attendee_data() for form in forms])
            except HoldExpired:
                raise
            except TicketingError as refused:
                refusal = refused.message
            else:
                return redirect("tickets:buyer")
    has_errors = bool(refusal) or any(form.errors for form in forms)
    context = {**_step_context(order, "attendees"), "forms": forms, "refusal": refusal, "has_errors": has_errors}
    return render(request, "tickets/registration_attendees.html", context, status=400 if has_errors else 200)


# --- Step 3: the payer ----------------------------------------------------------------------------------------


@step
def buyer(request, order):
    form = BuyerForm(request.POST if request.method == "POST" else None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            order_services.save_buyer(order, form.buyer_data())
        except HoldExpired:
            raise
        except TicketingError as refused:
            form.add_error("payment_method" if refused.code == "invoice_person" else None, refused.message)
        else:
            return redirect("tickets:review")
    context = {**_step_context(order, "buyer"), "form": form, "forms": [form], "has_errors": bool(form.errors)}
    return render(request, "tickets/registration_buyer.html", context, status=400 if form.errors else 200)


# --- Step 4: review and pay -----------------------------------------------------------------------------------


def order_summary(order):
    """What an order holds, for the review and order pages: each attendee with their tickets, the totals and the
    VAT per rate."""
    tickets = list(order_services.tickets_query(order))
    rows = {}
    for attendee in order.attendees.order_by("position"):
        rows[attendee.pk] = {"attendee": attendee, "tickets": []}
    for ticket in tickets:
        rows[ticket.attendee_id]["tickets"].append(ticket)
    vat_rows = vat_summary((ticket.vat_rate, ticket.price) for ticket in tickets)
    return {
        "attendee_rows": list(rows.values()),
        "vat_rows": vat_rows,
        "net_total": sum((row["net"] for row in vat_rows), start=0),
        "vat_total": sum((row["vat"] for row in vat_rows), start=0),
        "list_total": sum((ticket.list_price for ticket in tickets), start=0),
        "discount": sum((ticket.list_price - ticket.price for ticket in tickets), start=0),
    }


def _checkout_form_action():
    """The review page's form is answered with a redirect to Stripe Checkout, which browsers hold to the page's
    form-action: Stripe's own address, or the host STRIPE_API_BASE names, which then serves Checkout too (the tests'
    fake Stripe)."""
    base = urlsplit(settings.STRIPE_API_BASE)
    return {"form-action": [f"{base.scheme}://{base.netloc}" if base.netloc else STRIPE_CHECKOUT]}


@csp_update_at_request(_checkout_form_action)
@step
def review(request, order):
    if not all(attendee.first_name for attendee in order.attendees.all()):
        return redirect("tickets:attendees")
    if not (order.buyer_kind and order.buyer_email and order.payment_method):
        return redirect("tickets:buyer")
    refusal = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "card":
                order_url = reverse("tickets:order", kwargs={"secret": order.secret})
                url = payments.start_card_payment(
                    order,
                    success_url=request.build_absolute_uri(order_url) + "?session_id={CHECKOUT_SESSION_ID}",
                    cancel_url=request.build_absolute_uri(reverse("tickets:review")),
                )
                return HttpResponseRedirect(url, status=303)
            if action == "invoice":
                order, _invoice = invoice_services.place_invoice_order(order)
                request.session.pop(SESSION_KEY, None)
                return redirect("tickets:order", secret=order.secret)
            refusal = _("Choose how to pay.")
        except HoldExpired:
            raise
        except TicketingError as refused:
            refusal = refused.message
        order.refresh_from_db()
    context = {
        **_step_context(order, "review"),
        **order_summary(order),
        "refusal": refusal,
        "invoice_due_days": settings.INVOICE_DUE_DAYS,
    }
    return render(request, "tickets/registration_review.html", context, status=400 if refusal else 200)


@private
@require_POST
def cancel(request):
    secret = request.session.pop(SESSION_KEY, None)
    order = Order.objects.filter(secret=secret).first() if secret else None
    if order is not None and order.status == Order.Status.PENDING:
        order_services.cancel_pending(order, reason="cancelled by the buyer")
        messages.success(request, _("Your registration has been cancelled and the places released."))
    return redirect("tickets:register")
