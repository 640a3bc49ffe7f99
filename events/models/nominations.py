"""What the public and the jury send in for an award: nominations with one answer per criterion, the jury's
reviews and scores, and the public's votes. None of it is shown on public pages (`page_cache_ignores`)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Nomination(models.Model):
    """A proposal of a candidate for an award's round, as the nominator sent it."""

    page_cache_ignores = True

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        DECLINED = "declined", _("Declined")

    award = models.ForeignKey(
        "events.AwardPage", verbose_name=_("award"), on_delete=models.PROTECT, related_name="nominations"
    )
    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="nominations"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)

    candidate_kind = models.CharField(
        _("candidate is"),
        max_length=20,
        choices=[("person", _("A person")), ("people", _("Several people")), ("organisation", _("An organisation"))],
    )
    candidate_name = models.CharField(
        _("candidate"), max_length=300, help_text=_("The person, the people or the organisation proposed.")
    )
    candidate_organisation = models.CharField(_("candidate's organisation"), max_length=200, blank=True)
    candidate_contact = models.CharField(
        _("candidate's contact"), max_length=300, blank=True, help_text=_("Email or phone, for the organisers.")
    )
    nominator_name = models.CharField(_("your name"), max_length=200)
    nominator_email = models.EmailField(_("your email"))
    nominator_organisation = models.CharField(_("your organisation"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="sv", editable=False)
    consented_at = models.DateTimeField(_("consent given"), editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["award", "edition", "status"])]

    def __str__(self):
        return f"{self.candidate_name} ({self.award.title} {self.edition.year})"


class NominationAnswer(models.Model):
    """The nominator's account of how the candidate meets one criterion. The criterion's title is kept as it read
    when answered, so editing the award's criteria later does not change what the nominator wrote."""

    page_cache_ignores = True

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("events.AwardCriterion", null=True, on_delete=models.SET_NULL, related_name="answers")
    criterion_title = models.CharField(_("criterion"), max_length=200)
    text = models.TextField(_("answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["nomination", "criterion__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "criterion"], name="one_answer_per_criterion"),
        ]

    def __str__(self):
        return self.criterion_title


class JuryReview(models.Model):
    """One jury member's review of one nomination: their scores, or a declared conflict of interest. A member sees
    the others' scores only once `submitted_at` is set."""

    page_cache_ignores = True

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jury_reviews")
    conflict_of_interest = models.BooleanField(_("conflict of interest"), default=False)
    conflict_note = models.CharField(_("why"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jury review")
        verbose_name_plural = _("jury reviews")
        constraints = [models.UniqueConstraint(fields=["nomination", "juror"], name="one_review_per_juror")]

    def __str__(self):
        return f"{self.juror} – {self.nomination}"


class JuryScore(models.Model):
    """A score from 1 to 5 on one criterion, with a comment."""

    page_cache_ignores = True

    review = models.ForeignKey(JuryReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("events.AwardCriterion", on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_from_1_to_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class Vote(models.Model):
    """A public vote for a nominee. It counts only once confirmed through the emailed link, and only one confirmed
    vote per email address and award round (the database holds that rule)."""

    page_cache_ignores = True

    award = models.ForeignKey("events.AwardPage", on_delete=models.PROTECT, related_name="votes")
    edition = models.ForeignKey("events.Edition", on_delete=models.PROTECT, related_name="votes")
    nominee = models.ForeignKey("events.NomineePage", on_delete=models.CASCADE, related_name="votes")
    email = models.EmailField(_("email"), help_text=_("Stored lower-case."))
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "edition", "email"],
                condition=Q(confirmed_at__isnull=False),
                name="one_counted_vote_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.nominee_id}"
