"""Card payments through (a local fake of) Stripe Checkout: the session the site asks for, confirmation by
webhook or by the buyer's return, whichever comes first, late payments, and webhooks duplicated, reordered,
replayed or forged."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import EditionFactory, ticket_shop
from tickets.models import Order, Refund, StripeEvent
from tickets.services import PaymentError
from tickets.services.orders import reserve, save_attendees, save_buyer
from tickets.services.payments import refresh_from_stripe, start_card_payment

pytestmark = pytest.mark.django_db

SUCCESS = "https://example.test/anmalan/order/x/?session_id={CHECKOUT_SESSION_ID}"
CANCEL = "https://example.test/anmalan/granska/"


@pytest.fixture
def shop():
    return ticket_shop(EditionFactory(), conference=10, banquet=2)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (emails, refunds) as it would run after a real one."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ready_order(shop, *, banquet=1, now=None):
    order = reserve(shop.edition, {shop.conference_pass.pk: 1, shop.banquet.pk: banquet}, now=now)
    save_attendees(
        order,
        [{"first_name": f"Deltagare{i}", "last_name": "Exempel", "email": f"d{i}@example.se"} for i in range(banquet)]
        or [{"first_name": "Ada", "last_name": "Ek", "email": "ada@example.se"}],
    )
    save_buyer(
        order,
        {"buyer_kind": "person", "buyer_name": "Ada Ek", "buyer_email": "ada@example.se", "payment_method": "card"},
    )
    order.refresh_from_db()
    return order


def checkout(order, fake):
    start_card_payment(order, success_url=SUCCESS, cancel_url=CANCEL)
    order.refresh_from_db()
    return fake.sessions[order.stripe_session_id]


def confirmations():
    return [m for m in mail.outbox if m.subject.startswith("Din anmälan till Trygg & Säker")]


def test_the_checkout_session_carries_the_order_the_amount_and_the_hold(shop, fake_stripe):
    order = ready_order(shop)

    session = checkout(order, fake_stripe)

    request = fake_stripe.requests[-1]
    assert request.path == "/v1/checkout/sessions"
    assert request.idempotency_key.startswith(f"checkout-{order.code}-")
    assert session["metadata"] == {"order": order.code}
    assert session["customer_email"] == "ada@example.se"
    assert session["amount_total"] == order.total_ore == 615000
    assert session["expires_at"] == int(order.hold_expires_at.timestamp())
    assert order.hold_expires_at >= timezone.now() + dt.timedelta(minutes=30)
    assert order.stripe_session_url == session["url"]


def test_asking_twice_gives_the_same_checkout_page(shop, fake_stripe):
    order = ready_order(shop)

    first = start_card_payment(order, success_url=SUCCESS, cancel_url=CANCEL)
    second = start_card_payment(order, success_url=SUCCESS, cancel_url=CANCEL)

    assert first == second
    assert len(fake_stripe.sessions) == 1


def test_stripe_unreachable_is_a_message_not_a_crash(shop, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    order = ready_order(shop)

    with pytest.raises(PaymentError) as refused:
        start_card_payment(order, success_url=SUCCESS, cancel_url=CANCEL)
    assert "Försök igen" in refused.value.message


def test_the_webhook_confirms_the_order_and_one_email_goes_out(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])

    with commit():
        assert fake_stripe.deliver_outbox() == [200]

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.stripe_payment_intent == fake_stripe.sessions[session["id"]]["payment_intent"]
    assert len(confirmations()) == 1
    assert order.code in confirmations()[0].body


def test_duplicated_reordered_and_replayed_webhooks_make_one_paid_order_and_one_email(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])
    fake_stripe.send(fake_stripe.events[-1] | {"id": "evt_unrelated", "type": "customer.created"})

    with commit():
        statuses = fake_stripe.deliver_outbox(duplicate=True, reverse=True)
        assert fake_stripe.replay(fake_stripe.find_events("checkout.session.completed")[0]) == 200

    assert set(statuses) == {200}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.tickets.count() == 2
    assert len(confirmations()) == 1
    assert StripeEvent.objects.filter(type="checkout.session.completed").count() == 1


def test_the_buyers_return_confirms_first_and_the_webhook_then_changes_nothing(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])

    with commit():
        refresh_from_stripe(order)
    with commit():
        fake_stripe.deliver_outbox()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(confirmations()) == 1


def test_a_payment_after_the_hold_ran_out_is_honoured_while_places_are_free(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.EXPIRED, hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    fake_stripe.pay(session["id"])

    with commit():
        fake_stripe.deliver_outbox()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not fake_stripe.refunds
    assert len(confirmations()) == 1


def test_a_payment_after_the_places_were_sold_is_refunded_once_and_the_buyer_told(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    reserve(shop.edition, {shop.banquet.pk: 2})  # the banquet's last places go to someone else
    fake_stripe.pay(session["id"])

    with commit():
        fake_stripe.deliver_outbox(duplicate=True)
        fake_stripe.replay(fake_stripe.find_events("checkout.session.completed")[0])

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert [(r["amount"], r["payment_intent"]) for r in fake_stripe.refunds] == [
        (615000, fake_stripe.sessions[session["id"]]["payment_intent"])
    ]
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.stripe_refund_id == fake_stripe.refunds[0]["id"]
    assert not confirmations()
    assert [m.to for m in mail.outbox] == [["ada@example.se"]]
    assert mail.outbox[0].subject.startswith("Din betalning för Trygg & Säker")
    assert "har återbetalats" in mail.outbox[0].subject
    # Stripe's echo of our own refund does not change the order again.
    with commit():
        assert set(fake_stripe.deliver_outbox()) == {200}
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED


def test_a_refund_that_fails_is_tried_again_without_refunding_twice(shop, fake_stripe, commit, monkeypatch):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    reserve(shop.edition, {shop.banquet.pk: 2})
    fake_stripe.pay(session["id"])
    api_base = fake_stripe.api_base
    from django.conf import settings

    monkeypatch.setattr(settings, "STRIPE_API_BASE", "http://127.0.0.1:9")  # Stripe out of reach
    with commit():
        fake_stripe.deliver_outbox()
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED  # the immediate queue ran every retry at once
    assert refund.attempts == 6

    monkeypatch.setattr(settings, "STRIPE_API_BASE", api_base)
    from tickets.tasks import submit_refund

    submit_refund.call(refund.pk)
    submit_refund.call(refund.pk)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert len(fake_stripe.refunds) == 1


def test_an_expired_checkout_ends_an_order_whose_hold_ran_out(shop, fake_stripe, commit):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))

    fake_stripe.expire_due(now=time.time() + 3600)
    fake_stripe.deliver_outbox()

    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert fake_stripe.sessions[session["id"]]["status"] == "expired"


def test_a_delayed_payment_waits_and_then_confirms_or_cancels(shop, fake_stripe, commit):
    paid, failed = ready_order(shop), ready_order(shop)
    for order, succeeded in ((paid, True), (failed, False)):
        session = checkout(order, fake_stripe)
        fake_stripe.pay(session["id"], async_payment=True)
        fake_stripe.deliver_outbox()
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING
        fake_stripe.settle_async(session["id"], succeeded=succeeded)
        with commit():
            fake_stripe.deliver_outbox()

    paid.refresh_from_db()
    failed.refresh_from_db()
    assert (paid.status, failed.status) == (Order.Status.PAID, Order.Status.CANCELED)


def test_a_refund_made_in_stripe_marks_a_paid_order_refunded(shop, fake_stripe, commit):
    import stripe

    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])
    with commit():
        fake_stripe.deliver_outbox()
    client = stripe.StripeClient(fake_stripe.secret_key, base_addresses={"api": fake_stripe.api_base})
    client.v1.refunds.create(params={"payment_intent": fake_stripe.sessions[session["id"]]["payment_intent"]})

    fake_stripe.deliver_outbox()

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED


def test_a_forged_signature_or_a_stale_timestamp_is_refused_and_changes_nothing(shop, fake_stripe, client):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])
    event = fake_stripe.outbox.pop()

    assert fake_stripe.send(event, secret="whsec_someone_else") == 400
    assert fake_stripe.send(event, timestamp=time.time() - 3600) == 400
    response = client.post("/stripe/webhook/", json.dumps(event), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid signature."}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not StripeEvent.objects.exists()


def test_malformed_bodies_with_a_valid_signature_are_400_never_500(fake_stripe):
    import stripe

    for payload in [b"not json", b"{}", json.dumps({"id": "evt_1", "type": "checkout.session.completed"}).encode()]:
        header = stripe.WebhookSignature.generate_signature_header(payload.decode(), fake_stripe.webhook_secret)
        status = fake_stripe.deliver_with(payload, {"Stripe-Signature": header})
        assert status == 400, payload


def test_unknown_event_types_are_acknowledged_and_ignored(fake_stripe):
    event = {"id": "evt_x", "object": "event", "type": "invoice.created", "data": {"object": {"id": "in_1"}}}

    assert fake_stripe.send(event) == 200
    assert not StripeEvent.objects.exists()


def test_an_event_for_an_amount_that_does_not_match_the_order_is_refused(shop, fake_stripe):
    order = ready_order(shop)
    session = checkout(order, fake_stripe)
    fake_stripe.pay(session["id"])
    Order.objects.filter(pk=order.pk).update(total=Decimal("1.00"))

    fake_stripe.deliver_outbox()

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert StripeEvent.objects.get().outcome == "refused: amount_mismatch"
