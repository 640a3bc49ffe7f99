"""Paying by invoice: tickets valid at once, invoices numbered without gaps (also under concurrency), VAT per
rate, the email with the PDF, and the organiser's paid or cancelled (credit note) afterwards."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests.factories import EditionFactory, ticket_shop
from tickets.models import Invoice, InvoiceSettings, Order
from tickets.services import TicketingError
from tickets.services.invoices import cancel_invoice_order, mark_invoice_paid, place_invoice_order
from tickets.services.orders import availability, reserve, save_attendees, save_buyer

pytestmark = pytest.mark.django_db

ORGANISATION = {
    "buyer_kind": "organisation",
    "buyer_name": "Kim Kommunsson",
    "buyer_email": "kim@exempelstad.se",
    "organisation_name": "Exempelstads kommun",
    "organisation_number": "212000-1355",
    "invoice_address": "Box 1",
    "invoice_postcode": "411 01",
    "invoice_city": "Exempelstad",
    "reference": "KS-2026-117",
    "payment_method": "invoice",
}


@pytest.fixture
def shop():
    seller = InvoiceSettings.load()
    seller.organisation_number = "559000-0005"
    seller.vat_number = "SE559000000501"
    seller.save()
    return ticket_shop(EditionFactory(), conference=10, banquet=10)


def invoice_order(shop, *, passes=2, banquets=1):
    order = reserve(shop.edition, {shop.conference_pass.pk: passes, shop.banquet.pk: banquets})
    save_attendees(
        order,
        [{"first_name": f"Person{i}", "last_name": "Exempel", "email": f"p{i}@example.se"} for i in range(passes)],
    )
    return save_buyer(order, ORGANISATION)


def test_an_invoice_order_is_confirmed_at_once_with_an_invoice_due_in_thirty_days(shop, settings):
    settings.INVOICE_DUE_DAYS = 30
    order, invoice = place_invoice_order(invoice_order(shop))

    assert order.status == Order.Status.INVOICED
    assert order.is_confirmed
    assert invoice.number == "TS-1001"
    assert invoice.due_on == timezone.localdate() + dt.timedelta(days=30)
    assert invoice.buyer["reference"] == "KS-2026-117"
    assert invoice.seller["vat_number"] == "SE559000000501"
    assert invoice.total == Decimal("11100.00")
    assert invoice.vat_summary == [
        {"rate": "25.00", "net": "7920.00", "vat": "1980.00", "gross": "9900.00"},
        {"rate": "12.00", "net": "1071.43", "vat": "128.57", "gross": "1200.00"},
    ]
    assert [(line["description"], line["quantity"], line["amount"]) for line in invoice.lines] == [
        ("Konferenspass", 2, "9900.00"),
        ("Bankett", 1, "1200.00"),
    ]


def test_the_buyer_gets_one_email_with_the_invoice_pdf(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, invoice = place_invoice_order(invoice_order(shop))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kim@exempelstad.se"]
    assert invoice.number in message.body
    files = {item[0]: item[1:] for item in message.attachments if isinstance(item, tuple)}  # not the inline QRs
    content, mimetype = files[f"{invoice.number}.pdf"]
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_invoice_numbers_follow_each_other(shop):
    numbers = [place_invoice_order(invoice_order(shop, passes=1, banquets=0))[1].number for _ in range(3)]

    assert numbers == ["TS-1001", "TS-1002", "TS-1003"]


def test_private_persons_cannot_pay_by_invoice(shop):
    order = reserve(shop.edition, {shop.banquet.pk: 1})
    save_buyer(order, {**ORGANISATION, "buyer_kind": "person", "payment_method": "card"})

    with pytest.raises(TicketingError):
        place_invoice_order(order)
    assert not Invoice.objects.exists()


def test_marking_paid_moves_the_order_and_logs_who(shop, django_user_model):
    organiser = django_user_model.objects.create_user("arrangor")
    order, _ = place_invoice_order(invoice_order(shop))

    mark_invoice_paid(order, by=organiser)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    with pytest.raises(TicketingError):
        mark_invoice_paid(order, by=organiser)


def test_cancelling_makes_a_credit_note_and_frees_the_places(shop, django_user_model):
    organiser = django_user_model.objects.create_user("arrangor")
    order, invoice = place_invoice_order(invoice_order(shop))
    assert availability(shop.edition)[shop.conference_pass.pk] == 8

    order, credit_note = cancel_invoice_order(order, by=organiser, reason="avbokad")

    assert order.status == Order.Status.CANCELED
    assert credit_note.kind == Invoice.Kind.CREDIT_NOTE
    assert credit_note.credits == invoice
    assert credit_note.number == "TS-1002"
    assert credit_note.total == -invoice.total
    assert [row["vat"] for row in credit_note.vat_summary] == ["-1980.00", "-128.57"]
    assert availability(shop.edition)[shop.conference_pass.pk] == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_invoices_at_once_take_ten_numbers_without_gaps():
    shop = ticket_shop(EditionFactory(), conference=100)
    orders = [invoice_order(shop, passes=1, banquets=0) for _ in range(10)]
    start = threading.Barrier(len(orders))
    numbers = []

    def place(order):
        try:
            start.wait()
            numbers.append(place_invoice_order(order)[1].number)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(numbers) == [f"TS-{n}" for n in range(1001, 1011)]
