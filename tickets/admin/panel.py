"""The dashboard panel with the upcoming edition's ticket sales, and the hook that shows it to organisers."""

from django.db.models import Sum
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from events.models import Edition
from tickets.admin.access import can_view_orders, free_places, sek, with_usage
from tickets.admin.orders import order_viewset
from tickets.models import Capacity, Order, Ticket
from tickets.services.pricing import vat_summary

# --- Dashboard ----------------------------------------------------------------------------------------------------


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


@hooks.register("construct_homepage_panels")
def add_ticket_sales_panel(request, panels):
    if can_view_orders(request.user):
        panels.append(TicketSalesPanel())
