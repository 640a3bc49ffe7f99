"""Check-in verdicts at the doors: every answer, exactly one admission per ticket and single-entry list (also with
two doors at the same instant, on PostgreSQL), nonces, and offline scans uploaded out of order."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import EditionFactory, checkin_doors, confirmed_order, ticket_shop
from tickets.models import Checkin, CheckinList, Order, ScannerDevice
from tickets.models.checkin import hash_token
from tickets.services.checkin import device_for_token, list_status, offline_data, redeem, search, secret_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors():
    return checkin_doors()


def ticket(order, kind):
    return order.tickets.get(ticket_type__kind=kind)


def test_a_paid_ticket_is_admitted_once_then_already_checked_in(doors):
    shop, day_one, _ = doors
    device, _token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    secret = ticket(confirmed_order(shop), "conference").secret

    first = redeem(secret, day_one, device=device)
    second = redeem(secret, day_one)

    assert first["status"] == "ok"
    assert first["attendee"]["name"] == "Åsa Öberg"
    assert "dietary_needs" not in first["attendee"]  # the conference pass has no meal
    assert second["status"] == "already_checked_in"
    assert second["checked_in_at"] == first["checked_in_at"]
    assert second["checked_in_by"] == "Dörr A"


def test_the_banquet_door_sees_the_dietary_needs(doors):
    shop, _, banquet = doors

    answer = redeem(ticket(confirmed_order(shop), "banquet").secret, banquet)

    assert (answer["status"], answer["attendee"]["dietary_needs"]) == ("ok", "Vegan")


def test_a_conference_ticket_is_wrong_at_the_banquet(doors):
    shop, _, banquet = doors

    assert redeem(ticket(confirmed_order(shop), "conference").secret, banquet)["status"] == "wrong_list"


def test_unpaid_cancelled_and_unknown_tickets_are_refused(doors):
    shop, day_one, _ = doors
    pending = ticket(confirmed_order(shop, status=Order.Status.PENDING), "conference").secret
    cancelled = ticket(confirmed_order(shop, status=Order.Status.CANCELED), "conference").secret

    assert redeem(pending, day_one)["status"] == "unpaid"
    assert redeem(cancelled, day_one)["status"] == "canceled"
    unknown = redeem("not-a-ticket", day_one)
    assert (unknown["status"], unknown["attendee"]) == ("unknown", None)


def test_another_editions_ticket_is_unknown_and_shows_nothing(doors):
    _shop, day_one, _ = doors
    other = ticket_shop(EditionFactory())

    answer = redeem(ticket(confirmed_order(other), "conference").secret, day_one)

    assert (answer["status"], answer["attendee"]) == ("unknown", None)


def test_outside_the_lists_time_window_is_wrong_list(doors):
    shop, day_one, _ = doors
    day_one.opens_at = timezone.now() + dt.timedelta(hours=1)
    day_one.save()

    assert redeem(ticket(confirmed_order(shop), "conference").secret, day_one)["status"] == "wrong_list"


def test_re_entry_lists_admit_again(doors):
    shop, day_one, _ = doors
    day_one.allow_reentry = True
    day_one.save()
    secret = ticket(confirmed_order(shop), "conference").secret

    assert [redeem(secret, day_one)["status"] for _ in range(2)] == ["ok", "ok"]


def test_the_same_nonce_returns_the_first_answer_and_changes_nothing(doors):
    shop, day_one, _ = doors
    secret = ticket(confirmed_order(shop), "conference").secret

    first = redeem(secret, day_one, nonce="n-1")
    again = redeem(secret, day_one, nonce="n-1")

    assert first == again
    assert again["status"] == "ok"
    assert Checkin.objects.count() == 1


def test_offline_scans_uploaded_out_of_order_keep_the_earliest_as_the_admission(doors):
    shop, day_one, _ = doors
    secret = ticket(confirmed_order(shop), "conference").secret
    now = timezone.now()

    later = redeem(secret, day_one, nonce="b", scanned_at=now - dt.timedelta(minutes=2))
    earlier = redeem(secret, day_one, nonce="a", scanned_at=now - dt.timedelta(minutes=5))

    assert (later["status"], earlier["status"]) == ("ok", "ok")  # both doors let the person in while offline
    admission = Checkin.objects.get(result="ok")
    assert admission.nonce == "a"
    assert Checkin.objects.get(nonce="b").result == "already_checked_in"
    assert redeem(secret, day_one)["checked_in_at"] == admission.scanned_at.isoformat()


def test_status_search_and_offline_data(doors):
    shop, day_one, _ = doors
    admitted = confirmed_order(shop)
    confirmed_order(shop)
    confirmed_order(shop, status=Order.Status.PENDING)
    redeem(ticket(admitted, "conference").secret, day_one)

    assert list_status(day_one) == {"expected": 2, "arrived": 1, "not_arrived": 1}
    assert [t.attendee.name for t in search(day_one, "Öberg exempelstads")] == ["Åsa Öberg", "Åsa Öberg"]
    data = offline_data(day_one)
    assert len(data) == 2
    assert {row["hash"] for row in data} == {
        secret_hash(t.secret) for t in [ticket(o, "conference") for o in Order.objects.filter(status="paid")]
    }
    assert all(t.secret not in str(data) for t in admitted.tickets.all())
    assert sorted(row["checked_in"] for row in data) == [False, True]


def test_device_tokens_are_stored_hashed_and_can_be_revoked(doors):
    shop, *_ = doors
    out, err = io.StringIO(), io.StringIO()

    call_command("create_device_token", "--name", "Dörr A", "--edition", str(shop.edition.year), stdout=out, stderr=err)

    token = out.getvalue().strip()
    device = ScannerDevice.objects.get()
    assert device.token_hash == hash_token(token) and token not in device.token_hash
    assert device_for_token(token) == device
    device.revoked_at = timezone.now()
    device.save()
    assert device_for_token(token) is None
    assert device_for_token("wrong") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_doors_scanning_one_ticket_at_the_same_instant_admit_it_once():
    shop = ticket_shop(EditionFactory())
    day_one = CheckinList.objects.create(edition=shop.edition, name="Konferens dag 1")
    day_one.ticket_types.set([shop.conference_pass])
    secret = ticket(confirmed_order(shop, banquet=False), "conference").secret
    start = threading.Barrier(20)
    answers = []

    def scan(index):
        try:
            start.wait()
            answers.append(redeem(secret, day_one, nonce=f"door-{index}")["status"])
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == ["already_checked_in"] * 19 + ["ok"]
    assert Checkin.objects.filter(result="ok").count() == 1
