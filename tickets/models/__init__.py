from .catalogue import VAT_RATES, Capacity, TicketType, Voucher
from .checkin import Checkin, CheckinList, ScannerDevice
from .invoices import Invoice, InvoiceSequence, InvoiceSettings
from .orders import Attendee, Order, Refund, StripeEvent, Ticket
from .waiting_list import WaitingListEntry

__all__ = [
    "VAT_RATES",
    "Attendee",
    "Capacity",
    "Checkin",
    "CheckinList",
    "Invoice",
    "InvoiceSequence",
    "InvoiceSettings",
    "Order",
    "Refund",
    "ScannerDevice",
    "StripeEvent",
    "Ticket",
    "TicketType",
    "Voucher",
    "WaitingListEntry",
]
