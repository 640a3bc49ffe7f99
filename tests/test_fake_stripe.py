"""The fake Stripe behaves like Stripe for the real SDK: objects, errors, idempotency, the payment page and webhooks."""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.fake_stripe import FakeStripe, FakeStripeError, parse_form

SUCCESS_URL = "https://conference.test/orders/thanks?session={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://conference.test/orders/cancelled"


@pytest.fixture
def fake():
    with FakeStripe() as running:
        yield running


@pytest.fixture
def client(fake):
    return stripe.StripeClient(fake.secret_key, base_addresses={"api": fake.api_base})


def line_item(name, unit_amount, quantity):
    price_data = {"currency": "sek", "unit_amount": unit_amount, "product_data": {"name": name}}
    return {"quantity": quantity, "price_data": price_data}


def session_params(**overrides):
    params = {
        "mode": "payment",
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        "customer_email": "ada@example.com",
        "client_reference_id": "order-7",
        "locale": "sv",
        "line_items": [line_item("Ticket", 12500, 2), line_item("Dinner", 5000, 1)],
        "metadata": {"order": "7"},
        "payment_intent_data": {"metadata": {"order": "7"}},
    }
    params.update(overrides)
    return params


class Collector:
    """Records what `deliver_with` receives and answers a fixed status."""

    def __init__(self, status=200):
        self.status = status
        self.received = []

    def __call__(self, payload, headers):
        self.received.append((payload, headers))
        return self.status

    def types(self):
        return [json.loads(payload)["type"] for payload, _ in self.received]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def open_page(url, *, method="GET"):
    """Fetch the hosted page without following redirects; returns (status, headers, body)."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


def test_the_form_encoding_of_the_sdk_parses_back_into_nested_values():
    encoded = (
        "line_items[0][price_data][product_data][name]=Ticket&line_items[0][quantity]=2&metadata[order]=7&expand[0]=x"
    )
    assert parse_form(encoded) == {
        "line_items": [{"price_data": {"product_data": {"name": "Ticket"}}, "quantity": "2"}],
        "metadata": {"order": "7"},
        "expand": ["x"],
    }


def test_a_session_is_created_and_retrieved_with_stripe_shaped_objects(fake, client):
    session = client.v1.checkout.sessions.create(params=session_params(), options={"idempotency_key": "order-7"})

    assert isinstance(session, stripe.checkout.Session)
    assert session.id.startswith("cs_test_")
    assert session.url == f"{fake.api_base}/pay/{session.id}"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert session.amount_total == session.amount_subtotal == 2 * 12500 + 5000
    assert session.currency == "sek"
    assert session.metadata.to_dict() == {"order": "7"}
    assert (session.customer_email, session.client_reference_id, session.locale) == ("ada@example.com", "order-7", "sv")
    assert time.time() + 23 * 3600 < session.expires_at <= time.time() + 24 * 3600

    again = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})
    assert again.id == session.id
    assert [(item.description, item.quantity, item.amount_total) for item in again.line_items.data] == [
        ("Ticket", 2, 25000),
        ("Dinner", 1, 5000),
    ]
    sent = fake.requests[0]
    assert (sent.method, sent.path, sent.idempotency_key) == ("POST", "/v1/checkout/sessions", "order-7")
    assert sent.params["metadata"] == {"order": "7"}


def test_the_same_idempotency_key_replays_and_a_different_body_is_refused(fake, client):
    first = client.v1.checkout.sessions.create(params=session_params(), options={"idempotency_key": "k"})
    second = client.v1.checkout.sessions.create(params=session_params(), options={"idempotency_key": "k"})
    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(fake.sessions) == 1

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.checkout.sessions.create(
            params=session_params(metadata={"order": "8"}), options={"idempotency_key": "k"}
        )
    with pytest.raises(stripe.IdempotencyError, match="same endpoint"):
        client.v1.checkout.sessions.expire(first.id, options={"idempotency_key": "k"})
    assert len(fake.sessions) == 1


def test_missing_and_unknown_parameters_are_refused_as_stripe_does(client):
    with pytest.raises(stripe.InvalidRequestError, match="Missing required param: mode") as missing:
        client.v1.checkout.sessions.create(params=session_params(mode=None))
    assert missing.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError, match="success_url"):
        client.v1.checkout.sessions.create(params=session_params(success_url=None))
    with pytest.raises(stripe.InvalidRequestError, match="line_items"):
        client.v1.checkout.sessions.create(params=session_params(line_items=None))
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: metdata") as unknown:
        client.v1.checkout.sessions.create(params={**session_params(), "metdata": {"order": "7"}})
    assert unknown.value.code == "parameter_unknown"
    with pytest.raises(stripe.InvalidRequestError, match=r"line_items\[0\]\[price_data\]\[currency\]"):
        line = line_item("Ticket", 100, 1)
        del line["price_data"]["currency"]
        client.v1.checkout.sessions.create(params=session_params(line_items=[line]))
    with pytest.raises(stripe.InvalidRequestError, match=r"No such checkout\.session") as not_found:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert not_found.value.http_status == 404


@pytest.mark.parametrize("lifetime", [29 * 60, 24 * 3600 + 120])
def test_expires_at_must_be_between_30_minutes_and_24_hours_away(client, lifetime):
    with pytest.raises(stripe.InvalidRequestError, match="expires_at") as error:
        client.v1.checkout.sessions.create(params=session_params(expires_at=int(time.time()) + lifetime))
    assert error.value.param == "expires_at"


def test_expires_at_within_the_window_is_kept(client):
    expires_at = int(time.time()) + 31 * 60
    assert client.v1.checkout.sessions.create(params=session_params(expires_at=expires_at)).expires_at == expires_at


def test_a_request_without_the_secret_key_is_unauthorised(fake):
    wrong = stripe.StripeClient("sk_test_other", base_addresses={"api": fake.api_base})
    with pytest.raises(stripe.AuthenticationError):
        wrong.v1.checkout.sessions.retrieve("cs_test_x")
    status, _, body = open_page(f"{fake.api_base}/v1/checkout/sessions/cs_test_x")
    assert status == 401
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_the_hosted_page_pays_and_redirects_to_the_success_url(fake, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    status, _, page = open_page(session.url)
    assert status == 200
    assert '<html lang="sv">' in page
    assert "<h1>" in page
    assert "300.00 SEK" in page
    assert '<button type="submit">Pay</button>' in page
    assert f'<a href="{CANCEL_URL}">Cancel</a>' in page

    status, headers, _ = open_page(session.url, method="POST")
    assert status == 303
    assert headers["Location"] == SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id)

    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert paid.payment_intent.id.startswith("pi_test_")
    assert paid.payment_intent.amount_received == 30000
    assert fake.find_events("checkout.session.completed")[0]["data"]["object"]["id"] == session.id

    assert open_page(session.url, method="POST")[0] == 400
    assert open_page(f"{fake.api_base}/pay/cs_test_nope")[0] == 404


def test_webhooks_are_signed_like_stripe_and_a_stale_signature_is_rejected(fake, client):
    fake.deliver_with = collector = Collector()
    session = client.v1.checkout.sessions.create(params=session_params())
    fake.pay(session.id)

    payload, headers = collector.received[0]
    assert headers["Content-Type"].startswith("application/json")
    event = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], fake.webhook_secret)
    assert isinstance(event, stripe.Event)
    assert event.type == "checkout.session.completed"
    assert event.data.object.id == session.id
    assert event.data.object.metadata["order"] == "7"
    assert event.id.startswith("evt_") and event.livemode is False

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], "whsec_other")
    fake.send(fake.events[0], timestamp=time.time() - 3600)
    stale_payload, stale_headers = collector.received[-1]
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(stale_payload, stale_headers["Stripe-Signature"], fake.webhook_secret)


class _Receiver(BaseHTTPRequestHandler):
    status = 200
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["Stripe-Signature"]))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def receiver():
    """A tiny webhook endpoint on a free port that answers `status` and keeps what it got."""
    handler = type("Receiver", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook/"
    server.shutdown()
    server.server_close()


def test_immediate_delivery_over_http_happens_before_the_api_answers(fake, client, receiver):
    handler, fake.webhook_url = receiver
    session = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(session.id)

    # The expire call has returned, so its event has already arrived.
    [(body, signature)] = handler.received
    event = stripe.Webhook.construct_event(body, signature, fake.webhook_secret)
    assert (event.type, event.data.object.status) == ("checkout.session.expired", "expired")
    assert event.request.idempotency_key == fake.requests[-1].idempotency_key
    with pytest.raises(stripe.InvalidRequestError, match="status"):
        client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(FakeStripeError):
        fake.pay(session.id)

    handler.status = 500
    assert fake.replay(fake.events[0]) == 500
    assert [delivery.status for delivery in fake.failed_deliveries] == [500]


def test_manual_delivery_can_duplicate_and_reverse_the_queue(fake, client):
    fake.deliver = "manual"
    fake.deliver_with = collector = Collector()
    first = client.v1.checkout.sessions.create(params=session_params())
    second = client.v1.checkout.sessions.create(params=session_params())
    fake.pay(first.id)
    fake.pay(second.id)
    assert collector.received == []
    assert len(fake.outbox) == 2

    assert fake.deliver_outbox(duplicate=True, reverse=True) == [200, 200, 200, 200]
    ids = [json.loads(payload)["data"]["object"]["id"] for payload, _ in collector.received]
    assert ids == [second.id, first.id, second.id, first.id]
    assert fake.outbox == []
    assert fake.deliver_outbox() == []


def test_a_shuffled_delivery_order_repeats_with_its_seed(fake, client):
    fake.deliver = "manual"
    fake.deliver_with = collector = Collector()
    sessions = [client.v1.checkout.sessions.create(params=session_params()).id for _ in range(5)]
    for session_id in sessions:
        fake.pay(session_id)
    queued = list(fake.outbox)
    fake.deliver_outbox(shuffle_seed=3)
    fake.outbox.extend(queued)
    fake.deliver_outbox(shuffle_seed=3)
    ids = [json.loads(payload)["id"] for payload, _ in collector.received]
    assert ids[:5] == ids[5:]
    assert sorted(ids[:5]) == sorted(event["id"] for event in queued)


def test_sessions_past_their_expiry_expire_on_their_own(fake, client):
    session = client.v1.checkout.sessions.create(params=session_params(expires_at=int(time.time()) + 3600))
    assert fake.expire_due() == []
    assert fake.expire_due(now=time.time() + 3601) == [session.id]
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert fake.find_events("checkout.session.expired")[0]["request"] == {"id": None, "idempotency_key": None}


def test_delayed_payments_settle_later(fake, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    assert fake.pay(session.id, async_payment=True)["payment_status"] == "unpaid"
    with pytest.raises(stripe.InvalidRequestError, match="successful charge"):
        client.v1.refunds.create(params={"payment_intent": fake.sessions[session.id]["payment_intent"]})

    assert fake.settle_async(session.id)["payment_status"] == "paid"
    assert [event["type"] for event in fake.events] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    with pytest.raises(FakeStripeError):
        fake.settle_async(session.id)


def test_refunds_take_what_is_left_and_refuse_more(fake, client):
    fake.deliver_with = collector = Collector()
    session = client.v1.checkout.sessions.create(params=session_params())
    intent = fake.pay(session.id)["payment_intent"]

    partial = client.v1.refunds.create(
        params={"payment_intent": intent, "amount": 10000, "metadata": {"order": "7"}},
        options={"idempotency_key": "refund-7-1"},
    )
    assert isinstance(partial, stripe.Refund)
    assert (partial.amount, partial.currency, partial.status) == (10000, "sek", "succeeded")
    assert partial.payment_intent == intent
    assert partial.metadata["order"] == "7"
    assert client.v1.refunds.retrieve(partial.id).amount == 10000

    rest = client.v1.refunds.create(params={"payment_intent": intent})
    assert rest.amount == 20000

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": 1})
    assert refused.value.code == "charge_already_refunded"
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent"):
        client.v1.refunds.create(params={"payment_intent": "pi_test_nope"})

    charges = [event["data"]["object"] for event in fake.find_events("charge.refunded")]
    assert [(charge["amount_refunded"], charge["refunded"]) for charge in charges] == [(10000, False), (30000, True)]
    assert charges[0]["object"] == "charge" and charges[0]["payment_intent"] == intent
    assert charges[0]["metadata"] == {"order": "7"}  # from payment_intent_data, as at Stripe
    assert collector.types() == [
        "checkout.session.completed",
        *["charge.refunded", "refund.created"] * 2,
    ]
    assert [refund["amount"] for refund in fake.refunds] == [10000, 20000]


def test_a_refund_larger_than_what_is_left_is_refused(fake, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    intent = fake.pay(session.id)["payment_intent"]
    client.v1.refunds.create(params={"payment_intent": intent, "amount": 25000})
    with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded amount") as refused:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": 6000})
    assert refused.value.param == "amount"
    assert len(fake.refunds) == 1


def test_stopping_frees_the_port():
    with FakeStripe() as fake:
        base = fake.api_base
    with pytest.raises(urllib.error.URLError):
        open_page(f"{base}/pay/cs_test_x")
