"""Reserving places: prices with VAT, capacities shared between types, holds that run out, vouchers, and the last
places under concurrency (PostgreSQL)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import EditionFactory, TicketTypeFactory, VoucherFactory, ticket_shop
from tickets.models import Order, Ticket
from tickets.services import HoldExpired, InvalidTransition, NotOnSale, SoldOut, TicketingError, VoucherRefused
from tickets.services.orders import (
    availability,
    expire_order,
    reserve,
    save_attendees,
    save_buyer,
    transition,
)
from tickets.services.pricing import vat_summary
from tickets.validators import normalise_organisation_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ticket_shop(EditionFactory(), conference=10, banquet=5)


def test_an_order_holds_one_ticket_per_attendee_and_type_at_the_price_with_vat(shop):
    order = reserve(shop.edition, {shop.conference_pass.pk: 2, shop.banquet.pk: 1})

    assert order.status == Order.Status.PENDING
    assert order.total == Decimal("4950.00") * 2 + Decimal("1200.00")
    assert [a.position for a in order.attendees.all()] == [1, 2]
    by_attendee = {(t.attendee.position, t.ticket_type.name) for t in order.tickets.select_related("attendee")}
    assert by_attendee == {(1, "Konferenspass"), (2, "Konferenspass"), (1, "Bankett")}
    assert (
        timezone.now() + dt.timedelta(minutes=29) < order.hold_expires_at <= timezone.now() + dt.timedelta(minutes=30)
    )


def test_vat_is_summed_per_rate():
    rows = vat_summary([(Decimal("25"), Decimal("4950.00")), (Decimal("12"), Decimal("1200.00"))])

    assert [(r["rate"], r["vat"], r["net"]) for r in rows] == [
        (Decimal("25"), Decimal("990.00"), Decimal("3960.00")),
        (Decimal("12"), Decimal("128.57"), Decimal("1071.43")),
    ]


def test_day_passes_and_the_pass_share_one_capacity(shop):
    reserve(shop.edition, {shop.conference_pass.pk: 6})
    reserve(shop.edition, {shop.day_one.pk: 3})

    left = availability(shop.edition)
    assert left[shop.conference_pass.pk] == left[shop.day_two.pk] == 1
    assert left[shop.banquet.pk] == 5
    with pytest.raises(SoldOut) as refused:
        reserve(shop.edition, {shop.day_two.pk: 2})
    assert refused.value.ticket_types == [shop.day_two]
    assert "Dagpass dag 2" in refused.value.message


def test_a_refused_reservation_holds_nothing(shop):
    with pytest.raises(SoldOut):
        reserve(shop.edition, {shop.conference_pass.pk: 1, shop.banquet.pk: 6})

    assert not Order.objects.exists()
    assert availability(shop.edition)[shop.conference_pass.pk] == 10


def test_a_hold_that_ran_out_frees_its_places_for_others_and_is_ended_by_the_worker(shop):
    start = timezone.now() - dt.timedelta(minutes=31)
    stale = reserve(shop.edition, {shop.conference_pass.pk: 10}, now=start)

    assert availability(shop.edition)[shop.conference_pass.pk] == 10
    fresh = reserve(shop.edition, {shop.conference_pass.pk: 10})
    expire_order(stale)
    stale.refresh_from_db()
    assert stale.status == Order.Status.EXPIRED
    assert fresh.status == Order.Status.PENDING
    assert expire_order(fresh).status == Order.Status.PENDING  # its hold has not run out


def test_a_lapsed_hold_is_taken_again_while_places_are_free(shop):
    order = reserve(shop.edition, {shop.banquet.pk: 1}, now=timezone.now() - dt.timedelta(minutes=40))

    save_attendees(order, [{"first_name": "Ada", "last_name": "Ek", "email": "ada@example.se"}])

    order.refresh_from_db()
    assert order.hold_expires_at > timezone.now()


def test_a_lapsed_hold_whose_places_are_gone_says_so(shop):
    order = reserve(shop.edition, {shop.banquet.pk: 1}, now=timezone.now() - dt.timedelta(minutes=40))
    reserve(shop.edition, {shop.banquet.pk: 5})

    with pytest.raises(HoldExpired):
        save_attendees(order, [{"first_name": "Ada"}])


def test_types_off_sale_or_over_the_limit_are_refused(shop):
    shop.day_one.sale_ends_at = timezone.now()
    shop.day_one.save()
    other_edition_type = TicketTypeFactory()

    with pytest.raises(NotOnSale):
        reserve(shop.edition, {shop.day_one.pk: 1})
    with pytest.raises(NotOnSale):
        reserve(shop.edition, {other_edition_type.pk: 1})
    with pytest.raises(TicketingError) as too_many:
        reserve(shop.edition, {shop.conference_pass.pk: 11})
    assert too_many.value.code == "too_many"
    with pytest.raises(TicketingError) as empty:
        reserve(shop.edition, {shop.conference_pass.pk: 0})
    assert empty.value.code == "empty"


def test_a_percent_voucher_lowers_only_its_types(shop):
    VoucherFactory(edition=shop.edition, code="KOMMUN20", value=Decimal("20"), ticket_types=[shop.conference_pass])

    order = reserve(shop.edition, {shop.conference_pass.pk: 1, shop.banquet.pk: 1}, voucher_code=" kommun20 ")

    prices = {t.ticket_type.name: t.price for t in order.tickets.all()}
    assert prices == {"Konferenspass": Decimal("3960.00"), "Bankett": Decimal("1200.00")}
    assert order.total == Decimal("5160.00")


def test_an_amount_voucher_never_makes_a_price_negative(shop):
    VoucherFactory(edition=shop.edition, code="GRATIS", kind="amount", value=Decimal("2000"))

    order = reserve(shop.edition, {shop.banquet.pk: 1}, voucher_code="GRATIS")

    assert order.total == Decimal("0.00")


def test_a_voucher_is_refused_when_unknown_expired_used_up_or_not_for_these_types(shop):
    VoucherFactory(edition=shop.edition, code="ETT", max_uses=1)
    VoucherFactory(edition=shop.edition, code="GAMMAL", valid_until=timezone.now() - dt.timedelta(days=1))
    VoucherFactory(edition=shop.edition, code="BANKETT", ticket_types=[shop.banquet])
    reserve(shop.edition, {shop.conference_pass.pk: 1}, voucher_code="ETT")

    for code, words in [
        ("FINNSINTE", "är inte giltig"),
        ("GAMMAL", "gäller inte längre"),
        ("ETT", "är förbrukad"),
        ("BANKETT", "gäller inte de valda biljetterna"),
    ]:
        with pytest.raises(VoucherRefused) as refused:
            reserve(shop.edition, {shop.conference_pass.pk: 1}, voucher_code=code)
        assert words in refused.value.message


def test_a_voucher_used_by_a_lapsed_hold_is_free_again(shop):
    VoucherFactory(edition=shop.edition, code="ETT", max_uses=1)
    reserve(shop.edition, {shop.conference_pass.pk: 1}, voucher_code="ETT", now=timezone.now() - dt.timedelta(hours=1))

    assert reserve(shop.edition, {shop.conference_pass.pk: 1}, voucher_code="ETT").voucher.code == "ETT"


def test_invoices_go_to_organisations_only(shop):
    order = reserve(shop.edition, {shop.banquet.pk: 1})

    with pytest.raises(TicketingError) as refused:
        save_buyer(order, {"buyer_kind": "person", "buyer_name": "Ada", "payment_method": "invoice"})
    assert refused.value.code == "invoice_person"


def test_every_status_change_is_allowed_by_the_table_and_logged(shop, django_user_model):
    order = reserve(shop.edition, {shop.banquet.pk: 1})
    organiser = django_user_model.objects.create_user("arrangor")

    transition(order, Order.Status.INVOICED, by=organiser, reason="test")

    entry = ModelLogEntry.objects.filter(action="tickets.order.status").get()
    assert entry.object_id == str(order.pk)
    assert entry.user == organiser
    assert entry.data == {"from": "pending", "to": "invoiced", "actor": "arrangor", "reason": "test"}
    with pytest.raises(InvalidTransition):
        transition(order, Order.Status.EXPIRED)
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED


def test_order_codes_and_secrets_are_unguessable(shop):
    orders = [reserve(shop.edition, {shop.banquet.pk: 1}) for _ in range(3)]

    assert len({o.secret for o in orders}) == 3
    assert all(len(o.secret) >= 32 for o in orders)  # 192 random bits, URL-safe
    assert len({t.secret for t in Ticket.objects.all()}) == 3


@pytest.mark.parametrize("typed", ["212000-1355", "2120001355", "16 212000 1355", "556036-0793"])
def test_valid_organisation_numbers_are_normalised(typed):
    assert normalise_organisation_number(typed) in {"212000-1355", "556036-0793"}


@pytest.mark.parametrize("typed", ["212000-1356", "12345", "abcdef-ghij", ""])
def test_invalid_organisation_numbers_say_what_is_wrong(typed):
    with pytest.raises(ValidationError):
        normalise_organisation_number(typed)


def _race(count, work):
    start = threading.Barrier(count)
    outcomes = []

    def run(index):
        try:
            start.wait()
            outcomes.append(work(index))
        except TicketingError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_on_the_last_ten_places_get_exactly_ten_holds():
    shop = ticket_shop(EditionFactory(), conference=800)
    for _ in range(79):
        reserve(shop.edition, {shop.conference_pass.pk: 10})
    assert availability(shop.edition)[shop.conference_pass.pk] == 10

    outcomes = _race(50, lambda i: reserve(shop.edition, {shop.conference_pass.pk: 1}) and "held")

    assert outcomes.count("held") == 10
    assert outcomes.count("sold_out") == 40
    assert availability(shop.edition)[shop.conference_pass.pk] == 0
    assert Ticket.objects.count() == 800


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_voucher_for_five_tickets_is_used_five_times_by_twenty_buyers_at_once():
    shop = ticket_shop(EditionFactory())
    VoucherFactory(edition=shop.edition, code="FEM", max_uses=5)

    outcomes = _race(20, lambda i: reserve(shop.edition, {shop.conference_pass.pk: 1}, voucher_code="FEM") and "held")

    assert outcomes.count("held") == 5
    assert outcomes.count("voucher") == 15
