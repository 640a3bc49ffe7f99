"""The orders in the admin: a listing and each order's page, the actions on it (each asking for confirmation and
calling a service) and the invoice PDFs. No add, edit or delete views."""

from decimal import Decimal

import django_filters
from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import ModelLogEntry

from tickets.admin.access import CsvInAdminLanguageMixin, OrdersAccessMixin, can_change_orders, sek
from tickets.models import Attendee, Invoice, Order, TicketType
from tickets.services import TicketingError
from tickets.services.invoices import cancel_invoice_order, mark_invoice_paid
from tickets.services.orders import tickets_query
from tickets.services.pricing import vat_summary
from tickets.services.self_service import (
    CHANGEABLE_FIELDS,
    cancel_order,
    change_attendee,
    refund_part,
    refunded_amount,
    resend_confirmation,
)

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


class OrderFilterSet(WagtailFilterSet):
    ticket_type = django_filters.ModelChoiceFilter(
        field_name="tickets__ticket_type",
        queryset=TicketType.objects.select_related("edition").order_by("-edition__starts_on", "sort_order"),
        label=_("Ticket type"),
        distinct=True,
    )

    class Meta:
        model = Order
        fields = ["status", "payment_method", "edition", "ticket_type"]


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
    filterset_class = OrderFilterSet
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

    @property
    def url_finder_class(self):
        # No edit view: the admin's links to an order (the Site history report's among them) go to its page.
        return type("OrderAdminURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")})

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
