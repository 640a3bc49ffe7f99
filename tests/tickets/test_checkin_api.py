"""The check-in API (tickets.api): every verdict over HTTP, who may call it (device tokens for their own edition only,
door staff by session with CSRF), nonces, the offline data, the OpenAPI schema, and input that must never give
a 5xx."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from home import ratelimit
from tests.factories import EditionFactory, checkin_doors, confirmed_order
from tickets.models import Checkin, CheckinList, Order, ScannerDevice
from tickets.services.checkin import secret_hash

pytestmark = pytest.mark.django_db

REDEEM = "/api/checkin/redeem"
ANSWER_KEYS = {"status", "attendee", "checked_in_at", "checked_in_by", "list"}
CSRF_SECRET = "k" * 32  # a CSRF cookie value of the form Django accepts (32 letters or digits)
WITH_CSRF = {"X-CSRFToken": CSRF_SECRET}


# --- Data ---------------------------------------------------------------------------------------------------------


def ticket(order, kind):
    return order.tickets.get(ticket_type__kind=kind)


@pytest.fixture
def doors():
    return checkin_doors(EditionFactory())


@pytest.fixture
def scanner(doors):
    """A scanner device of the doors' edition and a client that sends its token."""
    shop, *_ = doors
    device, token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    return device, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def other_edition():
    """Another edition's doors and a paid order there."""
    shop, day_one, banquet = checkin_doors(EditionFactory())
    return shop, day_one, banquet, confirmed_order(shop)


def make_user(django_user_model, username, *, group=None, permission=None, **extra):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw", **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    if permission:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def staff_client(user):
    """A logged-in browser that enforces CSRF as a real one does, with the CSRF cookie set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def redeem_over_http(client, secret, checkin_list, *, headers=None, **fields):
    body = {"secret": secret, "list": str(checkin_list.pk), **fields}
    return client.post(REDEEM, body, content_type="application/json", headers=headers)


def post_json(client, body, path=REDEEM):
    return client.post(path, body, content_type="application/json")


# --- Verdicts -----------------------------------------------------------------------------------------------------


def test_every_verdict_through_the_api_is_the_services_answer_as_is(doors, scanner):
    shop, day_one, banquet = doors
    _device, client = scanner
    paid = confirmed_order(shop)
    pending = confirmed_order(shop, status=Order.Status.PENDING)
    cancelled = confirmed_order(shop, status=Order.Status.CANCELED)

    cases = [
        (ticket(paid, "conference").secret, day_one, "ok"),
        (ticket(paid, "conference").secret, day_one, "already_checked_in"),
        (ticket(paid, "conference").secret, banquet, "wrong_list"),
        (ticket(pending, "conference").secret, day_one, "unpaid"),
        (ticket(cancelled, "conference").secret, day_one, "canceled"),
        ("no-such-ticket", day_one, "unknown"),
    ]
    answers = []
    for secret, checkin_list, expected in cases:
        response = redeem_over_http(client, secret, checkin_list)
        assert response.status_code == 200, response.content
        assert "no-store" in response["Cache-Control"]
        answer = response.json()
        assert answer["status"] == expected
        assert set(answer) == ANSWER_KEYS
        assert answer == Checkin.objects.order_by("-pk").first().answer  # the service's dict, unchanged
        answers.append(answer)

    ok, again, wrong, unpaid, _cancelled, unknown = answers
    assert ok["attendee"] == {
        "name": "Åsa Öberg",
        "organisation": "Exempelstads kommun",
        "ticket_type": "Konferenspass",
        "order": paid.code,
    }
    assert ok["checked_in_at"] and ok["list"] == str(day_one.pk)
    assert (again["checked_in_at"], again["checked_in_by"]) == (ok["checked_in_at"], "Dörr A")
    assert wrong["checked_in_at"] is None and unpaid["attendee"]["name"] == "Åsa Öberg"
    assert unknown["attendee"] is None
    assert Checkin.objects.filter(device=scanner[0]).count() == len(cases)


def test_the_banquet_door_sees_the_dietary_needs(doors, scanner):
    shop, _, banquet = doors

    answer = redeem_over_http(scanner[1], ticket(confirmed_order(shop), "banquet").secret, banquet).json()

    assert (answer["status"], answer["attendee"]["dietary_needs"]) == ("ok", "Vegan")


def test_the_same_nonce_returns_the_first_answer_and_changes_nothing(doors, scanner):
    shop, day_one, _ = doors
    _device, client = scanner
    secret = ticket(confirmed_order(shop), "conference").secret

    first = redeem_over_http(client, secret, day_one, nonce="scan-1")
    replay = redeem_over_http(client, secret, day_one, nonce="scan-1")
    other = redeem_over_http(client, secret, day_one, nonce="scan-2")

    assert first.json()["status"] == "ok"
    assert replay.json() == first.json()
    assert other.json()["status"] == "already_checked_in"
    assert Checkin.objects.count() == 2


def test_an_offline_scan_uploaded_late_keeps_its_scan_time(doors, scanner):
    shop, day_one, _ = doors
    secret = ticket(confirmed_order(shop), "conference").secret
    scanned = (timezone.now() - dt.timedelta(minutes=30)).replace(microsecond=0)

    answer = redeem_over_http(scanner[1], secret, day_one, nonce="offline-1", scanned_at=scanned.isoformat()).json()

    assert answer["status"] == "ok"
    assert dt.datetime.fromisoformat(answer["checked_in_at"]) == scanned
    assert Checkin.objects.get().scanned_at == scanned


def test_a_scan_time_without_offset_is_in_the_sites_time_zone(doors, scanner):
    shop, day_one, _ = doors
    secret = ticket(confirmed_order(shop), "conference").secret
    local = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0, tzinfo=None)

    response = redeem_over_http(scanner[1], secret, day_one, scanned_at=local.isoformat())

    assert response.status_code == 200
    assert Checkin.objects.get().scanned_at == timezone.make_aware(local)


# --- Who may call it ----------------------------------------------------------------------------------------------


def endpoints(checkin_list, ticket_id=1):
    """(method, path, JSON body) of every endpoint, for `checkin_list`."""
    return [
        ("post", REDEEM, {"secret": "x", "list": str(checkin_list.pk)}),
        ("get", "/api/checkin/lists", None),
        ("get", f"/api/checkin/lists/{checkin_list.pk}/status", None),
        ("get", f"/api/checkin/lists/{checkin_list.pk}/search?q=Öberg", None),
        ("get", f"/api/checkin/lists/{checkin_list.pk}/offline", None),
        ("post", f"/api/checkin/lists/{checkin_list.pk}/checkin/{ticket_id}", None),
    ]


def call(client, method, path, body, **extra):
    if method == "post":
        return client.post(path, json.dumps(body) if body is not None else "", content_type="application/json", **extra)
    return client.get(path, **extra)


def test_without_credentials_or_with_a_revoked_or_unknown_token_every_endpoint_is_401(doors, scanner):
    shop, day_one, _ = doors
    device, client = scanner
    device.revoked_at = timezone.now()
    device.save()
    secret = ticket(confirmed_order(shop), "conference").secret

    clients = {
        "anonymous": Client(enforce_csrf_checks=True),
        "revoked": client,
        "unknown": Client(HTTP_AUTHORIZATION="Bearer not-a-token"),
        "basic": Client(HTTP_AUTHORIZATION="Basic dXNlcjpwdw=="),
    }
    for name, caller in clients.items():
        for method, path, body in endpoints(day_one):
            body = body and {**body, "secret": secret}
            response = call(caller, method, path, body)
            assert response.status_code == 401, (name, path, response.content)
            assert response.json()["detail"]
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert "no-store" in response["Cache-Control"]
    assert not Checkin.objects.exists()


def test_a_logged_in_editor_without_the_rights_gets_403(doors, django_user_model):
    _shop, day_one, _ = doors
    editor = make_user(django_user_model, "redaktor", group="Redaktörer", is_staff=True)
    client = staff_client(editor)

    for method, path, body in endpoints(day_one):
        response = call(client, method, path, body, headers=WITH_CSRF)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["detail"]
    assert not Checkin.objects.exists()


def test_a_device_gets_404_for_another_editions_lists_on_every_endpoint(doors, scanner, other_edition):
    shop, day_one, banquet = doors
    _device, client = scanner
    _other_shop, other_day_one, _other_banquet, other_order = other_edition
    other_ticket = ticket(other_order, "conference")
    missing = CheckinList(pk=other_day_one.pk + banquet.pk + 1000)

    for (method, path, body), (_, missing_path, missing_body) in zip(
        endpoints(other_day_one, other_ticket.pk), endpoints(missing, other_ticket.pk), strict=True
    ):
        if path == "/api/checkin/lists":
            continue
        if body:
            body["secret"] = other_ticket.secret
        response = call(client, method, path, body)
        not_there = call(client, method, missing_path, missing_body)
        assert response.status_code == 404, (path, response.content)
        assert response.json() == not_there.json()  # no hint that the list exists

    listed = client.get("/api/checkin/lists").json()
    assert {row["id"] for row in listed} == {day_one.pk, banquet.pk}
    assert {row["edition"]["id"] for row in listed} == {shop.edition.pk}
    assert not Checkin.objects.exists()


def test_the_lists_endpoint_describes_each_list(doors, scanner):
    shop, day_one, _ = doors
    day_one.opens_at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    day_one.save()

    rows = {row["name"]: row for row in scanner[1].get("/api/checkin/lists").json()}

    assert set(rows) == {"Konferens dag 1", "Bankett"}
    row = rows["Konferens dag 1"]
    assert row["id"] == day_one.pk
    assert row["edition"] == {"id": shop.edition.pk, "name": shop.edition.name, "year": shop.edition.year}
    assert {t["id"] for t in row["ticket_types"]} == {shop.conference_pass.pk, shop.day_one.pk}
    assert row["allow_reentry"] is False
    assert dt.datetime.fromisoformat(row["opens_at"]) == day_one.opens_at
    assert row["closes_at"] is None
    assert rows["Bankett"]["ticket_types"] == [{"id": shop.banquet.pk, "name": "Bankett"}]


def test_door_staff_redeem_by_session_with_the_csrf_token_and_not_without(doors, other_edition, django_user_model):
    shop, day_one, _ = doors
    other_day_one, other_order = other_edition[1], other_edition[3]
    door = make_user(django_user_model, "entre", group="Entrépersonal")
    client = staff_client(door)
    secret = ticket(confirmed_order(shop), "conference").secret

    refused = redeem_over_http(client, secret, day_one)
    assert refused.status_code == 403
    assert not Checkin.objects.exists()

    admitted = redeem_over_http(client, secret, day_one, headers=WITH_CSRF)
    assert admitted.status_code == 200
    assert admitted.json()["status"] == "ok"
    assert Checkin.objects.get().user == door

    # Staff may use every edition's lists.
    elsewhere = redeem_over_http(client, ticket(other_order, "conference").secret, other_day_one, headers=WITH_CSRF)
    assert elsewhere.json()["status"] == "ok"
    assert {row["id"] for row in client.get("/api/checkin/lists").json()} == set(
        CheckinList.objects.values_list("pk", flat=True)
    )
    again = redeem_over_http(client, secret, day_one, headers=WITH_CSRF).json()
    assert (again["status"], again["checked_in_by"]) == ("already_checked_in", "entre")


@pytest.mark.parametrize(
    "rights",
    [
        {"group": "Arrangörer"},
        {"is_superuser": True},
        {"permission": "tickets.add_checkin"},
    ],
    ids=["organiser", "superuser", "permission"],
)
def test_organisers_superusers_and_the_permission_may_check_in(doors, django_user_model, rights):
    shop, day_one, _ = doors
    client = staff_client(make_user(django_user_model, "someone", **rights))

    response = redeem_over_http(client, ticket(confirmed_order(shop), "conference").secret, day_one, headers=WITH_CSRF)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_an_inactive_staff_user_is_not_let_in(django_user_model):
    user = make_user(django_user_model, "former", group="Entrépersonal")
    client = staff_client(user)
    user.is_active = False
    user.save()

    assert client.get("/api/checkin/lists").status_code == 401


# --- Reads --------------------------------------------------------------------------------------------------------


def test_status_search_and_manual_checkin_of_a_lost_ticket(doors, scanner):
    shop, day_one, _ = doors
    _device, client = scanner
    lost = confirmed_order(shop, name=("Per", "Persson"))
    confirmed_order(shop)
    confirmed_order(shop, status=Order.Status.PENDING, name=("Per", "Obetald"))

    assert client.get(f"/api/checkin/lists/{day_one.pk}/status").json() == {
        "list": day_one.pk,
        "expected": 2,
        "arrived": 0,
    }

    response = client.get(f"/api/checkin/lists/{day_one.pk}/search", {"q": "per exempelstads"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    results = response.json()["results"]
    lost_ticket = ticket(lost, "conference")
    assert results == [
        {
            "ticket": lost_ticket.pk,
            "attendee": {
                "name": "Per Persson",
                "organisation": "Exempelstads kommun",
                "ticket_type": "Konferenspass",
                "order": lost.code,
            },
            "checked_in": False,
        }
    ]
    assert lost_ticket.secret not in response.content.decode()

    for not_an_object in ("true", "[1]", '"x"'):
        refused = post_json(client, not_an_object, f"/api/checkin/lists/{day_one.pk}/checkin/{lost_ticket.pk}")
        assert refused.status_code == 422, not_an_object
    manual = post_json(client, "", f"/api/checkin/lists/{day_one.pk}/checkin/{lost_ticket.pk}")  # no body at all
    assert manual.status_code == 200
    assert manual.json()["status"] == "ok"
    assert Checkin.objects.get().ticket == lost_ticket
    again = client.post(
        f"/api/checkin/lists/{day_one.pk}/checkin/{lost_ticket.pk}",
        {"nonce": "manual-2"},
        content_type="application/json",
    )
    assert again.json()["status"] == "already_checked_in"

    assert client.get(f"/api/checkin/lists/{day_one.pk}/search", {"q": "persson"}).json()["results"][0]["checked_in"]
    assert client.get(f"/api/checkin/lists/{day_one.pk}/status").json()["arrived"] == 1
    # A ticket the list does not admit (the banquet's) cannot be checked in by id.
    banquet_ticket = ticket(lost, "banquet")
    assert post_json(client, "", f"/api/checkin/lists/{day_one.pk}/checkin/{banquet_ticket.pk}").status_code == 404


def test_search_is_rate_limited_per_device(doors, scanner, django_user_model, monkeypatch):
    _shop, day_one, _ = doors
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))  # one window throughout
    _device, client = scanner
    path = f"/api/checkin/lists/{day_one.pk}/search"

    statuses = [client.get(path, {"q": "x"}).status_code for _ in range(60)]
    refused = client.get(path, {"q": "x"})

    assert statuses == [200] * 60
    assert refused.status_code == 429
    assert refused.json()["detail"]
    # Another caller has a budget of its own.
    staff = staff_client(make_user(django_user_model, "entre", group="Entrépersonal"))
    assert staff.get(path, {"q": "x"}).status_code == 200


def test_the_offline_data_has_hashes_and_no_secret(doors, scanner):
    shop, day_one, _ = doors
    _device, client = scanner
    admitted = confirmed_order(shop)
    waiting = confirmed_order(shop)
    redeem_over_http(client, ticket(admitted, "conference").secret, day_one)

    response = client.get(f"/api/checkin/lists/{day_one.pk}/offline")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["list"] == day_one.pk and data["hash_algorithm"] == "sha256"
    by_hash = {row["hash"]: row for row in data["tickets"]}
    assert set(by_hash) == {secret_hash(ticket(order, "conference").secret) for order in (admitted, waiting)}
    assert by_hash[secret_hash(ticket(admitted, "conference").secret)]["checked_in"] is True
    assert by_hash[secret_hash(ticket(waiting, "conference").secret)]["checked_in"] is False
    body = response.content.decode()
    for order in (admitted, waiting):
        for t in order.tickets.all():
            assert t.secret not in body


# --- The schema ---------------------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_contract(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Trygg & Säker check-in"
    assert schema["info"]["version"]
    redeem = schema["paths"]["/api/checkin/redeem"]["post"]
    request_ref = redeem["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][request_ref.rsplit("/", 1)[-1]]
    assert {"secret", "list"} <= set(request["required"])
    assert request["properties"]["secret"]["type"] == "string"
    assert request["properties"]["list"]["type"] == "string"
    assert {"nonce", "scanned_at"} <= set(request["properties"])
    answer_ref = redeem["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    answer = schema["components"]["schemas"][answer_ref.rsplit("/", 1)[-1]]
    assert set(answer["properties"]) == ANSWER_KEYS
    assert set(answer["properties"]["status"]["enum"]) == set(Checkin.Result.values)
    assert {"DeviceToken", "StaffSession"} <= set(schema["components"]["securitySchemes"])
    assert {
        "/api/checkin/lists",
        "/api/checkin/lists/{list_id}/status",
        "/api/checkin/lists/{list_id}/search",
        "/api/checkin/lists/{list_id}/offline",
        "/api/checkin/lists/{list_id}/checkin/{ticket_id}",
    } <= set(schema["paths"])
    for component in schema["components"]["schemas"].values():
        Draft202012Validator.check_schema(component)
    assert "no-store" in response["Cache-Control"]


def test_the_interactive_docs_are_for_door_staff_only(client, django_user_model):
    assert client.get("/api/docs").status_code == 302  # to the log-in
    client.force_login(make_user(django_user_model, "redaktor", group="Redaktörer"))
    assert client.get("/api/docs").status_code == 403
    client.force_login(make_user(django_user_model, "entre", group="Entrépersonal"))
    assert client.get("/api/docs").status_code == 200


# --- Input that must never give a 5xx ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json", 400),
        ("{", 400),
        (b"\xff\xfe not utf-8", 400),
        ("[]", 422),
        ('"a string"', 422),
        ("42", 422),
        ("null", 422),
        ("{}", 422),
        ({"secret": "x"}, 422),
        ({"list": "1"}, 422),
        ({"secret": 42, "list": "LIST"}, 422),
        ({"secret": None, "list": "LIST"}, 422),
        ({"secret": ["x"], "list": "LIST"}, 422),
        ({"secret": "x", "list": "abc"}, 422),
        ({"secret": "x", "list": "1.5"}, 422),
        ({"secret": "x", "list": 1.5}, 422),
        ({"secret": "x", "list": True}, 422),
        ({"secret": "x", "list": ""}, 422),
        ({"secret": "x", "list": "-1"}, 422),
        ({"secret": "x", "list": " 1"}, 422),
        ({"secret": "x", "list": "1\n"}, 422),
        ({"secret": "x", "list": "9" * 40}, 422),
        ({"secret": "x", "list": "0"}, 404),
        ({"secret": "x", "list": "9" * 18}, 404),
        ({"secret": "x" * 201, "list": "LIST"}, 422),
        ({"secret": "x" * 100_000, "list": "LIST"}, 422),
        ({"secret": "x\x00y", "list": "LIST"}, 422),
        ({"secret": "x\ud800", "list": "LIST"}, 422),
        ({"secret": "x", "list": "LIST", "nonce": "n" * 101}, 422),
        ({"secret": "x", "list": "LIST", "nonce": "n\x00"}, 422),
        ({"secret": "x", "list": "LIST", "nonce": 7}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "yesterday"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "2026-13-45T25:61:00"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "2026-05-12"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": 1_700_000_000}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "1700000000"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "0001-01-01T00:00:00+14:00"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "9999-12-31T23:59:59-14:00"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "1970-01-01T00:00:00Z"}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": "2026-05-12T08:00:00" + "0" * 1000}, 422),
        ({"secret": "x", "list": "LIST", "scanned_at": {"when": "now"}}, 422),
        ({"secret": "x", "list": "LIST", "extra": "ignored"}, 200),
        ({"secret": "", "list": "LIST"}, 200),
        ({"secret": "x", "list": "LIST", "scanned_at": "9999-12-31T23:59:59Z"}, 200),  # counts as now
        ({"secret": "x", "list": "LIST", "scanned_at": None, "nonce": None}, 200),
    ],
)
def test_malformed_input_is_refused_with_a_message_never_a_5xx(doors, scanner, body, expected):
    _shop, day_one, _ = doors
    if isinstance(body, dict):
        body = json.dumps({key: str(day_one.pk) if value == "LIST" else value for key, value in body.items()})

    response = post_json(scanner[1], body)

    assert response.status_code == expected, response.content
    if expected != 200:
        assert isinstance(response.json()["detail"], str)
    assert "no-store" in response["Cache-Control"]


def test_a_body_over_the_upload_limit_is_413_not_a_5xx(doors, scanner):
    _shop, day_one, _ = doors
    body = json.dumps({"secret": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "list": str(day_one.pk)})

    assert post_json(scanner[1], body).status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/api/checkin/lists/abc/status",
        "/api/checkin/lists/-1/status",
        "/api/checkin/lists/0/offline",
        "/api/checkin/lists/99999999999999999999999999/status",
        "/api/checkin/lists/99999999999999999999999999/search?q=öberg",
        "/api/checkin/lists/LIST/checkin/99999999999999999999999999",
        "/api/checkin/lists/LIST/search?q=%00%00",
        "/api/checkin/lists/LIST/search?q=" + "x" * 101,
        "/api/checkin/nothing",
    ],
)
def test_odd_addresses_and_queries_are_4xx_json(doors, scanner, path):
    _shop, day_one, _ = doors
    path = path.replace("LIST", str(day_one.pk))
    method = "post" if "/checkin/9" in path else "get"

    response = getattr(scanner[1], method)(path)

    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]
    assert "no-store" in response["Cache-Control"]


def test_a_get_on_redeem_is_405(scanner):
    response = scanner[1].get(REDEEM)

    assert response.status_code == 405
    assert "no-store" in response["Cache-Control"]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
ODD_TEXT = st.text(st.characters(exclude_categories=()), max_size=250)
REDEEM_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "secret": JSON_VALUES | ODD_TEXT,
        "list": JSON_VALUES | st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.just("LIST"),
        "nonce": JSON_VALUES | ODD_TEXT,
        "scanned_at": JSON_VALUES
        | st.datetimes(timezones=st.none() | st.timezones()).map(lambda moment: moment.isoformat())
        | ODD_TEXT,
    },
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=REDEEM_LIKE.map(json.dumps) | JSON_VALUES.map(json.dumps) | st.binary(max_size=300) | ODD_TEXT)
def test_random_bodies_never_give_a_5xx(doors, scanner, body):
    _shop, day_one, _ = doors
    if isinstance(body, str):
        body = body.replace('"LIST"', json.dumps(str(day_one.pk)))
        body = body.encode("utf-8", "surrogatepass")

    response = post_json(scanner[1], body)

    assert response.status_code < 500, response.content
    if response.status_code == 200:
        assert response.json()["status"] in Checkin.Result.values
    else:
        assert response.json()["detail"]
