"""The demo programme that `seed_demo` gives the upcoming edition: full, believable, fictional and bookable."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.demo import SESSIONS, SPEAKERS, seed_editions, seed_programme
from events.models import Edition, ProgrammePage, Room, Session, SessionSpeaker, Speaker, Track
from events.selectors import colliding_sessions, get_programme

pytestmark = pytest.mark.django_db

# Every demo speaker's surname says that the person is made up.
FICTIONAL = re.compile(r"Ex[ea]mp|Test|Påhitt|Prov|Fiktiv|Låtsas|Mall|Demo|Skiss|Utkast|Prototyp", re.IGNORECASE)


@pytest.fixture
def edition(demo_site):
    return Edition.objects.upcoming().get()


def programme_counts():
    return {model.__name__: model.objects.count() for model in (Room, Track, Speaker, Session, SessionSpeaker)}


def test_the_upcoming_edition_gets_four_rooms_five_tracks_and_about_thirty_sessions(edition):
    programme = get_programme(edition)

    assert [room.name for room in programme.rooms] == ["Stora salen", "Sal A", "Sal B", "Workshoprummet"]
    assert all(room.capacity for room in programme.rooms)
    assert len(programme.tracks) == 5
    assert 25 <= len(programme.sessions) <= 35
    assert 20 <= len(programme.speakers) <= 30
    assert programme.days == [edition.starts_on, edition.ends_on]


def test_every_demo_speaker_has_a_session_and_a_fictional_name(edition):
    programme = get_programme(edition)

    assert {speaker.name for speaker in programme.speakers} == {row[0] for row in SPEAKERS}
    for speaker in programme.speakers:
        assert FICTIONAL.search(speaker.name.split()[-1]), speaker.name
        assert speaker.title and speaker.title_en and speaker.organisation, speaker.name
        assert speaker.bio and speaker.bio_en, speaker.name


def test_seeding_twice_leaves_the_same_programme(demo_site):
    first = programme_counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert programme_counts() == first


def test_seeding_again_keeps_what_editors_changed_in_the_programme(edition):
    session = Session.objects.get(edition=edition, title="Medborgarlöften som gör skillnad")
    session.title = "Medborgarlöften – ett år senare"
    session.save()
    Session.objects.filter(edition=edition, title="Lunch").first().delete()
    Room.objects.filter(edition=edition, name="Sal B").update(name="Sal Beta")
    speaker = Speaker.objects.get(name="Karin Exempelsson")
    speaker.bio = "Redigerad av redaktören."
    speaker.save()
    before = programme_counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert programme_counts() == before
    assert not Session.objects.filter(title="Medborgarlöften som gör skillnad").exists()
    assert not Room.objects.filter(name="Sal B").exists()
    speaker.refresh_from_db()
    assert speaker.bio == "Redigerad av redaktören."


def test_an_edition_whose_programme_editors_have_begun_is_left_alone(db):
    edition = seed_editions()
    Room.objects.create(edition=edition, name="Kongresshallen")

    assert seed_programme(edition) == 0

    assert list(edition.rooms.values_list("name", flat=True)) == ["Kongresshallen"]
    assert not edition.sessions.exists()


def test_the_banquet_is_on_the_first_evening_when_the_edition_says(edition):
    banquet = Session.objects.get(edition=edition, kind=Session.Kind.BANQUET)

    assert banquet.starts_at == edition.banquet_starts_at
    starts = timezone.localtime(banquet.starts_at)
    assert starts.date() == edition.starts_on
    assert (starts.hour, starts.minute) == (19, 0)
    assert banquet.room is None
    assert banquet.ends_at > banquet.starts_at


def test_no_room_or_speaker_is_double_booked(edition):
    for session in get_programme(edition).sessions:
        collisions = colliding_sessions(
            edition=edition,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room=session.room,
            speakers=[link.speaker for link in session.speaker_links],
            exclude=session,
        )

        assert collisions == [], f"{session.title} collides with {[str(other) for other in collisions]}"


def test_every_session_has_an_english_title_and_every_talk_an_abstract_in_both_languages(edition):
    for session in get_programme(edition).sessions:
        assert session.title_en, session.title
        if session.kind != Session.Kind.BREAK:
            assert session.abstract.startswith("<p>") and session.abstract_en.startswith("<p>"), session.title


def test_keynotes_fill_stora_salen_and_breaks_concern_everyone(edition):
    sessions = get_programme(edition).sessions

    keynotes = [session for session in sessions if session.kind == Session.Kind.KEYNOTE]
    breaks = [session for session in sessions if session.kind == Session.Kind.BREAK]
    assert len(keynotes) >= 3
    assert {session.room.name for session in keynotes} == {"Stora salen"}
    assert {session.title for session in breaks} >= {"Lunch"}
    assert all(session.room is None and not session.speaker_links for session in breaks)
    assert {session.kind for session in sessions} == set(Session.Kind.values)


def test_some_sessions_are_held_in_english(edition):
    english = Session.objects.filter(edition=edition, language=Session.Language.ENGLISH)

    assert english.count() >= 2


def test_panels_list_the_moderator_first_and_then_their_speakers(edition):
    panels = [session for session in get_programme(edition).sessions if session.kind == Session.Kind.PANEL]

    assert panels
    for panel in panels:
        demo = next(row for row in SESSIONS if row.title == panel.title)
        assert 2 <= len(panel.speaker_links) <= 3
        assert [link.speaker.name for link in panel.speaker_links] == [demo.moderator, *demo.speakers]
        assert [link.role for link in panel.speaker_links] == ["moderator"] + [""] * len(demo.speakers)


def test_the_programme_page_in_both_languages_shows_the_demo_programme(edition):
    pages = ProgrammePage.objects.live().filter(edition=edition)

    assert {page.locale.language_code for page in pages} == {"sv", "en"}
    assert "Programmet publiceras" not in pages.get(locale__language_code="sv").intro
    assert len(get_programme(pages.first().edition).sessions) == edition.sessions.count()


def test_the_demo_programme_is_on_the_programme_page(demo_site, client):
    response = client.get("/program/")

    assert response.status_code == 200
    assert "Medborgarlöften som gör skillnad" in response.text
    assert "Stora salen" in response.text
