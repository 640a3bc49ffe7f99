import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

SERIOUS = {"serious", "critical"}


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
