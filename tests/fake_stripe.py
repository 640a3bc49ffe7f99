"""A local imitation of the parts of Stripe's API this project uses, served over real HTTP on 127.0.0.1 for tests.

The project talks to it with the real SDK (`stripe.StripeClient(key, base_addresses={"api": fake.api_base})`), so
request encoding, error mapping and object classes are exercised exactly as against Stripe. Where Stripe's behaviour
is known it is copied rather than simplified: unknown parameters are rejected, idempotency keys replay or refuse,
Checkout Session metadata stays on the session (a charge carries `payment_intent_data.metadata`), and webhooks are
signed with the same scheme as Stripe's.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import random
import re
import secrets
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import stripe

API_VERSION = stripe.api_version
SESSION_MIN_LIFETIME = 30 * 60
SESSION_MAX_LIFETIME = 24 * 60 * 60
# Stripe counts these currencies in whole units; every other one in hundredths.
ZERO_DECIMAL_CURRENCIES = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905
)
WEBHOOK_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


class ApiRequest(NamedTuple):
    """One API call the fake received, as the project sent it."""

    method: str
    path: str
    params: dict
    idempotency_key: str | None


class Delivery(NamedTuple):
    """One attempt to deliver an event: the site's HTTP status, or None and the error when it answered nothing."""

    event: dict
    status: int | None
    error: BaseException | None


class FakeStripeError(ValueError):
    """A test asked the fake for something Stripe would not allow, such as paying a session that is not open."""


class ApiError(Exception):
    """An error answered the way Stripe answers it: an HTTP status and an `error` object."""

    def __init__(self, status, message, *, type="invalid_request_error", code=None, param=None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message, "code": code, "param": param}}


# Parsing Stripe's form encoding


_BRACKETED = re.compile(r"\[([^\[\]]*)\]")


def parse_form(encoded: str) -> dict:
    """Turn Stripe's bracketed form encoding (`a[b][0][c]=v`) back into nested dicts and lists of strings."""
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(encoded, keep_blank_values=True):
        head, bracket, rest = key.partition("[")
        parts = [head, *_BRACKETED.findall(bracket + rest)]
        # `expand[]=x` (the SDK's list form for query strings) appends like an index would.
        node = root
        for depth, part in enumerate(parts):
            if part == "":
                part = str(len(node))
            last = depth == len(parts) - 1
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ApiError(400, f"Invalid parameter: {key} mixes a value and nested keys.", param=head)
                node = child
    return _listify(root)


def _listify(node):
    """Dicts whose keys are all indexes become lists, as the SDK encoded lists as `name[0]`, `name[1]`, …."""
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


# Checking parameters against the SDK's own declaration of the API


_REQUEST_OPTION_KEYS = frozenset(stripe.RequestOptions.__annotations__)


def _params_type(module_name, class_name):
    """The SDK's TypedDict for an endpoint's parameters, or None when this SDK version lays them out differently."""
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return None


SESSION_CREATE_PARAMS = _params_type("stripe.params.checkout._session_create_params", "SessionCreateParams")
REFUND_CREATE_PARAMS = _params_type("stripe.params._refund_create_params", "RefundCreateParams")


def _nested_params_type(annotation, module):
    """The TypedDict an annotation such as `NotRequired[List["XParams"]]` refers to, or None for plain values."""
    for name in re.findall(r"[A-Za-z_]\w*", repr(annotation)):
        candidate = getattr(module, name, None)
        is_typed_dict = isinstance(candidate, type) and hasattr(candidate, "__required_keys__")
        if is_typed_dict and candidate.__module__ == module.__name__:
            return candidate
    return None


def check_params(params: dict, params_type, prefix: str = "") -> None:
    """Reject unknown and missing nested parameters with Stripe's messages, using the SDK's TypedDicts as the schema."""
    if params_type is None:
        return
    module = sys.modules[params_type.__module__]
    annotations = params_type.__annotations__
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in annotations or key in _REQUEST_OPTION_KEYS:
            raise ApiError(400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name)
        nested = _nested_params_type(annotations[key], module)
        if nested is None:
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, dict):
                check_params(item, nested, name if index is None else f"{name}[{index}]")
    # The top level has no required keys in the SDK's types; Stripe's own rules for it live in the endpoints.
    for key in sorted(params_type.__required_keys__ - _REQUEST_OPTION_KEYS):
        if key not in params:
            name = f"{prefix}[{key}]" if prefix else key
            raise ApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)


def _require(params, name):
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)
    return params[name]


def _integer(value, param, *, minimum=None, maximum=None):
    """An integer parameter; form encoding sends every value as text."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param) from None
    if minimum is not None and number < minimum:
        raise ApiError(
            400,
            f"This value must be greater than or equal to {minimum}.",
            code="parameter_invalid_integer",
            param=param,
        )
    if maximum is not None and number > maximum:
        raise ApiError(
            400, f"This value must be less than or equal to {maximum}.", code="parameter_invalid_integer", param=param
        )
    return number


def _metadata(value, param="metadata"):
    """Metadata as Stripe accepts it: string keys up to 40 characters, string values up to 500, at most 50 keys."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "Invalid object", code="parameter_invalid_empty", param=param)
    if len(value) > 50:
        raise ApiError(400, "Metadata can have at most 50 keys.", param=param)
    for key, item in value.items():
        if len(key) > 40:
            raise ApiError(400, f"Metadata keys can have at most 40 characters: {key!r}.", param=f"{param}[{key}]")
        if not isinstance(item, str) or len(item) > 500:
            raise ApiError(400, "Metadata values must be strings of at most 500 characters.", param=f"{param}[{key}]")
    # Stripe drops keys posted with an empty value.
    return {key: item for key, item in value.items() if item != ""}


def _new_id(prefix, length=24):
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def format_amount(amount: int, currency: str) -> str:
    """An amount in the smallest unit, written for people: 25000 sek → "250.00 SEK"."""
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


class _Call(NamedTuple):
    """What an API call or test action is: the request events will name, and the events it emitted."""

    request: dict
    emitted: list


class FakeStripe:
    """A Stripe imitation on a free loopback port: Checkout Sessions, refunds, a hosted payment page and webhooks."""

    def __init__(
        self,
        *,
        secret_key: str = "sk_test_fake",  # noqa: S107 - a fake's key, valid nowhere else
        webhook_secret: str = "whsec_fake",  # noqa: S107
        webhook_url: str | None = None,
        deliver: str = "immediate",
        deliver_with: Callable[[bytes, dict], int] | None = None,
    ):
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.deliver = deliver
        self.deliver_with = deliver_with
        self.api_base: str | None = None

        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.events: list[dict] = []
        self.outbox: list[dict] = []
        self.deliveries: list[Delivery] = []
        self.failed_deliveries: list[Delivery] = []
        self.requests: list[ApiRequest] = []
        self.server_errors: list[BaseException] = []

        # One lock for all state; it is released before webhooks go out, as the site may call back into the fake.
        self._lock = threading.RLock()
        self._line_items: dict[str, list[dict]] = {}
        self._session_params: dict[str, dict] = {}
        self._idempotent: dict[str, tuple[tuple[str, str], dict, int, bytes]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> FakeStripe:
        """Serve on a free port of 127.0.0.1 in a daemon thread; `api_base` says where."""
        if self._server is not None:
            return self
        handler = type("FakeStripeHandler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self.api_base = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll keeps stop() quick: shutdown() waits for the loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-stripe", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; state stays readable for assertions."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # Test actions: what a customer or Stripe itself does

    def pay(self, session_id: str, *, async_payment: bool = False) -> dict:
        """Complete an open session as its customer would; with async_payment the money is still on its way."""
        return self._pay(session_id, async_payment=async_payment, raise_errors=True)

    def _pay(self, session_id, *, async_payment, raise_errors):
        call = self._internal_call()
        with self._lock:
            session = self._open_session(session_id)
            params = self._session_params[session_id]
            payment_intent_id = _new_id("pi_test_")
            charge_id = _new_id("ch_test_")
            now = int(time.time())
            # As at Stripe, the charge carries the payment intent's metadata, not the session's.
            intent_metadata = copy.deepcopy(params.get("payment_intent_data", {}).get("metadata", {}))
            self.payment_intents[payment_intent_id] = {
                "id": payment_intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": 0 if async_payment else session["amount_total"],
                "created": now,
                "currency": session["currency"],
                "latest_charge": charge_id,
                "livemode": False,
                "metadata": intent_metadata,
                "status": "processing" if async_payment else "succeeded",
            }
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": session["amount_total"],
                "amount_captured": 0 if async_payment else session["amount_total"],
                "amount_refunded": 0,
                "captured": not async_payment,
                "created": now,
                "currency": session["currency"],
                "livemode": False,
                "metadata": copy.deepcopy(intent_metadata),
                "paid": not async_payment,
                "payment_intent": payment_intent_id,
                "refunded": False,
                "status": "pending" if async_payment else "succeeded",
            }
            session.update(
                status="complete",
                payment_status="unpaid" if async_payment else "paid",
                payment_intent=payment_intent_id,
                customer_details={
                    "email": session["customer_email"] or "customer@example.com",
                    "name": "Test Customer",
                    "phone": None,
                    "address": None,
                    "tax_exempt": "none",
                    "tax_ids": [],
                },
                url=None,
            )
            self._emit(call, "checkout.session.completed", session)
            snapshot = copy.deepcopy(session)
        self._dispatch(call, raise_errors=raise_errors)
        return snapshot

    def settle_async(self, session_id: str, *, succeeded: bool = True) -> dict:
        """Finish a delayed payment of a completed session, emitting the async_payment_succeeded or _failed event."""
        call = self._internal_call()
        with self._lock:
            session = self._session(session_id)
            intent = self.payment_intents.get(session["payment_intent"] or "")
            if session["status"] != "complete" or intent is None or intent["status"] != "processing":
                raise FakeStripeError(f"Checkout Session {session_id} has no payment in progress.")
            charge = self.charges[intent["latest_charge"]]
            if succeeded:
                intent.update(status="succeeded", amount_received=intent["amount"])
                charge.update(status="succeeded", paid=True, captured=True, amount_captured=charge["amount"])
                session["payment_status"] = "paid"
                self._emit(call, "checkout.session.async_payment_succeeded", session)
            else:
                intent.update(status="requires_payment_method", latest_charge=charge["id"])
                charge.update(status="failed")
                self._emit(call, "checkout.session.async_payment_failed", session)
            snapshot = copy.deepcopy(session)
        self._dispatch(call, raise_errors=True)
        return snapshot

    def expire_due(self, *, now: float | None = None) -> list[str]:
        """Expire every open session whose expires_at has passed (at `now`), as Stripe does on its own."""
        now = time.time() if now is None else now
        call = self._internal_call()
        with self._lock:
            due = [s for s in self.sessions.values() if s["status"] == "open" and s["expires_at"] <= now]
            for session in due:
                self._expire(session, call)
        self._dispatch(call, raise_errors=True)
        return [session["id"] for session in due]

    def find_events(self, type: str) -> list[dict]:
        """The emitted events of one type, oldest first."""
        with self._lock:
            return [event for event in self.events if event["type"] == type]

    # Webhook delivery

    def send(self, event: dict, *, secret: str | None = None, timestamp: float | None = None) -> int | None:
        """Deliver one event signed as Stripe signs it; returns the site's HTTP status, or None if it answered nothing.

        Failures (non-2xx, no answer) are kept in `failed_deliveries`; an exception raised by `deliver_with` is kept
        there too and then raised again, so a broken test fails loudly.
        """
        payload = json.dumps(event, indent=2)
        signed_at = int(time.time() if timestamp is None else timestamp)
        signature = stripe.WebhookSignature.generate_signature_header(
            payload, self.webhook_secret if secret is None else secret, timestamp=signed_at
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": WEBHOOK_USER_AGENT,
        }
        body = payload.encode()
        if self.deliver_with is None and not self.webhook_url:
            raise FakeStripeError("Nowhere to deliver: set webhook_url or deliver_with.")
        status, error = None, None
        try:
            if self.deliver_with is not None:
                status = int(self.deliver_with(body, headers))
            else:
                status = _post(self.webhook_url, body, headers)
        except OSError as exc:
            # The site is down or hung up: Stripe would count a failed attempt.
            error = exc
        except BaseException as exc:
            self._record_delivery(Delivery(event, None, exc))
            raise
        self._record_delivery(Delivery(event, status, error))
        return status

    def deliver_outbox(
        self, *, duplicate: bool = False, reverse: bool = False, shuffle_seed: int | None = None
    ) -> list[int | None]:
        """Send the queued events and empty the queue; duplicate sends the whole batch a second time after the first."""
        with self._lock:
            batch, self.outbox = list(self.outbox), []
        if reverse:
            batch.reverse()
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(batch)  # noqa: S311 - a repeatable order, not a secret
        if duplicate:
            # A redelivery arrives after later events, the harder case for a handler.
            batch = batch + batch
        return [self.send(event) for event in batch]

    def replay(self, event: dict | str) -> int | None:
        """Send an already emitted event again, unchanged (same id), as Stripe's retries and resends do."""
        if isinstance(event, str):
            with self._lock:
                event = next(item for item in self.events if item["id"] == event)
        return self.send(event)

    # Internals: state changes (always under the lock)

    def _internal_call(self):
        # Events caused by the customer or by Stripe name no API request, as at Stripe.
        return _Call({"id": None, "idempotency_key": None}, [])

    def _session(self, session_id):
        session = self.sessions.get(session_id)
        if session is None:
            raise FakeStripeError(f"No such checkout session: {session_id!r}")
        return session

    def _open_session(self, session_id):
        session = self._session(session_id)
        if session["status"] != "open":
            raise FakeStripeError(f"Checkout Session {session_id} is {session['status']}, it can no longer be paid.")
        return session

    def _emit(self, call, type, obj):
        event = {
            "id": _new_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": dict(call.request),
            "type": type,
        }
        self.events.append(event)
        call.emitted.append(event)
        if self.deliver == "manual":
            self.outbox.append(event)
        return event

    def _dispatch(self, call, *, raise_errors):
        """Deliver what a call emitted, outside the lock; with nowhere to deliver to, events are only recorded.

        In the server's own thread an exception from `deliver_with` cannot reach the test, so it is only recorded.
        """
        if self.deliver != "immediate" or (self.deliver_with is None and not self.webhook_url):
            return
        for event in call.emitted:
            try:
                self.send(event)
            except Exception:
                if raise_errors:
                    raise

    def _record_delivery(self, delivery):
        with self._lock:
            self.deliveries.append(delivery)
            if delivery.status is None or not 200 <= delivery.status < 300:
                self.failed_deliveries.append(delivery)

    def _expire(self, session, call):
        session.update(status="expired", url=None)
        self._emit(call, "checkout.session.expired", session)

    @staticmethod
    def _expand(params):
        """The fields to expand; the fake can expand a session's line_items and payment_intent."""
        expand = params.get("expand", [])
        if not isinstance(expand, list):
            raise ApiError(400, "Invalid array", param="expand")
        for field in expand:
            if field not in ("line_items", "payment_intent"):
                raise ApiError(400, f"This property cannot be expanded ({field}).", param="expand")
        return expand

    def _render_session(self, session, expand):
        rendered = copy.deepcopy(session)
        if "line_items" in expand:
            rendered["line_items"] = self._line_items_list(session["id"])
        if "payment_intent" in expand and session["payment_intent"]:
            rendered["payment_intent"] = copy.deepcopy(self.payment_intents[session["payment_intent"]])
        return rendered

    def _line_items_list(self, session_id):
        return {
            "object": "list",
            "data": copy.deepcopy(self._line_items[session_id]),
            "has_more": False,
            "url": f"/v1/checkout/sessions/{session_id}/line_items",
        }

    # Internals: the API endpoints

    def _create_session(self, params, call):
        check_params(params, SESSION_CREATE_PARAMS)
        expand = self._expand(params)
        mode = _require(params, "mode")
        if mode not in ("payment", "setup", "subscription"):
            raise ApiError(400, "Invalid mode: must be one of payment, setup, or subscription", param="mode")
        if mode != "payment":
            raise ApiError(400, f"This fake implements only mode=payment, not {mode}.", param="mode")
        ui_mode = params.get("ui_mode", "hosted")
        if ui_mode != "hosted":
            raise ApiError(400, f"This fake implements only ui_mode=hosted, not {ui_mode}.", param="ui_mode")
        success_url = _require(params, "success_url")
        raw_items = _require(params, "line_items")
        if not isinstance(raw_items, list):
            raise ApiError(400, "Invalid array", param="line_items")
        now = int(time.time())
        currency = params.get("currency", "").lower() or None
        items = []
        for index, raw in enumerate(raw_items):
            name = f"line_items[{index}]"
            if not isinstance(raw, dict):
                raise ApiError(400, "Invalid object", param=name)
            if "price" in raw:
                # The project sends prices inline; a Price id would need a catalogue the fake does not keep.
                raise ApiError(400, f"No such price: '{raw['price']}'", code="resource_missing", param=f"{name}[price]")
            price_data = raw.get("price_data")
            if not isinstance(price_data, dict):
                raise ApiError(
                    400, f"You must specify either `price` or `price_data` in {name}.", param=f"{name}[price_data]"
                )
            if "unit_amount" not in price_data:
                raise ApiError(
                    400,
                    f"Missing required param: {name}[price_data][unit_amount].",
                    code="parameter_missing",
                    param=f"{name}[price_data][unit_amount]",
                )
            unit_amount = _integer(price_data["unit_amount"], f"{name}[price_data][unit_amount]", minimum=0)
            if "quantity" not in raw:
                raise ApiError(
                    400,
                    f"Missing required param: {name}[quantity].",
                    code="parameter_missing",
                    param=f"{name}[quantity]",
                )
            quantity = _integer(raw["quantity"], f"{name}[quantity]", minimum=1)
            item_currency = price_data["currency"].lower()
            if currency is None:
                currency = item_currency
            elif item_currency != currency:
                raise ApiError(
                    400,
                    "All line items must use the same currency as the Checkout Session.",
                    param=f"{name}[price_data][currency]",
                )
            if "product" in price_data:
                raise ApiError(
                    400,
                    f"No such product: '{price_data['product']}'",
                    code="resource_missing",
                    param=f"{name}[price_data][product]",
                )
            product_name = _require(price_data.get("product_data") or {}, "name")
            items.append(
                {
                    "id": _new_id("li_"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": unit_amount * quantity,
                    "amount_tax": 0,
                    "amount_total": unit_amount * quantity,
                    "currency": item_currency,
                    "description": product_name,
                    "metadata": _metadata(raw.get("metadata"), f"{name}[metadata]"),
                    "price": {
                        "id": _new_id("price_"),
                        "object": "price",
                        "active": False,
                        "created": now,
                        "currency": item_currency,
                        "livemode": False,
                        "metadata": {},
                        "product": _new_id("prod_"),
                        "type": "one_time",
                        "unit_amount": unit_amount,
                    },
                    "quantity": quantity,
                }
            )
        if "expires_at" in params:
            expires_at = _integer(params["expires_at"], "expires_at")
            if expires_at < now + SESSION_MIN_LIFETIME:
                raise ApiError(
                    400,
                    "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                    param="expires_at",
                )
            if expires_at > now + SESSION_MAX_LIFETIME:
                raise ApiError(
                    400,
                    "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                    param="expires_at",
                )
        else:
            expires_at = now + SESSION_MAX_LIFETIME
        customer_email = params.get("customer_email") or None
        if customer_email is not None and "@" not in customer_email:
            raise ApiError(400, f"Invalid email address: {customer_email}", param="customer_email")
        metadata = _metadata(params.get("metadata"))
        payment_intent_data = params.get("payment_intent_data") or {}
        if isinstance(payment_intent_data, dict) and "metadata" in payment_intent_data:
            payment_intent_data["metadata"] = _metadata(
                payment_intent_data["metadata"], "payment_intent_data[metadata]"
            )
        amount = sum(item["amount_total"] for item in items)
        session_id = _new_id("cs_test_", 58)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url") or None,
            "client_reference_id": params.get("client_reference_id") or None,
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": customer_email,
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale") or None,
            "metadata": metadata,
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": success_url,
            "ui_mode": "hosted",
            "url": f"{self.api_base}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        self._line_items[session_id] = items
        self._session_params[session_id] = {"payment_intent_data": payment_intent_data}
        return 200, self._render_session(session, expand)

    def _retrieve_session(self, params, call, session_id):
        expand = self._expand(params)
        return 200, self._render_session(self._api_session(session_id), expand)

    def _list_line_items(self, params, call, session_id):
        self._api_session(session_id)
        return 200, self._line_items_list(session_id)

    def _expire_session(self, params, call, session_id):
        expand = self._expand(params)
        session = self._api_session(session_id)
        if session["status"] != "open":
            raise ApiError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has '
                f'a status of "{session["status"]}".',
                param="session",
            )
        self._expire(session, call)
        return 200, self._render_session(session, expand)

    def _api_session(self, session_id):
        session = self.sessions.get(session_id)
        if session is None:
            raise ApiError(404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session")
        return session

    def _create_refund(self, params, call):
        check_params(params, REFUND_CREATE_PARAMS)
        if params.get("payment_intent"):
            intent = self.payment_intents.get(params["payment_intent"])
            if intent is None:
                raise ApiError(
                    400,
                    f"No such payment_intent: '{params['payment_intent']}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            charge = self.charges[intent["latest_charge"]]
        elif params.get("charge"):
            charge = self.charges.get(params["charge"])
            if charge is None:
                raise ApiError(400, f"No such charge: '{params['charge']}'", code="resource_missing", param="charge")
        else:
            raise ApiError(
                400,
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
                param="payment_intent",
            )
        if charge["status"] != "succeeded":
            raise ApiError(
                400,
                f"This PaymentIntent ({charge['payment_intent']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining == 0:
            raise ApiError(400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = _integer(params["amount"], "amount", minimum=1) if "amount" in params else remaining
        if amount > remaining:
            raise ApiError(
                400,
                f"Refund amount ({format_amount(amount, charge['currency'])}) is greater than unrefunded amount on "
                f"charge ({format_amount(remaining, charge['currency'])})",
                param="amount",
            )
        if params.get("currency") and params["currency"].lower() != charge["currency"]:
            raise ApiError(400, "The refund currency must match the charge's currency.", param="currency")
        reason = params.get("reason") or None
        if reason not in (None, "duplicate", "fraudulent", "requested_by_customer"):
            raise ApiError(
                400,
                f"Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer ({reason})",
                param="reason",
            )
        refund = {
            "id": _new_id("re_test_"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": _metadata(params.get("metadata")),
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        self.refunds.append(refund)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._emit(call, "charge.refunded", charge)
        self._emit(call, "refund.created", refund)
        return 200, copy.deepcopy(refund)

    def _retrieve_refund(self, params, call, refund_id):
        for refund in self.refunds:
            if refund["id"] == refund_id:
                return 200, copy.deepcopy(refund)
        raise ApiError(404, f"No such refund: '{refund_id}'", code="resource_missing", param="id")

    _ROUTES = (
        ("POST", re.compile(r"/v1/checkout/sessions"), "_create_session"),
        ("GET", re.compile(r"/v1/checkout/sessions/([^/]+)"), "_retrieve_session"),
        ("GET", re.compile(r"/v1/checkout/sessions/([^/]+)/line_items"), "_list_line_items"),
        ("POST", re.compile(r"/v1/checkout/sessions/([^/]+)/expire"), "_expire_session"),
        ("POST", re.compile(r"/v1/refunds"), "_create_refund"),
        ("GET", re.compile(r"/v1/refunds/([^/]+)"), "_retrieve_refund"),
    )

    def handle_api(self, method, path, encoded_params, headers):
        """Answer one API request: (status, JSON body bytes, extra headers). Webhooks go out before it returns."""
        try:
            params = parse_form(encoded_params)
        except ApiError as error:
            return error.status, _json(error.body), {}
        key = headers.get("Idempotency-Key") if method == "POST" else None
        with self._lock:
            self.requests.append(ApiRequest(method, path, params, key))
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return 401, _json(_auth_error(headers.get("Authorization"))), {}
        routed = [
            (name, match)
            for route_method, pattern, name in self._ROUTES
            if route_method == method and (match := pattern.fullmatch(path))
        ]
        if not routed:
            message = f"Unrecognized request URL ({method}: {path})."
            return 404, _json(ApiError(404, message).body), {}
        name, match = routed[0]
        call = _Call({"id": _new_id("req_", 14), "idempotency_key": key}, [])
        endpoint = (method, path)
        with self._lock:
            if key is not None and key in self._idempotent:
                first_endpoint, first_params, status, body = self._idempotent[key]
                if first_endpoint != endpoint:
                    message = (
                        "Keys for idempotent requests can only be used for the same endpoint they were first used "
                        f"for ('{' '.join(first_endpoint)}' vs '{' '.join(endpoint)}'). Try using a key other than "
                        f"'{key}' if you meant to execute a different request."
                    )
                    return 400, _json(ApiError(400, message, type="idempotency_error").body), {}
                if first_params != params:
                    message = (
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with. Try using a key other than '{key}' if you meant to execute a different request."
                    )
                    return 400, _json(ApiError(400, message, type="idempotency_error").body), {}
                return status, body, {"Idempotent-Replayed": "true"}
            try:
                # The endpoint gets a copy, so what `requests` and the idempotency store hold is what was sent.
                status, result = getattr(self, name)(copy.deepcopy(params), call, *match.groups())
            except ApiError as error:
                # Stripe keeps no idempotent result for requests that failed validation; they may be retried.
                return error.status, _json(error.body), {"Request-Id": call.request["id"]}
            body = _json(result)
            if key is not None:
                self._idempotent[key] = (endpoint, copy.deepcopy(params), status, body)
        self._dispatch(call, raise_errors=False)
        return status, body, {"Request-Id": call.request["id"]}

    # Internals: the hosted payment page

    def payment_page(self, session_id):
        """The hosted page for a session: (status, HTML)."""
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None:
                return 404, _page("en", "Not found", "<p>There is no such payment.</p>")
            if session["status"] != "open":
                return 400, _page("en", "Payment unavailable", f"<p>This payment is {session['status']}.</p>")
            items = copy.deepcopy(self._line_items[session_id])
            session = copy.deepcopy(session)
        lang = session["locale"] if session["locale"] not in (None, "auto") else "en"
        rows = "".join(
            f"<li>{item['quantity']} × {html.escape(item['description'])}: "
            f"{format_amount(item['amount_total'], item['currency'])}</li>"
            for item in items
        )
        cancel = f'<p><a href="{html.escape(session["cancel_url"])}">Cancel</a></p>' if session["cancel_url"] else ""
        body = (
            f"<ul>{rows}</ul>"
            f"<p>Total: <strong>{format_amount(session['amount_total'], session['currency'])}</strong></p>"
            f'<form method="post" action="/pay/{html.escape(session_id)}">'
            '<button type="submit">Pay</button></form>'
            f"{cancel}"
        )
        return 200, _page(lang, "Pay", body)

    def pay_from_page(self, session_id):
        """The customer pressed Pay: (status, HTML, redirect location or None)."""
        try:
            session = self._pay(session_id, async_payment=False, raise_errors=False)
        except FakeStripeError as error:
            status = 404 if session_id not in self.sessions else 400
            return status, _page("en", "Payment failed", f"<p>{html.escape(str(error))}</p>"), None
        return 303, b"", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


def _json(data):
    return json.dumps(data, indent=2).encode()


def _auth_error(authorization):
    if not authorization:
        message = (
            "You did not provide an API key. You need to provide your API key in the Authorization header, "
            "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
        )
    else:
        shown = authorization.removeprefix("Bearer ")
        message = f"Invalid API Key provided: {shown[:8]}{'*' * max(len(shown) - 12, 0)}{shown[-4:]}"
    return ApiError(401, message).body


def _page(lang, title, body):
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – Fake Stripe</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def _post(url, body, headers):
    """POST a webhook and return the status, whatever it is; proxies are bypassed as the site is local."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer is not the test's business; nothing goes to stderr.
        pass


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    server_version = "FakeStripe/1.0"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        try:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if url.path.startswith("/v1/"):
                encoded = body if method == "POST" else url.query
                status, payload, extra = self.fake.handle_api(method, url.path, encoded, self.headers)
                self._answer(status, payload, "application/json", extra)
            elif url.path.startswith("/pay/") and method in ("GET", "POST"):
                session_id = url.path.removeprefix("/pay/")
                if method == "GET":
                    status, page = self.fake.payment_page(session_id)
                    self._answer(status, page, "text/html; charset=utf-8")
                else:
                    status, page, location = self.fake.pay_from_page(session_id)
                    self._answer(status, page, "text/html; charset=utf-8", {"Location": location} if location else {})
            else:
                self._answer(404, _json(ApiError(404, f"Unrecognized request URL ({method}: {url.path}).").body))
        except Exception as exc:
            # Kept for the test to see; Stripe answers an api_error for its own failures.
            self.fake.server_errors.append(exc)
            self._answer(500, _json(ApiError(500, f"Fake Stripe failed: {exc!r}", type="api_error").body))

    def _answer(self, status, body, content_type="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Stripe-Version", API_VERSION)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
