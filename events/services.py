"""The programme's business rules: what a change to a published session means for the people following it."""

from django.db import transaction
from django.db.models import F

from events.models import ProgrammePage, Session, SessionChange

# Fields whose change makes calendars that imported the session out of date.
CALENDAR_FIELDS = ("title", "title_en", "starts_at", "ends_at", "room_id", "is_cancelled", "abstract", "abstract_en")


def programme_is_published(edition):
    return ProgrammePage.objects.live().filter(edition=edition).exists()


@transaction.atomic
def record_session_changes(before, session, *, by=None):
    """After `session` was saved over `before`: raise its calendar SEQUENCE, and log moves once the programme is out.

    Returns the SessionChange rows written (none while the programme is unpublished).
    """
    if any(getattr(before, name) != getattr(session, name) for name in CALENDAR_FIELDS):
        Session.objects.filter(pk=session.pk).update(sequence=F("sequence") + 1)
        session.refresh_from_db(fields=["sequence"])

    if not programme_is_published(session.edition):
        return []
    room_name = str(session.room) if session.room else ""
    old_room_name = str(before.room) if before.room else ""
    changes = []
    if before.starts_at != session.starts_at or before.ends_at != session.ends_at:
        changes.append(SessionChange.What.RESCHEDULED)
    if before.room_id != session.room_id:
        changes.append(SessionChange.What.MOVED)
    if before.is_cancelled != session.is_cancelled:
        changes.append(SessionChange.What.CANCELLED if session.is_cancelled else SessionChange.What.REINSTATED)
    return SessionChange.objects.bulk_create(
        SessionChange(
            session=session,
            what=what,
            changed_by=by if by and by.is_authenticated else None,
            old_starts_at=before.starts_at,
            new_starts_at=session.starts_at,
            old_room=old_room_name,
            new_room=room_name,
        )
        for what in changes
    )
