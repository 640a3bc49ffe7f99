"""Self-service on the order page in a real browser against the live server and a local fake Stripe: the buyer
follows the link in the confirmation email, downloads a PDF ticket, changes an attendee's name and cancels the
card order, which is refunded once Stripe confirms. axe finds nothing serious or critical on the order page, the
change form or the cancel page, on a 375 px phone. Locators use ids and data attributes, not interface text."""

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from home.demo import seed_home
from tests.factories import EditionFactory, ticket_shop
from tests.fake_stripe import FakeStripe
from tickets.models import Order
from tickets.services.orders import reserve, save_attendees, save_buyer
from tickets.services.payments import start_card_payment

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
ORDER_LINK = re.compile(r"https?://[^\s\"<>]+/order/[A-Za-z0-9_-]+/")


@pytest.fixture
def stripe(live_server, settings):
    """The fake Stripe, sending its events to the live server's webhook when the test says so."""
    with FakeStripe(deliver="manual") as fake:
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_API_BASE = fake.api_base
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        fake.webhook_url = f"{live_server.url}/stripe/webhook/"
        yield fake


@pytest.fixture
def paid_order(live_server, transactional_db, stripe):
    """A card order for two attendees, paid on the fake Stripe and confirmed by its webhook."""
    seed_home()
    today = timezone.localdate()
    edition = EditionFactory(refund_until=today + dt.timedelta(days=30), changes_until=today + dt.timedelta(days=40))
    shop = ticket_shop(edition, conference=10, banquet=5)
    order = reserve(edition, {shop.conference_pass.pk: 2, shop.banquet.pk: 1})
    save_attendees(
        order,
        [
            {"first_name": "Ada", "last_name": "Ek", "email": "ada@example.se", "organisation": "Exempelby kommun"},
            {"first_name": "Bo", "last_name": "Berg", "email": "bo@example.se", "organisation": "Exempelby kommun"},
        ],
    )
    save_buyer(
        order,
        {"buyer_kind": "person", "buyer_name": "Ada Ek", "buyer_email": "ada@example.se", "payment_method": "card"},
    )
    order.refresh_from_db()
    back = f"{live_server.url}/"
    start_card_payment(order, success_url=back + "?session_id={CHECKOUT_SESSION_ID}", cancel_url=back)
    order.refresh_from_db()
    stripe.pay(order.stripe_session_id)
    assert stripe.deliver_outbox() == [200]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def passes_axe(page, serious_violations, where):
    found = serious_violations(page)
    assert found == [], (where, found)


def link_in_confirmation(order):
    """The order page's path from the confirmation email (the live server's host is not the site's)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if order.code in message.body and message.to == [order.buyer_email]:
                return urlsplit(ORDER_LINK.search(message.body).group(0)).path
        time.sleep(0.1)
    raise AssertionError(f"no confirmation email for {order.code}: {[m.subject for m in mail.outbox]}")


def test_the_buyer_downloads_a_ticket_changes_a_name_and_cancels(
    browser, live_server, paid_order, stripe, serious_violations
):
    order = paid_order
    path = link_in_confirmation(order)
    assert order.secret in path
    page = browser.new_page(viewport=PHONE, accept_downloads=True)
    page.goto(live_server.url + path)

    expect(page.locator("[data-confirmed]")).to_be_visible()
    expect(page.locator("[data-ticket-holder]")).to_have_count(2)
    expect(page.locator("[data-changes-until]")).to_be_visible()
    passes_axe(page, serious_violations, "order page")

    with page.expect_download() as download_info:
        page.locator('[data-ticket-pdf="1"]').click()
    download = download_info.value
    assert download.suggested_filename == f"biljett-{order.code}-1.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.locator('[data-change-attendee="2"]').click()
    expect(page.locator("[data-change-form]")).to_be_visible()
    expect(page.locator("#id_attendee2-first_name")).to_have_value("Bo")
    expect(page.locator("#id_attendee2-dietary_needs")).to_have_count(0)  # no banquet ticket
    passes_axe(page, serious_violations, "change form")
    page.locator("#id_attendee2-last_name").fill("")
    page.locator("[data-change-form] button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#id_attendee2-last_name")).to_have_attribute("aria-invalid", "true")
    passes_axe(page, serious_violations, "change form with an error")
    page.locator("#id_attendee2-first_name").fill("Bodil")
    page.locator("#id_attendee2-last_name").fill("Berg")
    page.locator("[data-change-form] button[type=submit]").click()

    expect(page.locator('[data-message="success"]')).to_be_visible()
    expect(page.locator('[data-ticket-holder="2"] h3')).to_contain_text("Bodil Berg")
    assert order.attendees.get(position=2).first_name == "Bodil"

    page.locator("[data-cancel-order]").click()
    expect(page.locator("[data-cancel-order-form]")).to_be_visible()
    expect(page.locator("[data-refund-terms]")).to_be_visible()
    passes_axe(page, serious_violations, "cancel page")
    page.locator("[data-confirm-cancel]").click()

    expect(page.locator('[data-order-status="canceled"]')).to_be_visible()
    expect(page.locator("[data-refund-pending]")).to_be_visible()
    expect(page.locator("[data-ticket-holder]")).to_have_count(0)
    passes_axe(page, serious_violations, "cancelled order page")
    assert len(stripe.refunds) == 1

    assert set(stripe.deliver_outbox()) == {200}  # Stripe confirms the refund
    page.reload()
    expect(page.locator('[data-order-status="refunded"]')).to_be_visible()
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert len(stripe.refunds) == 1
    page.close()
