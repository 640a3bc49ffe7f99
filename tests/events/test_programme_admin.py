"""Editors keep the programme in the Wagtail admin: no double bookings, and every move is recorded."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from events.models import ProgrammePage, Session, SessionChange
from events.services import record_session_changes
from home.demo import demo_password
from tests.factories import EditionFactory, RoomFactory, SessionFactory, SpeakerFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    call_command("seed_demo", stdout=io.StringIO())
    assert client.login(username="redaktor", password=demo_password())
    return client


def session_form(edition, *, title, starts_at, ends_at, room=None, speakers=()):
    return nested_form_data(
        {
            "edition": edition.pk,
            "title": title,
            "title_en": "",
            "kind": "talk",
            "language": "sv",
            "track": "",
            "starts_at": f"{starts_at:%Y-%m-%d %H:%M}",
            "ends_at": f"{ends_at:%Y-%m-%d %H:%M}",
            "room": room.pk if room else "",
            "abstract": rich_text(""),
            "abstract_en": rich_text(""),
            "slides_url": "",
            "video_url": "",
            "speakers": inline_formset([{"speaker": speaker.pk, "role": ""} for speaker in speakers]),
        }
    )


def test_a_room_cannot_be_double_booked(editor):
    edition = EditionFactory()
    booked = SessionFactory(edition=edition, title="Medborgarlöften i praktiken")
    day = edition.starts_on

    response = editor.post(
        "/admin/snippets/events/session/add/",
        session_form(edition, title="Krock", starts_at=at(day, "09:30"), ends_at=at(day, "10:00"), room=booked.room),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["room"]
    assert "Medborgarlöften i praktiken" in errors[0]
    assert not Session.objects.filter(title="Krock").exists()


def test_a_speaker_cannot_be_in_two_rooms_at_once(editor):
    edition = EditionFactory()
    speaker = SpeakerFactory(name="Petra Påhittad")
    SessionFactory(edition=edition, title="Krisberedskap i kommunen", with_speakers=[speaker])
    other_room = RoomFactory(edition=edition)
    day = edition.starts_on

    response = editor.post(
        "/admin/snippets/events/session/add/",
        session_form(
            edition,
            title="Samtidigt",
            starts_at=at(day, "09:15"),
            ends_at=at(day, "10:00"),
            room=other_room,
            speakers=[speaker],
        ),
    )

    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "Petra Påhittad" in message
    assert "Krisberedskap i kommunen" in message
    assert not Session.objects.filter(title="Samtidigt").exists()


def test_back_to_back_sessions_in_one_room_are_fine(editor):
    edition = EditionFactory()
    first = SessionFactory(edition=edition)
    day = edition.starts_on

    response = editor.post(
        "/admin/snippets/events/session/add/",
        session_form(edition, title="Direkt efter", starts_at=first.ends_at, ends_at=at(day, "11:00"), room=first.room),
    )

    assert response.status_code == 302
    assert Session.objects.filter(title="Direkt efter", room=first.room).exists()


def test_a_cancelled_session_frees_its_room(editor):
    edition = EditionFactory()
    cancelled = SessionFactory(edition=edition, is_cancelled=True)

    response = editor.post(
        "/admin/snippets/events/session/add/",
        session_form(
            edition, title="Ersättare", starts_at=cancelled.starts_at, ends_at=cancelled.ends_at, room=cancelled.room
        ),
    )

    assert response.status_code == 302


def test_moving_a_published_session_is_logged_and_raises_its_sequence(editor):
    edition = EditionFactory()
    home = ProgrammePage.objects.live().first().get_parent()
    home.add_child(instance=ProgrammePage(title="Program 2040", slug="program-test", edition=edition))
    session = SessionFactory(edition=edition)
    new_room = RoomFactory(edition=edition, name="Sal B")
    day = edition.starts_on

    response = editor.post(
        f"/admin/snippets/events/session/edit/{session.pk}/",
        session_form(edition, title=session.title, starts_at=at(day, "13:00"), ends_at=at(day, "13:45"), room=new_room),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1
    changes = {change.what: change for change in SessionChange.objects.filter(session=session)}
    assert set(changes) == {SessionChange.What.RESCHEDULED, SessionChange.What.MOVED}
    assert changes[SessionChange.What.MOVED].new_room == "Sal B"
    assert changes[SessionChange.What.RESCHEDULED].old_starts_at == at(day, "09:00")
    assert changes[SessionChange.What.MOVED].changed_by.username == "redaktor"


def test_changes_before_the_programme_is_published_are_not_listed():
    session = SessionFactory(edition=EditionFactory())
    before = Session.objects.get(pk=session.pk)
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.save()

    assert record_session_changes(before, session) == []
    session.refresh_from_db()
    assert session.sequence == 1


def test_cancelling_and_reinstating_are_both_recorded(db):
    call_command("seed_demo", stdout=io.StringIO())
    edition = ProgrammePage.objects.live().first().edition
    session = SessionFactory(edition=edition, room=RoomFactory(edition=edition, name="Testsalen"))

    before = Session.objects.get(pk=session.pk)
    session.is_cancelled = True
    session.save()
    cancelled = record_session_changes(before, session)
    before = Session.objects.get(pk=session.pk)
    session.is_cancelled = False
    session.save()
    reinstated = record_session_changes(before, session)

    assert [change.what for change in cancelled] == [SessionChange.What.CANCELLED]
    assert [change.what for change in reinstated] == [SessionChange.What.REINSTATED]
    session.refresh_from_db()
    assert session.sequence == 2


def test_an_edit_that_changes_nothing_for_calendars_keeps_the_sequence():
    session = SessionFactory(edition=EditionFactory())
    before = Session.objects.get(pk=session.pk)
    session.slides_url = "https://example.org/bilder.pdf"
    session.save()

    record_session_changes(before, session)

    session.refresh_from_db()
    assert session.sequence == 0


@pytest.mark.parametrize(("username", "allowed"), [("redaktor", True), ("arrangor", True), ("entre", False)])
def test_who_may_edit_the_programme(client, username, allowed):
    call_command("seed_demo", stdout=io.StringIO())
    client.login(username=username, password=demo_password())

    response = client.get("/admin/snippets/events/session/")

    assert (response.status_code == 200) is allowed
