"""The live state of an award: what every live page, `/state` and the stream show, read in one place.

The published state comes from the award page's database row, which holds the winner only once an editor has
published the draft that names it; a draft's winner appears only in the rehearsal state, which only editors see.
`version` is the id of the latest publishing entry in Wagtail's audit log for the award or its nominees: it grows
with every publication, retraction and unpublication, is shared by every process through the database, and never
moves for a draft that is merely saved.
"""

from django.conf import settings
from django.db.models import Max, Prefetch
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry

from events.models import AwardPage, NomineePage

# Every nominee's photo in the same size, so no rendition marks out the winner before the reveal.
PHOTO = "fill-800x800-c100"
# Audit-log actions that change what the public sees of an award (wagtail.publish also covers a retraction).
PUBLISHING_ACTIONS = ("wagtail.publish", "wagtail.unpublish", "live.reveal", "live.retract")


def find_award(slug):
    """The live Swedish award page with `slug` (the page that holds the round), or None."""
    return (
        AwardPage.objects.live()
        .public()
        .filter(slug=slug, locale__language_code=settings.LANGUAGE_CODE)
        .select_related("edition")
        .first()
    )


def live_award_slugs():
    """The slugs of every live Swedish award page: the addresses a live page can have."""
    return set(
        AwardPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .values_list("slug", flat=True)
    )


def publication_marker():
    """The newest publishing entry in the audit log, for any page: one indexed query that tells a process to
    look again (see events.live.broadcast)."""
    return PageLogEntry.objects.filter(action__in=PUBLISHING_ACTIONS).aggregate(Max("id"))["id__max"] or 0


def state_version(award):
    """The award's version: its latest publishing log entry, its own or one of its nominees'."""
    entries = PageLogEntry.objects.filter(
        action__in=PUBLISHING_ACTIONS, page__path__startswith=award.path, page__depth__gte=award.depth
    )
    return entries.aggregate(Max("id"))["id__max"] or 0


def published_state(award):
    """The award as the public sees it now: its published nominees, and its winner only once published."""
    nominees = _nominees(award)
    winner = None
    if award.live and award.winner_id:
        winner = next((nominee for nominee in nominees if nominee.pk == award.winner_id), None)
        if winner is None:  # a winner outside this round's list, still a published nominee page
            winner = _with_photos(NomineePage.objects.live().filter(pk=award.winner_id)).first()
    return _state(award, nominees, winner, award.winner_motivation if winner else "", state_version(award))


def published_state_for(slug):
    """The published state of the award with `slug`, or None when there is no such live award."""
    award = find_award(slug)
    return published_state(award) if award else None


def rehearsal_state(award):
    """The state the reveal would show if the latest draft were published now: for the editors' rehearsal."""
    draft = award.get_latest_revision_as_object()
    winner = _with_photos(NomineePage.objects.filter(pk=draft.winner_id)).first() if draft.winner_id else None
    return _state(draft, _nominees(award), winner, draft.winner_motivation if winner else "", state_version(award))


def _with_photos(nominees):
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=PHOTO)
    return nominees.select_related("image").prefetch_related(Prefetch("image__renditions", queryset=renditions))


def _nominees(award):
    return list(_with_photos(award.nominees()))


def _state(award, nominees, winner, motivation, version):
    winner_data = None
    if winner is not None:
        winner_data = {**_nominee(winner), "motivation": motivation}
    return {
        "award": {"slug": award.slug, "title": award.title, "url": award.url},
        "version": version,
        "revealed": winner is not None,
        "winner": winner_data,
        "nominees": [_nominee(nominee) for nominee in nominees],
    }


def _nominee(nominee):
    return {
        "id": nominee.pk,
        "name": nominee.title,
        "summary": nominee.summary,
        "organisation": nominee.organisation,
        "image": _photo(nominee.image),
        "url": nominee.url,
    }


def _photo(image):
    if image is None:
        return None
    rendition = image.get_rendition(PHOTO)
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}
