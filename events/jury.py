"""The jury's work on an award's nominations, and the organisers' decisions on them.

Who may do what: a jury member is an active user in the "Jury" group who is linked as `JuryMember.user` on the
award page (the award's database row, i.e. its published version). A jury member sees only the nominations of the
awards they judge, for each award's current edition, and not those the organisers have declined. Organisers
(superusers, the "Arrangörer" group, or anyone with `events.change_nomination`) see and manage every nomination.

Results: a review counts once it is submitted without a conflict of interest. Its figure is the criterion-weighted
mean sum(weight × score) / sum(weight); a nomination's figure is the mean of its counted reviews' figures, and its
spread the highest minus the lowest of them.

Every change to scores, conflicts and statuses is written to Wagtail's audit log against the nomination
(actions "events.jury_score", "events.jury_conflict", "events.nomination_status", "events.nominee_page").
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log

from events.models import AwardCriterion, AwardPage, JuryMember, JuryReview, JuryScore, Nomination, NomineePage

JURY_GROUP = "Jury"
ORGANISER_GROUP = "Arrangörer"
SCORE_RANGE = range(1, 6)


class JuryError(Exception):
    """A jury or organiser action the rules refuse; `code` is stable, `message` is for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# --- Who ----------------------------------------------------------------------------------------------------------


def _group_names(user):
    """The user's group names, read once per user object."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return frozenset()
    names = getattr(user, "_events_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._events_group_names = names
    return names


def in_jury_group(user):
    return JURY_GROUP in _group_names(user)


def can_manage_nominations(user):
    """Organisers: superusers, the Arrangörer group, or anyone with the permission to change nominations."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ORGANISER_GROUP in _group_names(user) or user.has_perm("events.change_nomination")


def is_juror(user, award):
    """Whether `user` judges `award`: in the Jury group and linked on the award's saved (published) jury."""
    return in_jury_group(user) and JuryMember.objects.filter(page_id=award.pk, user_id=user.pk).exists()


def awards_for_juror(user):
    """The awards `user` judges that have a current edition, in the page tree's order."""
    if not in_jury_group(user):
        return AwardPage.objects.none()
    return (
        AwardPage.objects.filter(
            pk__in=JuryMember.objects.filter(user_id=user.pk).values("page_id"), edition__isnull=False
        )
        .select_related("edition")
        .order_by("path")
    )


def nominations_for_juror(user):
    """What a jury member may read and score: their awards' nominations of each award's current edition, except
    those the organisers have declined."""
    return (
        Nomination.objects.filter(award__in=awards_for_juror(user), edition_id=F("award__edition_id"))
        .exclude(status=Nomination.Status.DECLINED)
        .select_related("award", "edition")
    )


def nominations_in_judging(award, edition):
    """The nominations of a round that the jury judges and the ranking lists: all but the declined ones."""
    return Nomination.objects.filter(award_id=award.pk, edition_id=edition.pk).exclude(
        status=Nomination.Status.DECLINED
    )


def has_reviewed(juror, nomination):
    """Whether `juror` has submitted a review of `nomination` or declared a conflict of interest on it."""
    return JuryReview.objects.filter(nomination=nomination, juror=juror, submitted_at__isnull=False).exists()


def nominations_left_to_review(juror, award):
    """The current edition's nominations of `award` that `juror` has neither submitted nor recused from."""
    done = JuryReview.objects.filter(juror=juror, submitted_at__isnull=False).values("nomination_id")
    return nominations_in_judging(award, award.edition).exclude(pk__in=done)


def can_see_ranking(user, award, edition):
    """Organisers always; a jury member of `award` only for its current edition, and only once they have submitted
    or recused on every nomination in it."""
    if can_manage_nominations(user):
        return True
    return (
        edition.pk == award.edition_id
        and is_juror(user, award)
        and not nominations_left_to_review(user, award).exists()
    )


# --- Reading scores -----------------------------------------------------------------------------------------------


def weighted_mean(scores):
    """sum(weight × score) / sum(weight) over (score, weight) pairs, exactly; None without weight."""
    total_weight = sum((Fraction(weight) for _score, weight in scores), Fraction(0))
    if not total_weight:
        return None
    return sum((Fraction(weight) * score for score, weight in scores), Fraction(0)) / total_weight


def review_mean(review):
    """A review's weighted mean, from its prefetched scores with their criteria."""
    value = weighted_mean([(score.score, score.criterion.weight) for score in review.scores.all()])
    return None if value is None else float(value)


def _reviews_with_scores():
    return JuryReview.objects.select_related("juror").prefetch_related(
        Prefetch("scores", queryset=JuryScore.objects.select_related("criterion").order_by("criterion__sort_order"))
    )


def reviews_visible_to(user, nomination):
    """The reviews of `nomination` that `user` may read, or None while they may read none.

    Organisers read every review, drafts included. A jury member reads nothing of the others' until they have
    submitted their own review of this nomination or declared a conflict on it; then they read the other members'
    submitted reviews and conflicts (never the others' drafts).
    """
    reviews = _reviews_with_scores().filter(nomination=nomination).order_by("juror__first_name", "juror__username")
    if can_manage_nominations(user):
        return list(reviews)
    if not is_juror(user, nomination.award) or not has_reviewed(user, nomination):
        return None
    return list(reviews.filter(submitted_at__isnull=False).exclude(juror=user))


@dataclass
class RankingRow:
    nomination: Nomination
    mean: float | None  # the mean of the counted reviews' weighted means
    reviews: int  # counted reviews: submitted, without a conflict of interest
    scores: int  # the scores in those reviews
    spread: float | None  # the highest minus the lowest reviewer's weighted mean
    recused: int  # members who declared a conflict of interest
    reviewer_means: list = field(default_factory=list)
    position: int | None = None


def ranking(award, edition):
    """The round's nominations best first by the mean of their counted reviews' weighted means (nominations without
    a counted review last); conflicted and unsubmitted reviews do not count. Two queries, whatever the size."""
    nominations = list(
        nominations_in_judging(award, edition)
        .select_related("award", "edition")
        .annotate(recused=Count("reviews", filter=Q(reviews__conflict_of_interest=True)))
        .order_by("candidate_name", "pk")
    )
    counted = JuryScore.objects.filter(
        review__nomination__in=[nomination.pk for nomination in nominations],
        review__submitted_at__isnull=False,
        review__conflict_of_interest=False,
    ).values_list("review__nomination_id", "review_id", "score", "criterion__weight")
    by_review = {}
    for nomination_id, review_id, score, weight in counted:
        by_review.setdefault((nomination_id, review_id), []).append((score, weight))
    means, score_counts = {}, {}
    for (nomination_id, _review_id), scores in by_review.items():
        score_counts[nomination_id] = score_counts.get(nomination_id, 0) + len(scores)
        mean = weighted_mean(scores)
        if mean is not None:
            means.setdefault(nomination_id, []).append(mean)

    rows = []
    for nomination in nominations:
        reviewer_means = means.get(nomination.pk, [])
        rows.append(
            RankingRow(
                nomination=nomination,
                mean=float(sum(reviewer_means) / len(reviewer_means)) if reviewer_means else None,
                reviews=len(reviewer_means),
                scores=score_counts.get(nomination.pk, 0),
                spread=float(max(reviewer_means) - min(reviewer_means)) if reviewer_means else None,
                recused=nomination.recused,
                reviewer_means=sorted(float(mean) for mean in reviewer_means),
            )
        )
    rows.sort(key=lambda row: (row.mean is None, -(row.mean or 0), -row.reviews))
    for position, row in enumerate(rows, start=1):
        row.position = position if row.mean is not None else None
    return rows


# --- The jury's services ------------------------------------------------------------------------------------------


def _check_may_review(nomination, juror):
    award = nomination.award
    if not is_juror(juror, award):
        raise PermissionDenied("Not a jury member of this award.")
    if nomination.edition_id != award.edition_id or nomination.status == Nomination.Status.DECLINED:
        raise JuryError("not_in_judging", _("This nomination is not in this year's judging."))


def _snapshot(review):
    """A review's scores as the log keeps them: {criterion id: {"criterion", "score", "comment"}}."""
    if review.pk is None:
        return {}
    return {
        str(score.criterion_id): {"criterion": score.criterion.title, "score": score.score, "comment": score.comment}
        for score in review.scores.select_related("criterion").order_by("criterion__sort_order")
    }


def _juror_label(user):
    return user.get_full_name() or user.get_username()


def _clean_scores(criteria, scores, *, complete):
    """{criterion id: (score or None, comment)} from the caller's {criterion or id: {"score", "comment"}}, or a
    ValidationError whose keys are criterion ids."""
    by_id = {criterion.pk: criterion for criterion in criteria}
    given = {}
    for key, entry in (scores or {}).items():
        criterion_id = getattr(key, "pk", key)
        try:
            criterion_id = int(criterion_id)
        except (TypeError, ValueError):
            criterion_id = None
        if criterion_id not in by_id:
            raise ValidationError(_("A score was given for a criterion this award does not have."), code="criterion")
        given[criterion_id] = entry or {}

    cleaned, errors = {}, {}
    for criterion in criteria:
        entry = given.get(criterion.pk, {})
        score = entry.get("score")
        comment = (entry.get("comment") or "").strip()
        if score in ("", None):
            score = None
        else:
            try:
                score = int(score)
            except (TypeError, ValueError):
                score = 0
            if isinstance(entry.get("score"), bool) or score not in SCORE_RANGE:
                errors[criterion.pk] = [_("Give a score from 1 to 5.")]
                continue
        if score is None and complete:
            errors[criterion.pk] = [_("Every criterion needs a score before the review is submitted.")]
        elif score is None and comment:
            errors[criterion.pk] = [_("Give a score to keep the comment.")]
        cleaned[criterion.pk] = (score, comment)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def save_review(nomination, juror, *, scores, submit):
    """A jury member of the nomination's award scores each criterion 1–5 with a comment, as a draft or submitted; a
    submitted review has a score on every criterion and stays submitted, and every change is logged old and new.

    `scores` maps criteria (or their ids) to {"score": 1–5 or None, "comment": str}; criteria left out are cleared.
    Raises ValidationError keyed by criterion id, JuryError after a declared conflict, PermissionDenied for
    anyone who does not judge the award.
    """
    _check_may_review(nomination, juror)
    criteria = list(AwardCriterion.objects.filter(page_id=nomination.award_id).order_by("sort_order", "pk"))
    review, _created = JuryReview.objects.select_for_update().get_or_create(nomination=nomination, juror=juror)
    if review.conflict_of_interest:
        raise JuryError("conflict", _("You have declared a conflict of interest on this nomination."))
    was_submitted = review.submitted_at is not None
    cleaned = _clean_scores(criteria, scores, complete=submit or was_submitted)

    old = _snapshot(review)
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion in criteria:
        score, comment = cleaned[criterion.pk]
        current = existing.get(criterion.pk)
        if score is None:
            if current:
                current.delete()
        elif current is None:
            JuryScore.objects.create(review=review, criterion=criterion, score=score, comment=comment)
        elif (current.score, current.comment) != (score, comment):
            current.score, current.comment = score, comment
            current.save(update_fields=["score", "comment"])
    if submit and not was_submitted:
        review.submitted_at = timezone.now()
    review.save()

    new = _snapshot(review)
    if new != old or (review.submitted_at and not was_submitted):
        log(
            instance=nomination,
            action="events.jury_score",
            user=juror,
            data={
                "juror_id": juror.pk,
                "juror": _juror_label(juror),
                "award_id": nomination.award_id,
                "submitted": review.submitted_at is not None,
                "was_submitted": was_submitted,
                "old": old,
                "new": new,
            },
        )
    return review


@transaction.atomic
def declare_conflict(nomination, juror, *, note):
    """A jury member with a conflict of interest recuses from the nomination: their scores leave its result (the
    log keeps them), and the recusal counts as their review, so they may then read the others'."""
    _check_may_review(nomination, juror)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say briefly why, for the organisers.")]})
    max_length = JuryReview._meta.get_field("conflict_note").max_length
    if len(note) > max_length:
        raise ValidationError({"note": [_("Keep it under %(max)s characters.") % {"max": max_length}]})
    review, _created = JuryReview.objects.select_for_update().get_or_create(nomination=nomination, juror=juror)
    if review.conflict_of_interest and review.conflict_note == note:
        return review
    old = _snapshot(review)
    review.scores.all().delete()
    review.conflict_of_interest = True
    review.conflict_note = note
    review.submitted_at = review.submitted_at or timezone.now()
    review.save()
    log(
        instance=nomination,
        action="events.jury_conflict",
        user=juror,
        data={"juror_id": juror.pk, "juror": _juror_label(juror), "note": note, "old": old, "new": {}},
    )
    return review


# --- The organisers' services -------------------------------------------------------------------------------------


@transaction.atomic
def set_status(nomination, status, *, by):
    """Organisers move a nomination between received, shortlisted and declined; each move is logged."""
    if status not in Nomination.Status.values:
        raise JuryError("status", _("Unknown status."))
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    old = locked.status
    if old == status:
        nomination.status = status
        return nomination
    locked.status = status
    locked.save(update_fields=["status"])
    nomination.status = status
    log(instance=locked, action="events.nomination_status", user=by, data={"old": old, "new": status})
    return nomination


def _why_nominated(answers):
    """The nominator's answers as simple rich text: the criterion in bold, then the answer's paragraphs, escaped."""
    parts = []
    for answer in answers:
        parts.append(format_html("<p><b>{}</b></p>", answer.criterion_title))
        lines = [line.strip() for line in answer.text.splitlines() if line.strip()]
        parts.append(format_html_join("", "<p>{}</p>", ((line,) for line in lines)))
    return "".join(parts)


def nominee_pages_of(nomination):
    """The nominee pages made from `nomination` under its award (a translation elsewhere in the tree links it too)."""
    return NomineePage.objects.filter(nomination=nomination).child_of(nomination.award).order_by("pk")


@transaction.atomic
def create_nominee_page(nomination, *, by):
    """A shortlisted nomination becomes one draft nominee page under its award, prefilled from the nomination;
    asking again returns the page made before. Returns (page, created)."""
    locked = Nomination.objects.select_for_update().select_related("edition").get(pk=nomination.pk)
    locked.award = award = AwardPage.objects.get(pk=locked.award_id)
    existing = nominee_pages_of(locked).first()
    if existing is not None:
        return existing, False
    if locked.status != Nomination.Status.SHORTLISTED:
        raise JuryError("not_shortlisted", _("Only a shortlisted nomination gets a nominee page."))

    answers = list(locked.answers.order_by("criterion__sort_order", "pk"))
    kind = locked.candidate_kind
    people = ""
    if kind in (NomineePage.Kind.PERSON, NomineePage.Kind.PEOPLE):
        people = ", ".join(part for part in (locked.candidate_name, locked.candidate_organisation) if part)
    summary_limit = NomineePage._meta.get_field("summary").max_length
    summary = Truncator(" ".join(answers[0].text.split())).chars(summary_limit) if answers else ""
    title_limit = NomineePage._meta.get_field("title").max_length
    page = NomineePage(
        title=locked.candidate_name[:title_limit],
        slug=find_available_slug(award, slugify(locked.candidate_name)[:200] or "nominerad"),
        kind=kind,
        organisation=locked.candidate_organisation,
        people=people,
        summary=summary,
        presentation="",
        why_nominated=_why_nominated(answers),
        edition=locked.edition,
        nomination=locked,
        live=False,
        owner=by,
    )
    award.add_child(instance=page)
    page.save_revision(user=by, log_action=True, clean=False)
    log(
        instance=locked,
        action="events.nominee_page",
        user=by,
        data={"page_id": page.pk, "title": page.title},
    )
    return page, True
