"""The organisers' side of ticket sales in the Wagtail admin (registered from tickets.wagtail_hooks).

A **Tickets** menu: the catalogue (ticket types, capacities, vouchers) as ordinary model viewsets, and the orders as
a listing with a detail page and nothing else. Money and tickets change only through tickets.services, so orders
have no add, edit or delete views: the detail page's two actions (mark an invoice paid, cancel it with a credit
note) ask for confirmation and call the services. The dashboard gets a panel with the upcoming edition's sales.
"""

import datetime as dt
from collections import OrderedDict
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, ButtonsColumnMixin, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import DeleteView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.coreutils import multigetattr
from wagtail.models import ModelLogEntry
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from events.jury import ORGANISER_GROUP
from events.models import Edition
from tickets.models import Attendee, Capacity, Invoice, Order, Ticket, TicketType, Voucher, WaitingListEntry
from tickets.models.orders import holds_places
from tickets.services import TicketingError
from tickets.services.invoices import cancel_invoice_order, mark_invoice_paid
from tickets.services.orders import availability, tickets_query
from tickets.services.pricing import vat_summary
from tickets.services.self_service import (
    CHANGEABLE_FIELDS,
    cancel_order,
    change_attendee,
    refund_part,
    refunded_amount,
    resend_confirmation,
)

# --- Permissions --------------------------------------------------------------------------------------------------


def is_organiser(user):
    """Superusers and the Arrangörer group (the group is read once per user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_tickets_is_organiser", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANISER_GROUP).exists()
        user._tickets_is_organiser = cached
    return cached


def can_view_orders(user):
    """Organisers, or whoever may view or change orders."""
    return is_organiser(user) or (
        user.is_active and (user.has_perm("tickets.view_order") or user.has_perm("tickets.change_order"))
    )


def can_change_orders(user):
    """Organisers, or whoever may change orders: marking an invoice paid, cancelling with a credit note."""
    return is_organiser(user) or (user.is_active and user.has_perm("tickets.change_order"))


class OrderPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds, edits through a form or deletes an order in the admin: money and tickets change only through the
    services. Organisers see orders; changing (the service actions) needs change_order or the organisers' group."""

    def user_has_permission(self, user, action):
        if action == "view":
            return can_view_orders(user)
        if action == "change":
            return can_change_orders(user)
        return False


class CataloguePermissionPolicy(ModelPermissionPolicy):
    """The organisers' group sets up what is for sale; anyone else needs the model's permissions."""

    def user_has_permission(self, user, action):
        return is_organiser(user) or super().user_has_permission(user, action)


class OrderDataPermissionPolicy(ModelPermissionPolicy):
    """Attendees, invoices and the waiting list are read (and exported) by whoever may see orders; nothing changes
    them through a form in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can_view_orders(user)


register_permission_policy(Order, OrderPermissionPolicy(Order))
for _model in (TicketType, Capacity, Voucher):
    register_permission_policy(_model, CataloguePermissionPolicy(_model))
for _model in (Attendee, Invoice, WaitingListEntry):
    register_permission_policy(_model, OrderDataPermissionPolicy(_model))


class OrdersAccessMixin:
    """A plain 403 for anyone who may not see (or change) orders: Wagtail's own check would redirect to the
    dashboard, and the order's data must not be rendered."""

    needs_change = False

    def dispatch(self, request, *args, **kwargs):
        allowed = can_change_orders if self.needs_change else can_view_orders
        if not allowed(request.user):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


# --- Reads --------------------------------------------------------------------------------------------------------


def with_usage(capacities, *, now=None):
    """`capacities` annotated with `sold` (tickets of paid or invoiced orders) and `held` (tickets of pending orders
    whose hold has not run out), in one query: the same orders as Order.objects.holding()."""
    now = now or timezone.now()
    status = "ticket_types__tickets__order__status"
    sold = Q(**{f"{status}__in": Order.CONFIRMED})
    held = Q(**{status: Order.Status.PENDING, "ticket_types__tickets__order__hold_expires_at__gt": now})
    return capacities.annotate(
        sold=Count("ticket_types__tickets", filter=sold), held=Count("ticket_types__tickets", filter=held)
    )


def free_places(capacity):
    return max(capacity.size - capacity.sold - capacity.held, 0)


def revenue_per_rate(edition):
    """VAT per rate (tickets.services.pricing.vat_summary rows) of `edition`'s paid and invoiced orders, one query."""
    rows = (
        Ticket.objects.filter(order__edition=edition, order__status__in=Order.CONFIRMED)
        .order_by()
        .values("vat_rate")
        .annotate(gross=Sum("price"))
        .values_list("vat_rate", "gross")
    )
    return vat_summary(rows)


def sek(amount):
    """4950 → “4 950,00 kr” in the admin's language."""
    if amount is None:
        return ""
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} kr"


class CsvInAdminLanguageMixin:
    """Wagtail streams a CSV export after the view has returned, when the admin's language (the user's preference)
    is no longer active: each row is written in the language the view ran in."""

    def stream_csv(self, queryset):
        language = translation.get_language()  # now, while the view runs; the generator runs later
        return self._stream_in(language, super().stream_csv(queryset))

    @staticmethod
    def _stream_in(language, rows):
        while True:
            with translation.override(language):
                row = next(rows, None)
            if row is None:
                return
            yield row


# --- Catalogue ----------------------------------------------------------------------------------------------------


def _in_use(instance):
    """Whether orders point at `instance`: it stays, so that what was sold keeps its history (and its limit)."""
    if isinstance(instance, TicketType):
        return instance.tickets.exists()
    if isinstance(instance, Capacity):
        return Ticket.objects.filter(ticket_type__capacities=instance).exists()
    if isinstance(instance, Voucher):
        return instance.orders.exists()
    return False


class CatalogueDeleteView(DeleteView):
    """Deletes a ticket type, capacity or voucher no order uses yet; otherwise says why not (rather than failing
    on the protected foreign key, or silently lifting a capacity's limit)."""

    def refuse_if_in_use(self):
        if not _in_use(self.object):
            return None
        messages.error(
            self.request,
            gettext("“%(object)s” cannot be deleted: orders use it. Take it off sale or change it instead.")
            % {"object": self.object},
        )
        return redirect(self.edit_url_name, self.object.pk)

    def get(self, request, *args, **kwargs):
        return self.refuse_if_in_use() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_if_in_use() or super().post(request, *args, **kwargs)


class TicketTypeIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("edition")

    @cached_property
    def _left_by_edition(self):
        return {}

    def places_left(self, ticket_type):
        """From tickets.services.orders.availability, asked once per edition on the page."""
        edition_id = ticket_type.edition_id
        if edition_id not in self._left_by_edition:
            self._left_by_edition[edition_id] = availability(ticket_type.edition)
        left = self._left_by_edition[edition_id].get(ticket_type.pk)
        return gettext("no limit") if left is None else left

    @cached_property
    def columns(self):
        return [
            *super().columns,
            BooleanColumn("on_sale", label=_("On sale"), accessor=lambda ticket_type: ticket_type.on_sale()),
            Column("places_left", label=_("Places left"), accessor=self.places_left),
        ]


class TicketTypeViewSet(ModelViewSet):
    delete_view_class = CatalogueDeleteView
    model = TicketType
    name = "ticket_types"
    url_prefix = "tickets/types"
    icon = "tag"
    menu_label = _("Ticket types")
    index_view_class = TicketTypeIndexView
    list_display = ["name", "edition", "kind", "price", "vat_rate"]
    list_filter = ["edition", "kind"]
    search_fields = ["name", "name_en"]
    search_backend_name = None  # the ORM's icontains: finds parts of words, needs no search index
    ordering = ["edition", "sort_order", "name"]
    copy_view_enabled = True


class CapacityIndexView(IndexView):
    def get_base_queryset(self):
        return with_usage(super().get_base_queryset().select_related("edition"))

    @cached_property
    def columns(self):
        return [
            *super().columns,
            Column("sold", label=_("Sold"), sort_key="sold"),
            Column("held", label=_("Held"), sort_key="held"),
            Column("free", label=_("Free"), accessor=free_places),
        ]


class CapacityViewSet(ModelViewSet):
    delete_view_class = CatalogueDeleteView
    model = Capacity
    name = "ticket_capacities"
    url_prefix = "tickets/capacities"
    icon = "group"
    menu_label = _("Capacities")
    index_view_class = CapacityIndexView
    list_display = ["name", "edition", "size"]
    list_filter = ["edition"]
    ordering = ["edition", "name"]
    copy_view_enabled = False


class VoucherIndexView(IndexView):
    def get_base_queryset(self):
        # Counted as tickets.services.orders counts a voucher's uses: discounted tickets of orders holding places.
        holding = holds_places(timezone.now(), via="orders__")
        discounted = Q(orders__tickets__price__lt=F("orders__tickets__list_price"))
        return (
            super()
            .get_base_queryset()
            .select_related("edition")
            .annotate(used=Count("orders__tickets", filter=holding & discounted))
        )

    @cached_property
    def columns(self):
        return [
            *super().columns,
            Column(
                "uses",
                label=_("Tickets used / allowed"),
                accessor=lambda voucher: f"{voucher.used} / {voucher.max_uses}",
                sort_key="used",
            ),
        ]


class VoucherViewSet(ModelViewSet):
    delete_view_class = CatalogueDeleteView
    model = Voucher
    name = "ticket_vouchers"
    url_prefix = "tickets/vouchers"
    icon = "pick"
    menu_label = _("Vouchers")
    index_view_class = VoucherIndexView
    list_display = ["code", "edition", "kind", "value", "valid_until"]
    list_filter = ["edition"]
    search_fields = ["code", "note"]
    ordering = ["edition", "code"]
    copy_view_enabled = False


# --- Orders -------------------------------------------------------------------------------------------------------


def buyer_label(order):
    """The organisation, or the person paying, with the email address."""
    name = order.organisation_name or order.buyer_name
    if order.organisation_name and order.buyer_name:
        name = f"{order.organisation_name} ({order.buyer_name})"
    return " – ".join(part for part in (name, order.buyer_email) if part)


class OrderCodeColumn(ButtonsColumnMixin, TitleColumn):
    """The order code, linking to the order's page, with the row's action menu."""

    def __init__(self, *args, view, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = view

    def get_buttons(self, instance, parent_context):
        return self.view.get_list_buttons(instance)


class OrderIndexView(OrdersAccessMixin, CsvInAdminLanguageMixin, IndexView):
    any_permission_required = ["view", "change"]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("edition")

    @cached_property
    def columns(self):
        return [
            OrderCodeColumn("code", label=_("Order code"), sort_key="code", get_url=self.get_inspect_url, view=self),
            DateColumn("created_at", label=_("Created"), sort_key="created_at"),
            Column("buyer", label=_("Buyer / organisation"), accessor=buyer_label, sort_key="organisation_name"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda order: order.status in Order.CONFIRMED,
            ),
            Column("payment_method", label=_("Payment method"), accessor="get_payment_method_display"),
            Column("total", label=_("Total"), accessor=lambda order: sek(order.total), sort_key="total"),
        ]


ORDER_FIELDS = ["edition", "status", "created_at", "hold_expires_at", "payment_method", "paid_at", "invoice_due_on"]
BUYER_FIELDS = [
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
    "language",
]


class OrderInspectView(OrdersAccessMixin, InspectView):
    template_name = "tickets/admin/order_inspect.html"
    any_permission_required = ["view", "change"]
    fields = [*ORDER_FIELDS, "voucher", *BUYER_FIELDS]

    def get_object(self, queryset=None):
        return get_object_or_404(Order.objects.select_related("edition", "voucher"), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.code

    def _fields(self, names, *, skip_empty=False):
        rows = []
        for name in names:
            field = self.get_context_for_field(name)
            if field["value"] in (None, ""):
                if skip_empty:
                    continue
                field["value"] = "–"
            rows.append(field)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        tickets = list(tickets_query(order))
        by_attendee = {}
        for ticket in tickets:
            by_attendee.setdefault(ticket.attendee_id, []).append(ticket)
        can_change = can_change_orders(self.request.user)

        def url(name, *args):
            return reverse(order_viewset.get_url_name(name), args=[order.pk, *args])

        attendees = [
            {
                "attendee": attendee,
                "tickets": by_attendee.get(attendee.pk, []),
                "edit_url": url("edit_attendee", attendee.pk) if can_change and order.is_confirmed else None,
            }
            for attendee in order.attendees.order_by("position")
        ]
        invoices = [
            {"invoice": invoice, "pdf_url": reverse(order_viewset.get_url_name("invoice_pdf"), args=[invoice.pk])}
            for invoice in order.invoices.select_related("credits").order_by("issued_on", "number")
        ]
        can_act = can_change and order.status == Order.Status.INVOICED
        paid = can_change and order.status == Order.Status.PAID
        paid_by_card = paid and order.payment_method == Order.PaymentMethod.CARD
        context.update(
            order_fields=self._fields(["code", *ORDER_FIELDS, "voucher"]),
            buyer_fields=self._fields(BUYER_FIELDS, skip_empty=True),
            total=sek(order.total),
            attendees=attendees,
            vat_rows=[
                {**row, "net": sek(row["net"]), "vat": sek(row["vat"]), "gross": sek(row["gross"])}
                for row in vat_summary((ticket.vat_rate, ticket.price) for ticket in tickets)
            ],
            invoices=invoices,
            refunds=order.refunds.order_by("-created_at"),
            stripe_events=order.stripe_events.order_by("-received_at"),
            log_entries=ModelLogEntry.objects.for_instance(order).select_related("user").order_by("-timestamp", "-pk"),
            mark_paid_url=url("mark_paid") if can_act else None,
            cancel_url=url("cancel") if can_act else None,
            resend_url=url("resend") if can_change and order.is_confirmed else None,
            cancel_paid_url=url("cancel_paid") if paid else None,
            refund_part_url=url("refund_part") if paid_by_card else None,
        )
        return context

    def get_fields_context(self):
        return []  # the template shows the fields in its own sections


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Optional. Written to the order's log."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrderActionView(OrdersAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: what the action will do, with a form (a reason by default); POST: the service does it (TicketingError →
    its message). A refused plain confirmation goes back to the order's page; a refused form (`keep_form_on_error`)
    is shown again with what was typed in."""

    needs_change = True
    template_name = "tickets/admin/order_confirm.html"
    header_icon = "tag"
    form_class = None
    confirmation = ""
    button_label = ""
    destructive = False
    keep_form_on_error = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.order = get_object_or_404(Order.objects.select_related("edition"), pk=kwargs["pk"])
        self.inspect_url = reverse(order_viewset.get_url_name("inspect"), args=[self.order.pk])

    def get_page_subtitle(self):
        return self.order.code

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(order_viewset.get_url_name("index")), "label": _("Orders")},
            {"url": self.inspect_url, "label": self.order.code},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_confirmation(self):
        return self.confirmation

    def get_details(self):
        """(label, value) pairs shown above the form."""
        return []

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "order": self.order,
            "total": sek(self.order.total),
            "confirmation": self.get_confirmation(),
            "details": self.get_details(),
            "button_label": self.button_label,
            "destructive": self.destructive,
            "inspect_url": self.inspect_url,
        }

    def get_form(self, data=None):
        return (self.form_class or ReasonForm)(data)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            message = self.perform_form(form)
        except TicketingError as error:
            messages.error(request, error.message)
            if self.keep_form_on_error:
                return self.render_to_response(self.get_context_data(form=form))
        else:
            messages.success(request, message)
        return redirect(self.inspect_url)

    def perform_form(self, form):
        return self.perform(form.cleaned_data["reason"])

    def perform(self, reason):
        raise NotImplementedError

    @property
    def actor(self):
        return self.request.user.get_username()


class MarkInvoicePaidView(OrderActionView):
    page_title = _("Mark invoice paid")
    confirmation = _("The invoice's money has arrived: the order becomes paid.")
    button_label = _("Yes, mark as paid")

    def perform(self, reason):
        order = mark_invoice_paid(self.order, by=self.request.user, reason=reason)
        return gettext("Order %(code)s is marked as paid.") % {"code": order.code}


class CancelInvoiceOrderView(OrderActionView):
    page_title = _("Cancel order (credit note)")
    confirmation = _(
        "The order is cancelled, its tickets stop being valid, its places are free again and a credit note cancels "
        "the invoice. This cannot be undone."
    )
    button_label = _("Yes, cancel the order")
    destructive = True

    def perform(self, reason):
        order, credit_note = cancel_invoice_order(self.order, by=self.request.user, reason=reason)
        if credit_note is None:
            return gettext("Order %(code)s is cancelled; its places are free again.") % {"code": order.code}
        return gettext("Order %(code)s is cancelled with credit note %(number)s; its places are free again.") % {
            "code": order.code,
            "number": credit_note.number,
        }


class ResendConfirmationView(OrderActionView):
    page_title = _("Resend confirmation")
    button_label = _("Yes, send it again")

    def get_confirmation(self):
        return gettext(
            "The confirmation with the tickets (and the invoice, if any) is sent again to %(email)s, and to each "
            "attendee where the edition sends tickets to attendees."
        ) % {"email": self.order.buyer_email or "–"}

    def perform(self, reason):
        resend_confirmation(self.order, by=self.request.user, actor=self.actor, limit=False)
        return gettext("The confirmation of order %(code)s is on its way.") % {"code": self.order.code}


class CancelPaidOrderView(OrderActionView):
    page_title = _("Cancel order")
    button_label = _("Yes, cancel the order")
    destructive = True

    @cached_property
    def card_refund(self):
        order = self.order
        return order.payment_method == Order.PaymentMethod.CARD and bool(order.stripe_payment_intent)

    def get_confirmation(self):
        parts = [
            gettext("The order is cancelled, its tickets stop being valid and its places are free again."),
        ]
        if self.card_refund:
            parts.append(
                gettext("What is left of the payment, %(amount)s, is refunded to the card through Stripe.")
                % {"amount": sek(self.order.total - refunded_amount(self.order))}
            )
        elif self.order.payment_method == Order.PaymentMethod.INVOICE:
            parts.append(
                gettext(
                    "The order was paid by invoice: a credit note cancels the invoice. Pay the buyer back by bank "
                    "transfer."
                )
            )
        else:
            parts.append(gettext("No card payment is on record at Stripe: no money is sent back automatically."))
        parts.append(gettext("This cannot be undone."))
        return " ".join(parts)

    def get_details(self):
        if not self.card_refund:
            return []
        return [
            (_("Amount paid"), sek(self.order.total)),
            (_("Already refunded"), sek(refunded_amount(self.order))),
            (_("Refunded with the cancellation"), sek(self.order.total)),
        ]

    def perform(self, reason):
        before = set(self.order.refunds.values_list("pk", flat=True))
        order = cancel_order(self.order, by=self.request.user, actor=self.actor, reason=reason, check_terms=False)
        refunds = [refund for refund in order.refunds.all() if refund.pk not in before]
        message = gettext("Order %(code)s is cancelled; its places are free again.") % {"code": order.code}
        if refunds:
            message += " " + gettext("A refund of %(amount)s is on its way to the card.") % {
                "amount": sek(sum((refund.amount for refund in refunds), Decimal("0.00")))
            }
        return message


class RefundPartForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (SEK, VAT included)"), max_digits=12, decimal_places=2, localize=True)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Written to the order's log and kept with the refund."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefundPartView(OrderActionView):
    page_title = _("Refund part")
    form_class = RefundPartForm
    confirmation = _(
        "Part of the card payment is sent back through Stripe. The order stays paid and its tickets stay valid."
    )
    button_label = _("Refund")
    keep_form_on_error = True

    def get_details(self):
        refunded = refunded_amount(self.order)
        return [
            (_("Amount paid"), sek(self.order.total)),
            (_("Already refunded"), sek(refunded)),
            (_("Left to refund"), sek(max(self.order.total - refunded, Decimal("0.00")))),
        ]

    def perform_form(self, form):
        refund = refund_part(
            self.order, amount=form.cleaned_data["amount"], by=self.request.user, reason=form.cleaned_data["reason"]
        )
        return gettext("A refund of %(amount)s of order %(code)s is on its way to the card.") % {
            "amount": sek(refund.amount),
            "code": self.order.code,
        }


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = Attendee
        fields = CHANGEABLE_FIELDS


class EditAttendeeView(OrderActionView):
    page_title = _("Edit attendee")
    confirmation = _(
        "The change is written to the order's log. Send the confirmation again if the attendee should have "
        "their tickets with the new details."
    )
    button_label = _("Save")
    keep_form_on_error = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.attendee = get_object_or_404(Attendee, order=self.order, pk=kwargs["attendee_pk"])

    def get_page_subtitle(self):
        return f"{self.order.code} – {self.attendee.position}. {self.attendee.name or '–'}"

    def get_form(self, data=None):
        # A copy, so that the form's validation does not touch the attendee the page shows.
        return AttendeeForm(data, instance=Attendee.objects.get(pk=self.attendee.pk))

    def perform_form(self, form):
        attendee = change_attendee(
            self.order,
            self.attendee.pk,
            {name: form.cleaned_data[name] for name in CHANGEABLE_FIELDS},
            by=self.request.user,
            actor=self.actor,
            check_deadline=False,
        )
        return gettext("Attendee %(name)s of order %(code)s is saved.") % {
            "name": attendee.name,
            "code": self.order.code,
        }


class InvoicePdfView(OrdersAccessMixin, View):
    """An invoice or credit note as its PDF, rendered again from the invoice's frozen data."""

    def get(self, request, pk):
        from tickets.invoice_pdf import render_invoice_pdf  # reportlab is heavy; load it when a PDF is asked for

        invoice = get_object_or_404(Invoice.objects.select_related("order", "credits"), pk=pk)
        response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response


class OrderViewSet(ModelViewSet):
    """Orders: a listing (filters, search, CSV and Excel export) and each order's page with its actions. No add,
    edit, copy or delete views."""

    model = Order
    name = "ticket_orders"
    url_prefix = "tickets/orders"
    icon = "list-ul"
    menu_label = _("Orders")
    index_view_class = OrderIndexView
    inspect_view_class = OrderInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_filter = ["status", "payment_method", "edition"]
    search_fields = ["code", "buyer_name", "buyer_email", "organisation_name"]
    ordering = ["-created_at"]
    list_per_page = 50
    list_export = [
        "code",
        "created_at",
        "get_status_display",
        "get_payment_method_display",
        "buyer_name",
        "buyer_email",
        "organisation_name",
        "organisation_number",
        "reference",
        "total",
    ]
    export_headings = {
        "code": _("Order code"),
        "created_at": _("Created"),
        "get_status_display": _("Status"),
        "get_payment_method_display": _("Payment method"),
        "buyer_name": _("Buyer"),
        "buyer_email": _("Email"),
        "organisation_name": _("Organisation"),
        "organisation_number": _("Organisation number"),
        "reference": _("Reference"),
        "total": _("Total including VAT"),
    }

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename__in=["view_order", "change_order"])

    def get_common_view_kwargs(self, **kwargs):
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "delete_url_name": None,
            "history_url_name": None,
            "usage_url_name": None,
        }

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/mark-paid/", MarkInvoicePaidView.as_view(), name="mark_paid"),
            path("<int:pk>/cancel/", CancelInvoiceOrderView.as_view(), name="cancel"),
            path("<int:pk>/resend/", ResendConfirmationView.as_view(), name="resend"),
            path("<int:pk>/cancel-paid/", CancelPaidOrderView.as_view(), name="cancel_paid"),
            path("<int:pk>/refund-part/", RefundPartView.as_view(), name="refund_part"),
            path("<int:pk>/attendee/<int:attendee_pk>/", EditAttendeeView.as_view(), name="edit_attendee"),
            path("invoice/<int:pk>/pdf/", InvoicePdfView.as_view(), name="invoice_pdf"),
        ]


order_viewset = OrderViewSet()


# --- Lists for the organisers: attendees, the banquet's dietary needs, invoices, the waiting list ----------------


def amount(value):
    """Decimal("1980") → “1 980,00” in the admin's language."""
    return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


def vat_per_rate_text(summary):
    """An invoice's frozen VAT summary as one line: “25 %: 1 980,00; 12 %: 128,57”."""
    return "; ".join(f"{floatformat(row['rate'], -2)} %: {amount(row['vat'])}" for row in summary)


def short_date(value):
    return date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def local_datetime(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def order_url(order_id):
    return reverse(order_viewset.get_url_name("inspect"), args=[order_id])


def tickets_prefetch():
    tickets = Ticket.objects.select_related("ticket_type").order_by("ticket_type__sort_order")
    return Prefetch("tickets", queryset=tickets)


def ticket_type_names(attendee, *, meals_only=False):
    """The names of the attendee's ticket types, comma-separated (from the prefetched tickets)."""
    names = []
    for ticket in attendee.tickets.all():
        if meals_only and not ticket.ticket_type.asks_dietary_needs:
            continue
        if ticket.ticket_type.name not in names:
            names.append(ticket.ticket_type.name)
    return ", ".join(names)


def order_label(attendee):
    return f"{attendee.order.code} ({attendee.order.get_status_display()})"


class EditionFilter(django_filters.ModelChoiceFilter):
    def __init__(self, field_name, **kwargs):
        super().__init__(
            field_name=field_name,
            label=_("Edition"),
            queryset=Edition.objects.order_by("-starts_on"),
            empty_label=_("All editions"),
            **kwargs,
        )


class AttendeeFilterSet(WagtailFilterSet):
    edition = EditionFilter("order__edition")
    status = django_filters.ChoiceFilter(
        field_name="order__status",
        label=_("Order status"),
        choices=[(value, label) for value, label in Order.Status.choices if value in Order.CONFIRMED],
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Attendee
        fields = []


class InvoiceFilterSet(WagtailFilterSet):
    edition = EditionFilter("order__edition")
    issued_on = django_filters.DateFromToRangeFilter(label=_("Issued"), widget=DateRangePickerWidget)

    class Meta:
        model = Invoice
        fields = ["kind"]


class CapacityChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, capacity):
        return f"{capacity.name} – {capacity.edition}"


class CapacityFilter(django_filters.ModelChoiceFilter):
    field_class = CapacityChoiceField


class WaitingListFilterSet(WagtailFilterSet):
    edition = EditionFilter("capacity__edition")
    capacity = CapacityFilter(
        label=_("Capacity"),
        queryset=Capacity.objects.select_related("edition").order_by("-edition__starts_on", "name"),
        empty_label=_("All"),
    )

    class Meta:
        model = WaitingListEntry
        fields = ["status"]


def _csv_datetime(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)


def _xlsx_datetime(value):
    return timezone.make_naive(value) if timezone.is_aware(value) else value


class ReadOnlyIndexView(OrdersAccessMixin, CsvInAdminLanguageMixin, IndexView):
    """A listing for whoever may see orders, with CSV and Excel export (Wagtail's own). `export_values` gives the
    exported columns that are not attributes of the row; times are exported in local (Swedish) time. With
    `default_to_upcoming_edition` the edition filter starts at the upcoming edition (“All editions” shows all)."""

    any_permission_required = ["view"]
    default_to_upcoming_edition = False
    export_values = {}
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        dt.datetime: {IndexView.FORMAT_CSV: _csv_datetime, IndexView.FORMAT_XLSX: _xlsx_datetime},
    }

    @cached_property
    def upcoming_edition(self):
        return Edition.objects.upcoming().first() if self.default_to_upcoming_edition else None

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if self.upcoming_edition and "edition" not in self.request.GET:
            data = self.request.GET.copy()
            data["edition"] = str(self.upcoming_edition.pk)
            kwargs["data"] = data
        return kwargs

    @cached_property
    def filters(self):
        filters = super().filters
        if filters is not None and self.upcoming_edition:
            filters.form.fields["edition"].initial = self.upcoming_edition.pk  # the default is not “a filter”
        return filters

    def to_row_dict(self, item):
        return OrderedDict(
            (field, self.export_values[field](item) if field in self.export_values else multigetattr(item, field))
            for field in self.list_export
        )


ATTENDEE_EXPORT_HEADINGS = {
    "order_code": _("Order code"),
    "order_status": _("Status"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "organisation": _("Organisation"),
    "job_title": _("Title"),
    "ticket_types": _("Ticket types"),
    "dietary_needs": _("Dietary needs"),
    "accessibility_needs": _("Accessibility needs"),
    "meals": _("Tickets with a meal"),
}


class AttendeeIndexView(ReadOnlyIndexView):
    """One row per attendee of a paid or invoiced order."""

    filterset_class = AttendeeFilterSet
    default_to_upcoming_edition = True
    list_export = [
        "order_code",
        "order_status",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "job_title",
        "ticket_types",
        "dietary_needs",
        "accessibility_needs",
    ]
    export_headings = ATTENDEE_EXPORT_HEADINGS
    export_values = {
        "order_code": lambda attendee: attendee.order.code,
        "order_status": lambda attendee: attendee.order.get_status_display(),
        "ticket_types": ticket_type_names,
        "meals": lambda attendee: ticket_type_names(attendee, meals_only=True),
    }

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(order__status__in=Order.CONFIRMED)
            .select_related("order")
            .prefetch_related(tickets_prefetch())
        )

    def name_column(self):
        return TitleColumn(
            "name",
            label=_("Name"),
            accessor=lambda attendee: attendee.name or "–",
            sort_key="last_name",
            get_url=lambda attendee: order_url(attendee.order_id),
        )

    @cached_property
    def columns(self):
        return [
            self.name_column(),
            Column("email", label=_("Email"), sort_key="email"),
            Column("organisation", label=_("Organisation"), sort_key="organisation"),
            Column("job_title", label=_("Title")),
            Column("ticket_types", label=_("Ticket types"), accessor=ticket_type_names),
            Column("dietary_needs", label=_("Dietary needs")),
            Column("accessibility_needs", label=_("Accessibility needs")),
            Column("order", label=_("Order"), accessor=order_label, sort_key="order__code"),
        ]


class DietaryIndexView(AttendeeIndexView):
    """The attendees of paid and invoiced orders who have a ticket with a meal, for the kitchen."""

    page_title = _("Banquet dietary list")

    list_export = ["last_name", "first_name", "organisation", "dietary_needs", "meals", "order_code"]

    def get_base_queryset(self):
        meals = Ticket.objects.filter(attendee=OuterRef("pk"), ticket_type__asks_dietary_needs=True)
        return super().get_base_queryset().filter(Exists(meals))

    @cached_property
    def columns(self):
        return [
            self.name_column(),
            Column("organisation", label=_("Organisation"), sort_key="organisation"),
            Column("dietary_needs", label=_("Dietary needs"), sort_key="dietary_needs"),
            Column("meals", label=_("Tickets with a meal"), accessor=self.export_values["meals"]),
            Column("order", label=_("Order"), accessor=order_label, sort_key="order__code"),
        ]


class InvoiceIndexView(ReadOnlyIndexView):
    """Invoices and credit notes, as issued (their frozen buyer, total and VAT)."""

    filterset_class = InvoiceFilterSet
    list_export = [
        "number",
        "kind",
        "credits",
        "order_code",
        "buyer",
        "organisation_number",
        "reference",
        "issued_on",
        "due_on",
        "total",
        "vat",
        "order_status",
    ]
    export_headings = {
        "number": _("Number"),
        "kind": _("Kind"),
        "credits": _("Credits"),
        "order_code": _("Order code"),
        "buyer": _("Buyer organisation"),
        "organisation_number": _("Organisation number"),
        "reference": _("Reference"),
        "issued_on": _("Issued"),
        "due_on": _("Due"),
        "total": _("Total including VAT"),
        "vat": _("VAT per rate"),
        "order_status": _("Order status"),
    }
    export_values = {
        "kind": lambda invoice: invoice.get_kind_display(),
        "credits": lambda invoice: invoice.credits.number if invoice.credits else "",
        "order_code": lambda invoice: invoice.order.code,
        "buyer": lambda invoice: invoice.buyer.get("name", ""),
        "organisation_number": lambda invoice: invoice.buyer.get("organisation_number", ""),
        "reference": lambda invoice: invoice.buyer.get("reference", ""),
        "vat": lambda invoice: vat_per_rate_text(invoice.vat_summary),
        "order_status": lambda invoice: invoice.order.get_status_display(),
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("order", "credits")

    def kind_label(self, invoice):
        if invoice.credits:
            return gettext("%(kind)s (credits %(number)s)") % {
                "kind": invoice.get_kind_display(),
                "number": invoice.credits.number,
            }
        return invoice.get_kind_display()

    @cached_property
    def columns(self):
        values = self.export_values
        return [
            TitleColumn(
                "number",
                label=_("Number"),
                sort_key="number",
                get_url=lambda invoice: reverse(order_viewset.get_url_name("invoice_pdf"), args=[invoice.pk]),
            ),
            Column("kind", label=_("Kind"), accessor=self.kind_label, sort_key="kind"),
            TitleColumn(
                "order",
                label=_("Order"),
                accessor=values["order_code"],
                sort_key="order__code",
                get_url=lambda invoice: order_url(invoice.order_id),
            ),
            Column("buyer", label=_("Buyer organisation"), accessor=values["buyer"]),
            Column("reference", label=_("Reference"), accessor=values["reference"]),
            Column("issued_on", label=_("Issued"), accessor=lambda i: short_date(i.issued_on), sort_key="issued_on"),
            Column("due_on", label=_("Due"), accessor=lambda invoice: short_date(invoice.due_on), sort_key="due_on"),
            Column("total", label=_("Total"), accessor=lambda invoice: sek(invoice.total), sort_key="total"),
            Column("vat", label=_("VAT per rate"), accessor=values["vat"]),
            Column("order_status", label=_("Order status"), accessor=values["order_status"]),
        ]


WAITING_OR_OFFERED = (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED)


class WaitingListIndexView(ReadOnlyIndexView):
    """Who waits for which capacity, in the order they came, and the offers made."""

    filterset_class = WaitingListFilterSet
    list_export = [
        "capacity",
        "edition",
        "name",
        "email",
        "status",
        "created_at",
        "offered_at",
        "offer_expires_at",
    ]
    export_headings = {
        "capacity": _("Capacity"),
        "edition": _("Edition"),
        "name": _("Name"),
        "email": _("Email"),
        "status": _("Status"),
        "created_at": _("Joined"),
        "offered_at": _("Offered"),
        "offer_expires_at": _("Offer valid until"),
    }
    export_values = {
        "capacity": lambda entry: entry.capacity.name,
        "edition": lambda entry: str(entry.capacity.edition),
        "status": lambda entry: entry.get_status_display(),
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("capacity__edition")

    @cached_property
    def columns(self):
        return [
            TitleColumn("name", label=_("Name"), sort_key="name"),
            Column("email", label=_("Email"), sort_key="email"),
            Column(
                "capacity",
                label=_("Capacity"),
                accessor=lambda entry: f"{entry.capacity.name} – {entry.capacity.edition}",
                sort_key="capacity__name",
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda entry: entry.status in WAITING_OR_OFFERED,
            ),
            DateColumn("created_at", label=_("Joined"), sort_key="created_at"),
            Column("offered_at", label=_("Offered"), accessor=lambda e: local_datetime(e.offered_at) or "–"),
            Column(
                "offer_expires_at",
                label=_("Offer valid until"),
                accessor=lambda entry: local_datetime(entry.offer_expires_at) or "–",
                sort_key="offer_expires_at",
            ),
        ]


class ReadOnlyViewSet(ModelViewSet):
    """A listing with export and nothing else: no add, edit, copy, delete or inspect views, no permissions of its
    own (OrderDataPermissionPolicy lets whoever may see orders in)."""

    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None  # the ORM's icontains
    list_per_page = 50

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_admin_url_finder(self):
        pass  # nothing here has an edit page to find

    def get_common_view_kwargs(self, **kwargs):
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "copy_url_name": None,
            "inspect_url_name": None,
            "delete_url_name": None,
            "history_url_name": None,
            "usage_url_name": None,
        }

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class AttendeeViewSet(ReadOnlyViewSet):
    model = Attendee
    name = "ticket_attendees"
    url_prefix = "tickets/attendees"
    icon = "group"
    menu_label = _("Attendees")
    index_view_class = AttendeeIndexView
    search_fields = ["first_name", "last_name", "email", "organisation", "order__code"]
    ordering = ["last_name", "first_name", "pk"]
    export_filename = "deltagare"


class DietaryViewSet(ReadOnlyViewSet):
    model = Attendee
    name = "ticket_dietary"
    url_prefix = "tickets/dietary"
    icon = "clipboard-list"
    menu_label = _("Banquet dietary list")
    index_view_class = DietaryIndexView
    search_fields = ["first_name", "last_name", "organisation", "dietary_needs", "order__code"]
    ordering = ["last_name", "first_name", "pk"]
    export_filename = "specialkost"


class InvoiceViewSet(ReadOnlyViewSet):
    model = Invoice
    name = "ticket_invoices"
    url_prefix = "tickets/invoices"
    icon = "doc-full"
    menu_label = _("Invoices")
    index_view_class = InvoiceIndexView
    search_fields = ["number", "order__code", "order__organisation_name", "order__reference"]
    ordering = ["-issued_on", "-number"]
    export_filename = "fakturor"


class WaitingListViewSet(ReadOnlyViewSet):
    model = WaitingListEntry
    name = "ticket_waiting_list"
    url_prefix = "tickets/waiting-list"
    icon = "time"
    menu_label = _("Waiting list")
    index_view_class = WaitingListIndexView
    search_fields = ["name", "email"]
    ordering = ["capacity__edition", "capacity__name", "created_at", "pk"]
    export_filename = "vantelista"


class TicketsViewSetGroup(ModelViewSetGroup):
    items = [
        TicketTypeViewSet,
        CapacityViewSet,
        VoucherViewSet,
        order_viewset,
        AttendeeViewSet,
        DietaryViewSet,
        InvoiceViewSet,
        WaitingListViewSet,
    ]
    menu_icon = "tag"
    menu_label = _("Tickets")
    menu_name = "tickets"
    menu_order = 210


# --- Dashboard ----------------------------------------------------------------------------------------------------


class TicketSalesPanel(Component):
    """On an organiser's dashboard: the upcoming edition's places per capacity and its revenue per VAT rate.
    Three queries, however many capacities."""

    name = "ticket_sales"
    order = 40
    template_name = "tickets/admin/sales_panel.html"

    def get_context_data(self, parent_context):
        edition = Edition.objects.upcoming().first()
        if edition is None:
            return {"edition": None}
        capacities = with_usage(Capacity.objects.filter(edition=edition)).order_by("name")
        revenue = revenue_per_rate(edition)
        return {
            "edition": edition,
            "capacities": [{"capacity": c, "sold": c.sold, "held": c.held, "free": free_places(c)} for c in capacities],
            "revenue": [
                {"rate": row["rate"], "net": sek(row["net"]), "vat": sek(row["vat"]), "gross": sek(row["gross"])}
                for row in revenue
            ],
            "revenue_total": sek(sum((row["gross"] for row in revenue), start=0)),
            "orders_url": reverse(order_viewset.get_url_name("index")) + f"?edition={edition.pk}",
        }


@hooks.register("register_admin_viewset")
def register_tickets_viewsets():
    return TicketsViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_ticket_sales_panel(request, panels):
    if can_view_orders(request.user):
        panels.append(TicketSalesPanel())
