"""The jury scores nominations in the admin and organisers decide on them (issue "Awards", parts 2 and 4)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import jury
from events.models import JuryMember, JuryReview, JuryScore, Nomination, NominationAnswer, NomineePage
from home.demo import seed_home
from tests.factories import EditionFactory, award_round

pytestmark = pytest.mark.django_db

WAGTAIL_REFUSES = {302, 403}  # Wagtail's own admin views send a refused user to the dashboard with a message


# --- Data ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def home():
    return seed_home()


@pytest.fixture
def award(home):
    return award_round(home, phase="judging", criteria=(("A", 2), ("B", 1)))


def group(name):
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


def make_user(username, *groups):
    user = get_user_model().objects.create_user(username=username, first_name=username.capitalize(), password="x")
    for name in groups:
        user.groups.add(group(name))
    return user


def juror(award, username):
    """A user in the Jury group, on `award`'s jury."""
    user = get_user_model().objects.filter(username=username).first() or make_user(username, jury.JURY_GROUP)
    JuryMember.objects.create(page=award, name=username.capitalize(), user=user)
    return user


@pytest.fixture
def organiser():
    return make_user("arrangor", jury.ORGANISER_GROUP)


def criteria(award):
    return {criterion.title: criterion for criterion in award.criteria.all()}


def nominate(award, name, *, edition=None, answers=None, kind="person", status=Nomination.Status.RECEIVED):
    nomination = Nomination.objects.create(
        award=award,
        edition=edition or award.edition,
        status=status,
        candidate_kind=kind,
        candidate_name=name,
        candidate_organisation="Exempelstads kommun",
        nominator_name="Nina Nominerasson",
        nominator_email="nina@example.org",
        consented_at=timezone.now(),
    )
    for title, criterion in criteria(award).items():
        text = (answers or {}).get(title, f"Svar om {title} för {name}.")
        NominationAnswer.objects.create(nomination=nomination, criterion=criterion, criterion_title=title, text=text)
    return nomination


def score(award, nomination, user, a, b, *, submit=True, comments=("", "")):
    by_title = criteria(award)
    return jury.save_review(
        nomination,
        user,
        scores={
            by_title["A"]: {"score": a, "comment": comments[0]},
            by_title["B"]: {"score": b, "comment": comments[1]},
        },
        submit=submit,
    )


def review_form(award, a, b, *, action="submit", comments=("", "")):
    by_title = criteria(award)
    return {
        f"score_{by_title['A'].pk}": a,
        f"comment_{by_title['A'].pk}": comments[0],
        f"score_{by_title['B'].pk}": b,
        f"comment_{by_title['B'].pk}": comments[1],
        "action": action,
    }


def review_url(nomination):
    return f"/admin/jury/nomination/{nomination.pk}/"


def ranking_url(award):
    return f"/admin/jury/ranking/{award.pk}/"


# --- The ranking --------------------------------------------------------------------------------------------------


def test_the_ranking_is_the_mean_of_each_reviews_criterion_weighted_mean(award):
    """Weights A=2, B=1. Worked by hand:
    Nora:  Ada A5 B2 → (2·5 + 1·2)/3 = 4;     Bo A3 B3 → 3;     mean 3.5,   spread 1.
    Olle:  Ada A4 B5 → (2·4 + 1·5)/3 = 13/3;  Bo A4 B4 → 4;     mean 25/6,  spread 1/3.
    Pia:   Ada A1 B4 → (2·1 + 1·4)/3 = 2;     Bo's draft does not count;     mean 2,  spread 0.
    Quinn: no counted review."""
    ada, bo = juror(award, "ada"), juror(award, "bo")
    nora, olle, pia, quinn = (nominate(award, name) for name in ("Nora", "Olle", "Pia", "Quinn"))
    score(award, nora, ada, 5, 2)
    score(award, nora, bo, 3, 3)
    score(award, olle, ada, 4, 5)
    score(award, olle, bo, 4, 4)
    score(award, pia, ada, 1, 4)
    score(award, pia, bo, 5, 5, submit=False)

    rows = jury.ranking(award, award.edition)

    assert [row.nomination for row in rows] == [olle, nora, pia, quinn]
    assert [row.position for row in rows] == [1, 2, 3, None]
    assert rows[0].mean == pytest.approx(25 / 6)
    assert rows[0].spread == pytest.approx(1 / 3)
    assert rows[1].mean == pytest.approx(3.5)
    assert rows[1].spread == pytest.approx(1)
    assert (rows[2].mean, rows[2].reviews, rows[2].scores, rows[2].spread) == (pytest.approx(2), 1, 2, 0)
    assert (rows[3].mean, rows[3].reviews, rows[3].scores, rows[3].spread) == (None, 0, 0, None)
    assert [(row.reviews, row.scores) for row in rows[:2]] == [(2, 4), (2, 4)]


def test_the_organisers_see_the_ranking_in_the_admin(client, award, organiser):
    ada, bo = juror(award, "ada"), juror(award, "bo")
    nora = nominate(award, "Nora")
    score(award, nora, ada, 5, 2)
    score(award, nora, bo, 3, 3)
    client.force_login(organiser)

    response = client.get(ranking_url(award))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row.nomination, row.mean, row.reviews) == (nora, pytest.approx(3.5), 2)
    assert "3,50" in response.text  # Swedish decimals in the admin


def test_a_recused_members_scores_are_excluded(award):
    ada, bo, cecilia = juror(award, "ada"), juror(award, "bo"), juror(award, "cecilia")
    nora = nominate(award, "Nora")
    score(award, nora, ada, 5, 2)
    score(award, nora, bo, 3, 3)
    score(award, nora, cecilia, 1, 1)
    assert jury.ranking(award, award.edition)[0].mean == pytest.approx((4 + 3 + 1) / 3)

    jury.declare_conflict(nora, cecilia, note="Jag arbetar med kandidaten.")

    [row] = jury.ranking(award, award.edition)
    assert (row.mean, row.reviews, row.scores, row.recused) == (pytest.approx(3.5), 2, 4, 1)
    review = JuryReview.objects.get(nomination=nora, juror=cecilia)
    assert review.conflict_of_interest and not review.scores.exists()
    entry = ModelLogEntry.objects.get(action="events.jury_conflict")
    assert entry.data["note"] == "Jag arbetar med kandidaten."
    assert {value["score"] for value in entry.data["old"].values()} == {1}


def test_a_recused_member_cannot_score_the_nomination_afterwards(client, award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    client.force_login(ada)

    response = client.post(review_url(nora), {"action": "conflict", "note": "Min kusin."})
    assert response.status_code == 302
    response = client.post(review_url(nora), review_form(award, 5, 5), follow=True)

    assert response.status_code == 200
    assert not JuryScore.objects.exists()
    assert response.context["recused"] is True


def test_a_conflict_needs_a_note(client, award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    client.force_login(ada)

    response = client.post(review_url(nora), {"action": "conflict", "note": ""})

    assert response.status_code == 200
    assert response.context["conflict_form"].errors["note"]
    assert not JuryReview.objects.filter(conflict_of_interest=True).exists()


# --- What a jury member sees --------------------------------------------------------------------------------------


def test_a_jury_member_reads_the_others_scores_only_after_submitting(client, award):
    ada, bo = juror(award, "ada"), juror(award, "bo")
    nora = nominate(award, "Nora", answers={"A": "Nora ledde trygghetsvandringarna."})
    score(award, nora, bo, 2, 3, comments=("Bos hemliga kommentar", ""))
    client.force_login(ada)

    before = client.get(review_url(nora))
    assert before.status_code == 200
    assert before.context["others"] is None
    assert "Bos hemliga kommentar" not in before.text
    assert "Nora ledde trygghetsvandringarna." in before.text  # the nominator's answer beside the score
    locked = client.get(ranking_url(award))
    assert locked.status_code == 403
    assert "rows" not in locked.context
    assert "Bos hemliga kommentar" not in locked.text

    # A draft is not enough.
    client.post(review_url(nora), review_form(award, 4, "", action="draft"))
    assert client.get(review_url(nora)).context["others"] is None
    assert client.get(ranking_url(award)).status_code == 403

    submitted = client.post(review_url(nora), review_form(award, 4, 4), follow=True)
    assert submitted.status_code == 200
    [other] = submitted.context["others"]
    assert other["review"].juror == bo
    assert "Bos hemliga kommentar" in submitted.text
    ranking = client.get(ranking_url(award))
    assert ranking.status_code == 200
    assert ranking.context["rows"][0].mean == pytest.approx((7 / 3 + 4) / 2)  # Bo (2·2 + 3)/3, Ada 4


def test_the_ranking_waits_until_every_nomination_is_reviewed_or_recused(client, award):
    ada, bo = juror(award, "ada"), juror(award, "bo")
    nora, olle = nominate(award, "Nora"), nominate(award, "Olle")
    nominate(award, "Avböjd", status=Nomination.Status.DECLINED)  # not in judging: not in the way
    score(award, nora, bo, 2, 3)
    score(award, nora, ada, 4, 4)
    client.force_login(ada)
    assert client.get(ranking_url(award)).status_code == 403

    client.post(review_url(olle), {"action": "conflict", "note": "Jag känner Olle."})

    response = client.get(ranking_url(award))
    assert response.status_code == 200
    assert [row.nomination for row in response.context["rows"]] == [nora, olle]


def test_another_jury_member_does_not_see_drafts(award):
    ada, bo = juror(award, "ada"), juror(award, "bo")
    nora = nominate(award, "Nora")
    score(award, nora, bo, 2, 3, submit=False)
    score(award, nora, ada, 4, 4)

    assert jury.reviews_visible_to(ada, nora) == []
    assert jury.reviews_visible_to(bo, nora) is None


def test_a_jury_member_of_another_award_gets_404(client, home, award):
    other_award = award_round(home, slug="annat-pris", phase="judging", criteria=(("C", 1),))
    stranger = juror(other_award, "stina")
    nora = nominate(award, "Nora")
    client.force_login(stranger)

    assert client.get(review_url(nora)).status_code == 404
    assert client.post(review_url(nora), review_form(award, 5, 5)).status_code == 404
    assert client.get(ranking_url(award)).status_code == 404
    assert "Nora" not in client.get("/admin/jury/").text
    assert not JuryReview.objects.exists()


def test_a_jury_member_sees_only_the_current_edition_and_not_the_declined(client, award):
    ada = juror(award, "ada")
    old = nominate(award, "Förra året", edition=EditionFactory(year=2030))
    declined = nominate(award, "Avböjd", status=Nomination.Status.DECLINED)
    current = nominate(award, "Nora")
    client.force_login(ada)

    assert client.get(review_url(old)).status_code == 404
    assert client.get(review_url(declined)).status_code == 404
    assert client.get(f"{ranking_url(award)}?edition={old.edition_id}").status_code == 404
    index = client.get("/admin/jury/")
    assert [n for entry in index.context["my_awards"] for n in entry["nominations"]] == [current]


def test_only_the_published_jury_counts(client, award):
    """A member added in a draft of the award page is not on the jury until the draft is published."""
    ada = make_user("ada", jury.JURY_GROUP)
    nora = nominate(award, "Nora")
    draft = award.get_latest_revision_as_object()
    draft.jury_members.add(JuryMember(name="Ada", user=ada))
    revision = draft.save_revision()
    client.force_login(ada)

    assert client.get(review_url(nora)).status_code == 404

    revision.publish()
    assert client.get(review_url(nora)).status_code == 200


def test_a_user_outside_the_jury_group_gets_403(client, award):
    outsider = make_user("utomstaende", "Entrépersonal")
    JuryMember.objects.create(page=award, name="Utomstående", user=outsider)  # linked, but not in the group
    nora = nominate(award, "Nora")
    client.force_login(outsider)

    assert client.get("/admin/jury/").status_code == 403
    assert client.get(review_url(nora)).status_code == 403
    assert client.post(review_url(nora), review_form(award, 5, 5)).status_code == 403
    assert client.get(ranking_url(award)).status_code == 403
    assert client.get("/admin/nominations/").status_code in WAGTAIL_REFUSES
    assert not JuryReview.objects.exists()


def test_jury_members_cannot_edit_pages_or_read_the_nominations_admin(client, award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    client.force_login(ada)

    assert client.get(f"/admin/pages/{award.pk}/edit/").status_code in WAGTAIL_REFUSES
    assert client.get("/admin/nominations/").status_code in WAGTAIL_REFUSES
    assert client.get(f"/admin/nominations/inspect/{nora.pk}/").status_code in WAGTAIL_REFUSES
    refused = client.post(f"/admin/nominations/status/{nora.pk}/", {"status": "shortlisted"})
    assert refused.status_code in WAGTAIL_REFUSES
    nora.refresh_from_db()
    assert nora.status == Nomination.Status.RECEIVED
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert award.title in dashboard.text  # the jury panel: what is left to review


# --- Scoring ------------------------------------------------------------------------------------------------------


def test_a_draft_then_a_submitted_review(client, award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    client.force_login(ada)

    response = client.post(review_url(nora), review_form(award, 4, "", action="draft", comments=("Bra", "")))
    assert response.status_code == 302
    review = JuryReview.objects.get(nomination=nora, juror=ada)
    assert review.submitted_at is None
    assert [(s.criterion.title, s.score, s.comment) for s in review.scores.order_by("criterion__sort_order")] == [
        ("A", 4, "Bra")
    ]

    response = client.post(review_url(nora), review_form(award, 5, 3))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.submitted_at is not None
    assert sorted(review.scores.values_list("score", flat=True)) == [3, 5]
    page = client.get(review_url(nora))
    assert page.context["submitted"] is True
    assert page.context["form"].initial[f"score_{criteria(award)['A'].pk}"] == 5


@pytest.mark.parametrize(
    ("a", "b", "action", "field"),
    [
        ("7", "3", "draft", "A"),
        ("0", "3", "submit", "A"),
        ("fem", "3", "submit", "A"),
        ("4", "", "submit", "B"),
    ],
)
def test_invalid_scores_give_form_errors(client, award, a, b, action, field):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    client.force_login(ada)

    response = client.post(review_url(nora), review_form(award, a, b, action=action))

    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{criteria(award)[field].pk}"]
    assert not JuryScore.objects.exists()
    assert not JuryReview.objects.filter(submitted_at__isnull=False).exists()


def test_the_service_refuses_scores_outside_1_to_5(award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    a = criteria(award)["A"]

    with pytest.raises(ValidationError) as error:
        score(award, nora, ada, 6, 3)

    assert a.pk in error.value.message_dict
    assert not JuryScore.objects.exists()


def test_a_submitted_review_stays_complete(client, award):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    score(award, nora, ada, 4, 4)
    client.force_login(ada)

    response = client.post(review_url(nora), review_form(award, 4, "", action="draft"))

    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{criteria(award)['B'].pk}"]
    assert JuryScore.objects.count() == 2


def test_every_score_change_is_logged_with_old_and_new_values(client, award, organiser):
    ada = juror(award, "ada")
    nora = nominate(award, "Nora")
    a, b = criteria(award)["A"], criteria(award)["B"]
    client.force_login(ada)

    client.post(review_url(nora), review_form(award, 3, "", action="draft"))
    client.post(review_url(nora), review_form(award, 4, 2, comments=("", "Tunt underlag")))

    entries = list(ModelLogEntry.objects.filter(action="events.jury_score").order_by("pk"))
    assert [entry.object_id for entry in entries] == [str(nora.pk)] * 2
    assert all(entry.user_id == ada.pk for entry in entries)
    first, second = (entry.data for entry in entries)
    assert first["old"] == {}
    assert first["new"] == {str(a.pk): {"criterion": "A", "score": 3, "comment": ""}}
    assert (first["submitted"], second["submitted"]) == (False, True)
    assert second["old"] == first["new"]
    assert second["new"] == {
        str(a.pk): {"criterion": "A", "score": 4, "comment": ""},
        str(b.pk): {"criterion": "B", "score": 2, "comment": "Tunt underlag"},
    }

    # Nothing changed, nothing logged.
    client.post(review_url(nora), review_form(award, 4, 2, comments=("", "Tunt underlag")))
    assert ModelLogEntry.objects.filter(action="events.jury_score").count() == 2

    # The organisers read it in Wagtail's history of the nomination and in the site history report.
    client.force_login(organiser)
    history = client.get(f"/admin/nominations/history/{nora.pk}/")
    assert history.status_code == 200
    assert "A: 3 → 4" in history.text
    admin = make_user("admin")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    report = client.get("/admin/reports/site-history/")
    assert report.status_code == 200
    assert "B: – → 2" in report.text


# --- Organisers ---------------------------------------------------------------------------------------------------


def test_organisers_list_filter_and_search_nominations(client, award, organiser):
    nora, olle = nominate(award, "Nora Nilsson"), nominate(award, "Olle Olsson")
    jury.set_status(olle, Nomination.Status.SHORTLISTED, by=organiser)
    client.force_login(organiser)

    listing = client.get("/admin/nominations/")
    assert listing.status_code == 200
    assert set(listing.context["object_list"]) == {nora, olle}
    shortlisted = client.get("/admin/nominations/", {"status": "shortlisted", "award": award.pk})
    assert list(shortlisted.context["object_list"]) == [olle]
    found = client.get("/admin/nominations/", {"q": "nilsson"})
    assert list(found.context["object_list"]) == [nora]
    by_nominator = client.get("/admin/nominations/", {"q": "nominerasson"})
    assert set(by_nominator.context["object_list"]) == {nora, olle}

    inspect = client.get(f"/admin/nominations/inspect/{nora.pk}/")
    assert inspect.status_code == 200
    assert "Svar om A för Nora Nilsson." in inspect.text
    assert [answer.criterion_title for answer in inspect.context["answers"]] == ["A", "B"]


def test_organisers_shortlist_and_decline_and_it_is_logged(client, award, organiser):
    nora = nominate(award, "Nora")
    client.force_login(organiser)

    response = client.post(f"/admin/nominations/status/{nora.pk}/", {"status": "shortlisted"})

    assert response.status_code == 302
    assert response.url == f"/admin/nominations/inspect/{nora.pk}/"
    nora.refresh_from_db()
    assert nora.status == Nomination.Status.SHORTLISTED
    entry = ModelLogEntry.objects.get(action="events.nomination_status")
    assert (entry.data, entry.user_id, entry.object_id) == (
        {"old": "received", "new": "shortlisted"},
        organiser.pk,
        str(nora.pk),
    )

    client.post(f"/admin/nominations/status/{nora.pk}/", {"status": "declined"})
    nora.refresh_from_db()
    assert nora.status == Nomination.Status.DECLINED
    assert client.post(f"/admin/nominations/status/{nora.pk}/", {"status": "vinnare"}).status_code == 302
    nora.refresh_from_db()
    assert nora.status == Nomination.Status.DECLINED
    assert client.get(f"/admin/nominations/status/{nora.pk}/").status_code == 405


def test_organisers_with_the_permission_but_not_the_group_manage_nominations(client, award):
    user = make_user("behorig")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="events", codename="change_nomination"),
    )
    nora = nominate(award, "Nora")
    client.force_login(user)

    assert client.get("/admin/nominations/").status_code == 200
    assert client.get(ranking_url(award)).status_code == 200
    assert client.post(f"/admin/nominations/status/{nora.pk}/", {"status": "shortlisted"}).status_code == 302


def test_create_nominee_page_makes_one_prefilled_draft(client, award, organiser, home):
    from wagtail.models import GroupPagePermission, Page

    for action in ("add", "change", "publish"):
        GroupPagePermission.objects.get_or_create(
            group=Group.objects.get(name=jury.ORGANISER_GROUP),
            page=home,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page"),
        )
    nora = nominate(
        award,
        "Nora Nilsson",
        answers={"A": "Hon startade <nattvandringar>.\n\nOch fick med polisen & kommunen.", "B": "Samverkan."},
    )
    client.force_login(organiser)

    refused = client.post(f"/admin/nominations/nominee-page/{nora.pk}/")
    assert refused.status_code == 302
    assert not NomineePage.objects.exists()

    jury.set_status(nora, Nomination.Status.SHORTLISTED, by=organiser)
    response = client.post(f"/admin/nominations/nominee-page/{nora.pk}/")

    page = NomineePage.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{page.pk}/edit/"
    assert not page.live
    assert page.get_parent().pk == award.pk
    assert (page.title, page.kind, page.organisation, page.edition, page.nomination) == (
        "Nora Nilsson",
        "person",
        "Exempelstads kommun",
        award.edition,
        nora,
    )
    assert page.people == "Nora Nilsson, Exempelstads kommun"
    assert page.summary.startswith("Hon startade <nattvandringar>.")
    assert page.why_nominated == (
        "<p><b>A</b></p><p>Hon startade &lt;nattvandringar&gt;.</p><p>Och fick med polisen &amp; kommunen.</p>"
        "<p><b>B</b></p><p>Samverkan.</p>"
    )
    assert page.latest_revision is not None
    assert client.get(response.url).status_code == 200

    again = client.post(f"/admin/nominations/nominee-page/{nora.pk}/")
    assert again.url == f"/admin/pages/{page.pk}/edit/"
    assert NomineePage.objects.count() == 1
    assert not Page.objects.get(pk=page.pk).live


def test_an_organisation_nominee_has_no_people(award, organiser):
    nomination = nominate(award, "Exempelstads kommun", kind="organisation", status=Nomination.Status.SHORTLISTED)

    page, created = jury.create_nominee_page(nomination, by=organiser)

    assert created
    assert (page.kind, page.people) == ("organisation", "")
    assert jury.create_nominee_page(nomination, by=organiser) == (page, False)


# --- Queries ------------------------------------------------------------------------------------------------------


def count_queries(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_ranking_costs_two_queries_however_many_nominations(award, django_assert_num_queries):
    ada, bo = juror(award, "ada"), juror(award, "bo")
    for number in range(2):
        nomination = nominate(award, f"Kandidat {number}")
        score(award, nomination, ada, 4, 3)
        score(award, nomination, bo, 2, 5)
    with django_assert_num_queries(2):
        assert len(jury.ranking(award, award.edition)) == 2

    for number in range(2, 10):
        nomination = nominate(award, f"Kandidat {number}")
        score(award, nomination, ada, 4, 3)
        score(award, nomination, bo, 2, 5)
    with django_assert_num_queries(2):
        assert len(jury.ranking(award, award.edition)) == 10


def test_the_admin_pages_cost_the_same_with_2_and_10_nominations(client, award, organiser):
    ada = juror(award, "ada")
    client.force_login(organiser)
    pages = ["/admin/nominations/", ranking_url(award), "/admin/jury/"]

    def costs(user):
        client.force_login(user)
        return [count_queries(lambda url=url: client.get(url)) for url in pages]

    for number in range(2):
        score(award, nominate(award, f"Kandidat {number}"), ada, 4, 3)
    with_two = costs(organiser), costs(ada)
    for number in range(2, 10):
        score(award, nominate(award, f"Kandidat {number}"), ada, 4, 3)
    with_ten = costs(organiser), costs(ada)

    assert with_two == with_ten


def test_organisers_correct_a_nomination_and_export_the_list(client, award, organiser):
    nora = nominate(award, "Nora Nilson")
    client.force_login(organiser)

    form = client.get(f"/admin/nominations/edit/{nora.pk}/")
    assert form.status_code == 200
    assert "status" not in form.context["form"].fields  # the status moves only through its logged action
    response = client.post(
        f"/admin/nominations/edit/{nora.pk}/",
        {
            "candidate_kind": "person",
            "candidate_name": "Nora Nilsson",
            "candidate_organisation": "Exempelstads kommun",
            "candidate_contact": "",
            "nominator_name": "Nina Nominerasson",
            "nominator_email": "nina@example.org",
            "nominator_organisation": "",
        },
    )
    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.candidate_name == "Nora Nilsson"

    export = client.get("/admin/nominations/", {"export": "csv"})
    assert export.status_code == 200
    assert "Nora Nilsson" in export.getvalue().decode()
    assert client.get("/admin/nominations/new/").status_code in WAGTAIL_REFUSES  # nominations come from the form
