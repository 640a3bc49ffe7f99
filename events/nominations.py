"""The rules for the public's nominations: when an award takes them, how many one sender may send, and the one
transaction that stores a nomination with an answer per criterion and queues the nominator's confirmation."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import Nomination, NominationAnswer
from home import ratelimit
from home.emails import render_email, send_after_commit

logger = logging.getLogger(__name__)

NOMINATION_FIELDS = (
    "candidate_kind",
    "candidate_name",
    "candidate_organisation",
    "candidate_contact",
    "nominator_name",
    "nominator_email",
    "nominator_organisation",
)


class NominationRefused(Exception):
    """A nomination the rules keep out: `code` is stable (logs, tests), `message` is for the nominator."""

    code = "refused"

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class NominationsClosed(NominationRefused):
    code = "closed"


class TooManyNominations(NominationRefused):
    """More nominations from one address or one email than settings.RATE_LIMITS allow; `limited` says for how long."""

    code = "rate_limited"

    def __init__(self, limited):
        super().__init__(limited.message)
        self.limited = limited


class IncompleteNomination(NominationRefused):
    code = "incomplete"


def ensure_open(award, *, now=None):
    """Raises NominationsClosed, saying when the round opens or closed, unless `award` takes nominations `now`."""
    now = now or timezone.now()
    round_page = award.round_page()
    if round_page.edition_id and round_page.nominations_open(now):
        return
    raise NominationsClosed(_closed_message(round_page, now, title=award.title))


def _closed_message(round_page, now, *, title):
    opens, closes = round_page.nominations_open_at, round_page.nominations_close_at
    values = {"award": title, "opens": _moment(opens), "closes": _moment(closes)}
    if opens and now < opens and closes:
        return _("Nominations for %(award)s open on %(opens)s and close on %(closes)s.") % values
    if opens and now < opens:
        return _("Nominations for %(award)s open on %(opens)s.") % values
    if closes and now >= closes:
        return _("Nominations for %(award)s closed on %(closes)s.") % values
    return _("Nominations for %(award)s are not open at the moment.") % values


def _moment(moment):
    return date_format(timezone.localtime(moment), "j F Y, H:i") if moment else ""


def count_nomination(*, ip, email):
    """Counts one nomination from `ip` and `email`; TooManyNominations once either has sent more than
    settings.RATE_LIMITS allow (`nomination_ip`, `nomination_email`)."""
    try:
        ratelimit.count_attempt("nomination_ip", ip)
        ratelimit.count_attempt("nomination_email", email)
    except ratelimit.RateLimited as limited:
        raise TooManyNominations(limited) from None


@transaction.atomic
def submit_nomination(award, *, data, answers, language, now=None):
    """Stores a nomination for the open round of `award` with one answer per criterion (`answers`: id of a criterion
    as `award` shows it → text; ids of other awards' criteria are ignored) and queues the confirmation to the
    nominator in `language`. It belongs to the round page, also when sent from a translation of it."""
    now = now or timezone.now()
    ensure_open(award, now=now)
    round_page = award.round_page()
    pairs = award.criteria_pairs()
    texts = {stored.pk: (answers.get(shown.pk) or "").strip() for shown, stored in pairs}
    if not pairs or not all(texts.values()):
        raise IncompleteNomination(_("Answer every criterion of the award."))

    nomination = Nomination.objects.create(
        award=round_page,
        edition_id=round_page.edition_id,
        language=language,
        consented_at=now,
        **{name: data.get(name, "") for name in NOMINATION_FIELDS},
    )
    nomination_answers = NominationAnswer.objects.bulk_create(
        NominationAnswer(nomination=nomination, criterion=stored, criterion_title=shown.title, text=texts[stored.pk])
        for shown, stored in pairs
    )
    send_after_commit(
        render_email(
            "events/emails/nomination_received",
            {
                "award": award,
                "award_url": award.get_full_url(),
                "nomination": nomination,
                "answers": nomination_answers,
            },
            to=[nomination.nominator_email],
            language=language,
        )
    )
    return nomination
