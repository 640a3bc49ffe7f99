"""The registration in a real browser against the live server and a local fake Stripe: two attendees pay by card
on the hosted payment page and land on their confirmed order page; an organisation buys one ticket by invoice and
sees the invoice number. axe finds nothing serious or critical on any step, on a desktop and on a 375 px phone.
Locators use ids and data attributes, not interface text, so the tests hold in both languages and before and
after the translations are compiled."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.translation import override
from playwright.sync_api import expect

from home.demo import seed_home
from tests.factories import EditionFactory, ticket_shop
from tests.fake_stripe import FakeStripe
from tickets.models import Order

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def shop(live_server, transactional_db):
    seed_home()
    with override("sv"):
        url = f"{live_server.url}{reverse('tickets:register')}"
    return SimpleNamespace(**vars(ticket_shop(EditionFactory())), url=url, origin=live_server.url)


@pytest.fixture
def stripe(live_server, settings):
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_API_BASE = fake.api_base
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        fake.webhook_url = f"{live_server.url}/stripe/webhook/"
        yield fake


def passes_axe(page, serious_violations, where):
    found = serious_violations(page)
    assert found == [], (where, found)


def submit(page, form):
    page.locator(f"[{form}] button[type=submit]").click()


def fill_attendee(page, position, first_name, *, dietary=None):
    prefix = f"#id_attendee{position}-"
    page.locator(f"{prefix}first_name").fill(first_name)
    page.locator(f"{prefix}last_name").fill("Exempelsson")
    page.locator(f"{prefix}email").fill(f"{first_name.lower()}@example.se")
    page.locator(f"{prefix}organisation").fill("Exempelby kommun")
    if dietary is not None:
        page.locator(f"{prefix}dietary_needs").fill(dietary)


def test_two_attendees_pay_by_card_on_stripe_and_see_their_order_confirmed(browser, shop, stripe, serious_violations):
    page = browser.new_page(viewport=PHONE)
    page.goto(shop.url)
    expect(page.locator('[data-registration-step="1"]')).to_be_visible()
    passes_axe(page, serious_violations, "choose tickets")

    submit(page, "data-ticket-form")  # nothing chosen: the service says so at the top
    expect(page.locator("#error-summary")).to_be_focused()
    passes_axe(page, serious_violations, "choose tickets, refused")

    page.locator(f"#id_quantity_{shop.conference_pass.pk}").fill("2")
    page.locator(f"#id_quantity_{shop.banquet.pk}").fill("1")
    submit(page, "data-ticket-form")

    expect(page.locator('[data-registration-step="2"]')).to_be_visible()
    expect(page.locator("[data-hold]")).to_be_visible()
    expect(page.locator("#id_attendee2-dietary_needs")).to_have_count(0)
    passes_axe(page, serious_violations, "attendees")
    fill_attendee(page, 1, "Ada", dietary="Vegetarisk")
    page.locator("#id_attendee2-first_name").fill("Bo")
    submit(page, "data-attendee-form")  # the second attendee is incomplete
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#id_attendee2-last_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_attendee1-dietary_needs")).to_have_value("Vegetarisk")
    passes_axe(page, serious_violations, "attendees with errors")
    fill_attendee(page, 2, "Bo")
    submit(page, "data-attendee-form")

    expect(page.locator('[data-registration-step="3"]')).to_be_visible()
    expect(page.locator("[data-organisation-fields]")).to_be_hidden()  # shown only for organisations
    passes_axe(page, serious_violations, "payer")
    page.locator("#id_buyer_kind_0").check()
    page.locator("#id_buyer_name").fill("Ada Exempelsson")
    page.locator("#id_buyer_email").fill("ada@example.se")
    expect(page.locator("#id_payment_method_0")).to_be_checked()
    submit(page, "data-buyer-form")

    expect(page.locator('[data-registration-step="4"]')).to_be_visible()
    expect(page.locator("[data-summary-attendee]")).to_have_count(2)
    expect(page.locator("[data-vat-rate]")).to_have_count(2)
    passes_axe(page, serious_violations, "review")
    page.locator("[data-pay=card]").click()

    # Stripe's hosted page (the fake's): pay, and come back to the order page.
    expect(page.locator("form[action^='/pay/'] button")).to_be_visible()
    page.locator("form[action^='/pay/'] button").click()

    order = Order.objects.get()
    expect(page).to_have_url(f"{shop.url}order/{order.secret}/?session_id={order.stripe_session_id}")
    expect(page.locator("[data-confirmed]")).to_be_visible()
    expect(page.locator("[data-order-code]")).to_have_text(order.code)
    expect(page.locator("[data-summary-attendee]")).to_have_count(2)
    passes_axe(page, serious_violations, "order page")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.total == 2 * shop.conference_pass.price + shop.banquet.price
    assert [delivery.status for delivery in stripe.deliveries] == [200]
    page.close()


def test_an_organisation_buys_one_ticket_by_invoice_and_sees_the_invoice_number(browser, shop, serious_violations):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(shop.url)
    page.locator(f"#id_quantity_{shop.conference_pass.pk}").fill("1")
    submit(page, "data-ticket-form")

    expect(page.locator('[data-registration-step="2"]')).to_be_visible()
    fill_attendee(page, 1, "Cia")
    submit(page, "data-attendee-form")

    expect(page.locator('[data-registration-step="3"]')).to_be_visible()
    page.locator("#id_buyer_kind_1").check()
    expect(page.locator("[data-organisation-fields]")).to_be_visible()
    page.locator("#id_buyer_name").fill("Cia Exempelsson")
    page.locator("#id_buyer_email").fill("cia@example.se")
    page.locator("#id_organisation_name").fill("Exempelby kommun")
    page.locator("#id_organisation_number").fill("212000-1356")  # a wrong check digit
    page.locator("#id_invoice_address").fill("Storgatan 1")
    page.locator("#id_invoice_postcode").fill("123 45")
    page.locator("#id_invoice_city").fill("Exempelby")
    page.locator("#id_reference").fill("Cia / 4711")
    page.locator("#id_payment_method_1").check()
    submit(page, "data-buyer-form")

    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#id_organisation_number_error")).to_be_visible()
    expect(page.locator("#id_invoice_city")).to_have_value("Exempelby")
    passes_axe(page, serious_violations, "payer with an error")
    page.locator("#id_organisation_number").fill("212000-1355")
    submit(page, "data-buyer-form")

    expect(page.locator('[data-registration-step="4"]')).to_be_visible()
    passes_axe(page, serious_violations, "review")
    page.locator("[data-pay=invoice]").click()

    order = Order.objects.get()
    expect(page).to_have_url(f"{shop.url}order/{order.secret}/")
    invoice = order.invoices.get()
    expect(page.locator("[data-confirmed]")).to_be_visible()
    expect(page.locator("[data-invoice-number]")).to_have_text(invoice.number)
    expect(page.locator("[data-invoice-pdf]")).to_be_visible()
    passes_axe(page, serious_violations, "order page")

    pdf = page.request.get(shop.origin + page.locator("[data-invoice-pdf]").get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED
    assert order.organisation_number == "212000-1355"
    page.close()
