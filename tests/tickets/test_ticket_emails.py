"""The confirmation with the tickets: sent by the task worker after the commit, its QR codes (inline and in the PDF
tickets) decode to the tickets' secrets, retried when the provider fails, and to each attendee where asked."""

import io

import pytest
import zxingcpp
from django.core import mail
from PIL import Image
from pypdf import PdfReader

from tests.factories import EditionFactory, ticket_shop
from tickets.models import Order
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import reserve, save_attendees, save_buyer, transition

pytestmark = pytest.mark.django_db

BUYER = {
    "buyer_kind": "organisation",
    "buyer_name": "Kim Kommunsson",
    "buyer_email": "kim@exempelstad.se",
    "organisation_name": "Exempelstads kommun",
    "organisation_number": "212000-1355",
    "reference": "KS-1",
    "payment_method": "invoice",
}


@pytest.fixture
def order():
    shop = ticket_shop(EditionFactory(venue="Exempelhallen"))
    order = reserve(shop.edition, {shop.conference_pass.pk: 2, shop.banquet.pk: 1})
    save_attendees(
        order,
        [
            {"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.se"},
            {"first_name": "Bo", "last_name": "Ek", "email": "bo@example.se"},
        ],
    )
    return save_buyer(order, BUYER)


def decode(png_bytes):
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png_bytes)))]


def inline_images(message):
    """{Content-ID: bytes} of the message's inline images."""
    found = {}
    for part in message.message().walk():
        if part.get("Content-ID") and part.get_content_maintype() == "image":
            found[part["Content-ID"].strip("<>")] = part.get_payload(decode=True)
    return found


def test_nothing_is_sent_before_the_commit(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place_invoice_order(order)

    assert mail.outbox == []
    assert len(callbacks) == 1  # the worker's task, queued once the order is confirmed


def test_every_inline_qr_code_decodes_to_its_tickets_secret(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        place_invoice_order(order)

    [message] = mail.outbox
    html = message.alternatives[0][0]
    images = inline_images(message)
    secrets = {ticket.pk: ticket.secret for ticket in order.tickets.all()}
    assert len(images) == len(secrets) == 3
    for ticket_id, secret in secrets.items():
        content_id = f"qr-{ticket_id}@tryggochsaker.se"
        assert f'src="cid:{content_id}"' in html
        assert decode(images[content_id]) == [secret]


def test_each_attendees_pdf_ticket_carries_their_qr_codes(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        place_invoice_order(order)

    [message] = mail.outbox
    files = [item for item in message.attachments if isinstance(item, tuple)]  # the inline images are MIME parts
    pdfs = {name: content for name, content, _mimetype in files if name.startswith("biljett-")}
    assert sorted(pdfs) == [f"biljett-{order.code}-1.pdf", f"biljett-{order.code}-2.pdf"]
    first = PdfReader(io.BytesIO(pdfs[f"biljett-{order.code}-1.pdf"]))
    decoded = {text for page in first.pages for image in page.images for text in decode(image.data)}
    assert decoded == set(order.tickets.filter(attendee__position=1).values_list("secret", flat=True))
    names = [name for name, *_ in files]
    assert "trygg-och-saker.ics" in names
    assert any(name.endswith(".pdf") and name.startswith("TS-") for name in names)  # the invoice


def test_a_provider_failure_is_retried_and_the_message_sent_once(order, django_capture_on_commit_callbacks, settings):
    from unittest import mock

    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    calls = []

    def flaky(self, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise ConnectionError("provider down")
        return real_send(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky), django_capture_on_commit_callbacks(execute=True):
        place_invoice_order(order)

    assert calls == [1, 1]
    assert len(mail.outbox) == 1


def test_attendees_get_their_own_tickets_when_the_edition_says_so(order, django_capture_on_commit_callbacks):
    order.edition.tickets_to_each_attendee = True
    order.edition.save()
    with django_capture_on_commit_callbacks(execute=True):
        order = place_invoice_order(order)[0]

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {("kim@exempelstad.se",), ("asa@example.se",), ("bo@example.se",)}
    bo = by_recipient[("bo@example.se",)]
    assert [decode(png) for png in inline_images(bo).values()] == [[order.tickets.get(attendee__position=2).secret]]
    assert order.secret not in bo.body  # the attendee does not get the buyer's order page


def test_a_paid_card_order_is_confirmed_in_english_for_an_english_buyer(order, django_capture_on_commit_callbacks):
    Order.objects.filter(pk=order.pk).update(language="en", payment_method="card")
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        from tickets import emails

        transition(order, Order.Status.PAID, actor="test")
        emails.send_order_confirmation(order)

    [message] = mail.outbox
    assert message.subject.startswith("Your registration for")
    assert "Your tickets" in message.alternatives[0][0]


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection when it is done
def test_the_request_only_queues_the_email_and_the_worker_sends_it(order, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the queue production uses
    place_invoice_order(order)
    assert mail.outbox == []  # the confirmation waits in the queue

    call_command("db_worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

    assert [m.to for m in mail.outbox] == [["kim@exempelstad.se"]]
