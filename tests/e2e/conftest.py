import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser

SERIOUS = {"serious", "critical"}
# What Chromium writes on the console when the Content-Security-Policy blocks something.
CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to")


@pytest.fixture(autouse=True)
def no_csp_violations(monkeypatch):
    """Fails any browser test during which a page broke the Content-Security-Policy. Every context the test opens
    is watched, whether through pytest-playwright's `page` or `context`, `browser.new_page()`, `new_context()`, or
    a browser the test launched itself, since all of them are `Browser`s."""
    violations = []

    def watch(context):
        def on_console(message):
            if CSP_VIOLATION.search(message.text):
                violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    new_context, new_page = Browser.new_context, Browser.new_page

    def watched_context(self, *args, **kwargs):
        return watch(new_context(self, *args, **kwargs))

    def watched_page(self, *args, **kwargs):  # a page in a context of its own, made before it has loaded anything
        page = new_page(self, *args, **kwargs)
        watch(page.context)
        return page

    monkeypatch.setattr(Browser, "new_context", watched_context)
    monkeypatch.setattr(Browser, "new_page", watched_page)
    yield
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def site_url(live_server, transactional_db):
    """The demo site served by a live server, for a real browser."""
    call_command("seed_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def serious_violations(axe):
    """axe-core's serious and critical WCAG 2.1 A/AA findings on a page, as short readable lines."""

    def check(page):
        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        results = axe.run(page, options=options)
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} – "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in SERIOUS
        ]

    return check
