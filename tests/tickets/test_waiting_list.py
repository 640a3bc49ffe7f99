"""The waiting list: a freed place goes to the first in line with a personal voucher that holds it for them, and
the list moves on when the offer runs out."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import EditionFactory, ticket_shop
from tickets.models import Order, WaitingListEntry
from tickets.services import SoldOut
from tickets.services.orders import availability, cancel_pending, expire_order, reserve
from tickets.services.waiting_list import expire_offer, join_waiting_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_banquet():
    shop = ticket_shop(EditionFactory(), banquet=2)
    orders = [reserve(shop.edition, {shop.banquet.pk: 1}) for _ in range(2)]
    return shop, orders


def line_up(shop, *names):
    return [
        join_waiting_list(shop.bankett, name=name, email=f"{name.lower()}@example.se", language="sv") for name in names
    ]


def test_a_freed_place_is_offered_to_the_first_in_line_only(full_banquet, django_capture_on_commit_callbacks):
    shop, orders = full_banquet
    first, second = line_up(shop, "Ada", "Bo")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_pending(orders[0])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (WaitingListEntry.Status.OFFERED, WaitingListEntry.Status.WAITING)
    assert first.offer_expires_at - first.offered_at == dt.timedelta(hours=48)
    [offer] = mail.outbox
    assert offer.to == ["ada@example.se"]
    assert first.voucher.code in offer.body
    assert f"?kod={first.voucher.code}" in offer.body


def test_the_offered_place_is_held_for_the_person_in_line(full_banquet, django_capture_on_commit_callbacks):
    shop, orders = full_banquet
    [ada] = line_up(shop, "Ada")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_pending(orders[0])
    ada.refresh_from_db()

    assert availability(shop.edition)[shop.banquet.pk] == 0
    with pytest.raises(SoldOut):
        reserve(shop.edition, {shop.banquet.pk: 1})
    order = reserve(shop.edition, {shop.banquet.pk: 1}, voucher_code=ada.voucher.code)

    assert order.status == Order.Status.PENDING
    ada.refresh_from_db()
    assert ada.status == WaitingListEntry.Status.USED


def test_an_offer_that_runs_out_goes_to_the_next_in_line(full_banquet, django_capture_on_commit_callbacks):
    shop, orders = full_banquet
    ada, bo = line_up(shop, "Ada", "Bo")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_pending(orders[0])
    ada.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        expire_offer(ada, now=ada.offer_expires_at + dt.timedelta(seconds=1))

    ada.refresh_from_db()
    bo.refresh_from_db()
    assert (ada.status, bo.status) == (WaitingListEntry.Status.EXPIRED, WaitingListEntry.Status.OFFERED)
    assert [m.to for m in mail.outbox] == [["ada@example.se"], ["bo@example.se"]]


def test_an_expired_hold_frees_its_place_for_the_list(full_banquet, django_capture_on_commit_callbacks):
    shop, orders = full_banquet
    [ada] = line_up(shop, "Ada")

    with django_capture_on_commit_callbacks(execute=True):
        expire_order(orders[1], now=timezone.now() + dt.timedelta(hours=1))

    ada.refresh_from_db()
    assert ada.status == WaitingListEntry.Status.OFFERED


def test_joining_twice_keeps_the_place_in_line(full_banquet):
    shop, _ = full_banquet
    first = join_waiting_list(shop.bankett, name="Ada", email="ada@example.se", language="sv")
    again = join_waiting_list(shop.bankett, name="Ada E", email="ADA@example.se ", language="sv")

    assert again == first
    assert WaitingListEntry.objects.count() == 1


@pytest.fixture
def sold_out_banquet():
    from events.models import Edition

    edition = EditionFactory(year=timezone.localdate().year + 1)
    assert Edition.objects.upcoming().first() == edition
    shop = ticket_shop(edition, banquet=1)
    reserve(shop.edition, {shop.banquet.pk: 1})
    return shop


def test_a_sold_out_type_links_to_its_waiting_list(client, sold_out_banquet):
    from django.urls import reverse

    page = client.get(reverse("tickets:register")).content.decode()

    assert reverse("tickets:waiting_list", args=[sold_out_banquet.banquet.pk]) in page
    assert reverse("tickets:waiting_list", args=[sold_out_banquet.conference_pass.pk]) not in page


def test_joining_the_waiting_list_says_how_many_are_ahead(client, sold_out_banquet):
    from django.urls import reverse

    url = reverse("tickets:waiting_list", args=[sold_out_banquet.banquet.pk])
    client.post(url, {"name": "Ada", "email": "ada@example.se"})
    response = client.post(url, {"name": "Bo", "email": "bo@example.se"})

    assert response.status_code == 200
    assert "1 person står före dig" in response.content.decode()
    assert list(WaitingListEntry.objects.values_list("email", "capacity__name")) == [
        ("ada@example.se", "Bankett"),
        ("bo@example.se", "Bankett"),
    ]
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_bad_email_is_a_form_error_and_stores_nothing(client, sold_out_banquet):
    from django.urls import reverse

    url = reverse("tickets:waiting_list", args=[sold_out_banquet.banquet.pk])
    response = client.post(url, {"name": "Ada", "email": "inte-en-adress"})

    assert response.status_code == 400
    assert not WaitingListEntry.objects.exists()


def test_a_type_with_places_left_sends_the_visitor_to_the_tickets(client, sold_out_banquet):
    from django.urls import reverse

    response = client.get(reverse("tickets:waiting_list", args=[sold_out_banquet.conference_pass.pk]))

    assert "Det finns platser kvar" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main", 1)[-1]


def test_the_offer_link_fills_in_the_code(client, sold_out_banquet):
    from django.urls import reverse

    response = client.get(reverse("tickets:register") + "?kod=KO-ABCDEFGHJK")

    assert 'value="KO-ABCDEFGHJK"' in response.content.decode()
