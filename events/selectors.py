"""Reads of the programme, each with a fixed number of queries however many sessions there are."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, Subquery, Value
from django.utils import timezone

from events.models import Edition, Room, Session, SessionChange, SessionSpeaker, Speaker, Track


@dataclass
class Programme:
    """One edition's programme as pages and exports show it; `sessions` is ordered by start, then room."""

    edition: Edition
    rooms: list
    tracks: list
    sessions: list
    days: list = field(default_factory=list)

    def sessions_on(self, day):
        return [session for session in self.sessions if session.day == day]

    @property
    def speakers(self):
        seen = {}
        for session in self.sessions:
            for link in session.speaker_links:
                seen.setdefault(link.speaker.pk, link.speaker)
        return sorted(seen.values(), key=lambda speaker: speaker.name)


def current_edition():
    """The next edition that has not ended, else the latest one; None when there is none."""
    return Edition.objects.upcoming().first() or Edition.objects.order_by("-starts_on").first()


def session_queryset():
    """Sessions with everything a listing shows: room, track and ordered speakers, in three queries."""
    speaker_links = SessionSpeaker.objects.select_related("speaker").order_by("sort_order")
    return Session.objects.select_related("room", "track").prefetch_related(
        Prefetch("speakers", queryset=speaker_links, to_attr="speaker_links")
    )


def get_programme(edition):
    """The whole programme of `edition`: rooms, tracks and sessions with their speakers (four queries)."""
    sessions = list(session_queryset().filter(edition=edition).order_by("starts_at", "room__sort_order", "title"))
    rooms = list(Room.objects.filter(edition=edition))
    tracks = list(Track.objects.filter(edition=edition))
    days = sorted({session.day for session in sessions})
    return Programme(edition=edition, rooms=rooms, tracks=tracks, sessions=sessions, days=days)


def _count_and_latest(queryset):
    """COUNT(*) and MAX(updated_at) of `queryset`, as two scalar subqueries."""
    whole = queryset.order_by().annotate(whole=Value(1)).values("whole")
    return (
        Subquery(whole.annotate(n=Count("pk")).values("n")[:1]),
        Subquery(whole.annotate(latest=Max("updated_at")).values("latest")[:1]),
    )


def programme_version(edition):
    """A fingerprint that changes whenever anything shown in the programme (the edition's own row included) is
    saved, added or deleted (one query).

    Caches and ETags are keyed on it, so no cache is cleared by hand: the first request after an editor saves
    sees a new fingerprint. Returns the fingerprint and the time of the latest change.
    """
    row = _programme_state(edition.pk)
    latest = [value for name, value in row.items() if name.endswith("_latest") and value is not None]
    return _fingerprint(row), max(latest, default=edition_epoch(edition))


def programme_fingerprint(edition_pk):
    """`programme_version`'s fingerprint by the edition's id (one query): the page cache's validator."""
    try:
        return _fingerprint(_programme_state(edition_pk))
    except Edition.DoesNotExist:
        return ""


def _programme_state(edition_pk):
    annotations = {}
    for name, queryset in {
        "sessions": Session.objects.filter(edition=edition_pk),
        "rooms": Room.objects.filter(edition=edition_pk),
        "tracks": Track.objects.filter(edition=edition_pk),
        "speakers": Speaker.objects.filter(session_links__session__edition=edition_pk),
    }.items():
        annotations[f"{name}_count"], annotations[f"{name}_latest"] = _count_and_latest(queryset)
    links = SessionSpeaker.objects.filter(session__edition=edition_pk).order_by().annotate(whole=Value(1))
    annotations["links_count"] = Subquery(links.values("whole").annotate(n=Count("pk")).values("n")[:1])
    # The edition's own row too: its dates and venue show on every programme page and export.
    own = [field.attname for field in Edition._meta.concrete_fields]
    return Edition.objects.filter(pk=edition_pk).annotate(**annotations).values(*own, *annotations).get()


def _fingerprint(row):
    return hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()[:16]


def edition_epoch(edition):
    """When an empty programme last changed: never, so the start of the edition's year."""
    return timezone.make_aware(dt.datetime(edition.year, 1, 1))


def changes_since(edition, since):
    """What moved in the published programme since `since`, newest first (one query)."""
    return list(
        SessionChange.objects.filter(session__edition=edition, changed_at__gte=since)
        .select_related("session", "session__room")
        .order_by("-changed_at")
    )


def speaker_with_sessions(slug, edition=None):
    """A speaker with their links, and their sessions in `edition` (or in every edition); (None, []) if unknown."""
    speaker = Speaker.objects.filter(slug=slug).prefetch_related("links").first()
    if speaker is None:
        return None, []
    sessions = session_queryset().filter(speakers__speaker=speaker).order_by("starts_at")
    if edition is not None:
        sessions = sessions.filter(edition=edition)
    return speaker, list(sessions)


def colliding_sessions(*, edition, starts_at, ends_at, room=None, speakers=(), exclude=None):
    """Sessions in `edition` that overlap [starts_at, ends_at) in the same room or with one of the same speakers."""
    if not (starts_at and ends_at):
        return []
    overlapping = Session.objects.filter(
        edition=edition, is_cancelled=False, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None and exclude.pk:
        overlapping = overlapping.exclude(pk=exclude.pk)
    same_room = Q(room=room) if room is not None else Q(pk__in=[])
    same_speaker = Q(speakers__speaker__in=list(speakers)) if speakers else Q(pk__in=[])
    return list(overlapping.filter(same_room | same_speaker).select_related("room").distinct().order_by("starts_at"))
