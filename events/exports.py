"""The programme as files for other programs: iCalendar (RFC 5545), JSON, and frab schedule XML.

As in pretalx's exporters, each format is a class that names its content type and renders a `Programme`
(from `events.selectors.get_programme`) without touching the database, so an export costs the selector's queries
and nothing more. Which programme, caching and revalidation belong to `events.views`.
"""

import datetime as dt
import html
import json
import re
import uuid
import xml.etree.ElementTree as ET

from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import capfirst, slugify
from icalendar import Calendar, Event, vDuration

from events.models import Session

DOMAIN = "tryggochsaker.se"
# Part of every cache key and ETag: raise it when a change to this module changes what an export says.
REVISION = 1
# Namespace of the frab GUIDs: a session's GUID never changes, whatever else about it does.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, DOMAIN)
TIMESLOT = "00:05"

_LINE_BREAK = re.compile(r"<br\s*/?>|</(?:li|h[1-6]|div)>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</(?:p|ul|ol|blockquote)>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
# Characters XML 1.0 forbids; a stray one pasted into an abstract must not break every schedule app.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain_text(rich_text):
    """Wagtail rich text as plain text: paragraphs kept as blank lines, list items as "- ", entities decoded."""
    text = _PARAGRAPH_END.sub("\n\n", rich_text or "")
    text = _LINE_BREAK.sub("\n", text)
    text = _LIST_ITEM.sub("- ", text)
    text = html.unescape(strip_tags(text))
    lines = "\n".join(line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", lines).strip()


def session_uid(session):
    return f"session-{session.pk}@{DOMAIN}"


def session_guid(session):
    return uuid.uuid5(GUID_NAMESPACE, f"session-{session.pk}")


def acronym(edition):
    return f"tryggochsaker-{edition.year}"


def local(moment):
    return timezone.localtime(moment, timezone.get_default_timezone())


def iso(moment):
    """ISO 8601 with the Stockholm offset, to the second: 2027-10-12T09:00:00+02:00."""
    return local(moment).isoformat(timespec="seconds")


def hours_minutes(duration):
    minutes = int(duration.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Exporter:
    """Renders one programme in one format, in `language` ("sv" or "en") where the format has only one."""

    identifier = ""
    content_type = ""

    def __init__(self, programme, *, language="sv", programme_url=None, session_url=None, version=""):
        self.programme = programme
        self.edition = programme.edition
        self.language = language
        self.programme_url = programme_url
        self._session_url = session_url
        self.version = version

    def render(self):
        with translation.override(self.language):
            return self.build()

    def build(self):
        raise NotImplementedError

    def session_url(self, session):
        """The session's page on the site, or None while no programme page is published."""
        return self._session_url(session) if self._session_url else None

    def room_name(self, session):
        return session.room.name if session.room else ""


class ICalendarExporter(Exporter):
    """RFC 5545: one VEVENT per session, cancelled ones kept with STATUS:CANCELLED so subscribed calendars drop them.

    Times carry TZID=Europe/Stockholm with its VTIMEZONE; DTSTAMP and LAST-MODIFIED are the session's last save
    (RFC 5545 §3.8.7.2: without METHOD, DTSTAMP is when the information was last revised), so the file is the
    same on every request until something changes.
    """

    identifier = "ics"
    content_type = "text/calendar; charset=utf-8"

    def build(self):
        edition = self.edition
        calendar = Calendar.new(
            prodid=f"-//{DOMAIN}//programme {edition.year}//{self.language.upper()}",
            uid=f"programme-{edition.year}@{DOMAIN}",
            name=edition.name,
            url=self.programme_url,
            refresh_interval=dt.timedelta(hours=1),
        )
        calendar.add("X-WR-TIMEZONE", timezone.get_default_timezone_name())
        calendar.add("X-PUBLISHED-TTL", vDuration(dt.timedelta(hours=1)))
        for session in self.programme.sessions:
            calendar.add_component(self.event(session))
        years = [local(session.starts_at).year for session in self.programme.sessions] or [edition.year]
        calendar.add_missing_timezones(first_date=dt.date(min(years), 1, 1), last_date=dt.date(max(years) + 1, 1, 1))
        return calendar.to_ical().decode()

    def event(self, session):
        track = session.track.localized("name") if session.track else None
        return Event.new(
            uid=session_uid(session),
            sequence=session.sequence,
            stamp=session.updated_at,
            created=session.created_at,
            last_modified=session.updated_at,
            start=local(session.starts_at),
            end=local(session.ends_at),
            summary=session.localized("title"),
            location=self.location(session),
            description=self.description(session) or None,
            categories=[track] if track else (),
            status="CANCELLED" if session.is_cancelled else "CONFIRMED",
            url=self.session_url(session),
        )

    def location(self, session):
        edition = self.edition
        parts = [self.room_name(session), edition.venue, edition.address]
        if edition.city not in edition.address:
            parts.append(edition.city)
        return ", ".join(part for part in parts if part)

    def description(self, session):
        """The abstract, then one line a speaker: "Name (role) – title, organisation"."""
        speakers = []
        for link in session.speaker_links:
            speaker = link.speaker
            name = f"{speaker.name} ({link.role})" if link.role else speaker.name
            about = ", ".join(part for part in (speaker.localized("title"), speaker.organisation) if part)
            speakers.append(f"{name} – {about}" if about else name)
        parts = [plain_text(session.localized("abstract")), "\n".join(speakers)]
        return "\n\n".join(part for part in parts if part)


class JSONExporter(Exporter):
    """The programme in both languages, for apps and partner sites; documented in the README ("Programme JSON")."""

    identifier = "json"
    content_type = "application/json"

    def build(self):
        edition = self.edition
        data = {
            "version": self.version,
            "conference": {
                "name": edition.name,
                "acronym": acronym(edition),
                "year": edition.year,
                "city": edition.city,
                "venue": edition.venue,
                "address": edition.address,
                "starts_on": edition.starts_on.isoformat(),
                "ends_on": edition.ends_on.isoformat(),
                "timezone": timezone.get_default_timezone_name(),
                "url": self.programme_url,
            },
            "rooms": [
                {"id": room.pk, "name": room.name, "position": room.sort_order}
                for room in sorted(self.programme.rooms, key=lambda room: (room.sort_order, room.name, room.pk))
            ],
            "tracks": [
                {"id": track.pk, "slug": track.slug, "name": track.name, "name_en": track.name_en}
                for track in sorted(self.programme.tracks, key=lambda track: (track.name, track.pk))
            ],
            "speakers": [
                {
                    "id": speaker.pk,
                    "slug": speaker.slug,
                    "name": speaker.name,
                    "title": speaker.title,
                    "title_en": speaker.title_en,
                    "organisation": speaker.organisation,
                }
                for speaker in sorted(self.programme.speakers, key=lambda speaker: (speaker.name, speaker.pk))
            ],
            "sessions": [self.session(session) for session in self.programme.sessions],
        }
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def session(self, session):
        return {
            "id": session.pk,
            "title": session.title,
            "title_en": session.title_en,
            "abstract": plain_text(session.abstract),
            "abstract_en": plain_text(session.abstract_en),
            "kind": session.kind,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "duration_minutes": int(session.duration.total_seconds() // 60),
            "room": session.room_id,
            "track": session.track_id,
            "language": session.language,
            "speakers": [link.speaker_id for link in session.speaker_links],
            "cancelled": session.is_cancelled,
            "sequence": session.sequence,
            "url": self.session_url(session),
            "slides_url": session.slides_url or None,
            "video_url": session.video_url or None,
        }


class FrabXMLExporter(Exporter):
    """The frab schedule XML that Giggity, ConfClerk and the C3VOC tools read, elements in pretalx's order.

    Days hold rooms hold events. Cancelled sessions are left out, as frab and pretalx leave out what is not on the
    schedule; sessions without a room (breaks for everyone) are listed under the venue.
    """

    identifier = "xml"
    content_type = "application/xml"

    def build(self):
        edition = self.edition
        schedule = ET.Element("schedule")
        self.add(schedule, "version", self.version)
        conference = ET.SubElement(schedule, "conference")
        self.add(conference, "acronym", acronym(edition))
        self.add(conference, "title", edition.name)
        self.add(conference, "venue", edition.venue)
        self.add(conference, "city", edition.city)
        self.add(conference, "start", edition.starts_on.isoformat())
        self.add(conference, "end", edition.ends_on.isoformat())
        self.add(conference, "days", str(edition.days))
        self.add(conference, "timeslot_duration", TIMESLOT)
        if self.programme_url:
            self.add(conference, "base_url", self.programme_url)
        self.add(conference, "time_zone_name", timezone.get_default_timezone_name())

        sessions = [session for session in self.programme.sessions if not session.is_cancelled]
        edition_days = [edition.starts_on + dt.timedelta(days=n) for n in range(edition.days)]
        for index, day in enumerate(sorted({*edition_days, *(session.day for session in sessions)}), start=1):
            self.add_day(schedule, index, day, [session for session in sessions if session.day == day])

        ET.indent(schedule)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(schedule, encoding="unicode") + "\n"

    def add_day(self, schedule, index, day, sessions):
        if sessions:
            start, end = min(s.starts_at for s in sessions), max(s.ends_at for s in sessions)
        else:
            start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
            end = start + dt.timedelta(days=1)
        element = ET.SubElement(schedule, "day", index=str(index), date=day.isoformat(), start=iso(start), end=iso(end))
        rooms = [*self.programme.rooms, None]
        for room in sorted(rooms, key=lambda room: (room is None, room.sort_order if room else 0)):
            in_room = [session for session in sessions if session.room_id == (room.pk if room else None)]
            if not in_room:
                continue
            name = room.name if room else self.venue_name()
            room_element = ET.SubElement(element, "room", name=self.clean(name), guid=str(self.room_guid(room)))
            for session in in_room:
                self.add_event(room_element, session, name)

    def add_event(self, room_element, session, room_name):
        event = ET.SubElement(room_element, "event", guid=str(session_guid(session)), id=str(session.pk))
        self.add(event, "date", iso(session.starts_at))
        self.add(event, "start", local(session.starts_at).strftime("%H:%M"))
        self.add(event, "duration", hours_minutes(session.duration))
        self.add(event, "room", room_name)
        self.add(event, "slug", f"{acronym(self.edition)}-{session.pk}-{slugify(session.title)[:50]}".rstrip("-"))
        if url := self.session_url(session):
            self.add(event, "url", url)
        self.add(event, "title", session.localized("title"))
        self.add(event, "subtitle", "")
        self.add(event, "track", session.track.localized("name") if session.track else "")
        self.add(event, "type", session.kind)
        self.add(event, "language", session.language)
        self.add(event, "abstract", plain_text(session.localized("abstract")))
        self.add(event, "description", "")
        persons = ET.SubElement(event, "persons")
        for link in session.speaker_links:
            self.add(persons, "person", link.speaker.name, id=str(link.speaker_id))
        links = ET.SubElement(event, "links")
        for field in ("slides_url", "video_url"):
            if href := getattr(session, field):
                label = capfirst(str(Session._meta.get_field(field).verbose_name))
                self.add(links, "link", label, href=href)

    def venue_name(self):
        return self.edition.venue or self.edition.name

    def room_guid(self, room):
        return uuid.uuid5(GUID_NAMESPACE, f"room-{room.pk}" if room else f"venue-{self.edition.pk}")

    @staticmethod
    def clean(text):
        return _NOT_XML.sub("", str(text))

    def add(self, parent, tag, text, **attributes):
        element = ET.SubElement(parent, tag, {key: self.clean(value) for key, value in attributes.items()})
        element.text = self.clean(text) if text else None
        return element


EXPORTERS = {exporter.identifier: exporter for exporter in (ICalendarExporter, JSONExporter, FrabXMLExporter)}
