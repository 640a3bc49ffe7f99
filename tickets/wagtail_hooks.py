from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from tickets import admin  # noqa: F401  (importing it registers the ticket sales admin and dashboard panel)


@hooks.register("register_log_actions")
def register_order_log_actions(actions):
    @actions.register_action("tickets.order.created")
    class OrderCreated(LogFormatter):
        label = _("Order created")

        def format_message(self, log_entry):
            return _("Order created, places held")

    @actions.register_action("tickets.order.status")
    class OrderStatusChanged(LogFormatter):
        label = _("Order status changed")

        def format_message(self, log_entry):
            from tickets.models import Order

            data = log_entry.data
            labels = dict(Order.Status.choices)
            return _("%(from)s → %(to)s (%(actor)s: %(reason)s)") % {
                "from": labels.get(data.get("from"), data.get("from")),
                "to": labels.get(data.get("to"), data.get("to")),
                "actor": data.get("actor", ""),
                "reason": data.get("reason", ""),
            }

    @actions.register_action("tickets.order.refund")
    class OrderRefunded(LogFormatter):
        label = _("Refund sent")

        def format_message(self, log_entry):
            return _("Refund of %(amount)s kr sent to Stripe") % {"amount": log_entry.data.get("amount")}
