"""The public registration through the Django test client: choose tickets → attendees → payer → review, and the
order page. Assertions look at data attributes, field names and the services' own messages rather than interface
text, so they hold in both languages and before and after the translations are compiled."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.factories import EditionFactory, VoucherFactory, ticket_shop
from tickets.models import Order
from tickets.services.orders import hold_expired_error, reserve
from tickets.templatetags.tickets_tags import sek

pytestmark = pytest.mark.django_db

# The flow's addresses on the Swedish site (the prefix is the project's URLconf's business, not the tests').
with override("sv"):
    REGISTER = reverse("tickets:register")
    ATTENDEES = reverse("tickets:attendees")
    BUYER = reverse("tickets:buyer")
    REVIEW = reverse("tickets:review")


@pytest.fixture
def shop():
    return ticket_shop(EditionFactory(), conference=100, banquet=50)


def text(response):
    """The page's HTML with entities decoded, for looking up values the page shows."""
    return unescape(response.content.decode())


def choose(client, shop, *, conference=0, banquet=0, voucher=""):
    return client.post(
        REGISTER,
        {
            f"quantity_{shop.conference_pass.pk}": conference,
            f"quantity_{shop.day_one.pk}": 0,
            f"quantity_{shop.day_two.pk}": 0,
            f"quantity_{shop.banquet.pk}": banquet,
            "voucher_code": voucher,
        },
    )


def attendee(position, **overrides):
    data = {
        "first_name": f"Förnamn{position}",
        "last_name": "Exempelsson",
        "email": f"deltagare{position}@example.se",
        "organisation": "Exempelby kommun",
        "job_title": "Trygghetssamordnare",
        "accessibility_needs": "",
        "dietary_needs": "",
    }
    data.update(overrides)
    return {f"attendee{position}-{key}": value for key, value in data.items()}


def person(**overrides):
    return {
        "buyer_kind": "person",
        "buyer_name": "Ada Ek",
        "buyer_email": "ada@example.se",
        "buyer_phone": "",
        "payment_method": "card",
        **overrides,
    }


def organisation(**overrides):
    data = {
        "buyer_kind": "organisation",
        "organisation_name": "Exempelby kommun",
        "organisation_number": "2120001355",
        "invoice_address": "Storgatan 1",
        "invoice_postcode": "123 45",
        "invoice_city": "Exempelby",
        "reference": "Ada Ek / 4711",
        "payment_method": "invoice",
    }
    return person(**{**data, **overrides})


def current_order(client):
    return Order.objects.get(secret=client.session["tickets.order_secret"])


def through_attendees(client, shop, *, conference=2, banquet=1):
    assert choose(client, shop, conference=conference, banquet=banquet).status_code == 302
    forms = {}
    for position in range(1, max(conference, banquet) + 1):
        forms.update(attendee(position, dietary_needs="Vegetarisk" if position <= banquet else ""))
    response = client.post(ATTENDEES, forms)
    assert response.status_code == 302, response.content.decode()
    return current_order(client)


# --- The whole flow --------------------------------------------------------------------------------------------


def test_two_attendees_with_a_pass_and_one_banquet_reach_the_review_with_vat_per_rate(client, shop):
    page = client.get(REGISTER)
    assert page.status_code == 200
    html = text(page)
    assert f'name="quantity_{shop.conference_pass.pk}"' in html
    assert sek(Decimal("4950.00")) in html  # the price incl. VAT, the Swedish way
    assert sek(Decimal("990.00")) in html  # of which VAT (25 %)
    assert sek(Decimal("3960.00")) in html  # excl. VAT

    response = choose(client, shop, conference=2, banquet=1)
    assert response.status_code == 302
    assert response["Location"] == ATTENDEES
    order = current_order(client)
    assert order.status == Order.Status.PENDING
    assert order.language == "sv"

    page = client.get(ATTENDEES)
    html = text(page)
    assert 'data-attendee="1"' in html
    assert 'data-attendee="2"' in html
    # Dietary needs are asked only of the attendee whose tickets include the banquet.
    assert 'name="attendee1-dietary_needs"' in html
    assert 'name="attendee2-dietary_needs"' not in html
    assert html.count("Bankett") >= 1
    assert "data-hold" in html
    assert timezone.localtime(order.hold_expires_at).strftime("%H:%M") in html

    forms = {**attendee(1, dietary_needs="Glutenfri"), **attendee(2, first_name="Bo")}
    response = client.post(ATTENDEES, forms)
    assert response.status_code == 302
    assert response["Location"] == BUYER
    names = list(order.attendees.order_by("position").values_list("first_name", "dietary_needs"))
    assert names == [("Förnamn1", "Glutenfri"), ("Bo", "")]

    assert client.get(BUYER).status_code == 200
    response = client.post(BUYER, person())
    assert response.status_code == 302
    assert response["Location"] == REVIEW
    order.refresh_from_db()
    assert (order.buyer_kind, order.buyer_email, order.payment_method) == ("person", "ada@example.se", "card")

    page = client.get(REVIEW)
    assert page.status_code == 200
    html = text(page)
    assert 'data-summary-attendee="1"' in html
    assert 'data-summary-attendee="2"' in html
    assert "Förnamn1 Exempelsson" in html
    assert 'data-vat-rate="25"' in html
    assert 'data-vat-rate="12"' in html
    total = Decimal("4950.00") * 2 + Decimal("1200.00")
    assert order.total == total
    assert re.search(r"data-total>\s*" + re.escape(sek(total)), html)
    # VAT per rate: 25 % of 9 900 incl. is 1 980; 12 % of 1 200 incl. is 128,57.
    assert sek(Decimal("1980.00")) in html
    assert sek(Decimal("128.57")) in html
    assert re.search(r"data-net-total>\s*" + re.escape(sek(total - Decimal("1980.00") - Decimal("128.57"))), html)
    assert 'value="card"' in html


def test_every_step_says_which_step_it_is_and_is_never_cached_or_indexed(client, shop):
    pages = [client.get(REGISTER)]
    through_attendees(client, shop)
    pages.append(client.get(BUYER))
    client.post(BUYER, person())
    pages.append(client.get(REVIEW))
    pages.insert(1, client.get(ATTENDEES))
    order = current_order(client)
    pages.append(client.get(reverse("tickets:order", kwargs={"secret": order.secret})))

    for number, page in enumerate(pages[:4], start=1):
        assert page.status_code == 200
        assert f'data-registration-step="{number}"' in page.content.decode()
    for page in pages:
        assert "no-store" in page["Cache-Control"]
        assert "noindex" in page["X-Robots-Tag"]
        assert "csrfmiddlewaretoken" in page.content.decode() or page is pages[-1]


def test_the_english_site_reserves_in_english(client, shop):
    with override("en"):
        register, attendees = reverse("tickets:register"), reverse("tickets:attendees")
    assert register.startswith("/en/")
    response = client.post(register, {f"quantity_{shop.conference_pass.pk}": 1, "voucher_code": ""})
    assert response.status_code == 302
    assert response["Location"] == attendees
    assert current_order(client).language == "en"
    assert "Conference pass" in text(client.get(attendees))


# --- Step 1: choosing -----------------------------------------------------------------------------------------


def test_a_sold_out_type_is_shown_sold_out_and_cannot_be_chosen(client):
    shop = ticket_shop(EditionFactory(), conference=100, banquet=1)
    reserve(shop.edition, {shop.banquet.pk: 1})

    html = text(client.get(REGISTER))

    banquet = re.search(rf'<li class="ticket[^"]*"[^>]*data-ticket-type="{shop.banquet.pk}"[^>]*>', html).group(0)
    assert "data-sold-out" in banquet
    assert re.search(rf'<input[^>]*name="quantity_{shop.banquet.pk}"[^>]*disabled', html)
    assert 'data-availability="sold-out"' in html
    assert not re.search(rf'<input[^>]*name="quantity_{shop.conference_pass.pk}"[^>]*disabled', html)


def test_few_places_left_is_said_at_ten_or_fewer(client):
    shop = ticket_shop(EditionFactory(), conference=100, banquet=10)
    html = text(client.get(REGISTER))
    assert html.count('data-availability="few-left"') == 1
    assert re.search(rf'<input[^>]*name="quantity_{shop.banquet.pk}"[^>]*max="10"', html)


def test_a_type_that_sold_out_meanwhile_gets_the_services_message_and_is_marked(client):
    shop = ticket_shop(EditionFactory(), conference=100, banquet=2)
    client.get(REGISTER)
    reserve(shop.edition, {shop.banquet.pk: 2})  # someone else was quicker

    response = choose(client, shop, conference=1, banquet=1)

    assert response.status_code == 400
    html = text(response)
    assert 'id="error-summary"' in html
    with override("sv"):
        assert "Bankett" in re.search(r"data-refusal>([^<]*)<", html).group(1)
    assert f'id="id_quantity_{shop.banquet.pk}_error"' in html
    assert f'href="#id_quantity_{shop.banquet.pk}"' in html
    assert Order.objects.count() == 1


def test_choosing_nothing_is_refused_with_the_services_message(client, shop):
    response = choose(client, shop)
    assert response.status_code == 400
    assert "data-refusal" in response.content.decode()
    assert "tickets.order_secret" not in client.session


def test_a_voucher_lowers_the_total(client, shop):
    VoucherFactory(edition=shop.edition, code="TRYGG20", value=Decimal("20"), ticket_types=[shop.conference_pass])

    assert choose(client, shop, conference=1, banquet=1, voucher="trygg20").status_code == 302
    order = current_order(client)
    assert order.voucher.code == "TRYGG20"
    assert order.total == Decimal("3960.00") + Decimal("1200.00")

    client.post(ATTENDEES, attendee(1))
    client.post(BUYER, person())
    html = text(client.get(REVIEW))
    assert "data-discount" in html
    assert "TRYGG20" in html
    assert sek(Decimal("990.00")) in html  # the discount
    assert re.search(r"data-total>\s*" + re.escape(sek(Decimal("5160.00"))), html)


def test_a_refused_voucher_is_shown_on_its_field_and_the_choice_is_kept(client, shop):
    response = choose(client, shop, conference=3, voucher="FINNSINTE")

    assert response.status_code == 400
    html = text(response)
    assert 'id="id_voucher_code_error"' in html
    assert "FINNSINTE" in html
    assert re.search(rf'name="quantity_{shop.conference_pass.pk}"[^>]*value="3"', html)
    assert not Order.objects.exists()


def test_no_edition_or_nothing_on_sale_shows_a_friendly_page(client):
    assert "data-registration-closed" in client.get(REGISTER).content.decode()

    shop = ticket_shop(EditionFactory())
    shop.edition.ticket_types.update(is_active=False)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert "data-registration-closed" in response.content.decode()


def test_choosing_again_replaces_the_earlier_reservation(client, shop):
    choose(client, shop, conference=1)
    first = current_order(client)
    assert "data-current-order" in client.get(REGISTER).content.decode()

    choose(client, shop, conference=2)

    first.refresh_from_db()
    assert first.status == Order.Status.CANCELED
    assert current_order(client).pk != first.pk


# --- Step 2 and 3: what to fix ----------------------------------------------------------------------------------


def test_a_missing_attendee_name_is_shown_on_its_field_and_the_rest_is_kept(client, shop):
    choose(client, shop, conference=2)

    response = client.post(ATTENDEES, {**attendee(1), **attendee(2, last_name="", email="bo@example.se")})

    assert response.status_code == 400
    html = text(response)
    assert 'href="#id_attendee2-last_name"' in html
    assert 'id="id_attendee2-last_name_error"' in html
    assert re.search(r'name="attendee2-last_name"[^>]*aria-invalid="true"', html)
    assert 'value="bo@example.se"' in html
    assert 'value="Förnamn1"' in html
    assert not current_order(client).attendees.filter(first_name="Förnamn1").exists()


def test_a_bad_organisation_number_says_what_to_fix_and_keeps_what_was_typed(client, shop):
    through_attendees(client, shop)

    response = client.post(BUYER, organisation(organisation_number="212000-1356"))

    assert response.status_code == 400
    html = text(response)
    assert 'id="id_organisation_number_error"' in html
    with override("sv"):
        from tickets.validators import normalise_organisation_number

        with pytest.raises(Exception) as refused:
            normalise_organisation_number("212000-1356")
        assert refused.value.messages[0] in html
    assert 'value="212000-1356"' in html
    assert 'value="Storgatan 1"' in html
    assert current_order(client).buyer_kind == ""


def test_a_valid_organisation_number_is_stored_normalised(client, shop):
    through_attendees(client, shop)
    assert client.post(BUYER, organisation(organisation_number="16 212000 1355")).status_code == 302
    assert current_order(client).organisation_number == "212000-1355"


def test_an_invoice_for_a_private_person_is_refused_on_the_payment_choice(client, shop):
    through_attendees(client, shop)

    response = client.post(BUYER, person(payment_method="invoice", buyer_phone="070-123 45 67"))

    assert response.status_code == 400
    html = text(response)
    assert 'id="id_payment_method_error"' in html
    assert 'href="#id_payment_method_0"' in html
    assert 'value="070-123 45 67"' in html
    assert current_order(client).payment_method == ""


def test_an_organisation_needs_its_address_and_a_reference_for_an_invoice(client, shop):
    through_attendees(client, shop)

    response = client.post(BUYER, organisation(invoice_city="", reference=""))

    assert response.status_code == 400
    html = text(response)
    assert 'id="id_invoice_city_error"' in html
    assert 'id="id_reference_error"' in html


def test_the_review_sends_an_unfinished_registration_back_to_the_missing_step(client, shop):
    choose(client, shop, conference=1)
    assert client.get(REVIEW)["Location"] == ATTENDEES
    client.post(ATTENDEES, attendee(1))
    assert client.get(REVIEW)["Location"] == BUYER


# --- Holds ------------------------------------------------------------------------------------------------------


def test_a_hold_that_ran_out_sends_the_visitor_back_to_step_one_with_the_message(client, shop):
    choose(client, shop, conference=1)
    order = current_order(client)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = client.get(BUYER, follow=True)

    assert response.redirect_chain[-1][0] == REGISTER
    with override("sv"):
        assert hold_expired_error().message in text(response)
    assert "tickets.order_secret" not in client.session


def test_a_hold_whose_places_are_gone_is_refused_by_the_service_on_saving(client):
    shop = ticket_shop(EditionFactory(), conference=1, banquet=10)
    choose(client, shop, conference=1)
    order = current_order(client)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    reserve(shop.edition, {shop.conference_pass.pk: 1})  # the place went to someone else

    response = client.post(ATTENDEES, attendee(1), follow=True)

    assert response.redirect_chain[-1][0] == REGISTER
    with override("sv"):
        assert hold_expired_error().message in text(response)


def test_a_step_without_a_registration_starts_over(client, shop):
    response = client.get(ATTENDEES)
    assert response.status_code == 302
    assert response["Location"] == REGISTER


def test_cancelling_releases_the_places(client, shop):
    choose(client, shop, conference=1)
    order = current_order(client)

    response = client.post(reverse("tickets:cancel"))

    assert response["Location"] == REGISTER
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert "tickets.order_secret" not in client.session


# --- Paying and the order page ---------------------------------------------------------------------------------


def test_the_order_page_is_404_for_a_wrong_secret(client, shop):
    assert client.get(reverse("tickets:order", kwargs={"secret": "not-a-real-secret"})).status_code == 404


def test_an_organisation_places_an_invoice_order_and_gets_the_invoice(client, shop, django_capture_on_commit_callbacks):
    through_attendees(client, shop, conference=1, banquet=1)
    assert client.post(BUYER, organisation()).status_code == 302
    order = current_order(client)
    assert 'value="invoice"' in client.get(REVIEW).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REVIEW, {"action": "invoice"})

    order_url = reverse("tickets:order", kwargs={"secret": order.secret})
    assert response.status_code == 302
    assert response["Location"] == order_url
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED
    invoice = order.invoices.get()

    page = client.get(order_url)
    html = text(page)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "data-confirmed" in html
    assert f"data-invoice-number>{invoice.number}<" in html
    pdf_url = reverse("tickets:invoice_pdf", kwargs={"secret": order.secret, "number": invoice.number})
    assert f'href="{pdf_url}"' in html
    assert 'data-vat-rate="12"' in html

    pdf = client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]


def test_an_invoice_is_only_found_through_its_own_order(client, shop):
    through_attendees(client, shop, conference=1, banquet=0)
    client.post(BUYER, organisation())
    order = current_order(client)
    client.post(REVIEW, {"action": "invoice"})
    invoice = order.invoices.get()
    other = reserve(shop.edition, {shop.conference_pass.pk: 1})

    url = reverse("tickets:invoice_pdf", kwargs={"secret": other.secret, "number": invoice.number})
    assert client.get(url).status_code == 404
    url = reverse("tickets:invoice_pdf", kwargs={"secret": order.secret, "number": "TS-9999"})
    assert client.get(url).status_code == 404


def test_card_payment_that_cannot_start_says_so_on_the_review(client, shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    through_attendees(client, shop, conference=1, banquet=0)
    client.post(BUYER, person())

    response = client.post(REVIEW, {"action": "card"})

    assert response.status_code == 400
    assert "data-refusal" in response.content.decode()
    assert current_order(client).status == Order.Status.PENDING


def test_card_payment_redirects_to_stripe_with_the_order_page_as_return(client, shop, settings):
    from tests.fake_stripe import FakeStripe

    through_attendees(client, shop, conference=1, banquet=0)
    client.post(BUYER, person())
    order = current_order(client)
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_API_BASE = fake.api_base
        response = client.post(REVIEW, {"action": "card"})

        assert response.status_code == 303
        order.refresh_from_db()
        assert response["Location"] == order.stripe_session_url
        session = fake.sessions[order.stripe_session_id]
        assert session["success_url"] == (
            f"http://testserver{reverse('tickets:order', kwargs={'secret': order.secret})}"
            "?session_id={CHECKOUT_SESSION_ID}"
        )
        assert session["cancel_url"] == f"http://testserver{REVIEW}"

        order_url = reverse("tickets:order", kwargs={"secret": order.secret})
        assert "data-processing" in client.get(order_url).content.decode()

        fake.deliver_with = lambda body, headers: 200  # the webhook is lost: the return page must confirm
        fake.pay(order.stripe_session_id)
        page = client.get(f"{order_url}?session_id={order.stripe_session_id}")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert "data-confirmed" in page.content.decode()
    assert "tickets.order_secret" not in client.session


@pytest.mark.parametrize("status", [Order.Status.EXPIRED, Order.Status.CANCELED, Order.Status.REFUNDED])
def test_an_order_that_ended_says_so(client, shop, status):
    order = reserve(shop.edition, {shop.conference_pass.pk: 1})
    Order.objects.filter(pk=order.pk).update(status=status)

    page = client.get(reverse("tickets:order", kwargs={"secret": order.secret}))

    html = page.content.decode()
    assert f'data-order-status="{status}"' in html
    assert "data-ended" in html
    assert "data-confirmed" not in html
