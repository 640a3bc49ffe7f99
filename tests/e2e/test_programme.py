"""The programme in a real browser: filters without a reload, stars that survive a reload, "Now" and "Next",
and no serious accessibility findings. Locators use data attributes and addresses, not interface text, so the
tests hold in both languages and before and after the translations are updated."""

import datetime as dt
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from events.models import ProgrammePage, Session
from home.models import HomePage
from tests.factories import STOCKHOLM, EditionFactory, RoomFactory, SessionFactory, SpeakerFactory, TrackFactory, at

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(site_url):
    """A two-day programme in three rooms at /programtest/ under the seeded home page."""
    edition = EditionFactory()
    day1, day2 = edition.starts_on, edition.ends_on
    rooms = [
        RoomFactory(edition=edition, name=name, sort_order=n)
        for n, name in enumerate(["Stora salen", "Sal A", "Sal B"])
    ]
    crisis = TrackFactory(edition=edition, name="Krisberedskap", name_en="Crisis preparedness", slug="krisberedskap")
    anna = SpeakerFactory(name="Anna Exempelsson", slug="anna-exempelsson")

    def session(title, day, start, end, room, **fields):
        return SessionFactory(
            edition=edition, title=title, starts_at=at(day, start), ends_at=at(day, end), room=room, **fields
        )

    sessions = {
        "opening": session(
            "Öppning", day1, "09:00", "10:00", rooms[0], kind=Session.Kind.KEYNOTE, with_speakers=[anna]
        ),
        "drill": session("Krisövning", day1, "09:00", "09:45", rooms[1], track=crisis, with_speakers=[anna]),
        "squares": session("Trygga torg", day1, "09:00", "10:00", rooms[2]),
        "coffee": session("Kaffe", day1, "10:00", "10:30", None, kind=Session.Kind.BREAK),
        "panel": session("Panelsamtal", day1, "10:30", "11:30", rooms[0], kind=Session.Kind.PANEL),
        "cancelled": session("Inställt pass", day1, "10:30", "11:15", rooms[1], is_cancelled=True),
        "morning": session("Morgonpass", day2, "09:00", "09:45", rooms[1], track=crisis),
        "english": session("Safe streets", day2, "09:00", "10:00", rooms[2], language="en"),
    }
    home = HomePage.objects.get(locale__language_code="sv")
    page = ProgrammePage(title="Programmet", slug="programtest", edition=edition)
    home.add_child(instance=page)
    page.save_revision().publish()
    return SimpleNamespace(url=f"{site_url}/programtest/", edition=edition, rooms=rooms, sessions=sessions)


def entry(page, session):
    return page.locator(f'.schedule__entry[data-session-id="{session.pk}"]')


def test_filters_by_day_and_room_without_a_reload(page, programme):
    sessions, day2 = programme.sessions, programme.edition.ends_on.isoformat()
    page.goto(programme.url)
    page.evaluate("window.stillTheSamePage = true")

    page.locator(f'a[data-filter="dag"][data-value="{day2}"]').click()

    expect(page).to_have_url(f"{programme.url}?dag={day2}")
    expect(page.locator(f'a[data-filter="dag"][data-value="{day2}"]')).to_have_attribute("aria-current", "true")
    expect(entry(page, sessions["opening"])).to_be_hidden()
    expect(entry(page, sessions["morning"])).to_be_visible()
    expect(entry(page, sessions["english"])).to_be_visible()

    room = programme.rooms[1]
    page.locator(f'a[data-filter="sal"][data-value="{room.pk}"]').click()

    expect(page).to_have_url(f"{programme.url}?dag={day2}&sal={room.pk}")
    expect(entry(page, sessions["morning"])).to_be_visible()
    expect(entry(page, sessions["english"])).to_be_hidden()
    assert page.evaluate("window.stillTheSamePage") is True

    page.go_back()

    expect(page).to_have_url(f"{programme.url}?dag={day2}")
    expect(entry(page, sessions["english"])).to_be_visible()

    page.locator("[data-filter-clear] a").click()

    expect(page).to_have_url(programme.url)
    expect(entry(page, sessions["opening"])).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True


def test_filters_are_plain_links_without_javascript(browser, programme):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    room = programme.rooms[2]
    page.goto(programme.url)

    expect(page.locator("button.star")).to_have_count(0)
    page.locator(f'a[data-filter="sal"][data-value="{room.pk}"]').click()

    expect(page).to_have_url(f"{programme.url}?sal={room.pk}")
    expect(entry(page, programme.sessions["squares"])).to_be_visible()
    expect(entry(page, programme.sessions["coffee"])).to_be_visible()
    expect(entry(page, programme.sessions["drill"])).to_be_hidden()
    context.close()


def test_rooms_stand_side_by_side_on_a_wide_screen_and_in_time_order_on_a_phone(browser, programme):
    sessions = programme.sessions
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(programme.url)
    opening, drill, squares = (entry(wide, sessions[key]).bounding_box() for key in ("opening", "drill", "squares"))
    coffee = entry(wide, sessions["coffee"]).bounding_box()

    assert opening["y"] == drill["y"] == squares["y"]
    assert opening["x"] < drill["x"] < squares["x"]
    assert coffee["width"] > 2.5 * opening["width"]  # the break spans every room
    wide.close()

    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.goto(programme.url)
    boxes = [entry(phone, sessions[key]).bounding_box() for key in ("opening", "drill", "squares", "coffee", "panel")]

    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)
    assert len({box["x"] for box in boxes}) == 1
    phone.close()


def test_starred_sessions_survive_a_reload_and_make_my_agenda(page, programme):
    drill, panel = programme.sessions["drill"], programme.sessions["panel"]
    page.goto(programme.url)

    for session in (drill, panel):
        star = entry(page, session).get_by_role("button")
        expect(star).to_have_attribute("aria-pressed", "false")
        star.click()
        expect(star).to_have_attribute("aria-pressed", "true")
    expect(entry(page, programme.sessions["coffee"]).get_by_role("button")).to_have_count(0)

    page.reload()

    expect(entry(page, drill).get_by_role("button")).to_have_attribute("aria-pressed", "true")
    expect(entry(page, panel).get_by_role("button")).to_have_attribute("aria-pressed", "true")
    expect(entry(page, programme.sessions["opening"]).get_by_role("button")).to_have_attribute("aria-pressed", "false")

    page.locator('.programme-nav a[href$="/min-agenda/"]').click()

    agenda = page.locator("[data-agenda]")
    expect(agenda.get_by_role("heading", name="Krisövning")).to_be_visible()
    expect(agenda.get_by_role("heading", name="Panelsamtal")).to_be_visible()
    expect(agenda.get_by_role("heading", name="Öppning")).to_be_hidden()
    ics = agenda.locator("[data-agenda-download] a")
    expect(ics).to_be_visible()
    href = urlparse(ics.get_attribute("href"))
    assert href.path == "/programme.ics"
    assert parse_qs(href.query)["sessions"][0].split(",") == sorted([str(drill.pk), str(panel.pk)], key=int)

    agenda.locator(f'[data-session-id="{drill.pk}"]').get_by_role("button").click()

    expect(agenda.get_by_role("heading", name="Krisövning")).to_be_hidden()
    expect(page.locator("#agenda-title")).to_be_focused()
    assert parse_qs(urlparse(ics.get_attribute("href")).query)["sessions"] == [str(panel.pk)]


def test_now_and_next_are_marked_during_the_conference(page, programme):
    sessions = programme.sessions
    page.clock.set_fixed_time(dt.datetime.combine(programme.edition.starts_on, dt.time(9, 50), tzinfo=STOCKHOLM))
    page.goto(programme.url)

    expect(entry(page, sessions["opening"]).locator('[data-time-marker="now"]')).to_have_count(1)
    expect(entry(page, sessions["squares"]).locator('[data-time-marker="now"]')).to_have_count(1)
    expect(entry(page, sessions["drill"]).locator("[data-time-marker]")).to_have_count(0)  # over at 09:45
    expect(entry(page, sessions["coffee"]).locator('[data-time-marker="next"]')).to_have_count(1)
    expect(entry(page, sessions["panel"]).locator("[data-time-marker]")).to_have_count(0)
    expect(entry(page, sessions["morning"]).locator("[data-time-marker]")).to_have_count(0)


def test_the_programme_speaker_session_and_agenda_pages_pass_axe(browser, programme, serious_violations):
    session = programme.sessions["drill"]
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        page = browser.new_page(viewport=viewport)
        for path in (
            "",
            f"?sal={programme.rooms[0].pk}",
            "talare/",
            "talare/anna-exempelsson/",
            f"pass/{session.pk}/{session.slug}/",
            "min-agenda/",
        ):
            page.goto(programme.url + path)
            assert serious_violations(page) == [], (viewport, path)
        page.close()
