"""The organisers' side of ticket sales in the Wagtail admin (registered from tickets.wagtail_hooks).

A **Tickets** menu: the catalogue (ticket types, capacities, vouchers) as ordinary model viewsets, and the orders as
a listing with a detail page and nothing else. Money and tickets change only through tickets.services, so orders
have no add, edit or delete views: the detail page's two actions (mark an invoice paid, cancel it with a credit
note) ask for confirmation and call the services. The dashboard gets a panel with the upcoming edition's sales.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, ButtonsColumnMixin, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import DeleteView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.models import ModelLogEntry
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from events.jury import ORGANISER_GROUP
from events.models import Edition
from tickets.models import Capacity, Invoice, Order, Ticket, TicketType, Voucher
from tickets.services import TicketingError
from tickets.services.invoices import cancel_invoice_order, mark_invoice_paid
from tickets.services.orders import availability, tickets_query
from tickets.services.pricing import vat_summary

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


register_permission_policy(Order, OrderPermissionPolicy(Order))
for _model in (TicketType, Capacity, Voucher):
    register_permission_policy(_model, CataloguePermissionPolicy(_model))


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
        now = timezone.now()
        holding = Q(orders__status__in=Order.CONFIRMED) | Q(
            orders__status=Order.Status.PENDING, orders__hold_expires_at__gt=now
        )
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


class OrderIndexView(OrdersAccessMixin, IndexView):
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
        attendees = [
            {"attendee": attendee, "tickets": by_attendee.get(attendee.pk, [])}
            for attendee in order.attendees.order_by("position")
        ]
        invoices = [
            {"invoice": invoice, "pdf_url": reverse(order_viewset.get_url_name("invoice_pdf"), args=[invoice.pk])}
            for invoice in order.invoices.select_related("credits").order_by("issued_on", "number")
        ]
        can_act = can_change_orders(self.request.user) and order.status == Order.Status.INVOICED
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
            mark_paid_url=reverse(order_viewset.get_url_name("mark_paid"), args=[order.pk]) if can_act else None,
            cancel_url=reverse(order_viewset.get_url_name("cancel"), args=[order.pk]) if can_act else None,
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
    """GET: what the action will do, with a reason field; POST: the service does it (TicketingError → its message)."""

    needs_change = True
    template_name = "tickets/admin/order_confirm.html"
    header_icon = "tag"
    confirmation = ""
    button_label = ""
    destructive = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.order = get_object_or_404(Order, pk=kwargs["pk"])
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

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "order": self.order,
            "total": sek(self.order.total),
            "confirmation": self.confirmation,
            "button_label": self.button_label,
            "destructive": self.destructive,
            "inspect_url": self.inspect_url,
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ReasonForm()))

    def post(self, request, *args, **kwargs):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            message = self.perform(form.cleaned_data["reason"])
        except TicketingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect(self.inspect_url)

    def perform(self, reason):
        raise NotImplementedError


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
            path("invoice/<int:pk>/pdf/", InvoicePdfView.as_view(), name="invoice_pdf"),
        ]


order_viewset = OrderViewSet()


class TicketsViewSetGroup(ModelViewSetGroup):
    items = [TicketTypeViewSet, CapacityViewSet, VoucherViewSet, order_viewset]
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
