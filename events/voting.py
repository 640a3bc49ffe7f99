"""The public vote of an award: a vote is asked for with an email address, counts only once confirmed through the
emailed link, and counts once per address and award round.

Votes are kept on the round page (the Swedish award page, `AwardPage.round_page()`) and its nominee pages, so a vote
cast on the English page and one cast on the Swedish page are votes in the same round, and one address cannot vote
once in each language. The page a voter sees (possibly a translation) decides only the language, the names shown
and the links.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from events.models import AwardPage, Edition, NomineePage, Vote
from home.emails import render_email, send_after_commit

LINK_SALT = "events.vote.confirm"
LINK_MAX_AGE = dt.timedelta(hours=48)


class VoteError(Exception):
    """Why a vote cannot be asked for or confirmed: a stable `code` and a message for the voter."""

    code = "invalid"
    message = _("This vote could not be handled.")

    def __init__(self, message=None, *, vote=None):
        if message is not None:
            self.message = message
        self.vote = vote
        super().__init__(str(self.message))


class InvalidToken(VoteError):
    code = "invalid"
    message = _("This confirmation link is not valid. Copy the whole link from the email, or vote again.")


class ExpiredToken(VoteError):
    code = "expired"
    message = _("This confirmation link has expired: a link is valid for 48 hours. Vote again to get a new link.")


class VotingClosed(VoteError):
    code = "closed"
    message = _("Voting for this award is not open.")


class NotANominee(VoteError):
    code = "not_a_nominee"
    message = _("Choose one of this award's nominees.")


class AlreadyVoted(VoteError):
    code = "already_voted"
    message = _("You have already voted for this award. Only your first confirmed vote counts.")


class AlreadyConfirmed(VoteError):
    code = "already_confirmed"
    message = _("You have already confirmed this vote. It counts once.")


# --- Which pages the votes belong to --------------------------------------------------------------------------------


def counting_award(award):
    """The award page that `award`'s votes are kept on: the round page (the Swedish one) of any translation."""
    return award.round_page()


def ballot(award):
    """The nominees a voter chooses between on `award`'s page: pairs of (the page shown, in the page's language
    where it is translated and published; the source page the vote counts for)."""
    source = counting_award(award)
    nominees = list(source.nominees())
    if source.pk == award.pk:
        return [(nominee, nominee) for nominee in nominees]
    translations = {
        page.translation_key: page
        for page in NomineePage.objects.live()
        .public()
        .filter(locale_id=award.locale_id, translation_key__in=[nominee.translation_key for nominee in nominees])
    }
    return [(translations.get(nominee.translation_key, nominee), nominee) for nominee in nominees]


# --- Tokens -----------------------------------------------------------------------------------------------------


def _signer():
    return signing.TimestampSigner(salt=LINK_SALT)


def make_token(vote):
    """The signed, timestamped token of the confirmation link; it holds the vote's id and nothing else.

    Wagtail routes only letters, digits, "_" and "-" in a path segment, so the signer's ":" become "-": the id and
    the timestamp hold no "-", so the first two "-" are always the separators."""
    return _signer().sign(str(vote.pk)).replace(":", "-")


def vote_id_from_token(token):
    """The vote id inside `token`, if the token is ours, untouched and younger than 48 hours."""
    parts = token.split("-", 2)
    if len(parts) != 3:
        raise InvalidToken
    try:
        vote_id = _signer().unsign(":".join(parts), max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredToken from None
    except signing.BadSignature:
        raise InvalidToken from None
    if not vote_id.isdigit():
        raise InvalidToken
    return int(vote_id)


def confirmation_url(award, vote, *, award_url=None):
    """The absolute link that confirms `vote`, under `award`'s page (in the language the voter used)."""
    award_url = award_url or award.get_full_url()
    return award_url + award.reverse_subpage("confirm_vote", args=(make_token(vote),))


# --- Services ---------------------------------------------------------------------------------------------------


def normalize_email(email):
    return email.strip().lower()


def request_vote(award, *, nominee, email, language, award_url=None, now=None):
    """Stores an unconfirmed vote for `nominee` by `email` and emails that address a link that confirms it within
    48 hours; the vote counts only once confirmed.

    `award` and `nominee` are the pages the voter saw (a translation is fine); `award_url` is that award page's
    absolute address, for the link.
    """
    source = counting_award(award)
    if not source.edition_id or not source.voting_open(now):
        raise VotingClosed
    counted = next((counted for shown, counted in ballot(award) if nominee.pk in (shown.pk, counted.pk)), None)
    if counted is None:
        raise NotANominee
    with transaction.atomic():
        vote = Vote.objects.create(
            award=source, edition_id=source.edition_id, nominee=counted, email=normalize_email(email)
        )
        context = {
            "award": award,
            "nominee": nominee,
            "confirm_url": confirmation_url(award, vote, award_url=award_url),
            "vote_url": (award_url or award.get_full_url()) + award.reverse_subpage("vote"),
            "valid_hours": int(LINK_MAX_AGE.total_seconds() // 3600),
        }
        send_after_commit(render_email("events/emails/vote_confirm", context, to=[vote.email], language=language))
    return vote


def vote_to_confirm(token, *, award=None, now=None):
    """The vote in `token` if confirming it now would make it count; otherwise the error `confirm_vote` would
    raise. Reads only: the confirmation page shows this before the voter presses the button."""
    vote = _vote_in_token(token, award=award)
    _check_countable(vote, now or timezone.now())
    return vote


def confirm_vote(token, *, award=None, now=None):
    """Makes the vote in `token` count, unless its address already has a counted vote in the round, voting has
    closed or the link is forged or expired; confirming the same vote again changes nothing. Returns the vote."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = _vote_in_token(token, award=award, lock=True)
        _check_countable(vote, now)
        vote.confirmed_at = now
        try:
            with transaction.atomic():
                vote.save(update_fields=["confirmed_at"])
        except IntegrityError:  # another of this address's votes was confirmed at the same moment
            raise AlreadyVoted(vote=vote) from None
    return vote


def _vote_in_token(token, *, award=None, lock=False):
    vote_id = vote_id_from_token(token)
    votes = Vote.objects.select_for_update() if lock else Vote.objects.all()
    vote = votes.filter(pk=vote_id).first()
    if vote is None or (award is not None and vote.award_id != counting_award(award).pk):
        raise InvalidToken
    return vote


def _check_countable(vote, now):
    if vote.confirmed_at is not None:
        raise AlreadyConfirmed(vote=vote)
    round_award = AwardPage.objects.get(pk=vote.award_id)
    if round_award.edition_id != vote.edition_id or not round_award.voting_open(now):
        raise VotingClosed(vote=vote)
    if not round_award.nominees().filter(pk=vote.nominee_id).exists():
        raise NotANominee(_("The nominee you voted for is no longer in the running."), vote=vote)
    if counted_votes(vote.award_id, vote.edition_id).filter(email=vote.email).exists():
        raise AlreadyVoted(vote=vote)


# --- Selectors --------------------------------------------------------------------------------------------------


def counted_votes(award_id, edition_id):
    return Vote.objects.filter(award_id=award_id, edition_id=edition_id, confirmed_at__isnull=False)


@dataclass
class NomineeResult:
    nominee: NomineePage
    votes: int
    unconfirmed: int
    share: float  # of the round's counted votes, 0–100

    @property
    def published(self):
        return self.nominee.live


def vote_results(award, edition=None):
    """The round's counted (confirmed) votes per nominee, most votes first: every published nominee of the round,
    and any other nominee page that got votes. Names are in `award`'s language where translated.
    `unconfirmed` says how many votes wait for confirmation (for organisers; they never count)."""
    source = counting_award(award)
    edition_id = edition.pk if edition is not None else source.edition_id
    counts = {
        row["nominee_id"]: row
        for row in Vote.objects.filter(award_id=source.pk, edition_id=edition_id)
        .values("nominee_id")
        .annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
    }
    nominees = NomineePage.objects.child_of(source).filter(edition_id=edition_id)
    nominees = nominees.filter(Q(live=True) | Q(pk__in=counts)).order_by("path")
    shown = {counted.pk: page for page, counted in ballot(award)} if source.pk != award.pk else {}
    total = sum(row["confirmed"] for row in counts.values())
    results = [
        NomineeResult(
            nominee=shown.get(nominee.pk, nominee),
            votes=counts.get(nominee.pk, {}).get("confirmed", 0),
            unconfirmed=counts.get(nominee.pk, {}).get("unconfirmed", 0),
            share=round(100 * counts.get(nominee.pk, {}).get("confirmed", 0) / total, 1) if total else 0.0,
        )
        for nominee in nominees
    ]
    return sorted(results, key=lambda result: -result.votes)


def vote_overview():
    """For the organisers: every award with a public vote or with votes, each round that has votes (and the
    current one), with `vote_results` per round."""
    default = Locale.get_default()
    awards = AwardPage.objects.filter(locale=default).select_related("edition").order_by("path")
    rounds_with_votes = {}
    for award_id, edition_id in Vote.objects.values_list("award_id", "edition_id").distinct():
        rounds_with_votes.setdefault(award_id, set()).add(edition_id)
    editions = Edition.objects.in_bulk({edition for ids in rounds_with_votes.values() for edition in ids})
    overview = []
    for award in awards:
        edition_ids = set(rounds_with_votes.get(award.pk, ()))
        if award.public_vote and award.edition_id:
            edition_ids.add(award.edition_id)
        rounds = []
        for edition_id in sorted(edition_ids, key=lambda pk: -(editions.get(pk) or award.edition).year):
            edition = editions.get(edition_id) or award.edition
            results = vote_results(award, edition)
            rounds.append(
                {
                    "edition": edition,
                    "results": results,
                    "counted": sum(result.votes for result in results),
                    "unconfirmed": sum(result.unconfirmed for result in results),
                    "current": edition_id == award.edition_id,
                }
            )
        if rounds:
            overview.append({"award": award, "rounds": rounds, "voting_open": award.voting_open()})
    return overview
