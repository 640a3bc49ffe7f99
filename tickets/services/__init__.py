"""The rules of selling tickets: reserving places, paying by card or invoice, refunding. Plain functions, one
transaction each, raising a TicketingError (a stable `code` and a message for the buyer) when a rule says no."""


class TicketingError(Exception):
    code = "refused"

    def __init__(self, message, *, code=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self):
        return str(self.message)


class SoldOut(TicketingError):
    code = "sold_out"

    def __init__(self, message, *, ticket_types=()):
        super().__init__(message)
        self.ticket_types = list(ticket_types)


class NotOnSale(TicketingError):
    code = "not_on_sale"


class VoucherRefused(TicketingError):
    code = "voucher"


class HoldExpired(TicketingError):
    code = "hold_expired"


class InvalidTransition(TicketingError):
    code = "invalid_transition"


class PaymentError(TicketingError):
    code = "payment"
