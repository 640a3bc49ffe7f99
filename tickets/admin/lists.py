"""Read-only listings for the organisers, with CSV and Excel export: attendees, the banquet's dietary needs,
invoices and the waiting list."""

import datetime as dt
from collections import OrderedDict
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Prefetch
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr

from events.models import Edition
from tickets.admin.access import CsvInAdminLanguageMixin, OrdersAccessMixin, sek
from tickets.admin.orders import order_viewset
from tickets.models import Attendee, Capacity, Invoice, Order, Ticket, WaitingListEntry

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
