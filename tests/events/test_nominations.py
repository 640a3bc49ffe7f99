"""The public nomination form: open only in the nomination phase, one required answer per criterion, nothing stored
unless everything is valid, a confirmation email with a copy of the answers, and no help for bots and floods.

Assertions look at data, statuses, field names and ids rather than interface text, except on the English site,
so they hold before and after the Swedish catalogue is compiled."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.models import Locale

from events import nominations
from events.models import Nomination, NominationAnswer
from home.demo import seed_home
from tests.factories import award_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return seed_home()


@pytest.fixture
def award(home):
    return award_round(home, phase="nomination")


def form_url(award):
    return award.url + "nominera/"


def thanks_url(award):
    return award.url + "nominera/tack/"


def valid_data(award, **overrides):
    data = {
        "candidate_kind": "people",
        "candidate_name": "Cecilia Exempelsson och Kenneth Provsson",
        "candidate_organisation": "Exempelby kommun",
        "candidate_contact": "070-000 00 00",
        "nominator_name": "Nina Nominerasson",
        "nominator_email": "nina@example.org",
        "nominator_organisation": "Grannby kommun",
        "consent": "on",
        "website": "",
    }
    for number, criterion in enumerate(award.criteria.all(), start=1):
        data[f"criterion_{criterion.pk}"] = f"Svar nummer {number} om {criterion.title.lower()}."
    return {**data, **overrides}


def elements(html):
    """Every element of `html` that has an id, as {id: {attribute: value}}."""

    class Collector(HTMLParser):
        found = {}

        def handle_starttag(self, tag, attrs):
            attributes = {name: value or "" for name, value in attrs}
            if "id" in attributes:
                self.found[attributes["id"]] = {"tag": tag, **attributes}

    collector = Collector()
    collector.found = {}
    collector.feed(html)
    return collector.found


def test_the_form_asks_one_required_answer_per_criterion_with_its_guidance(client, award):
    response = client.get(form_url(award))

    assert response.status_code == 200
    html = response.content.decode()
    found = elements(html)
    for criterion in award.criteria.all():
        field = found[f"id_criterion_{criterion.pk}"]
        assert field["tag"] == "textarea"
        assert field["name"] == f"criterion_{criterion.pk}"
        assert "required" in field
        assert f"id_criterion_{criterion.pk}_helptext" in field["aria-describedby"]
        assert criterion.guidance in html
        assert f'<label class="field__label" for="id_criterion_{criterion.pk}">{criterion.title}' in html
    assert "required" in found["id_consent"]
    assert found["id_website"]["tabindex"] == "-1"
    assert "csrfmiddlewaretoken" in html
    assert "no-store" in response["Cache-Control"]
    assert not hasattr(response, "cache_publicly")


def test_criterion_fields_follow_the_criteria_sort_order(client, home):
    award = award_round(home, criteria=(("Första", 1), ("Andra", 1), ("Tredje", 1)))
    award.criteria.filter(title="Första").update(sort_order=5)

    html = client.get(form_url(award)).content.decode()

    positions = [html.index(f'name="criterion_{criterion.pk}"') for criterion in award.criteria.all()]
    assert [criterion.title for criterion in award.criteria.all()] == ["Andra", "Tredje", "Första"]
    assert positions == sorted(positions)


def test_a_missing_answer_is_refused_on_its_field_and_nothing_is_stored(client, award, mailoutbox):
    first, second = award.criteria.all()
    data = valid_data(award, **{f"criterion_{second.pk}": "   "})

    response = client.post(form_url(award), data)

    assert response.status_code == 400
    html = response.content.decode()
    found = elements(html)
    field = found[f"id_criterion_{second.pk}"]
    assert field["aria-invalid"] == "true"
    assert f"id_criterion_{second.pk}_error" in field["aria-describedby"].split()
    assert f"id_criterion_{second.pk}_error" in found
    assert second.title in html[html.index(f'id="id_criterion_{second.pk}_error"') :][:300]
    assert "aria-invalid" not in found[f"id_criterion_{first.pk}"]
    summary = html[html.index("data-error-summary") : html.index("data-nomination-form")]
    assert f'href="#id_criterion_{second.pk}"' in summary
    assert f'href="#id_criterion_{first.pk}"' not in summary
    assert "autofocus" in found["error-summary"]
    assert found["error-summary"]["tabindex"] == "-1"
    # What the nominator typed is still there.
    assert "Svar nummer 1 om synlig skillnad." in html
    assert "Nina Nominerasson" in html
    assert Nomination.objects.count() == 0
    assert NominationAnswer.objects.count() == 0
    assert mailoutbox == []


def test_errors_on_the_candidate_kind_and_consent_point_at_their_controls(client, award):
    data = valid_data(award)
    del data["candidate_kind"], data["consent"]

    response = client.post(form_url(award), data)

    html = response.content.decode()
    found = elements(html)
    summary = html[html.index("data-error-summary") : html.index("data-nomination-form")]
    assert 'href="#id_candidate_kind_0"' in summary
    assert 'href="#id_consent"' in summary
    assert found["id_candidate_kind_0"]["aria-invalid"] == "true"
    assert "id_candidate_kind_error" in found
    assert found["id_consent"]["aria-invalid"] == "true"
    assert found["id_consent"]["aria-describedby"].split() == ["id_consent_helptext", "id_consent_error"]
    assert Nomination.objects.count() == 0


@pytest.mark.parametrize(("phase", "moment"), [("before", "nominations_open_at"), ("judging", "nominations_close_at")])
def test_outside_the_nomination_phase_the_form_is_closed_and_stores_nothing(
    client, home, mailoutbox, django_capture_on_commit_callbacks, phase, moment
):
    award = award_round(home, phase=phase)
    with translation.override("sv"):
        when = date_format(timezone.localtime(getattr(award, moment)), "j F Y, H:i")

    shown = client.get(form_url(award))
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(form_url(award), valid_data(award))

    assert shown.status_code == 200
    assert when in shown.content.decode()
    assert b"data-nominations-closed" in shown.content
    assert b"data-nomination-form" not in shown.content
    assert posted.status_code == 409
    assert when in posted.content.decode()
    assert Nomination.objects.count() == 0
    assert mailoutbox == []


def test_a_round_without_dates_is_closed(client, home):
    award = award_round(home, nominations_open_at=None, nominations_close_at=None)

    response = client.post(form_url(award), valid_data(award))

    assert response.status_code == 409
    assert Nomination.objects.count() == 0


def test_a_valid_nomination_is_stored_with_an_answer_per_criterion_and_confirmed_by_email(
    client, award, mailoutbox, django_capture_on_commit_callbacks
):
    data = valid_data(award)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(award), data)

    assert response.status_code == 302
    assert response["Location"] == thanks_url(award)
    nomination = Nomination.objects.get()
    assert nomination.award_id == award.pk
    assert nomination.edition_id == award.edition_id
    assert nomination.status == Nomination.Status.RECEIVED
    assert nomination.language == "sv"
    assert before <= nomination.consented_at <= timezone.now()
    assert (nomination.candidate_kind, nomination.candidate_name) == ("people", data["candidate_name"])
    assert (nomination.nominator_name, nomination.nominator_email) == ("Nina Nominerasson", "nina@example.org")
    assert nomination.candidate_organisation == "Exempelby kommun"
    answers = list(nomination.answers.all())
    criteria = list(award.criteria.all())
    assert [answer.criterion_id for answer in answers] == [criterion.pk for criterion in criteria]
    assert [answer.criterion_title for answer in answers] == ["Synlig skillnad", "Samverkan"]
    assert [answer.text for answer in answers] == [data[f"criterion_{criterion.pk}"] for criterion in criteria]

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["nina@example.org"]
    assert award.title in email.subject
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    for part in (email.body, html):
        assert "Nina Nominerasson" in part
        assert "Cecilia Exempelsson" in part
        for answer in answers:
            assert answer.criterion_title in part
            assert answer.text in part
        assert award.full_url in part


def test_the_thank_you_page_shows_no_personal_data(client, award, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(award), valid_data(award), follow=True)

    assert response.redirect_chain == [(thanks_url(award), 302)]
    assert response.status_code == 200
    assert b"data-nomination-thanks" in response.content
    assert b"nina@example.org" not in response.content
    assert b"Nina Nominerasson" not in response.content


def test_the_email_escapes_what_the_nominator_wrote_in_html_only(
    client, award, mailoutbox, django_capture_on_commit_callbacks
):
    first = award.criteria.first()
    data = valid_data(award, **{f"criterion_{first.pk}": "Polis & kommun <tillsammans>"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url(award), data)

    email = mailoutbox[0]
    assert "Polis & kommun <tillsammans>" in email.body
    assert "Polis &amp; kommun &lt;tillsammans&gt;" in email.alternatives[0][0]


def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, award, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(award), valid_data(award, website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == thanks_url(award)
    assert Nomination.objects.count() == 0
    assert mailoutbox == []


def test_more_than_five_nominations_an_hour_from_one_address_get_429(
    client, award, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(form_url(award), valid_data(award, nominator_email=f"person{n}@example.org")).status_code
            for n in range(5)
        ]
        refused = client.post(form_url(award), valid_data(award, nominator_email="sixth@example.org"))

    assert statuses == [302] * 5
    assert refused.status_code == 429
    assert b"data-nomination-form" in refused.content
    assert b"sixth@example.org" in refused.content  # the form keeps what was typed
    assert Nomination.objects.count() == 5
    assert not Nomination.objects.filter(nominator_email="sixth@example.org").exists()
    assert len(mailoutbox) == 5


def test_more_than_three_nominations_an_hour_from_one_email_get_429(
    client, award, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(form_url(award), valid_data(award), REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)
        ]
        refused = client.post(
            form_url(award), valid_data(award, nominator_email="NINA@example.org "), REMOTE_ADDR="192.0.2.9"
        )

    assert statuses == [302] * 3
    assert refused.status_code == 429
    assert b"data-nomination-form" in refused.content
    assert Nomination.objects.count() == 3
    assert len(mailoutbox) == 3


def test_answers_to_another_awards_criteria_cannot_be_injected(client, home, award, django_capture_on_commit_callbacks):
    other = award_round(home, slug="annat-pris", title="Annat pris", criteria=(("Främmande", 1),))
    foreign = other.criteria.get()
    data = valid_data(award, **{f"criterion_{foreign.pk}": "Injicerat svar", "criterion_999999": "Okänt"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(award), data)

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert {answer.criterion_id for answer in nomination.answers.all()} == set(
        award.criteria.values_list("pk", flat=True)
    )
    assert not NominationAnswer.objects.filter(criterion=foreign).exists()
    assert not NominationAnswer.objects.filter(text__in=["Injicerat svar", "Okänt"]).exists()


def test_the_service_refuses_a_nomination_without_every_answer_and_ignores_foreign_ones(home, award):
    other = award_round(home, slug="annat-pris", title="Annat pris", criteria=(("Främmande", 1),))
    first, _second = award.criteria.all()
    data = {"candidate_kind": "person", "candidate_name": "Anna", "nominator_name": "Bo", "nominator_email": "b@x.se"}

    with pytest.raises(nominations.IncompleteNomination) as refused:
        nominations.submit_nomination(
            award, data=data, answers={first.pk: "Ja", other.criteria.get().pk: "Nej"}, language="sv"
        )

    assert refused.value.code == "incomplete"
    assert Nomination.objects.count() == 0


def test_the_service_refuses_a_closed_round_with_a_code_and_a_message(home):
    award = award_round(home, phase="judging")

    with pytest.raises(nominations.NominationsClosed) as refused:
        nominations.submit_nomination(award, data={}, answers={}, language="sv")

    assert refused.value.code == "closed"
    assert award.title in refused.value.message
    assert Nomination.objects.count() == 0


def test_the_form_needs_a_csrf_token(award):
    response = Client(enforce_csrf_checks=True).post(form_url(award), valid_data(award))

    assert response.status_code == 403
    assert Nomination.objects.count() == 0


@pytest.fixture
def english_award(award):
    english = Locale.objects.get(language_code="en")
    index = award.get_parent().specific.copy_for_translation(english)
    index.save_revision().publish()
    translated = award.copy_for_translation(english)
    translated.title = "The Test Award"
    translated.save_revision().publish()
    return translated


def test_the_english_form_works_at_the_english_page(
    client, english_award, mailoutbox, django_capture_on_commit_callbacks
):
    url = form_url(english_award)
    assert url.startswith("/en/")

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, valid_data(english_award))

    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Nominate a candidate for The Test Award" in html
    assert "How the candidate meets the criteria" in html
    assert response.status_code == 302
    assert response["Location"] == thanks_url(english_award)
    nomination = Nomination.objects.get()
    assert nomination.language == "en"
    assert nomination.award_id == english_award.round_page().pk != english_award.pk  # one round, both languages
    assert {answer.criterion.page_id for answer in nomination.answers.all()} == {nomination.award_id}
    assert nomination.answers.count() == english_award.criteria.count() == 2
    email = mailoutbox[0]
    assert email.subject == "Your nomination for The Test Award"
    assert "Thank you for nominating Cecilia Exempelsson" in email.body
    assert "What happens next" in email.alternatives[0][0]
    thanks = client.get(response["Location"])
    assert b"Thank you for your nomination" in thanks.content


def test_a_missing_answer_on_the_english_form_is_explained_in_english(client, english_award):
    first = english_award.criteria.first()

    response = client.post(form_url(english_award), valid_data(english_award, **{f"criterion_{first.pk}": ""}))

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Describe how the candidate meets the criterion “{first.title}”" in html
    assert "Your nomination has not been sent" in html
    assert Nomination.objects.count() == 0
