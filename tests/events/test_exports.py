"""The programme leaves the site as iCalendar, JSON and frab XML: the same sessions in all three, kept in step
with every save, cheap to revalidate, and at a fixed number of queries however long the programme is."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import jsonschema
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from events.models import Edition, Session
from events.services import record_session_changes
from tests.factories import (
    EditionFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    TrackFactory,
    at,
)

pytestmark = pytest.mark.django_db

FORMATS = ["ics", "json", "xml"]
CONTENT_TYPES = {
    "ics": "text/calendar; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
}
FRAB_EVENT_ELEMENTS = [
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
    "persons",
    "links",
]
ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def strict(properties):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


STRING = {"type": "string"}
ID = {"type": "integer", "minimum": 1}
PROGRAMME_SCHEMA = strict(
    {
        "version": STRING,
        "conference": strict(
            {
                "name": STRING,
                "acronym": STRING,
                "year": {"type": "integer"},
                "city": STRING,
                "venue": STRING,
                "address": STRING,
                "starts_on": {"type": "string", "pattern": ISO_DATE},
                "ends_on": {"type": "string", "pattern": ISO_DATE},
                "timezone": {"const": "Europe/Stockholm"},
                "url": nullable(STRING),
            }
        ),
        "rooms": {
            "type": "array",
            "items": strict({"id": ID, "name": STRING, "position": {"type": "integer"}}),
        },
        "tracks": {
            "type": "array",
            "items": strict({"id": ID, "slug": STRING, "name": STRING, "name_en": STRING}),
        },
        "speakers": {
            "type": "array",
            "items": strict(
                {
                    "id": ID,
                    "slug": STRING,
                    "name": STRING,
                    "title": STRING,
                    "title_en": STRING,
                    "organisation": STRING,
                }
            ),
        },
        "sessions": {
            "type": "array",
            "items": strict(
                {
                    "id": ID,
                    "title": STRING,
                    "title_en": STRING,
                    "abstract": STRING,
                    "abstract_en": STRING,
                    "kind": {"enum": list(Session.Kind.values)},
                    "starts_at": {"type": "string", "pattern": ISO_WITH_OFFSET},
                    "ends_at": {"type": "string", "pattern": ISO_WITH_OFFSET},
                    "duration_minutes": {"type": "integer", "minimum": 1},
                    "room": nullable(ID),
                    "track": nullable(ID),
                    "language": {"enum": ["sv", "en"]},
                    "speakers": {"type": "array", "items": ID, "uniqueItems": True},
                    "cancelled": {"type": "boolean"},
                    "sequence": {"type": "integer", "minimum": 0},
                    "url": nullable(STRING),
                    "slides_url": nullable(STRING),
                    "video_url": nullable(STRING),
                }
            ),
        },
    }
)


@pytest.fixture
def programme():
    """Two days, two rooms and a break for everyone, a cancelled session, and Swedish letters everywhere."""
    edition = EditionFactory(venue="Svenska Mässan", city="Göteborg")
    day_one, day_two = edition.starts_on, edition.ends_on
    stora = RoomFactory(edition=edition, name="Stora salen", sort_order=0)
    alv = RoomFactory(edition=edition, name="Sal Älv", sort_order=1)
    track = TrackFactory(edition=edition, name="Krisberedskap", name_en="Crisis preparedness")
    asa = SpeakerFactory(name="Åsa Öberg", organisation="Länsstyrelsen i Västra Götalands län")
    bo = SpeakerFactory(name="Bo Ek")

    def session(title, room, day, starts, ends, **fields):
        return SessionFactory(
            edition=edition, title=title, room=room, starts_at=at(day, starts), ends_at=at(day, ends), **fields
        )

    sessions = [
        session("Öppning", stora, day_one, "09:00", "09:30", kind=Session.Kind.KEYNOTE, with_speakers=[asa]),
        session(
            "Åtgärder för ökad trygghet i Märsta", alv, day_one, "10:00", "10:45", track=track, with_speakers=[asa, bo]
        ),
        session("Fika", None, day_one, "10:45", "11:15", kind=Session.Kind.BREAK, abstract=""),
        session("Inställt pass", stora, day_one, "11:15", "12:00", is_cancelled=True),
        session("Övning: kris på stan", alv, day_two, "13:00", "15:00", kind=Session.Kind.WORKSHOP, with_speakers=[bo]),
    ]
    return SimpleNamespace(edition=edition, sessions=sessions, rooms=[stora, alv], speakers=[asa, bo])


def get(client, address, **headers):
    return client.get(address, headers=headers)


def ics_events(response):
    assert response.status_code == 200, response.content
    return {str(event["UID"]): event for event in Calendar.from_ical(response.content).events}


def xml_events(response):
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)  # noqa: S314 (our own export)
    return {
        int(event.get("id")): SimpleNamespace(event=event, room=room, day=day)
        for day in root.findall("day")
        for room in day.findall("room")
        for event in room.findall("event")
    }


def json_programme(response):
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def uid(session):
    return f"session-{session.pk}@tryggochsaker.se"


# --- iCalendar ---------------------------------------------------------------------------------------------------


def test_calendar_has_one_event_per_session_in_stockholm_time(client, programme):
    response = get(client, "/programme.ics")

    calendar = Calendar.from_ical(response.content)
    events = ics_events(response)
    assert set(events) == {uid(session) for session in programme.sessions}
    assert [timezone["TZID"] for timezone in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    for session in programme.sessions:
        event = events[uid(session)]
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
        assert event.start == session.starts_at
        assert event.end == session.ends_at
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == ("CANCELLED" if session.is_cancelled else "CONFIRMED")
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt


def test_calendar_event_says_where_and_who(client, programme):
    session = programme.sessions[1]

    event = ics_events(get(client, "/programme.ics"))[uid(session)]

    assert event["SUMMARY"] == "Åtgärder för ökad trygghet i Märsta"
    assert event["LOCATION"] == "Sal Älv, Svenska Mässan, Göteborg"
    assert event["DESCRIPTION"] == (
        "Om brottsförebyggande arbete.\n\n"
        "Åsa Öberg – Trygghetssamordnare, Länsstyrelsen i Västra Götalands län\n"
        "Bo Ek – Trygghetssamordnare, Exempelstads kommun"
    )


def test_calendar_titles_follow_the_requested_language(client, programme):
    session = programme.sessions[0]

    english = ics_events(get(client, "/programme.ics?lang=en"))[uid(session)]

    assert english["SUMMARY"] == session.title_en


def test_sequence_rises_when_an_editor_changes_the_session(client, programme):
    session = programme.sessions[1]
    before = Session.objects.get(pk=session.pk)
    session.starts_at += dt.timedelta(minutes=15)
    session.ends_at += dt.timedelta(minutes=15)
    session.save()
    record_session_changes(before, session)

    event = ics_events(get(client, "/programme.ics"))[uid(session)]

    assert event["SEQUENCE"] == 1
    assert event.start == at(programme.edition.starts_on, "10:15")


def test_calendar_of_chosen_sessions_holds_exactly_those(client, programme):
    chosen = [programme.sessions[4], programme.sessions[0]]
    elsewhere = SessionFactory(edition=EditionFactory())

    response = get(client, f"/programme.ics?sessions={chosen[0].pk},{chosen[1].pk},999999,{elsewhere.pk}")

    assert set(ics_events(response)) == {uid(session) for session in chosen}


@pytest.mark.parametrize("sessions", ["", "abc", "1,,2", "1;2", "-3", "1,2,", "1.5", "12345678901"])
def test_malformed_session_ids_are_refused_with_a_reason(client, programme, sessions):
    response = get(client, f"/programme.ics?sessions={sessions}")

    assert response.status_code == 400
    assert "sessions must be session ids separated by commas" in response.text
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_visitor_agenda_is_limited_in_length(client, programme):
    response = get(client, "/programme.ics?sessions=" + ",".join(str(n) for n in range(1, 502)))

    assert response.status_code == 400
    assert "at most 500" in response.text


def test_one_session_as_a_calendar_file(client, programme):
    session = programme.sessions[1]

    response = get(client, f"/programme/session/{session.pk}.ics")

    assert list(ics_events(response)) == [uid(session)]
    assert (
        response["Content-Disposition"]
        == f'inline; filename="tryggochsaker-{programme.edition.year}-session-{session.pk}.ics"'
    )


def test_unknown_session_has_no_calendar_file(client, programme):
    response = get(client, "/programme/session/999999.ics")

    assert response.status_code == 404


# --- frab XML ---------------------------------------------------------------------------------------------------


def test_frab_schedule_has_every_required_element_in_days_and_rooms(client, programme):
    root = ET.fromstring(get(client, "/programme.xml").content)  # noqa: S314 (our own export)

    conference = root.find("conference")
    assert root.find("version").text
    for name in ["acronym", "title", "start", "end", "days", "timeslot_duration", "time_zone_name"]:
        assert conference.find(name) is not None, name
    assert conference.find("time_zone_name").text == "Europe/Stockholm"
    assert conference.find("days").text == "2"
    days = root.findall("day")
    assert [(day.get("index"), day.get("date")) for day in days] == [
        ("1", programme.edition.starts_on.isoformat()),
        ("2", programme.edition.ends_on.isoformat()),
    ]
    assert days[0].get("start") == at(programme.edition.starts_on, "09:00").isoformat()
    assert days[0].get("end") == at(programme.edition.starts_on, "11:15").isoformat()
    assert [room.get("name") for room in days[0].findall("room")] == ["Stora salen", "Sal Älv", "Svenska Mässan"]
    for found in xml_events(get(client, "/programme.xml")).values():
        event = found.event
        assert [child.tag for child in event if child.tag in FRAB_EVENT_ELEMENTS] == FRAB_EVENT_ELEMENTS
        assert event.find("room").text == found.room.get("name")
        assert event.find("date").text.startswith(found.day.get("date"))
        assert len(event.get("guid")) == 36


def test_frab_schedule_leaves_out_cancelled_sessions(client, programme):
    events = xml_events(get(client, "/programme.xml"))

    assert set(events) == {session.pk for session in programme.sessions if not session.is_cancelled}


def test_frab_event_tells_time_people_and_guid(client, programme):
    session = programme.sessions[1]

    event = xml_events(get(client, "/programme.xml"))[session.pk].event
    again = xml_events(get(client, "/programme.xml?lang=en"))[session.pk].event

    assert event.find("start").text == "10:00"
    assert event.find("duration").text == "00:45"
    assert event.find("track").text == "Krisberedskap"
    assert event.find("type").text == "talk"
    assert (
        event.find("slug").text
        == f"tryggochsaker-{programme.edition.year}-{session.pk}-atgarder-for-okad-trygghet-i-marsta"
    )
    persons = [(person.get("id"), person.text) for person in event.find("persons")]
    assert persons == [(str(speaker.pk), speaker.name) for speaker in programme.speakers]
    assert again.get("guid") == event.get("guid")


# --- JSON --------------------------------------------------------------------------------------------------------


def test_json_follows_its_documented_schema(client, programme):
    data = json_programme(get(client, "/programme.json"))

    jsonschema.validate(data, PROGRAMME_SCHEMA)
    assert [session["id"] for session in data["sessions"]] == [session.pk for session in programme.sessions]
    assert [room["name"] for room in data["rooms"]] == ["Stora salen", "Sal Älv"]
    assert [speaker["name"] for speaker in data["speakers"]] == ["Bo Ek", "Åsa Öberg"]
    assert data["conference"]["starts_on"] == programme.edition.starts_on.isoformat()


def test_json_session_in_full(client, programme):
    session = programme.sessions[1]

    data = json_programme(get(client, "/programme.json"))

    found = next(item for item in data["sessions"] if item["id"] == session.pk)
    assert found["starts_at"] == at(programme.edition.starts_on, "10:00").isoformat()
    assert found["duration_minutes"] == 45
    assert found["speakers"] == [speaker.pk for speaker in programme.speakers]
    assert found["abstract"] == "Om brottsförebyggande arbete."
    assert found["cancelled"] is False


def test_json_is_the_same_byte_for_byte_until_something_changes(client, programme):
    first = get(client, "/programme.json").content
    cache.clear()

    assert get(client, "/programme.json").content == first


def test_all_three_formats_agree_on_every_session(client, programme):
    data = json_programme(get(client, "/programme.json"))
    calendar = ics_events(get(client, "/programme.ics"))
    schedule = xml_events(get(client, "/programme.xml"))
    rooms = {room["id"]: room["name"] for room in data["rooms"]}

    assert {f"session-{item['id']}@tryggochsaker.se" for item in data["sessions"]} == set(calendar)
    assert {item["id"] for item in data["sessions"] if not item["cancelled"]} == set(schedule)
    for item in data["sessions"]:
        starts_at = dt.datetime.fromisoformat(item["starts_at"])
        ends_at = dt.datetime.fromisoformat(item["ends_at"])
        room = rooms[item["room"]] if item["room"] else programme.edition.venue
        event = calendar[f"session-{item['id']}@tryggochsaker.se"]
        assert (event.start, event.end, str(event["SUMMARY"])) == (starts_at, ends_at, item["title"])
        assert str(event["LOCATION"]).startswith(room)
        assert event["SEQUENCE"] == item["sequence"]
        if item["cancelled"]:
            continue
        frab = schedule[item["id"]].event
        hours, minutes = map(int, frab.find("duration").text.split(":"))
        frab_starts = dt.datetime.fromisoformat(frab.find("date").text)
        assert (frab_starts, frab_starts + dt.timedelta(hours=hours, minutes=minutes)) == (starts_at, ends_at)
        assert frab.find("start").text == f"{starts_at:%H:%M}"
        assert (frab.find("room").text, frab.find("title").text) == (room, item["title"])


@pytest.mark.parametrize("export", FORMATS)
def test_swedish_letters_survive(client, programme, export):
    text = get(client, f"/programme.{export}").content.decode("utf-8")

    for words in ["Åtgärder för ökad trygghet i Märsta", "Sal Älv", "Göteborg", "Trygg & Säker"]:
        if export == "xml":
            words = words.replace("&", "&amp;")
        assert words in text


# --- HTTP --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("export", FORMATS)
def test_exports_are_readable_from_other_sites_with_their_own_type(client, programme, export):
    response = get(client, f"/programme.{export}")

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[export]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_calendar_opens_inline_under_its_own_name(client, programme):
    response = get(client, "/programme.ics")

    assert response["Content-Disposition"] == f'inline; filename="tryggochsaker-{programme.edition.year}.ics"'


@pytest.mark.parametrize("export", FORMATS)
def test_unchanged_export_answers_304_to_its_etag(client, programme, export):
    first = get(client, f"/programme.{export}")

    again = get(client, f"/programme.{export}", if_none_match=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("export", FORMATS)
def test_unchanged_export_answers_304_to_its_last_modified(client, programme, export):
    first = get(client, f"/programme.{export}")

    again = get(client, f"/programme.{export}", if_modified_since=first["Last-Modified"])

    assert again.status_code == 304


def test_each_format_and_query_has_its_own_etag(client, programme):
    addresses = [
        "/programme.ics",
        "/programme.json",
        "/programme.xml",
        "/programme.ics?lang=en",
        f"/programme.ics?sessions={programme.sessions[0].pk}",
        f"/programme/session/{programme.sessions[0].pk}.ics",
    ]

    etags = {get(client, address)["ETag"] for address in addresses}

    assert len(etags) == len(addresses)


def test_an_editors_save_shows_on_the_next_request(client, programme):
    first = get(client, "/programme.json")
    session = programme.sessions[0]
    session.title = "Öppning av konferensen"
    session.save()

    again = get(client, "/programme.json", if_none_match=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert json_programme(again)["sessions"][0]["title"] == "Öppning av konferensen"


def test_a_changed_venue_shows_on_the_next_request(client, programme):
    first = get(client, "/programme.ics")
    Edition.objects.filter(pk=programme.edition.pk).update(venue="Eriksbergshallen")

    again = get(client, "/programme.ics", if_none_match=first["ETag"])

    assert again.status_code == 200
    assert "Eriksbergshallen" in again.content.decode()


# --- which edition ------------------------------------------------------------------------------------------------


def test_the_upcoming_edition_is_exported_unless_another_is_asked_for(client, programme):
    earlier = EditionFactory(year=2015, name="Trygg & Säker förr")
    SessionFactory(edition=earlier, title="Ett äldre pass")

    current = json_programme(get(client, "/programme.json"))
    asked = json_programme(get(client, f"/programme.json?edition={earlier.year}"))

    assert current["conference"]["year"] == programme.edition.year
    assert [session["title"] for session in asked["sessions"]] == ["Ett äldre pass"]


def test_the_latest_edition_is_exported_when_none_is_upcoming(client):
    past = EditionFactory(year=2001)
    SessionFactory(edition=past)
    EditionFactory(year=1999)

    assert json_programme(get(client, "/programme.json"))["conference"]["year"] == 2001


@pytest.mark.parametrize(("query", "status"), [("edition=1990", 404), ("edition=next", 400), ("lang=de", 400)])
def test_unknown_or_malformed_edition_and_language(client, programme, query, status):
    assert get(client, f"/programme.json?{query}").status_code == status


def test_exports_link_each_session_to_its_page_on_the_site(client, demo_site):
    edition = Edition.objects.upcoming().first()
    session = SessionFactory(edition=edition, title="Länk till passet")

    swedish = json_programme(get(client, "/programme.json"))["sessions"]
    english = json_programme(get(client, "/programme.json?lang=en"))["sessions"]
    event = ics_events(get(client, "/programme.ics"))[uid(session)]

    swedish_url = next(item["url"] for item in swedish if item["id"] == session.pk)
    english_url = next(item["url"] for item in english if item["id"] == session.pk)
    assert swedish_url.endswith(f"/program/pass/{session.pk}/lank-till-passet/")
    assert english_url.endswith(f"/en/programme/pass/{session.pk}/lank-till-passet/")
    assert str(event["URL"]) == swedish_url


# --- cost --------------------------------------------------------------------------------------------------------


def add_sessions(edition, count):
    rooms = list(edition.rooms.all()) or RoomFactory.create_batch(4, edition=edition)
    speakers = SpeakerFactory.create_batch(3)
    for n in range(count):
        SessionFactory(
            edition=edition,
            room=rooms[n % len(rooms)],
            starts_at=at(edition.starts_on, f"{8 + n % 10:02d}:00"),
            ends_at=at(edition.starts_on, f"{8 + n % 10:02d}:45"),
            with_speakers=speakers[: 1 + n % 3],
        )


EXPECTED_QUERIES = {"programme.ics": 7, "programme.json": 7, "programme.xml": 7}


def query_counts(client):
    counts = {}
    for address in EXPECTED_QUERIES:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert get(client, f"/{address}").status_code == 200
        counts[address] = len(queries)
    etag = get(client, "/programme.ics")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert get(client, "/programme.ics", if_none_match=etag).status_code == 304
    counts["revalidation"] = len(queries)
    return counts


def test_an_export_costs_the_same_queries_with_10_and_500_sessions(client):
    edition = EditionFactory(year=2050)
    add_sessions(edition, 10)
    small = query_counts(client)

    add_sessions(edition, 490)

    # A revalidation is answered by the page cache after checking the programme's fingerprint.
    assert query_counts(client) == small == {**EXPECTED_QUERIES, "revalidation": 1}
