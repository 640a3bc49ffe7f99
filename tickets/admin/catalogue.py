"""The catalogue in the admin: ticket types, capacities and vouchers as ordinary model viewsets."""

from django.db.models import Count, F, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import DeleteView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from tickets.admin.access import free_places, with_usage
from tickets.models import Capacity, Ticket, TicketType, Voucher
from tickets.models.orders import holds_places
from tickets.services.orders import availability

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
