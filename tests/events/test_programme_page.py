"""The programme page: the schedule by day and room, its filters, the speaker, session and agenda routes,
a fixed number of queries however large the programme, and a cache that is never stale."""

import datetime as dt
import re

import pytest
import wagtail_factories
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.models import Locale

from events.models import ProgrammePage, Session, SessionChange
from home.demo import seed_home
from tests.factories import (
    EditionFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    TrackFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return seed_home()


@pytest.fixture
def edition():
    return EditionFactory()


@pytest.fixture
def programme_page(home, edition):
    """The programme page at /program-test/ and its English translation at /en/program-test/."""
    page = ProgrammePage(title="Program", slug="program-test", edition=edition, intro="<p>Två dagar.</p>")
    home.add_child(instance=page)
    page.save_revision().publish()
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "Programme"
    english.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def programme(edition):
    """Two days, two rooms (shown "Sal Stor" before "Sal Liten" by their sort order), two tracks, a break."""
    day1, day2 = edition.starts_on, edition.ends_on
    big = RoomFactory(edition=edition, name="Sal Stor", sort_order=1)
    small = RoomFactory(edition=edition, name="Sal Liten", sort_order=2)
    crisis = TrackFactory(edition=edition, name="Krisberedskap", name_en="Crisis preparedness", slug="krisberedskap")
    places = TrackFactory(edition=edition, name="Trygga platser", name_en="Safe places", slug="trygga-platser")
    anna = SpeakerFactory(name="Anna Exempelsson", slug="anna-exempelsson")
    bo = SpeakerFactory(name="Bo Provsson", slug="bo-provsson")

    def session(title, day, start, end, **fields):
        return SessionFactory(
            edition=edition,
            title=title,
            title_en=f"{title} (en)",
            starts_at=at(day, start),
            ends_at=at(day, end),
            **fields,
        )

    return {
        "big": big,
        "small": small,
        "crisis": crisis,
        "places": places,
        "anna": anna,
        "bo": bo,
        "opening": session(
            "Öppning", day1, "09:00", "10:00", room=big, kind=Session.Kind.KEYNOTE, with_speakers=[anna]
        ),
        "parallel": session("Krisövning", day1, "09:00", "09:45", room=small, track=crisis, with_speakers=[anna, bo]),
        "coffee": session("Kaffe", day1, "10:00", "10:30", room=None, kind=Session.Kind.BREAK),
        "english": session("Trygga torg", day1, "10:30", "11:15", room=big, track=places, language="en"),
        "day2": session("Dag två", day2, "09:00", "09:45", room=small, track=crisis, with_speakers=[bo]),
    }


def entry(html, session):
    """The opening tag of a session's entry in the schedule."""
    match = re.search(rf'<li class="schedule__entry"[^>]*data-session-id="{session.pk}"[^>]*>', html)
    assert match, f"no entry for {session}"
    return match.group(0)


def placement(css, session):
    """Where the schedule's stylesheet puts a session in the grid."""
    match = re.search(rf'\.schedule__entry\[data-session-id="{session.pk}"\] \{{ ([^}}]*) \}}', css)
    assert match, f"no placement for {session}"
    return match.group(1)


def test_the_schedule_shows_each_day_with_its_rooms_side_by_side(client, programme_page, programme, edition):
    html = client.get("/program-test/").text
    stylesheet = re.search(r'<link rel="stylesheet" href="(/program-test/rutnat/\?v=\w+)">', html).group(1)
    css = client.get(stylesheet).text

    with translation.override("sv"):
        first_day = date_format(edition.starts_on, "l j F")
    assert f'<time datetime="{edition.starts_on.isoformat()}">{first_day}</time>' in html
    assert html.index(">Sal Stor</span>") < html.index(">Sal Liten</span>")
    assert f'.programme-day[data-day="{edition.starts_on.isoformat()}"] .schedule {{ --rooms: 2; }}' in css
    assert placement(css, programme["opening"]) == "--column: 1; --row-start: 1; --row-end: 3;"  # 09:00–10:00
    assert placement(css, programme["parallel"]) == "--column: 2; --row-start: 1; --row-end: 2;"  # 09:00–09:45
    assert placement(css, programme["coffee"]).startswith("--column: 1 / -1;")  # a break spans every room
    assert ' style="' not in html  # the Content-Security-Policy would refuse it
    opening = timezone.localtime(programme["opening"].starts_at).isoformat()
    assert f'<time datetime="{opening}">09:00</time>–<time' in html


def test_sessions_carry_the_data_the_browser_filters_and_marks_them_by(client, programme_page, programme, edition):
    html = client.get("/program-test/").text

    tag = entry(html, programme["parallel"])
    assert f'data-day="{edition.starts_on.isoformat()}"' in tag
    assert 'data-track="krisberedskap"' in tag
    assert f'data-room="{programme["small"].pk}"' in tag
    assert 'data-language="sv"' in tag
    assert f'data-starts="{timezone.localtime(programme["parallel"].starts_at).isoformat()}"' in tag
    assert "data-starrable" in tag
    assert "data-starrable" not in entry(html, programme["coffee"])
    assert 'src="/static/js/programme.js" defer' in html
    assert "<script>" not in html


def test_filtering_by_day_hides_the_other_days_without_javascript(client, programme_page, programme, edition):
    day2 = edition.ends_on.isoformat()

    html = client.get(f"/program-test/?dag={day2}").text

    assert re.search(rf'<section class="programme-day" data-day="{edition.starts_on.isoformat()}"[^>]* hidden>', html)
    assert re.search(rf'<section class="programme-day" data-day="{day2}"[^>]*">', html)
    assert re.search(
        rf'<a href="/program-test/\?dag={day2}" data-filter="dag" data-value="{day2}" aria-current="true">', html
    )
    assert "Sessions shown: 1" in html or "Visade pass: 1" in html


def test_filtering_by_room_keeps_breaks_for_everyone(client, programme_page, programme):
    small = programme["small"]

    html = client.get(f"/program-test/?sal={small.pk}").text

    assert " hidden" in entry(html, programme["opening"])
    assert " hidden" not in entry(html, programme["parallel"])
    assert " hidden" not in entry(html, programme["coffee"])
    assert "programme-schedule--list" in html


def test_filters_combine_and_each_link_keeps_the_others(client, programme_page, programme, edition):
    day1 = edition.starts_on.isoformat()

    html = client.get(f"/program-test/?dag={day1}&spar=krisberedskap&sprak=sv").text

    assert " hidden" not in entry(html, programme["parallel"])
    assert " hidden" not in entry(html, programme["opening"])  # a keynote with no track is for every track
    assert " hidden" in entry(html, programme["english"])  # another track, and in English
    assert " hidden" in entry(html, programme["day2"])
    # Clearing the day keeps the track and the language.
    assert '<a href="/program-test/?spar=krisberedskap&amp;sprak=sv" data-filter="dag" data-value=""' in html
    assert re.search(r'<p class="programme-filters__clear" data-filter-clear><a href="/program-test/">', html)


def test_unknown_or_malformed_filters_are_ignored(client, programme_page, programme):
    html = client.get("/program-test/?dag=igår&spar=finns-inte&sal=x&sprak=fi&annat=1").text

    sessions = [value for value in programme.values() if isinstance(value, Session)]
    assert all(" hidden" not in entry(html, session) for session in sessions)
    assert '<p class="programme-filters__clear" hidden data-filter-clear>' in html


def test_english_shows_english_titles_and_dates(client, programme_page, programme, edition):
    html = client.get("/en/program-test/").text

    with translation.override("en"):
        first_day = date_format(edition.starts_on, "l j F")
    assert '<html lang="en">' in html
    assert "Krisövning (en)" in html
    assert "Crisis preparedness" in html
    assert first_day in html
    assert 'href="/en/program-test/pass/' in html
    assert "Sessions shown: 5" in html


def test_swedish_shows_swedish_titles_and_dates(client, programme_page, programme, edition):
    html = client.get("/program-test/").text

    with translation.override("sv"):
        first_day = date_format(edition.starts_on, "l j F")
    assert first_day.split()[0] in {"måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"}
    assert first_day in html
    assert "Krisövning</a>" in html
    assert "Krisövning (en)" not in html


def test_cancelled_and_moved_sessions_are_marked_and_listed_as_changes(client, programme_page, programme):
    parallel, opening = programme["parallel"], programme["opening"]
    opening.is_cancelled = True
    opening.save()
    SessionChange.objects.create(session=opening, what=SessionChange.What.CANCELLED, changed_at=timezone.now())
    SessionChange.objects.create(
        session=parallel,
        what=SessionChange.What.RESCHEDULED,
        old_starts_at=at(parallel.day, "08:30"),
        new_starts_at=parallel.starts_at,
    )
    parallel.save()

    html = client.get("/en/program-test/").text

    assert "<s>Öppning (en)</s>" in html
    assert '<strong class="badge badge--cancelled">Cancelled</strong>' in html
    assert '<strong class="badge badge--changed">New time</strong>' in html
    assert "Changes to the programme" in html
    changes = html[html.index("Changes to the programme") : html.index("</section>")]
    assert "Krisövning (en)</a>:" in changes and "Öppning (en)</a>:" in changes


def test_no_changes_section_before_anything_changed(client, programme_page, programme):
    assert "programme-changes" not in client.get("/program-test/").text


def test_the_programme_costs_the_same_queries_with_10_and_500_sessions(
    client, programme_page, edition, django_assert_num_queries
):
    rooms = RoomFactory.create_batch(4, edition=edition)
    tracks = TrackFactory.create_batch(3, edition=edition)
    speakers = SpeakerFactory.create_batch(6)

    def add_sessions(n):
        for i in range(n):
            day = edition.starts_on + dt.timedelta(days=i % 2)
            start = at(day, "09:00") + dt.timedelta(minutes=30 * (i // 8 % 20))
            SessionFactory(
                edition=edition,
                room=rooms[i % 4],
                track=tracks[i % 3],
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=45),
                with_speakers=[speakers[i % 6], speakers[(i + 1) % 6]],
            )

    add_sessions(10)
    client.get("/program-test/talare/")  # Wagtail caches the site's root paths on the first request
    with CaptureQueriesContext(connection) as small:
        assert client.get("/program-test/").status_code == 200

    add_sessions(490)
    with django_assert_num_queries(len(small)):
        response = client.get("/program-test/")

    assert response.text.count('class="schedule__entry"') == 500


def test_the_cached_schedule_costs_one_query_to_check_and_is_never_stale(client, programme_page, programme):
    client.get("/program-test/")
    with CaptureQueriesContext(connection) as again:
        client.get("/program-test/")
    with CaptureQueriesContext(connection) as soon_after:
        client.get("/program-test/")
    assert len(again) == 1  # the whole page from the page cache, once the programme's fingerprint is checked
    assert len(soon_after) == 0  # the check holds for PAGE_CACHE_VALIDATE_SECONDS

    parallel = programme["parallel"]
    parallel.title = "Krisövning, ny titel"
    parallel.save()

    html = client.get("/program-test/").text
    assert "Krisövning, ny titel" in html
    assert "Krisövning</a>" not in html


def test_a_visitor_with_a_session_gets_the_cached_schedule_inside_a_fresh_page(client, programme_page, programme):
    client.cookies["sessionid"] = "not-a-session"  # as a logged-in editor's browser would send
    client.get("/program-test/talare/")
    with CaptureQueriesContext(connection) as first:
        client.get("/program-test/")
    with CaptureQueriesContext(connection) as again:
        client.get("/program-test/")
    assert len(again) == len(first) - 5  # get_programme (4) and changes_since (1) came from the fragment cache


def test_a_bulk_update_without_signals_still_renews_the_cached_page(client, programme_page, programme, settings):
    settings.PAGE_CACHE_VALIDATE_SECONDS = 0  # else it shows once the check is that old
    client.get("/program-test/")
    client.get("/program-test/")
    Session.objects.filter(pk=programme["parallel"].pk).update(title="Krisövning, i smyg", updated_at=timezone.now())

    assert "Krisövning, i smyg" in client.get("/program-test/").text


def test_deleting_a_session_or_publishing_the_page_renews_the_cache(client, programme_page, programme):
    client.get("/program-test/")

    programme["english"].delete()
    assert "Trygga torg" not in client.get("/program-test/").text

    programme_page.intro = "<p>Nytt om programmet.</p>"
    programme_page.save_revision().publish()
    assert "Nytt om programmet." in client.get("/program-test/").text


def test_the_languages_and_filters_are_cached_apart(client, programme_page, programme):
    assert "Krisövning</a>" in client.get("/program-test/").text
    assert "Krisövning (en)</a>" in client.get("/en/program-test/").text
    filtered = client.get(f"/program-test/?sal={programme['small'].pk}").text
    assert " hidden" in entry(filtered, programme["opening"])
    assert " hidden" not in entry(client.get("/program-test/").text, programme["opening"])


def test_a_session_has_a_stable_address_by_its_id(client, programme_page, programme):
    session = programme["parallel"]

    with_slug = client.get(f"/program-test/pass/{session.pk}/{session.slug}/")
    without_slug = client.get(f"/program-test/pass/{session.pk}/")
    old_slug = client.get(f"/program-test/pass/{session.pk}/gammal-titel/")

    assert with_slug.status_code == without_slug.status_code == old_slug.status_code == 200
    canonical = f'<link rel="canonical" href="http://testserver/program-test/pass/{session.pk}/{session.slug}/">'
    assert canonical in old_slug.text


def test_a_session_page_tells_where_when_and_who(client, programme_page, programme):
    session = programme["parallel"]
    session.slides_url = "https://example.org/bilder.pdf"
    session.save()

    html = client.get(f"/en/program-test/pass/{session.pk}/").text

    assert "<h1" in html and "Krisövning (en)</h1>" in html
    assert "Sal Liten" in html
    assert "Crisis preparedness" in html
    assert f'<time datetime="{timezone.localtime(session.starts_at).isoformat()}">' in html
    assert f'href="/programme/session/{session.pk}.ics"' in html
    assert 'href="https://example.org/bilder.pdf"' in html
    assert 'href="/en/program-test/talare/anna-exempelsson/"' in html
    assert 'href="/en/program-test/talare/bo-provsson/"' in html
    assert "On crime prevention." in html


def test_a_session_of_another_edition_is_not_found(client, programme_page, programme):
    elsewhere = SessionFactory()

    assert client.get(f"/program-test/pass/{elsewhere.pk}/").status_code == 404
    assert client.get("/program-test/pass/999999/").status_code == 404


def test_a_speaker_page_lists_their_sessions_in_this_edition(client, programme_page, programme):
    SessionFactory(title="Förra årets pass", with_speakers=[programme["bo"]])

    html = client.get("/program-test/talare/bo-provsson/").text

    assert "<h1>Bo Provsson</h1>" in html
    assert "Arbetar med trygghet i offentliga miljöer." in html
    assert "Krisövning" in html and "Dag två" in html
    assert "Förra årets pass" not in html


def test_a_speaker_page_in_english_shows_the_english_bio(client, programme_page, programme):
    html = client.get("/en/program-test/talare/bo-provsson/").text

    assert "Works on safety in public spaces." in html
    assert "Community safety coordinator" in html


def test_a_speaker_without_a_session_in_this_edition_is_not_found(client, programme_page, programme):
    SpeakerFactory(slug="bara-forra-aret")

    assert client.get("/program-test/talare/bara-forra-aret/").status_code == 404
    assert client.get("/program-test/talare/finns-inte/").status_code == 404


def test_speaker_photos_are_square_renditions_with_alt_text(client, programme_page, programme):
    anna = programme["anna"]
    anna.photo = wagtail_factories.ImageFactory(title="IMG_0001")
    anna.save()

    speaker_html = client.get("/program-test/talare/anna-exempelsson/").text
    index_html = client.get("/program-test/talare/").text

    for html in (speaker_html, index_html):
        assert re.search(r'<img alt="Anna Exempelsson"[^>]* src="/media/images/[^"]+\.fill-240x240', html), html
    assert 'href="/program-test/talare/bo-provsson/"' in index_html


def test_the_speaker_and_session_pages_cost_the_same_queries_however_much_they_hold(client, programme_page, edition):
    speaker = SpeakerFactory(slug="mycket-upptagen", photo=wagtail_factories.ImageFactory())
    others = [SpeakerFactory(photo=wagtail_factories.ImageFactory()) for _ in range(3)]
    one = SessionFactory(edition=edition, with_speakers=[speaker])

    def queries(url):
        client.get(url)  # the first view makes the renditions
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    speaker_alone, session_alone, index_alone = (
        queries("/program-test/talare/mycket-upptagen/"),
        queries(f"/program-test/pass/{one.pk}/"),
        queries("/program-test/talare/"),
    )
    SessionFactory.create_batch(10, edition=edition, with_speakers=[speaker])
    many = SessionFactory(edition=edition, with_speakers=[speaker, *others])

    assert queries("/program-test/talare/mycket-upptagen/") == speaker_alone
    assert queries(f"/program-test/pass/{many.pk}/") == session_alone
    assert queries("/program-test/talare/") == index_alone


def test_my_agenda_holds_every_starrable_session_for_the_browser_to_show(client, programme_page, programme):
    html = client.get("/program-test/min-agenda/").text

    for key in ("opening", "parallel", "english", "day2"):
        assert re.search(rf'<li data-session-id="{programme[key].pk}"[^>]* data-starrable hidden>', html)
    assert f'data-session-id="{programme["coffee"].pk}"' not in html
    assert 'data-ics-base="/programme.ics"' in html
    assert "<noscript>" in html


def test_routes_work_in_english_under_the_translated_page(client, programme_page, programme):
    for path in ("", "talare/", "talare/anna-exempelsson/", f"pass/{programme['opening'].pk}/", "min-agenda/"):
        response = client.get(f"/en/program-test/{path}")
        assert response.status_code == 200, path
        assert '<html lang="en">' in response.text


def test_the_schedules_stylesheet_is_kept_for_good_until_the_programme_changes(client, programme_page, programme):
    def stylesheet_address():
        html = client.get("/program-test/").text
        return re.search(r'<link rel="stylesheet" href="(/program-test/rutnat/\?v=\w+)">', html).group(1)

    first = stylesheet_address()
    response = client.get(first)
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in response["Cache-Control"]

    programme["opening"].ends_at += dt.timedelta(minutes=30)
    programme["opening"].save()
    second = stylesheet_address()

    assert second != first
    assert "immutable" not in client.get(first)["Cache-Control"]  # an old address gets today's layout, not kept
    assert placement(client.get(second).text, programme["opening"]).endswith("--row-end: 4;")
