"""The organisers' side of ticket sales in the Wagtail admin (registered from tickets.wagtail_hooks).

A **Tickets** menu: the catalogue (ticket types, capacities, vouchers) as ordinary model viewsets, and the orders as
a listing with a detail page and nothing else. Money and tickets change only through tickets.services, so orders
have no add, edit or delete views: the detail page's two actions (mark an invoice paid, cancel it with a credit
note) ask for confirmation and call the services. The dashboard gets a panel with the upcoming edition's sales.

The code lives in one module per responsibility: `access` (permissions, policies, shared helpers), `catalogue`,
`orders`, `lists` (the read-only listings with exports) and `panel` (the dashboard). This module puts them together
in the Tickets menu.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSetGroup

from tickets.admin.access import sek
from tickets.admin.catalogue import CapacityViewSet, TicketTypeViewSet, VoucherViewSet
from tickets.admin.checkin import CheckinListViewSet, ScannerDeviceViewSet
from tickets.admin.lists import AttendeeViewSet, DietaryViewSet, InvoiceViewSet, WaitingListViewSet, vat_per_rate_text
from tickets.admin.orders import order_viewset
from tickets.admin.panel import TicketSalesPanel

__all__ = ["TicketSalesPanel", "TicketsViewSetGroup", "order_viewset", "sek", "vat_per_rate_text"]


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
        CheckinListViewSet,
        ScannerDeviceViewSet,
    ]
    menu_icon = "tag"
    menu_label = _("Tickets")
    menu_name = "tickets"
    menu_order = 210


@hooks.register("register_admin_viewset")
def register_tickets_viewsets():
    return TicketsViewSetGroup()


class ScannerMenuItem(MenuItem):
    """The door's scanner page, for whoever may check attendees in."""

    def is_shown(self, request):
        from tickets.api import may_check_in

        return may_check_in(request.user)


@hooks.register("register_admin_menu_item")
def register_scanner_menu_item():
    return ScannerMenuItem(_("Scanner"), reverse("scanner"), icon_name="mobile-alt", order=220)
