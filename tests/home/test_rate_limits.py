"""Abuse limits (issue #10, OWASP ASVS 2.4.1): the log-in, registration step 1, nominations, votes and the check-in
search each allow settings.RATE_LIMITS' number of attempts per window, then answer 429 with a message and
`Retry-After` (the seconds until the window ends) and store nothing, and work again once the window has passed.

The limiter's clock is replaced by one the tests move; the counts live in the cache, which the conftest empties
between tests. Messages are compared with what the site says in Swedish, so the tests hold before and after the
catalogue is compiled."""

import os
import subprocess
import sys
import uuid
from html import unescape
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.translation import gettext, override

from conference.settings.base import env_rate_limit
from events.models import Nomination, Vote
from home import login, ratelimit
from home.demo import seed_home
from tests.factories import EditionFactory, award_round, checkin_doors, nominee_page, ticket_shop
from tests.servers import ROOT
from tickets.models import Order

START = 1_800_057_600.0  # a multiple of a day, so every window (a minute, 15 minutes, an hour) starts here
ELAPSED = 40  # seconds into every window when a limit is reached


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, at START + ELAPSED; `clock.move(seconds)` moves it on."""
    now = {"time": START + ELAPSED}
    fake = SimpleNamespace(time=lambda: now["time"])
    fake.move = lambda seconds: now.update(time=now["time"] + seconds)
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


def limit(name):
    return settings.RATE_LIMITS[name]


def page(response):
    return unescape(response.content.decode())


def swedish_message(name):
    """What a refusal under limit `name` says, reached ELAPSED seconds into its window."""
    _attempts, period = limit(name)
    with override("sv"):
        return ratelimit.RateLimited(name, retry_after=period - ELAPSED).message


def assert_refused(response, name):
    _attempts, period = limit(name)
    assert response.status_code == 429
    assert response["Retry-After"] == str(period - ELAPSED)
    assert "no-store" in response["Cache-Control"]


# --- The limiter ------------------------------------------------------------------------------------------------


def test_an_attempt_beyond_the_limit_is_refused_until_the_window_ends(clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (3, 60)}
    for _ in range(3):
        ratelimit.count_attempt("test", "192.0.2.1")

    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.count_attempt("test", "192.0.2.1")
    ratelimit.count_attempt("test", "192.0.2.2")  # another address counts on its own

    assert refused.value.retry_after == 60 - ELAPSED % 60
    clock.move(60)
    ratelimit.count_attempt("test", "192.0.2.1")


def test_an_attempt_given_back_does_not_count(clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (2, 60)}
    for _ in range(5):
        ratelimit.count_attempt("test", "ada")
        ratelimit.give_back("test", "ada")
    ratelimit.count_attempt("test", "ada")
    ratelimit.count_attempt("test", "ada")

    with pytest.raises(ratelimit.RateLimited):
        ratelimit.count_attempt("test", "ada")


def test_an_operator_sets_a_limit_in_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_REGISTRATION_IP", "5000/60")

    assert env_rate_limit("registration_ip", (10, 1800)) == (5000, 60)
    assert env_rate_limit("login_ip", (30, 900)) == (30, 900)


def test_behind_a_trusted_load_balancer_the_forwarded_address_counts(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    spoofed = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert ratelimit.client_ip(request) == "203.0.113.7"  # the one the load balancer saw, not what the client wrote
    assert ratelimit.client_ip(spoofed) == "203.0.113.9"


def test_an_ipv6_address_counts_as_its_network():
    one = RequestFactory().post("/", REMOTE_ADDR="2001:db8:1:2::1")
    other = RequestFactory().post("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")

    assert ratelimit.client_ip(one) == ratelimit.client_ip(other) == "2001:db8:1:2::/64"


@pytest.mark.redis
def test_every_process_counts_in_the_same_window(settings):
    """Two processes, as two app servers: the attempts of one count against the other's (Redis is shared)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_user": (3, 24 * 60 * 60)}
    username = f"shared-{uuid.uuid4().hex}"
    ratelimit.count_attempt("login_user", username)
    ratelimit.count_attempt("login_user", username)

    code = f"from home import ratelimit; ratelimit.count_attempt('login_user', {username!r}); print('counted')"
    env = {
        "PATH": "",
        "DJANGO_SETTINGS_MODULE": "conference.settings.test",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": os.environ.get("VAR_DIR", str(ROOT / "var")),
        "RATE_LIMIT_LOGIN_USER": "3/86400",
    }
    other = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert other.returncode == 0, other.stderr
    assert other.stdout.strip().endswith("counted")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.count_attempt("login_user", username)


# --- Log-in -----------------------------------------------------------------------------------------------------

LOGIN = "/admin/login/"


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@example.se", "rätt-lösenord")


def login_message(name):
    _attempts, period = limit(name)
    with override("sv"):
        return login.refusal_message(ratelimit.RateLimited(name, retry_after=period - ELAPSED))


@pytest.mark.django_db
def test_failed_log_ins_for_one_username_are_limited_and_then_even_the_right_password_waits(client, clock, ada):
    attempts, period = limit("login_user")
    for number in range(attempts):
        wrong = client.post(LOGIN, {"username": "ada", "password": "fel"}, REMOTE_ADDR=f"192.0.2.{number}")
        assert wrong.status_code == 200

    refused = client.post(LOGIN, {"username": "ADA", "password": "rätt-lösenord", "next": "/scan/"})

    assert_refused(refused, "login_user")
    assert login_message("login_user") in page(refused)
    assert 'value="/scan/"' in page(refused)  # the scanner page's log-in goes back to it afterwards
    assert "_auth_user_id" not in client.session
    ada.refresh_from_db()
    assert ada.last_login is None

    clock.move(period)
    assert client.post(LOGIN, {"username": "ada", "password": "rätt-lösenord"}).status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)


@pytest.mark.django_db
def test_successful_log_ins_are_not_counted(clock, ada):
    attempts, _period = limit("login_user")
    for _ in range(attempts + 2):
        client = Client()
        assert client.post(LOGIN, {"username": "ada", "password": "rätt-lösenord"}).status_code == 302


@pytest.mark.django_db
def test_failed_log_ins_from_one_address_are_limited_for_every_username(client, clock, ada):
    attempts, period = limit("login_ip")
    for number in range(attempts):
        assert client.post(LOGIN, {"username": f"gissning{number}", "password": "fel"}).status_code == 200

    refused = client.post(LOGIN, {"username": "ada", "password": "rätt-lösenord"})
    elsewhere = Client(REMOTE_ADDR="198.51.100.20").post(LOGIN, {"username": "ada", "password": "rätt-lösenord"})

    assert_refused(refused, "login_ip")
    assert login_message("login_ip") in page(refused)
    assert "_auth_user_id" not in client.session
    assert elsewhere.status_code == 302
    clock.move(period)
    assert client.post(LOGIN, {"username": "ada", "password": "rätt-lösenord"}).status_code == 302


# --- Registration step 1 ----------------------------------------------------------------------------------------

with override("sv"):
    REGISTER = reverse("tickets:register")


@pytest.fixture
def shop(db):
    return ticket_shop(EditionFactory(), conference=100, banquet=50)


def choose(shop, *, client=None, conference=1, banquet=0, voucher=""):
    """Step 1 posted by `client`, by default a new visitor (a script that drops its cookies)."""
    return (client or Client()).post(
        REGISTER,
        {
            f"quantity_{shop.conference_pass.pk}": conference,
            f"quantity_{shop.day_one.pk}": 0,
            f"quantity_{shop.day_two.pk}": 0,
            f"quantity_{shop.banquet.pk}": banquet,
            "voucher_code": voucher,
        },
    )


def test_one_address_holds_a_limited_number_of_reservations(shop, clock):
    attempts, period = limit("registration_ip")
    assert [choose(shop).status_code for _ in range(attempts)] == [302] * attempts

    refused = choose(shop)

    assert_refused(refused, "registration_ip")
    assert refused.templates[0].name == "429.html"
    assert swedish_message("registration_ip") in page(refused)
    assert f'href="{REGISTER}"' in page(refused)
    assert Order.objects.count() == attempts  # the refused post held nothing
    assert choose(shop, client=Client(REMOTE_ADDR="198.51.100.20")).status_code == 302
    clock.move(period)
    assert choose(shop).status_code == 302


def test_the_429_page_has_no_inline_script_or_style(shop, clock):
    attempts, _period = limit("registration_ip")
    for _ in range(attempts):
        choose(shop)

    html = page(choose(shop))

    assert "<style" not in html
    assert "style=" not in html
    assert all('src="' in tag for tag in html.split("<script")[1:])


def test_a_choice_that_holds_nothing_is_not_counted(clock, db):
    shop = ticket_shop(EditionFactory(), conference=1, banquet=50)
    attempts, _period = limit("registration_ip")
    assert choose(shop).status_code == 302

    sold_out = [choose(shop).status_code for _ in range(attempts + 2)]

    assert sold_out == [400] * (attempts + 2)
    assert choose(shop, conference=0, banquet=1).status_code == 302


def test_choosing_again_replaces_the_hold_and_is_not_counted(shop, clock):
    attempts, _period = limit("registration_ip")
    visitor = Client()

    statuses = [choose(shop, client=visitor).status_code for _ in range(attempts + 2)]

    assert statuses == [302] * (attempts + 2)
    assert Order.objects.holding().count() == 1


def test_guessing_voucher_codes_counts(shop, clock):
    attempts, _period = limit("registration_ip")
    guesses = [choose(shop, voucher=f"GISSNING{number}").status_code for number in range(attempts)]

    assert guesses == [400] * attempts
    assert_refused(choose(shop, voucher="GISSNING-IGEN"), "registration_ip")


# --- Nominations ------------------------------------------------------------------------------------------------


@pytest.fixture
def award(db):
    return award_round(seed_home(), phase="nomination")


def nominate(award, *, email="nina@example.org", ip="127.0.0.1"):
    data = {
        "candidate_kind": "people",
        "candidate_name": "Cecilia Exempelsson",
        "candidate_organisation": "Exempelby kommun",
        "candidate_contact": "070-000 00 00",
        "nominator_name": "Nina Nominerasson",
        "nominator_email": email,
        "nominator_organisation": "Grannby kommun",
        "consent": "on",
        "website": "",
        **{f"criterion_{criterion.pk}": f"Svar om {criterion.title}." for criterion in award.criteria.all()},
    }
    return Client(REMOTE_ADDR=ip).post(award.url + "nominera/", data)


def test_nominations_from_one_address_are_limited(award, clock):
    attempts, period = limit("nomination_ip")
    assert [nominate(award, email=f"person{n}@example.org").status_code for n in range(attempts)] == [302] * attempts

    refused = nominate(award, email="en-till@example.org")

    assert_refused(refused, "nomination_ip")
    assert swedish_message("nomination_ip") in page(refused)
    assert "en-till@example.org" in page(refused)  # the form again, with what was typed
    assert Nomination.objects.count() == attempts
    clock.move(period)
    assert nominate(award, email="en-till@example.org").status_code == 302


def test_nominations_from_one_email_are_limited(award, clock):
    attempts, period = limit("nomination_email")
    assert [nominate(award, ip=f"192.0.2.{n}").status_code for n in range(attempts)] == [302] * attempts

    refused = nominate(award, email="NINA@example.org", ip="198.51.100.20")

    assert_refused(refused, "nomination_email")
    assert swedish_message("nomination_email") in page(refused)
    assert Nomination.objects.count() == attempts
    clock.move(period)
    assert nominate(award, ip="198.51.100.20").status_code == 302


# --- Votes ------------------------------------------------------------------------------------------------------


@pytest.fixture
def ballot(db):
    award = award_round(seed_home(), phase="judging", public_vote=True)
    return SimpleNamespace(url=award.url + award.reverse_subpage("vote"), nominee=nominee_page(award))


def vote(ballot, *, email, ip="127.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(ballot.url, {"nominee": ballot.nominee.pk, "email": email})


def test_votes_from_one_address_are_limited(ballot, clock):
    attempts, period = limit("vote_ip")
    assert [vote(ballot, email=f"voter{n}@example.se").status_code for n in range(attempts)] == [302] * attempts
    sent = len(mail.outbox)

    refused = vote(ballot, email="en-till@example.se")

    assert_refused(refused, "vote_ip")
    assert swedish_message("vote_ip") in page(refused)
    assert Vote.objects.count() == attempts
    assert len(mail.outbox) == sent
    clock.move(period)
    assert vote(ballot, email="en-till@example.se").status_code == 302


def test_votes_from_one_email_are_limited(ballot, clock):
    attempts, period = limit("vote_email")
    assert [vote(ballot, email="vera@example.se", ip=f"192.0.2.{n}").status_code for n in range(attempts)] == [
        302
    ] * attempts

    refused = vote(ballot, email="VERA@example.se", ip="198.51.100.20")

    assert_refused(refused, "vote_email")
    assert swedish_message("vote_email") in page(refused)
    assert Vote.objects.count() == attempts
    clock.move(period)
    assert vote(ballot, email="vera@example.se", ip="198.51.100.20").status_code == 302


# --- The check-in search ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_in_search_is_limited_per_person(clock, django_user_model):
    _shop, day_one, _banquet = checkin_doors(EditionFactory())
    staff = django_user_model.objects.create_user("entre", "entre@example.se", "pw")
    staff.groups.add(Group.objects.get_or_create(name="Entrépersonal")[0])
    client = Client()
    client.force_login(staff)
    path = f"/api/checkin/lists/{day_one.pk}/search"
    attempts, period = limit("checkin_search")
    assert [client.get(path, {"q": "persson"}).status_code for _ in range(attempts)] == [200] * attempts

    refused = client.get(path, {"q": "persson"})

    assert_refused(refused, "checkin_search")
    with override("sv"):
        assert refused.json()["detail"] == gettext("Too many searches. Wait a minute and try again.")
    clock.move(period)
    assert client.get(path, {"q": "persson"}).status_code == 200
