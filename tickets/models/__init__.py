from .catalogue import VAT_RATES, Capacity, TicketType, Voucher
from .invoices import Invoice, InvoiceSequence, InvoiceSettings
from .orders import Attendee, Order, Refund, StripeEvent, Ticket
from .waiting_list import WaitingListEntry

__all__ = [
    "VAT_RATES",
    "Attendee",
    "Capacity",
    "Invoice",
    "InvoiceSequence",
    "InvoiceSettings",
    "Order",
    "Refund",
    "StripeEvent",
    "Ticket",
    "TicketType",
    "Voucher",
    "WaitingListEntry",
]
