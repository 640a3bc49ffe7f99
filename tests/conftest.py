"""Shared fixtures, and the rule for tests that need a real service.

A test marked `postgres`, `redis` or `browser` runs whenever that service is there. Without it the test is
skipped with the reason in the summary, except in CI (CI=true), where a missing service fails the test.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright beside live_server

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_missing():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def _redis_missing():
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at REDIS_URL does not answer: {error}"
    return None


def _browser_missing():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (apt-get install chromium)"
    return None


SERVICE_CHECKS = {"postgres": _postgres_missing, "redis": _redis_missing, "browser": _browser_missing}


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']} {database.get('HOST') or ''}",
        f"redis: {settings.REDIS_URL or 'not configured'}; chromium: {CHROMIUM if CHROMIUM.exists() else 'missing'}",
        f"CI: {IN_CI} (a missing service {'fails' if IN_CI else 'skips'} the tests that need it)",
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    for marker, check in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = check()
        if reason is None:
            continue
        if IN_CI:
            pytest.fail(f"CI needs {marker}: {reason}", pytrace=False)
        pytest.skip(f"needs {marker}: {reason}")


SERVICE_OUTCOMES = {marker: {} for marker in SERVICE_CHECKS}


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        for marker, outcomes in SERVICE_OUTCOMES.items():
            if marker in report.keywords:
                outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter):
    """Says how many tests each real service took part in, so a skipped service cannot pass unseen."""
    terminalreporter.section("real services")
    for marker, outcomes in SERVICE_OUTCOMES.items():
        counts = {outcome: list(outcomes.values()).count(outcome) for outcome in ("passed", "failed", "skipped")}
        terminalreporter.write_line(f"{marker}: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items()))


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request handled outside Django's test client (a WSGI
    call, a live server thread) can leave another language active in this thread, and `reverse` follows it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_site(db):
    """The demo content, as `seed_demo` makes it."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def fake_stripe(settings):
    """A local fake of Stripe's API (tests/fake_stripe.py) the site's settings point at. Events wait in its outbox
    until the test delivers them (`deliver_outbox`, `send`), through the Django test client."""
    from django.test import Client

    from tests.fake_stripe import FakeStripe

    with FakeStripe(deliver="manual") as fake:
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_API_BASE = fake.api_base
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        webhook_client = Client()

        def post_to_site(payload, headers):
            response = webhook_client.post(
                "/stripe/webhook/",
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
            )
            return response.status_code

        fake.deliver_with = post_to_site
        yield fake
