"""Award pages: the round's phases, the nominees, the archive, and a winner kept secret until its draft is
published (crawling every public URL of the demo site finds no trace of it before)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Locale

from events.demo import WINNER_MOTIVATION
from events.models import AwardPage, AwardPhase, NomineePage
from home.demo import seed_home
from tests.crawl import crawl
from tests.factories import award_round, nominee_page

pytestmark = pytest.mark.django_db

SECRET = "Hemlig motivering: hon förändrade torget."


@pytest.fixture
def home():
    return seed_home()


def omfamningen():
    return AwardPage.objects.get(slug="omfamningen", locale__language_code="sv")


def leaks(responses, *secrets):
    """The URLs whose answer holds any of `secrets` or marks a winner."""
    return sorted(
        url
        for url, response in responses.items()
        if any(secret.encode() in response.content for secret in secrets) or b"data-winner" in response.content
    )


def test_the_phase_follows_the_dates_and_the_published_winner(home):
    now = timezone.now()
    award = award_round(home, phase="nomination", public_vote=True)
    day = dt.timedelta(days=1)

    assert award.phase(now - 6 * day) == AwardPhase.BEFORE
    assert award.phase(now) == AwardPhase.NOMINATION and award.nominations_open(now)
    assert award.phase(now + 6 * day) == AwardPhase.JUDGING and award.voting_open(now + 6 * day)
    assert not award.nominations_open(now + 6 * day)
    assert award.phase(now + 26 * day) == AwardPhase.NOMINEES and not award.voting_open(now + 26 * day)

    award.winner = nominee_page(award)
    award.save_revision().publish()
    assert award.phase(now) == AwardPhase.REVEALED


def test_the_award_page_shows_the_current_phase_and_the_way_to_nominate(client, home):
    award = award_round(home, phase="nomination")

    html = client.get(award.url).text

    assert 'aria-current="step"' in html
    assert f'href="{award.url}nominera/"' in html
    assert f'href="{award.url}rosta/"' not in html  # no public vote in this round


def test_a_winner_chosen_in_a_draft_is_shown_nowhere_until_published(client, home):
    award = award_round(home, phase="nominees")
    nominee = nominee_page(award, title="Vera Vinnarsson")
    nominee_page(award, title="Nils Nominerad")
    award.winner = nominee
    award.winner_motivation = SECRET
    award.save_revision()

    before = {url: client.get(url) for url in (award.url, nominee.url, f"{award.get_parent().url}arkiv/")}
    assert leaks(before, SECRET) == []
    assert "Vera Vinnarsson" in before[award.url].text  # as a nominee, like the others

    award.get_latest_revision().publish()

    after = {url: client.get(url).text for url in before}
    assert all(SECRET in after[url] for url in (award.url, nominee.url))
    assert "data-winner" in after[award.url] and "data-winner" in after[nominee.url]
    assert "Vera Vinnarsson" in after[f"{award.get_parent().url}arkiv/"]


def test_an_unpublished_nominee_chosen_as_winner_is_not_named_anywhere(client, home):
    award = award_round(home, phase="judging")
    secret_nominee = nominee_page(award, title="Hemliga Hanna")
    secret_nominee.unpublish()
    award.winner = secret_nominee
    award.winner_motivation = SECRET
    award.save_revision()

    responses = crawl(client)

    assert award.url in responses
    assert leaks(responses, SECRET, "Hemliga Hanna") == []


def test_the_demo_winner_is_in_no_public_response_before_the_reveal(client):
    call_command("seed_demo", stdout=io.StringIO())
    award = omfamningen()
    draft = award.get_latest_revision_as_object()
    assert draft.winner is not None and draft.winner_motivation == WINNER_MOTIVATION  # prepared, in the draft
    assert award.winner_id is None

    responses = crawl(client)

    assert len(responses) > 100  # pages in both languages, the programme's routes, the exports, the nominees
    assert {award.url, draft.winner.url, "/sitemap.xml", "/programme.json"} <= set(responses)
    assert leaks(responses, WINNER_MOTIVATION) == []
    assert not [url for url, response in responses.items() if response.status_code >= 500]


def test_the_english_award_page_shows_the_swedish_round(client, home):
    award = award_round(home, phase="nominees")
    nominee = nominee_page(award, title="Anna Exempelsson", summary="Kort om Anna.")
    english_locale = Locale.objects.get(language_code="en")
    award.get_parent().copy_for_translation(english_locale).save_revision().publish()
    english = award.copy_for_translation(english_locale)
    english.save_revision().publish()

    html = client.get(english.url).text

    assert english.round_page().pk == award.pk
    assert nominee.title in html
    assert 'aria-current="step"' in html


def test_the_archive_lists_every_year_newest_first(client, home):
    award = award_round(home, phase="nominees")
    award.past_winners.create(year=2018, winner="Norrtälje kommun", sort_order=0)
    award.past_winners.create(year=2019, winner="Karlskoga", sort_order=1)
    award.winner = nominee_page(award, title="Vera Vinnarsson")
    award.save_revision().publish()

    html = client.get(f"{award.get_parent().url}arkiv/").text

    assert html.index("Vera Vinnarsson") < html.index("Karlskoga") < html.index("Norrtälje kommun")


def test_nominees_belong_to_their_award(home):
    award = award_round(home)

    assert NomineePage.allowed_parent_page_models() == [AwardPage]
    assert award.nominees().count() == 0


def test_the_public_vote_is_shown_only_after_the_reveal_and_if_the_organiser_chose_so(client, home):
    from events.models import Vote

    award = award_round(home, phase="nominees", public_vote=True, show_vote_results=True)
    nominee = nominee_page(award, title="Vera Vinnarsson")
    Vote.objects.create(
        award=award, edition=award.edition, nominee=nominee, email="a@example.org", confirmed_at=timezone.now()
    )
    assert "vote-results" not in client.get(award.url).text

    award.winner = nominee
    award.save_revision().publish()
    assert "vote-results" in client.get(award.url).text

    award.show_vote_results = False
    award.save_revision().publish()
    assert "vote-results" not in client.get(award.url).text
