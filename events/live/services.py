"""The reveal's business rules: announcing an award's winner and taking the announcement back.

Both publish a revision of the Swedish award page (the page that holds the round), so Wagtail's `page_published`
signal, the page cache and the live broadcast (events.live.signals, after the commit) see them like any other
publication. The admin's "Reveal the winner", `manage.py announce_winner` and tests all call these functions.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from events.models import AwardPage, NomineePage


class RevealError(Exception):
    """A reveal or retraction the rules refuse: `code` is stable (logs, tests, exit messages), `message` is for
    people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def announce_winner(award, *, user=None):
    """Publishes the award's latest revision, which must name a published nominee as the winner; every live page
    shows the winner once the transaction commits. Returns the award page as now published."""
    award = _locked_round_page(award)
    _check_may_publish(award, user)
    revision = award.get_latest_revision()
    draft = revision.as_object() if revision else award
    if not draft.winner_id:
        raise RevealError("no_winner", _("The award's latest draft names no winner: choose one in a draft first."))
    winner = NomineePage.objects.live().filter(pk=draft.winner_id).first()
    if winner is None:
        raise RevealError("winner_not_published", _("The winner's nominee page must be published before the reveal."))
    if award.live and award.winner_id == draft.winner_id and award.live_revision_id == revision.pk:
        raise RevealError("already_revealed", _("The winner is already revealed."))

    revision.publish(user=user, skip_permission_checks=True)
    log(
        instance=award,
        action="live.reveal",
        user=user,
        data={"winner": {"id": winner.pk, "title": winner.title}},
        revision=revision,
    )
    award.refresh_from_db()
    return award


@transaction.atomic
def retract_winner(award, *, user=None):
    """Publishes the award as it is live, but with no winner, so every live page goes back to the nominees; the
    draft keeps its winner and motivation, ready to be revealed again. Returns the award page as now published."""
    award = _locked_round_page(award)
    _check_may_publish(award, user)
    if not (award.live and award.winner_id):
        raise RevealError("not_revealed", _("No winner has been revealed, so there is nothing to take back."))
    winner = NomineePage.objects.filter(pk=award.winner_id).first()
    draft = award.get_latest_revision_as_object()

    public = award.live_revision.as_object() if award.live_revision_id else award
    public.winner = None
    public.winner_motivation = ""
    public.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    draft.save_revision(user=user)  # the latest draft again, so the next reveal is one click
    log(
        instance=award,
        action="live.retract",
        user=user,
        data={"winner": {"id": award.winner_id, "title": winner.title if winner else ""}},
    )
    award.refresh_from_db()
    return award


def _locked_round_page(award):
    """The award's Swedish page, locked until the transaction ends: two reveals of one award queue up."""
    return AwardPage.objects.select_for_update().get(pk=award.round_page().pk)


def _check_may_publish(award, user):
    if user is not None and not award.permissions_for_user(user).can_publish():
        raise RevealError("forbidden", _("You may not publish this award page, so you may not reveal its winner."))
