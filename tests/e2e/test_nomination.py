"""The nomination form in a real browser: an answer left out is shown on its field and in the focused summary, the
rest is kept, and once it is filled in the nomination goes through to the thank-you page; no serious accessibility
findings with or without errors. Locators use ids and data attributes, not interface text, so the tests hold in
both languages and before and after the translations are compiled."""

from types import SimpleNamespace

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import Nomination
from home.demo import seed_home
from tests.factories import award_round

pytestmark = pytest.mark.browser


@pytest.fixture
def nomination(live_server, transactional_db):
    """An award in its nomination phase on the Swedish site, with two criteria."""
    award = award_round(seed_home(), phase="nomination")
    first, second = award.criteria.all()
    return SimpleNamespace(award=award, url=f"{live_server.url}{award.url}nominera/", first=first, second=second)


def fill_all_but_the_second_answer(page, nomination):
    page.locator("#id_candidate_kind_2").check()
    page.locator("#id_candidate_name").fill("Exempelby kommun")
    page.locator("#id_candidate_contact").fill("trygghet@exempelby.example")
    page.locator("#id_nominator_name").fill("Nina Nominerasson")
    page.locator("#id_nominator_email").fill("nina@example.org")
    page.locator("#id_nominator_organisation").fill("Grannby kommun")
    page.locator(f"#id_criterion_{nomination.first.pk}").fill("Tryggheten har ökat mätbart i centrum.")
    page.locator("#id_consent").check()


def send(page):
    page.locator("[data-nomination-form] button[type=submit]").click()


def test_a_missing_answer_is_shown_on_its_field_and_then_the_nomination_goes_through(page, nomination):
    missing = page.locator(f"#id_criterion_{nomination.second.pk}")
    page.goto(nomination.url)
    fill_all_but_the_second_answer(page, nomination)

    send(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(1)
    expect(summary.locator("a")).to_have_attribute("href", f"#id_criterion_{nomination.second.pk}")
    expect(page.locator(f"#id_criterion_{nomination.second.pk}_error")).to_be_visible()
    expect(missing).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_criterion_{nomination.first.pk}")).to_have_value("Tryggheten har ökat mätbart i centrum.")
    expect(page.locator("#id_nominator_email")).to_have_value("nina@example.org")
    expect(page.locator("#id_candidate_kind_2")).to_be_checked()
    assert Nomination.objects.count() == 0

    missing.fill("Polis, kommun och föreningar arbetar tillsammans.")
    send(page)

    expect(page).to_have_url(f"{nomination.url}tack/")
    expect(page.locator("[data-nomination-thanks] h1")).to_be_visible()
    stored = Nomination.objects.get()
    assert stored.candidate_kind == "organisation"
    assert [answer.text for answer in stored.answers.all()] == [
        "Tryggheten har ökat mätbart i centrum.",
        "Polis, kommun och föreningar arbetar tillsammans.",
    ]
    assert [message.to for message in mail.outbox] == [["nina@example.org"]]


def test_the_form_passes_axe_with_and_without_errors(browser, nomination, serious_violations):
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        page = browser.new_page(viewport=viewport)
        page.goto(nomination.url)
        assert serious_violations(page) == [], (viewport, "empty form")

        send(page)
        expect(page.locator("#error-summary")).to_be_focused()
        assert serious_violations(page) == [], (viewport, "every error")

        fill_all_but_the_second_answer(page, nomination)
        send(page)
        expect(page.locator(f"#id_criterion_{nomination.second.pk}_error")).to_be_visible()
        assert serious_violations(page) == [], (viewport, "one error")
        page.close()


def test_the_award_and_nominee_pages_pass_axe(browser, live_server, transactional_db, serious_violations):
    from tests.factories import nominee_page

    award = award_round(seed_home(), phase="nominees")
    award.jury_members.create(name="Judit Jurysson", title="Trygghetsstrateg", organisation="Exempelstad")
    award.past_winners.create(year=2019, winner="Karlskoga", motivation="För lång och trogen tjänst.")
    nominee = nominee_page(award, title="Vera Vinnarsson", summary="Trygghetsvärd i Exempelby.")
    nominee_page(award, title="Nils Nominerad")
    award.winner = nominee
    award.winner_motivation = "Hon gjorde torget tryggt."
    award.save_revision().publish()

    for url in (award.url, nominee.url, f"{award.get_parent().url}arkiv/"):
        page = browser.new_page()
        page.goto(f"{live_server.url}{url}")
        assert serious_violations(page) == [], url
        page.close()
