"""The public vote: a vote counts only once confirmed through the emailed link, once per email address and award
round, and only while voting is open; organisers see the counts in the admin."""

import datetime as dt
import re
import threading
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail, signing
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from events import voting
from events.models import Vote
from home.demo import seed_home, seed_people
from tests.factories import EditionFactory, award_round, nominee_page

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/\S*/rosta/bekrafta/[^/\s]+/)")


@pytest.fixture
def home():
    return seed_home()


@pytest.fixture
def award(home):
    return award_round(home, phase="judging", public_vote=True)


@pytest.fixture
def anna(award):
    return nominee_page(award, title="Anna Exempelsson", summary="Trygghetssamordnare i Exempelstad.")


@pytest.fixture
def bo(award):
    return nominee_page(award, title="Bo Påhittad")


@pytest.fixture
def vote_url(award):
    return award.url + award.reverse_subpage("vote")


@pytest.fixture
def cast(client, vote_url, django_capture_on_commit_callbacks):
    """Posts the vote form like a voter and returns the path of the confirmation link from the email it sent."""

    def cast(nominee, email):
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(vote_url, {"nominee": nominee.pk, "email": email})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert len(mail.outbox) == sent_before + 1
        return LINK.search(mail.outbox[-1].body).group(1)

    return cast


def counts(award):
    return {result.nominee.title: result.votes for result in voting.vote_results(award)}


# --- Asking for a vote --------------------------------------------------------------------------------------------


def test_the_form_lists_this_rounds_nominees_and_preselects_one(client, vote_url, anna, bo):
    response = client.get(vote_url, {"nominee": bo.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="nominee-{anna.pk}" value="{anna.pk}"' in html
    assert re.search(rf'id="nominee-{bo.pk}" value="{bo.pk}"[^>]* checked', html)
    assert not re.search(rf'id="nominee-{anna.pk}" value="{anna.pk}"[^>]* checked', html)
    assert "Anna Exempelsson" in html and "Bo Påhittad" in html
    assert 'name="email"' in html and "csrfmiddlewaretoken" in html


def test_a_vote_is_stored_unconfirmed_and_the_voter_is_sent_a_link(client, vote_url, anna, cast):
    link = cast(anna, "  Vera.Valjare@Example.se ")

    vote = Vote.objects.get()
    assert vote.email == "vera.valjare@example.se"
    assert vote.nominee_id == anna.pk and vote.confirmed_at is None
    assert mail.outbox[0].to == ["vera.valjare@example.se"]
    assert link.startswith(vote_url + "bekrafta/")
    assert "http://testserver" + link in mail.outbox[0].body  # the host the voter used


def test_the_answer_asks_the_voter_to_check_their_email_and_its_address_holds_no_personal_data(
    client, vote_url, anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(vote_url, {"nominee": anna.pk, "email": "vera@example.se"}, follow=True)

    assert response.redirect_chain[0][0] == vote_url + "?sent=1"
    assert response.templates[0].name == "events/vote_sent.html"
    assert "vera" not in response.redirect_chain[0][0]


def test_a_nominee_of_another_award_is_refused(client, home, vote_url, anna):
    other_award = award_round(home, slug="andra-priset", title="Andra priset", phase="judging", public_vote=True)
    stranger = nominee_page(other_award, title="Klara Främling")

    response = client.post(vote_url, {"nominee": stranger.pk, "email": "vera@example.se"})

    assert response.status_code == 400
    assert "nominee" in response.context["form"].errors
    assert not Vote.objects.exists()
    assert mail.outbox == []


def test_an_unpublished_nominee_is_refused(client, vote_url, anna):
    hidden = nominee_page(anna.get_parent().specific, title="Inte Publicerad")
    hidden.unpublish()

    response = client.post(vote_url, {"nominee": hidden.pk, "email": "vera@example.se"})

    assert response.status_code == 400
    assert "nominee" in response.context["form"].errors
    assert not Vote.objects.exists()


def test_an_invalid_email_address_is_a_form_error(client, vote_url, anna):
    response = client.post(vote_url, {"nominee": anna.pk, "email": "inte-en-adress"})

    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"nominee": "abc", "email": "vera@example.se"}, {"nominee": "99999999999999999999", "email": "x" * 300}],
    ids=["empty", "not-a-number", "huge"],
)
def test_nonsense_is_a_form_error_never_a_crash(client, vote_url, anna, data):
    response = client.post(vote_url, data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Vote.objects.exists()


def test_a_filled_in_honeypot_looks_like_success_but_stores_nothing(
    client, vote_url, anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(vote_url, {"nominee": anna.pk, "email": "bot@example.se", "website": "http://spam"})

    assert response.status_code == 302
    assert not Vote.objects.exists()
    assert mail.outbox == []


def test_one_address_may_ask_three_times_an_hour(client, vote_url, anna, cast):
    for _ in range(3):
        cast(anna, "vera@example.se")

    response = client.post(vote_url, {"nominee": anna.pk, "email": "VERA@example.se"})

    assert response.status_code == 429
    assert response.context["rate_limited"]
    assert Vote.objects.count() == 3


def test_one_address_on_the_network_may_post_ten_times_an_hour(client, vote_url, anna):
    for number in range(10):
        assert client.post(vote_url, {"nominee": anna.pk, "email": f"voter{number}@example.se"}).status_code == 302

    response = client.post(vote_url, {"nominee": anna.pk, "email": "voter10@example.se"})

    assert response.status_code == 429
    assert Vote.objects.count() == 10


def test_there_is_no_vote_when_the_award_has_none(client, home):
    award = award_round(home, phase="judging", public_vote=False)
    nominee = nominee_page(award)
    url = award.url + award.reverse_subpage("vote")

    assert client.get(url).status_code == 404
    assert client.post(url, {"nominee": nominee.pk, "email": "vera@example.se"}).status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.parametrize("phase", ["nomination", "nominees"])
def test_outside_the_voting_period_the_form_says_so_and_stores_nothing(client, home, phase):
    award = award_round(home, phase=phase, public_vote=True)
    nominee = nominee_page(award)
    url = award.url + award.reverse_subpage("vote")

    shown = client.get(url)
    refused = client.post(url, {"nominee": nominee.pk, "email": "vera@example.se"})

    assert shown.status_code == 200
    assert shown.templates[0].name == "events/vote_closed.html"
    assert refused.status_code == 403
    assert not Vote.objects.exists()
    assert mail.outbox == []


# --- Confirming ---------------------------------------------------------------------------------------------------


def test_a_vote_counts_only_once_confirmed(client, award, anna, bo, cast):
    link = cast(anna, "vera@example.se")
    assert counts(award) == {"Anna Exempelsson": 0, "Bo Påhittad": 0}

    response = client.post(link)

    assert response.status_code == 200
    assert response.context["state"] == "confirmed"
    assert Vote.objects.get().confirmed_at is not None
    assert counts(award) == {"Anna Exempelsson": 1, "Bo Påhittad": 0}


def test_opening_the_link_does_not_confirm_only_the_button_does(client, award, anna, cast):
    link = cast(anna, "vera@example.se")

    response = client.get(link)

    assert response.status_code == 200
    assert response.context["state"] == "ask"
    html = response.content.decode()
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert "Anna Exempelsson" in html
    assert Vote.objects.get().confirmed_at is None
    assert counts(award)["Anna Exempelsson"] == 0


def test_the_confirmation_needs_the_forms_csrf_token(award, anna, cast):
    link = cast(anna, "vera@example.se")
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(link).status_code == 403
    assert Vote.objects.get().confirmed_at is None

    page = strict.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert strict.post(link, {"csrfmiddlewaretoken": token}).status_code == 200
    assert Vote.objects.get().confirmed_at is not None


def test_confirming_the_same_link_twice_counts_once(client, award, anna, cast):
    link = cast(anna, "vera@example.se")
    client.post(link)
    confirmed_at = Vote.objects.get().confirmed_at

    again = client.post(link)
    opened_again = client.get(link)

    assert again.status_code == 200 and again.context["state"] == "already_confirmed"
    assert opened_again.context["state"] == "already_confirmed"
    assert Vote.objects.get().confirmed_at == confirmed_at
    assert counts(award)["Anna Exempelsson"] == 1


def test_the_same_address_counts_once_per_award_round(client, award, anna, bo, cast):
    first = cast(anna, "vera@example.se")
    second = cast(bo, "Vera@Example.se")
    client.post(first)

    response = client.post(second)

    assert response.status_code == 409
    assert response.context["state"] == "already_voted"
    assert counts(award) == {"Anna Exempelsson": 1, "Bo Påhittad": 0}
    assert Vote.objects.filter(confirmed_at__isnull=True).count() == 1


def test_another_address_counts_separately(client, award, anna, cast):
    client.post(cast(anna, "vera@example.se"))
    client.post(cast(anna, "ville@example.se"))

    assert counts(award)["Anna Exempelsson"] == 2


def test_a_vote_in_another_award_does_not_use_up_this_awards_vote(client, home, award, anna, cast):
    other_award = award_round(home, slug="andra-priset", title="Andra priset", phase="judging", public_vote=True)
    other_nominee = nominee_page(other_award, title="Klara Främling")
    client.post(cast(anna, "vera@example.se"))
    other_url = other_award.url + other_award.reverse_subpage("vote")

    client.post(other_url, {"nominee": other_nominee.pk, "email": "vera@example.se"})
    vote = Vote.objects.get(award=other_award)
    client.post(other_award.url + other_award.reverse_subpage("confirm_vote", args=(voting.make_token(vote),)))

    assert counts(award)["Anna Exempelsson"] == 1
    assert counts(other_award)["Klara Främling"] == 1


def test_a_race_between_two_confirmations_of_one_address_counts_once(client, award, anna, bo, cast, monkeypatch):
    first = cast(anna, "vera@example.se")
    second = cast(bo, "vera@example.se")
    client.post(first)
    # As if both confirmations had read "no counted vote yet" at once: the database constraint decides.
    monkeypatch.setattr(voting, "counted_votes", lambda award_id, edition_id: Vote.objects.none())

    with pytest.raises(voting.AlreadyVoted):
        voting.confirm_vote(second.rstrip("/").rsplit("/", 1)[1])

    assert counts(award) == {"Anna Exempelsson": 1, "Bo Påhittad": 0}


def test_a_forged_or_tampered_link_is_refused_and_changes_nothing(client, award, anna, cast):
    link = cast(anna, "vera@example.se")
    token = link.rstrip("/").rsplit("/", 1)[1]
    vote = Vote.objects.get()
    url = award.url + award.reverse_subpage("confirm_vote", args=("TOKEN",))
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.TimestampSigner(salt="some.other.salt").sign(str(vote.pk)).replace(":", "-"),
        signing.TimestampSigner(key="not-our-key", salt=voting.LINK_SALT).sign(str(vote.pk)).replace(":", "-"),
        re.sub(r"^\d+", str(vote.pk + 1), token),
        "inte-en-token",
        "token",
    ]

    for bad in forged:
        response = client.post(url.replace("TOKEN", bad))
        assert response.status_code == 400, bad
        assert response.context["state"] == "invalid"
        assert response.context["error"].message
        assert client.get(url.replace("TOKEN", bad)).status_code == 400

    assert Vote.objects.get().confirmed_at is None


def test_a_link_older_than_48_hours_has_expired_and_changes_nothing(client, award, anna, cast):
    cast(anna, "vera@example.se")
    vote = Vote.objects.get()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 49 * 60 * 60):
        token = voting.make_token(vote)
    url = award.url + award.reverse_subpage("confirm_vote", args=(token,))

    response = client.post(url)

    assert response.status_code == 410
    assert response.context["state"] == "expired"
    assert response.context["can_vote_again"]
    assert award.reverse_subpage("vote") in response.context["vote_url"]
    assert client.get(url).status_code == 410
    assert Vote.objects.get().confirmed_at is None


def test_a_link_of_47_hours_still_works(client, award, anna, cast):
    cast(anna, "vera@example.se")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 47 * 60 * 60):
        token = voting.make_token(Vote.objects.get())

    response = client.post(award.url + award.reverse_subpage("confirm_vote", args=(token,)))

    assert response.status_code == 200
    assert counts(award)["Anna Exempelsson"] == 1


def test_a_link_from_another_awards_page_is_refused(client, home, award, anna, cast):
    other_award = award_round(home, slug="andra-priset", title="Andra priset", phase="judging", public_vote=True)
    token = cast(anna, "vera@example.se").rstrip("/").rsplit("/", 1)[1]

    response = client.post(other_award.url + other_award.reverse_subpage("confirm_vote", args=(token,)))

    assert response.status_code == 400
    assert Vote.objects.get().confirmed_at is None


def test_a_vote_confirmed_after_voting_closed_does_not_count(client, award, anna, cast):
    link = cast(anna, "vera@example.se")
    award.voting_closes_at = timezone.now() - dt.timedelta(minutes=1)
    award.save_revision().publish()

    response = client.post(link)

    assert response.status_code == 403
    assert response.context["state"] == "closed"
    assert Vote.objects.get().confirmed_at is None


# --- The email ----------------------------------------------------------------------------------------------------


def test_the_email_holds_the_link_and_no_one_elses_data(client, award, anna, cast):
    cast(anna, "forsta@example.se")
    link = cast(anna, "andra@example.se")
    message = mail.outbox[-1]

    assert message.to == ["andra@example.se"]
    html = message.alternatives[0][0]
    assert link in message.body and link in html
    assert "Anna Exempelsson" in message.body
    for text in (message.subject, message.body, html):
        assert "forsta@example.se" not in text
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert voting.vote_id_from_token(token) == Vote.objects.get(email="andra@example.se").pk
    assert "andra" not in token


# --- Languages ----------------------------------------------------------------------------------------------------


def test_a_vote_on_the_english_page_counts_in_the_same_round(
    client, home, award, anna, cast, django_capture_on_commit_callbacks
):
    english = Locale.objects.get(language_code="en")
    award.get_parent().copy_for_translation(english).save_revision().publish()
    award_en = award.copy_for_translation(english)
    award_en.save_revision().publish()
    anna_en = anna.copy_for_translation(english)
    anna_en.title = "Anna Example"
    anna_en.save_revision().publish()
    client.post(cast(anna, "vera@example.se"))
    url_en = award_en.url + award_en.reverse_subpage("vote")

    form = client.get(url_en)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_en, {"nominee": anna_en.pk, "email": "vera@example.se"})
    vote = Vote.objects.latest("pk")
    refused = client.post(award_en.url + award_en.reverse_subpage("confirm_vote", args=(voting.make_token(vote),)))

    assert "Anna Example" in form.content.decode()
    assert vote.award_id == award.pk and vote.nominee_id == anna.pk
    assert "/en/" in LINK.search(mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].body.startswith("Thank you for voting for Anna Example")  # English, the voter's language
    assert refused.context["state"] == "already_voted"
    assert counts(award)["Anna Exempelsson"] == 1


# --- Results ------------------------------------------------------------------------------------------------------


def test_the_public_results_show_confirmed_votes_only(client, award, anna, bo, cast):
    client.post(cast(anna, "vera@example.se"))
    client.post(cast(anna, "ville@example.se"))
    client.post(cast(bo, "valle@example.se"))
    cast(bo, "obekraftad@example.se")

    results = voting.vote_results(award)
    html = render_to_string("events/includes/vote_results.html", {"results": results})

    assert [(result.nominee.title, result.votes, result.unconfirmed) for result in results] == [
        ("Anna Exempelsson", 2, 0),
        ("Bo Påhittad", 1, 1),
    ]
    assert "Anna Exempelsson" in html and "Bo Påhittad" in html
    assert 'value="66.7"' in html and 'value="33.3"' in html


def test_results_are_per_round(client, award, anna, cast):
    client.post(cast(anna, "vera@example.se"))

    assert voting.vote_results(award, EditionFactory()) == []
    assert [result.votes for result in voting.vote_results(award)] == [1]


# --- The organisers' view -----------------------------------------------------------------------------------------


@pytest.fixture
def people(home):
    seed_people(home)
    return get_user_model().objects


@pytest.fixture
def results_url():
    return "/admin/public-vote/"


def test_organisers_see_the_counts_in_the_admin(client, people, award, anna, bo, cast, results_url):
    client.post(cast(anna, "vera@example.se"))
    cast(bo, "obekraftad@example.se")
    client.force_login(people.get(username="arrangor"))

    response = client.get(results_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Testpriset" in html and "Anna Exempelsson" in html
    assert 'data-votes="1"' in html and 'data-unconfirmed="1"' in html
    [entry] = response.context["overview"]
    [current] = entry["rounds"]
    assert (current["counted"], current["unconfirmed"]) == (1, 1)


def test_a_superuser_and_a_holder_of_view_vote_see_the_counts(client, people, award, anna, results_url):
    client.force_login(people.get(username="admin"))
    assert client.get(results_url).status_code == 200

    counter = people.create_user("rakneverk", password="x")
    counter.groups.add(Group.objects.get(name="Entrépersonal"))  # admin access, nothing more
    counter.user_permissions.add(Permission.objects.get(content_type__app_label="events", codename="view_vote"))
    client.force_login(counter)
    assert client.get(results_url).status_code == 200


@pytest.mark.parametrize("username", ["jury", "redaktor", "entre"])
def test_the_jury_and_other_staff_may_not_see_the_counts(client, people, award, anna, cast, results_url, username):
    client.post(cast(anna, "vera@example.se"))
    client.force_login(people.get(username=username))

    response = client.get(results_url)

    assert response.status_code == 403
    assert "Anna Exempelsson" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, award, anna, results_url):
    response = client.get(results_url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_one_address_at_the_same_moment_count_once(award, anna, bo):
    # Votes made through the service, not the test client: the client's middleware goes through async_to_sync,
    # which cannot run in a transactional test once Playwright's event loop exists in this thread.
    votes = [
        voting.request_vote(award, nominee=nominee, email="vera@example.se", language="sv") for nominee in (anna, bo)
    ]
    tokens = [voting.make_token(vote) for vote in votes]
    start = threading.Barrier(len(tokens))
    outcomes = []

    def confirm(token):
        try:
            start.wait()
            voting.confirm_vote(token)
            outcomes.append("counted")
        except voting.AlreadyVoted:
            outcomes.append("already_voted")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already_voted", "counted"]
    assert Vote.objects.filter(confirmed_at__isnull=False).count() == 1
