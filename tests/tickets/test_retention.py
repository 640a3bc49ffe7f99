"""Personal data is removed some months after an edition ended; what accounting needs stays."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import EditionFactory, ticket_shop
from tickets.models import Attendee, Invoice, Order
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import reserve, save_attendees, save_buyer
from tickets.services.retention import anonymise_expired

pytestmark = pytest.mark.django_db


def invoiced_order(edition_year, ended_days_ago):
    ends_on = timezone.localdate() - dt.timedelta(days=ended_days_ago)
    shop = ticket_shop(EditionFactory(year=edition_year))
    order = reserve(shop.edition, {shop.banquet.pk: 1})
    save_attendees(
        order,
        [{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.se", "dietary_needs": "Glutenfri"}],
    )
    save_buyer(
        order,
        {
            "buyer_kind": "organisation",
            "buyer_name": "Kim Kommunsson",
            "buyer_email": "kim@exempelstad.se",
            "buyer_phone": "070-000 00 00",
            "organisation_name": "Exempelstads kommun",
            "organisation_number": "212000-1355",
            "reference": "KS-1",
            "payment_method": "invoice",
        },
    )
    order, _ = place_invoice_order(order, notify=False)
    shop.edition.starts_on = ends_on - dt.timedelta(days=1)
    shop.edition.ends_on = ends_on
    shop.edition.save()
    return order


def test_attendees_and_buyers_of_an_edition_past_retention_are_anonymised(settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 6
    old = invoiced_order(2041, ended_days_ago=200)
    recent = invoiced_order(2042, ended_days_ago=30)

    assert anonymise_expired() == 1

    old.refresh_from_db()
    attendee = Attendee.objects.get(order=old)
    assert (attendee.name, attendee.email, attendee.dietary_needs) == ("–", "", "")
    assert (old.buyer_name, old.buyer_email, old.buyer_phone) == ("–", "", "")
    assert old.anonymised_at is not None
    # What the accounting needs stays: the order's amount and status, and the invoice as issued.
    assert (old.total, old.status, old.organisation_number) == (recent.total, Order.Status.INVOICED, "212000-1355")
    assert Invoice.objects.get(order=old).buyer["reference"] == "KS-1"
    assert Attendee.objects.get(order=recent).email == "asa@example.se"


def test_running_again_changes_nothing_and_the_command_says_what_it_did(settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 6
    invoiced_order(2041, ended_days_ago=200)
    out = io.StringIO()

    call_command("anonymise_attendees", "--dry-run", stdout=out)
    call_command("anonymise_attendees", stdout=out)
    call_command("anonymise_attendees", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1 orders")
    assert lines[1].startswith("Anonymised 1 orders")
    assert lines[2].startswith("Anonymised 0 orders")
