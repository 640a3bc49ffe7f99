from django.utils.dateparse import parse_datetime
from django.utils.formats import time_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
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
        label = _("Card refund")

        def format_message(self, log_entry):
            data = log_entry.data
            if isinstance(data.get("refund"), str):  # an entry from before refunds were logged when asked for
                return _("Refund of %(amount)s kr sent to Stripe") % {"amount": data.get("amount")}
            message = gettext("Refund of %(amount)s kr (%(actor)s: %(reason)s)") % {
                "amount": data.get("amount"),
                "actor": data.get("actor", ""),
                "reason": data.get("reason", ""),
            }
            if data.get("stripe_refund_id"):
                message += ", " + gettext("Stripe refund %(id)s") % {"id": data["stripe_refund_id"]}
            return message

    @actions.register_action("tickets.order.credit_note")
    class CreditNoteIssued(LogFormatter):
        label = _("Credit note")

        def format_message(self, log_entry):
            data = log_entry.data
            return gettext(
                "Credit note %(credit_note)s cancels invoice %(invoice)s of %(amount)s kr (%(actor)s: %(reason)s)"
            ) % {key: data.get(key, "") for key in ("credit_note", "invoice", "amount", "actor", "reason")}

    def _door(log_entry):
        return log_entry.data.get("device") or log_entry.user_display_name

    @actions.register_action("tickets.checkin")
    class TicketCheckedIn(LogFormatter):
        label = _("Check-in")

        def format_message(self, log_entry):
            return gettext("Attendee %(attendee)s admitted at %(list)s (%(door)s)") % {
                "attendee": log_entry.data.get("attendee"),
                "list": log_entry.data.get("list_name"),
                "door": _door(log_entry),
            }

    @actions.register_action("tickets.checkin_override")
    class CheckinOverridden(LogFormatter):
        label = _("Check-in override")

        def format_message(self, log_entry):
            data = log_entry.data
            values = {"attendee": data.get("attendee"), "list": data.get("list_name"), "door": _door(log_entry)}
            replaced = data.get("replaced")
            if replaced:
                scanned_at = parse_datetime(replaced.get("scanned_at") or "")
                return gettext(
                    "Attendee %(attendee)s admitted at %(list)s (%(door)s) by a scan uploaded later, in place of "
                    "the admission by %(by)s at %(time)s"
                ) % {
                    **values,
                    "by": replaced.get("by") or "?",
                    "time": time_format(localtime(scanned_at), "H:i:s") if scanned_at else "?",
                }
            return gettext("Attendee %(attendee)s checked in by hand at %(list)s (%(door)s)") % values
