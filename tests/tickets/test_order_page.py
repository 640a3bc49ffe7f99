"""Self-service on the buyer's order page, through the Django test client: the ticket files (read back with real
decoders), changing an attendee until the edition's deadline, the confirmation sent again, and cancelling a card
order (refunded once through the fake Stripe) or an invoiced one (a credit note) under the edition's terms.
Assertions look at data attributes, statuses and the services' own messages rather than interface text, so they
hold in both languages and before and after the translations are compiled."""

import datetime as dt
import io
from html import unescape

import icalendar
import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from PIL import Image
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from tests.factories import EditionFactory, ticket_shop
from tests.tickets.test_invoices import ORGANISATION
from tests.tickets.test_payments import checkout
from tickets.models import Invoice, InvoiceSettings, Order, Refund
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import availability, reserve, save_attendees, save_buyer

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def url(name, order=None, **kwargs):
    secret = order.secret if isinstance(order, Order) else (order or "not-a-real-secret")
    with translation.override("sv"):
        return reverse(f"tickets:{name}", kwargs={"secret": secret, **kwargs})


def swedish(msgid, **values):
    """The Swedish of a msgid as the catalogue has it (the English until the translation is compiled)."""
    with translation.override("sv"):
        text = translation.gettext(msgid)
        return text % values if values else text


def swedish_day(day):
    with translation.override("sv"):
        return date_format(day, "j F Y")


def text(response):
    return unescape(response.content.decode())


def decode(image):
    """The contents of the QR codes zxing finds in `image` (a PIL image or PNG bytes)."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def is_private(response):
    return "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]


@pytest.fixture
def shop():
    seller = InvoiceSettings.load()
    seller.organisation_number = "559000-0005"
    seller.save()
    edition = EditionFactory(refund_until=TODAY + 30 * DAY, changes_until=TODAY + 40 * DAY)
    return ticket_shop(edition, conference=10, banquet=5)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (emails, refunds) as it would run after a real one."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


ADA = {"first_name": "Ada", "last_name": "Ek", "email": "ada@example.se", "organisation": "Exempelby kommun"}
BO = {"first_name": "Bo", "last_name": "Berg", "email": "bo@example.se", "organisation": "Exempelby kommun"}


def filled_order(shop, *, passes=2, banquets=1, attendees=(ADA, BO)):
    """A pending order: attendee 1 has a pass and the banquet, attendee 2 a pass only."""
    order = reserve(shop.edition, {shop.conference_pass.pk: passes, shop.banquet.pk: banquets})
    save_attendees(order, [dict(one) for one in attendees[:passes]])
    return order


def invoiced_order(shop, **kwargs):
    order, _invoice = place_invoice_order(save_buyer(filled_order(shop, **kwargs), ORGANISATION), notify=False)
    return order


def paid_card_order(shop, fake_stripe, commit, **kwargs):
    order = filled_order(shop, **kwargs)
    save_buyer(
        order,
        {"buyer_kind": "person", "buyer_name": "Ada Ek", "buyer_email": "ada@example.se", "payment_method": "card"},
    )
    order.refresh_from_db()
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])
    with commit():
        assert fake_stripe.deliver_outbox() == [200]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def change_data(position, **overrides):
    data = {**ADA, "job_title": "", "accessibility_needs": "", "dietary_needs": "", **overrides}
    return {f"attendee{position}-{key}": value for key, value in data.items()}


# --- Who may reach what ---------------------------------------------------------------------------------------

ROUTES = [
    ("order", {}, "get"),
    ("ticket_pdf", {"position": 1}, "get"),
    ("ticket_png", {"ticket_id": "first"}, "get"),
    ("order_ics", {}, "get"),
    ("order_attendee", {"position": 1}, "get"),
    ("order_attendee", {"position": 1}, "post"),
    ("order_resend", {}, "post"),
    ("order_cancel", {}, "get"),
    ("order_cancel", {}, "post"),
    ("invoice_pdf", {"number": "TS-1001"}, "get"),
]


@pytest.mark.parametrize(("name", "kwargs", "method"), ROUTES)
def test_a_wrong_secret_is_404_everywhere(client, shop, name, kwargs, method):
    order = invoiced_order(shop)  # a real order, with invoice TS-1001, attendee 1 and a ticket, but not this secret
    if kwargs.get("ticket_id") == "first":
        kwargs = {"ticket_id": order.tickets.first().pk}
    assert getattr(client, method)(url(name, order, **kwargs)).status_code in (200, 302, 400)

    assert getattr(client, method)(url(name, **kwargs)).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("ticket_pdf", {"position": 1}, "get"),
        ("order_ics", {}, "get"),
        ("order_attendee", {"position": 1}, "get"),
        ("order_resend", {}, "post"),
        ("order_cancel", {}, "get"),
    ],
)
def test_an_order_that_is_not_confirmed_has_nothing_to_download_or_change(client, shop, name, kwargs, method):
    order = filled_order(shop)  # pending: not paid yet

    assert getattr(client, method)(url(name, order, **kwargs)).status_code == 404


def test_a_ticket_of_another_order_is_404(client, shop):
    order = invoiced_order(shop)
    other = invoiced_order(shop, attendees=(BO, ADA))
    theirs = other.tickets.first()

    assert client.get(url("ticket_png", other, ticket_id=theirs.pk)).status_code == 200
    assert client.get(url("ticket_png", order, ticket_id=theirs.pk)).status_code == 404
    assert client.get(url("ticket_pdf", order, position=3)).status_code == 404
    assert client.get(url("order_attendee", order, position=3)).status_code == 404


def test_a_cancelled_orders_tickets_cannot_be_downloaded(client, shop):
    order = invoiced_order(shop)
    ticket = order.tickets.first()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELED)

    assert client.get(url("ticket_pdf", order, position=1)).status_code == 404
    assert client.get(url("ticket_png", order, ticket_id=ticket.pk)).status_code == 404
    assert client.get(url("order_ics", order)).status_code == 404


def test_every_post_needs_the_csrf_token(shop):
    order = invoiced_order(shop)
    client = Client(enforce_csrf_checks=True)

    assert client.post(url("order_resend", order)).status_code == 403
    assert client.post(url("order_cancel", order)).status_code == 403
    assert client.post(url("order_attendee", order, position=1), change_data(1, first_name="X")).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED
    assert order.attendees.get(position=1).first_name == "Ada"


# --- The page and the files -----------------------------------------------------------------------------------


def test_the_page_shows_this_orders_attendees_their_files_and_the_terms(client, shop):
    order = invoiced_order(shop)
    invoiced_order(shop, passes=1, banquets=0, attendees=({**ADA, "first_name": "Främling"},))

    page = client.get(url("order", order))

    html = text(page)
    assert page.status_code == 200
    assert is_private(page)
    assert html.count("data-ticket-holder=") == 2
    assert "Ada Ek" in html
    assert "Bo Berg" in html
    assert "Främling" not in html
    for ticket in order.tickets.all():
        assert f'href="{url("ticket_png", order, ticket_id=ticket.pk)}"' in html
    assert f'href="{url("ticket_pdf", order, position=1)}"' in html
    assert f'href="{url("ticket_pdf", order, position=2)}"' in html
    assert f'href="{url("order_ics", order)}"' in html
    assert f'href="{url("order_attendee", order, position=2)}"' in html
    assert f'href="{url("order_cancel", order)}"' in html
    assert f'action="{url("order_resend", order)}"' in html
    # What the page did before: the status, the invoice and the totals.
    assert "data-confirmed" in html
    assert f"data-invoice-number>{order.invoices.get().number}<" in html
    assert "data-totals" in html
    # The deadline for changes, stated: "Du kan ändra namn och specialkost till och med 12 oktober 2027."
    statement = swedish(
        "You can change names and dietary needs until and including %(day)s.",
        day=swedish_day(shop.edition.changes_until),
    )
    assert statement in html


def test_the_deadline_reads_as_a_swedish_date(client, shop):
    shop.edition.changes_until = dt.date(TODAY.year + 1, 10, 12)
    shop.edition.save()
    order = invoiced_order(shop)

    html = text(client.get(url("order", order)))

    assert f"12 oktober {TODAY.year + 1}" in html


def test_the_pdf_has_a_page_per_ticket_whose_qr_holds_that_ticket(client, shop):
    order = invoiced_order(shop)
    ada = order.attendees.get(position=1)
    secrets = list(ada.tickets.order_by("ticket_type__sort_order", "pk").values_list("secret", flat=True))

    response = client.get(url("ticket_pdf", order, position=1))

    assert response.status_code == 200
    assert is_private(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="biljett-{order.code}-1.pdf"'
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2 == len(secrets)
    found = [code for page in reader.pages for image in page.images for code in decode(image.image)]
    assert found == secrets
    assert not set(found) & set(order.attendees.get(position=2).tickets.values_list("secret", flat=True))


def test_the_phone_image_holds_the_tickets_secret(client, shop):
    order = invoiced_order(shop)
    ticket = order.tickets.get(attendee__position=2)

    response = client.get(url("ticket_png", order, ticket_id=ticket.pk))

    assert response.status_code == 200
    assert is_private(response)
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1080, 1920)
    assert decode(image) == [ticket.secret]


def test_the_calendar_file_holds_the_conference(client, shop):
    order = invoiced_order(shop)

    response = client.get(url("order_ics", order))

    assert response.status_code == 200
    assert is_private(response)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events[0]["SUMMARY"] == shop.edition.name
    assert events[0].decoded("DTSTART") == shop.edition.starts_on


# --- Changing an attendee -------------------------------------------------------------------------------------


def test_the_change_form_is_prefilled_and_asks_dietary_needs_only_with_a_banquet(client, shop):
    order = invoiced_order(shop)

    banquet_guest = client.get(url("order_attendee", order, position=1))
    pass_only = client.get(url("order_attendee", order, position=2))

    assert banquet_guest.status_code == 200
    assert is_private(banquet_guest)
    assert 'name="attendee1-first_name"' in text(banquet_guest)
    assert 'value="Ada"' in text(banquet_guest)
    assert 'name="attendee1-dietary_needs"' in text(banquet_guest)
    assert 'value="Bo"' in text(pass_only)
    assert 'name="attendee2-dietary_needs"' not in text(pass_only)


def test_a_name_changed_before_the_deadline_is_saved_and_logged(client, shop):
    order = invoiced_order(shop)

    response = client.post(
        url("order_attendee", order, position=1), change_data(1, first_name="Adéle", dietary_needs="Vegetarisk")
    )

    assert response.status_code == 302
    assert response["Location"] == url("order", order)
    assert is_private(response)
    ada = order.attendees.get(position=1)
    assert (ada.first_name, ada.dietary_needs) == ("Adéle", "Vegetarisk")
    entry = ModelLogEntry.objects.get(action="tickets.order.attendee")
    assert entry.object_id == str(order.pk)
    assert entry.data["attendee"] == 1
    assert set(entry.data["fields"]) == {"first_name", "dietary_needs"}
    page = text(client.get(response["Location"]))
    assert 'data-message="success"' in page
    assert "Adéle Ek" in page


def test_dietary_needs_posted_for_someone_without_a_banquet_are_ignored(client, shop):
    order = invoiced_order(shop)
    order.attendees.filter(position=2).update(dietary_needs="")

    response = client.post(url("order_attendee", order, position=2), change_data(2, **BO, dietary_needs="Nötter"))

    assert response.status_code == 302
    assert order.attendees.get(position=2).dietary_needs == ""


def test_a_form_error_is_shown_and_nothing_changes(client, shop):
    order = invoiced_order(shop)

    response = client.post(url("order_attendee", order, position=1), change_data(1, last_name="", email="nej"))

    html = text(response)
    assert response.status_code == 400
    assert "data-error-summary" in html
    assert 'aria-invalid="true"' in html
    assert order.attendees.get(position=1).last_name == "Ek"


def test_after_the_deadline_a_change_is_refused_with_the_services_message(client, shop):
    shop.edition.changes_until = TODAY - DAY
    shop.edition.save()
    order = invoiced_order(shop)

    page = text(client.get(url("order", order)))
    form_page = client.get(url("order_attendee", order, position=1))
    response = client.post(url("order_attendee", order, position=1), change_data(1, first_name="Sen"))

    assert "data-change-attendee" not in page
    assert "data-changes-closed" in page
    assert "data-changes-closed" in text(form_page)
    assert "data-change-form" not in text(form_page)
    assert response.status_code == 400
    refusal = swedish(
        "Changes could be made until %(day)s. Write to us and we will help you.", day=swedish_day(TODAY - DAY)
    )
    assert f"<p data-refusal>{refusal}</p>" in text(response)
    assert "data-change-form" in text(response)  # shown again, as typed
    assert order.attendees.get(position=1).first_name == "Ada"
    assert not ModelLogEntry.objects.filter(action="tickets.order.attendee").exists()


# --- The confirmation again -----------------------------------------------------------------------------------


def test_the_confirmation_is_sent_again_and_then_limited(client, shop, commit):
    order = invoiced_order(shop)
    sent = len(mail.outbox)

    with commit():
        response = client.post(url("order_resend", order))

    assert response.status_code == 302
    assert response["Location"] == url("order", order)
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == [ORGANISATION["buyer_email"]]
    assert 'data-message="success"' in text(client.get(url("order", order)))

    with commit():
        for _attempt in range(3):
            client.post(url("order_resend", order))
    assert len(mail.outbox) == sent + 3  # three an hour
    page = text(client.get(url("order", order)))
    assert 'data-message="error"' in page


def test_resending_is_a_post(client, shop):
    order = invoiced_order(shop)

    assert client.get(url("order_resend", order)).status_code == 405


# --- Cancelling -----------------------------------------------------------------------------------------------


def test_a_card_order_is_cancelled_refunded_once_and_its_places_freed(client, shop, fake_stripe, commit):
    order = paid_card_order(shop, fake_stripe, commit)
    left = availability(shop.edition)

    page = client.get(url("order_cancel", order))
    assert page.status_code == 200
    assert is_private(page)
    assert "data-refund-terms" in text(page)
    with commit():
        response = client.post(url("order_cancel", order), {"reason": "Konferensen krockar"})

    assert response.status_code == 302
    assert response["Location"] == url("order", order)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert len(fake_stripe.refunds) == 1
    assert fake_stripe.refunds[0]["amount"] == order.total_ore
    assert fake_stripe.refunds[0]["payment_intent"] == order.stripe_payment_intent
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    now = availability(shop.edition)
    assert now[shop.conference_pass.pk] == left[shop.conference_pass.pk] + 2
    assert now[shop.banquet.pk] == left[shop.banquet.pk] + 1
    html = text(client.get(url("order", order)))
    assert 'data-order-status="canceled"' in html
    assert "data-refund-pending" in html

    with commit():
        again = client.post(url("order_cancel", order))  # a double submit
        echoed = fake_stripe.deliver_outbox()  # Stripe's charge.refunded and refund.created
    with commit():
        client.post(url("order_cancel", order))

    assert again.status_code == 302
    assert set(echoed) == {200}
    assert len(fake_stripe.refunds) == 1
    assert Refund.objects.count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert availability(shop.edition) == now
    assert 'data-order-status="refunded"' in text(client.get(url("order", order)))


def test_an_invoiced_order_is_cancelled_with_a_credit_note(client, shop, commit):
    order = invoiced_order(shop)
    invoice = order.invoices.get()

    page = text(client.get(url("order_cancel", order)))
    assert "data-credit-terms" in page
    with commit():
        response = client.post(url("order_cancel", order))
        client.post(url("order_cancel", order))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    credit_note = order.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert credit_note.credits == invoice
    assert credit_note.total == -invoice.total
    assert not Refund.objects.exists()
    html = text(client.get(url("order", order)))
    assert "data-credit-note" in html
    assert f'href="{url("invoice_pdf", order, number=credit_note.number)}"' in html
    assert availability(shop.edition)[shop.conference_pass.pk] == 10


def test_after_the_refund_date_cancelling_is_refused(client, shop, fake_stripe, commit):
    order = paid_card_order(shop, fake_stripe, commit)
    shop.edition.refund_until = TODAY - DAY
    shop.edition.save()

    page = text(client.get(url("order", order)))
    cancel_page = client.get(url("order_cancel", order))
    with commit():
        response = client.post(url("order_cancel", order))

    assert "data-cancel-order" not in page
    assert "data-cancel-closed" in page
    assert "mailto:" in page
    assert cancel_page.status_code == 200
    assert "data-cancel-closed" in text(cancel_page)
    assert "data-cancel-order-form" not in text(cancel_page)
    assert response.status_code == 400
    refusal = swedish("This order can no longer be cancelled here. Write to us and we will help you.")
    assert f"<p data-refusal>{refusal}</p>" in text(response)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert fake_stripe.refunds == []
    assert not Refund.objects.exists()


def test_without_a_refund_date_there_is_no_cancelling_here(client, shop):
    shop.edition.refund_until = None
    shop.edition.save()
    order = invoiced_order(shop)

    page = text(client.get(url("order", order)))

    assert "data-cancel-order" not in page
    assert "data-cancel-closed" in page
    assert client.post(url("order_cancel", order)).status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED
