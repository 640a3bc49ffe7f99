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

    @actions.register_action("tickets.order.attendee")
    class AttendeeChanged(LogFormatter):
        label = _("Attendee changed")

        def format_message(self, log_entry):
            data = log_entry.data
            return _("Attendee %(number)s changed by %(actor)s: %(fields)s") % {
                "number": data.get("attendee"),
                "actor": data.get("actor", ""),
                "fields": ", ".join(data.get("fields", [])),
            }

    @actions.register_action("tickets.order.resent")
    class ConfirmationResent(LogFormatter):
        label = _("Confirmation sent again")

        def format_message(self, log_entry):
            return _("Confirmation sent again (%(actor)s)") % {"actor": log_entry.data.get("actor", "")}

    @actions.register_action("tickets.order.anonymised")
    class OrderAnonymised(LogFormatter):
        label = _("Personal data removed")

        def format_message(self, log_entry):
            return _("Names, email addresses and needs removed after the retention period")

    @actions.register_action("tickets.order.partial_refund")
    class PartialRefund(LogFormatter):
        label = _("Partial refund")

        def format_message(self, log_entry):
            return _("Partial refund of %(amount)s kr: %(reason)s") % {
                "amount": log_entry.data.get("amount"),
                "reason": log_entry.data.get("reason", ""),
            }

    @actions.register_action("tickets.order.refund")
    class OrderRefunded(LogFormatter):
        label = _("Refund sent")

        def format_message(self, log_entry):
            return _("Refund of %(amount)s kr sent to Stripe") % {"amount": log_entry.data.get("amount")}
