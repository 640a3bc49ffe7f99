"""The registration forms: how many tickets of each type, who comes, who pays and how.

They check what a person typed (present, the right shape); whether there is room, a voucher applies or an
invoice is allowed is for the services to say, and the views put their answer next to the field it concerns.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import Order
from tickets.services.orders import ATTENDEE_FIELDS, BUYER_FIELDS
from tickets.services.pricing import vat_in
from tickets.validators import normalise_organisation_number

QUANTITY_PREFIX = "quantity_"
FEW_PLACES_LEFT = 10


class TicketChoiceForm(forms.Form):
    """One quantity a ticket type on sale, and a voucher code. Built from the types and what is left of each."""

    voucher_code = forms.CharField(
        label=_("Voucher code"),
        required=False,
        max_length=40,
        help_text=_("If you have one. The discount shows on the last step, before you pay."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def __init__(self, *args, ticket_types, left, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = []
        for ticket_type in ticket_types:
            name = f"{QUANTITY_PREFIX}{ticket_type.pk}"
            # The upper limit is the most one order may hold; whether that many places are free is decided by
            # the reservation itself, under its lock, so a type that sold out meanwhile gets the service's answer.
            self.fields[name] = forms.IntegerField(
                label=ticket_type.display_name,
                required=False,
                initial=0,
                min_value=0,
                max_value=ticket_type.max_per_order,
                help_text=ticket_type.display_description or ticket_type.display_name,
                widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "class": "quantity"}),
                error_messages={
                    "invalid": _("Enter a whole number of tickets, e.g. 1"),
                    "min_value": _("Enter 0 or more"),
                    "max_value": _("You can buy at most %(limit_value)s in one order"),
                },
            )
            self.choices.append(
                {
                    "type": ticket_type,
                    "field": name,
                    "vat": vat_in(ticket_type.price, ticket_type.vat_rate),
                    "net": ticket_type.price - vat_in(ticket_type.price, ticket_type.vat_rate),
                }
            )
        self.show_places(left)
        self.order_fields([choice["field"] for choice in self.choices] + ["voucher_code"])

    def show_places(self, left):
        """Shows what is left of each type (`left`: {type id: places or None}): sold out types cannot be chosen."""
        for choice in self.choices:
            ticket_type, field = choice["type"], self.fields[choice["field"]]
            places = left.get(ticket_type.pk)
            sold_out = places is not None and places <= 0
            field.widget.attrs["max"] = (
                ticket_type.max_per_order if places is None else min(ticket_type.max_per_order, max(places, 0))
            )
            field.disabled = sold_out
            if sold_out:
                field.widget.attrs["disabled"] = True
            choice.update(
                left=places,
                sold_out=sold_out,
                few_left=not sold_out and places is not None and places <= FEW_PLACES_LEFT,
            )

    def rows(self):
        """The ticket types as the page shows them, each with its bound quantity field."""
        return [{**choice, "bound": self[choice["field"]]} for choice in self.choices]

    def quantities(self):
        return {choice["type"].pk: self.cleaned_data.get(choice["field"]) or 0 for choice in self.choices}

    def mark_sold_out(self, ticket_types, message):
        ids = {ticket_type.pk for ticket_type in ticket_types}
        for choice in self.choices:
            if choice["type"].pk in ids:
                self.add_error(choice["field"], message)


class AttendeeForm(forms.Form):
    """One attendee's details; dietary needs only for someone whose tickets include a meal."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter the attendee's first name")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Enter the attendee's last name")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The attendee's ticket is sent here."),
        error_messages={
            "required": _("Enter the attendee's email address"),
            "invalid": _("Enter an email address like name@example.org"),
        },
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Printed on the name badge."),
        error_messages={"required": _("Enter the attendee's organisation, or “private” if none")},
    )
    job_title = forms.CharField(label=_("Title"), max_length=200, required=False)
    dietary_needs = forms.CharField(
        label=_("Dietary needs or allergies"),
        max_length=300,
        required=False,
        help_text=_("For the banquet, e.g. vegetarian, gluten-free, nut allergy."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=300,
        required=False,
        help_text=_("Anything that helps you take part, e.g. a wheelchair place or a hearing loop."),
    )

    def __init__(self, *args, attendee, tickets, **kwargs):
        kwargs.setdefault("prefix", f"attendee{attendee.position}")
        kwargs.setdefault("initial", {name: getattr(attendee, name) for name in ATTENDEE_FIELDS})
        super().__init__(*args, **kwargs)
        self.attendee = attendee
        self.tickets = tickets
        self.summary_label = gettext("Attendee %(number)s") % {"number": attendee.position}
        self.asks_dietary_needs = any(ticket.ticket_type.asks_dietary_needs for ticket in tickets)
        if not self.asks_dietary_needs:
            del self.fields["dietary_needs"]
        section = f"section-attendee{attendee.position}"
        purposes = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "organisation": "organization",
            "job_title": "organization-title",
        }
        for name, purpose in purposes.items():
            self.fields[name].widget.attrs["autocomplete"] = f"{section} {purpose}"

    def attendee_data(self):
        return {name: self.cleaned_data.get(name, "") for name in ATTENDEE_FIELDS}


class AttendeeChangeForm(AttendeeForm):
    """An attendee's details changed on the order page after the purchase: the same fields as when registering,
    prefilled; only the fields shown are sent on (dietary needs stay as they are for someone without a meal)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Changing the address sends nothing by itself; the order page offers to send the confirmation again.
        self.fields["email"].help_text = _("Where we write to the attendee about the conference.")

    def changes(self):
        return {name: self.cleaned_data.get(name, "") for name in ATTENDEE_FIELDS if name in self.fields}


class CancelOrderForm(forms.Form):
    """The buyer cancels a whole order. The reason is optional and goes to the order's log only."""

    reason = forms.CharField(
        label=_("Why are you cancelling?"),
        max_length=150,
        required=False,
        help_text=_("It helps us plan the next conference."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


ORGANISATION_FIELDS = (
    "organisation_name",
    "organisation_number",
    "invoice_address",
    "invoice_postcode",
    "invoice_city",
    "reference",
    "peppol_id",
)


class BuyerForm(forms.Form):
    """Who pays, and how. Organisations give their invoice details; only they may pay by invoice."""

    buyer_kind = forms.ChoiceField(
        label=_("I buy as"),
        choices=[
            (Order.BuyerKind.PERSON, _("A private person")),
            (Order.BuyerKind.ORGANISATION, _("An organisation (company, municipality, authority)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you buy as a private person or for an organisation")},
    )
    buyer_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name")},
    )
    buyer_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The receipt and the tickets are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address like name@example.org"),
        },
    )
    buyer_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        required=False,
        help_text=_("Ten digits, e.g. 212000-1355."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    invoice_address = forms.CharField(
        label=_("Invoice address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    invoice_postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    invoice_city = forms.CharField(
        label=_("City"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    reference = forms.CharField(
        label=_("Your reference"),
        max_length=100,
        required=False,
        help_text=_("Required for invoices: the person or code your invoice must be marked with."),
    )
    peppol_id = forms.CharField(
        label=_("PEPPOL or GLN id"),
        max_length=100,
        required=False,
        help_text=_("Only if your organisation receives e-invoices."),
    )
    payment_method = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=[
            (Order.PaymentMethod.CARD, _("By card")),
            (Order.PaymentMethod.INVOICE, _("By invoice (organisations only)")),
        ],
        initial=Order.PaymentMethod.CARD,
        widget=forms.RadioSelect,
        help_text=_("Invoices are sent only to organisations with an organisation number."),
        error_messages={"required": _("Choose how you want to pay")},
    )

    person_names = ("buyer_kind", "buyer_name", "buyer_email", "buyer_phone")
    organisation_names = ORGANISATION_FIELDS
    required_for_organisations = {
        "organisation_name": _("Enter the organisation's name"),
        "organisation_number": _("Enter the organisation number"),
        "invoice_address": _("Enter the invoice address"),
        "invoice_postcode": _("Enter the postcode"),
        "invoice_city": _("Enter the city"),
    }

    def __init__(self, *args, order, **kwargs):
        initial = {name: getattr(order, name) for name in BUYER_FIELDS if getattr(order, name)}
        kwargs.setdefault("initial", {"payment_method": Order.PaymentMethod.CARD, **initial})
        super().__init__(*args, **kwargs)

    @property
    def buys_as_organisation(self):
        kind = self.data.get("buyer_kind") if self.is_bound else self.initial.get("buyer_kind")
        return kind == Order.BuyerKind.ORGANISATION

    def clean(self):
        data = super().clean()
        if data.get("buyer_kind") != Order.BuyerKind.ORGANISATION:
            # A private person's order keeps no organisation details, even if some were typed before switching.
            for name in ORGANISATION_FIELDS:
                data[name] = ""
            return data
        for name, message in self.required_for_organisations.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if data.get("organisation_number"):
            try:
                data["organisation_number"] = normalise_organisation_number(data["organisation_number"])
            except ValidationError as error:
                self.add_error("organisation_number", error)
        if data.get("payment_method") == Order.PaymentMethod.INVOICE and not data.get("reference"):
            self.add_error("reference", _("Enter your reference: invoices cannot be sent without it"))
        return data

    def fieldsets(self):
        return [
            {"legend": _("Who pays"), "fields": [self[name] for name in self.person_names], "organisation": False},
            {
                "legend": _("Organisation and invoice address"),
                "fields": [self[name] for name in self.organisation_names],
                "organisation": True,
            },
            {"legend": _("Payment"), "fields": [self["payment_method"]], "organisation": False},
        ]

    def buyer_data(self):
        return {name: self.cleaned_data.get(name, "") for name in BUYER_FIELDS}


class WaitingListForm(forms.Form):
    """Name and email of someone who wants a place when one frees up."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": _("Enter your name")})
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We write here when a place is free for you. Nothing else."),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address like name@example.org"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
