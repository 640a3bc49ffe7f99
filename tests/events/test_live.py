"""The live reveal in one process: the published state before and after, the broadcast only after the commit, the
retraction, the command and the admin action alike, the rehearsal for editors only, no trace of the winner anywhere
public before the reveal, and streams that cost no thread and leave nothing behind.

Two real server processes and the browser are in test_live_servers.py and tests/e2e/test_live.py.
"""

import asyncio
import gzip
import io
import json
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.handlers.asgi import ASGIHandler
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from wagtail.models import GroupPagePermission, Locale, PageLogEntry

from events.live import broadcast
from events.live.asgi import with_live_streams
from events.live.services import RevealError, announce_winner, retract_winner
from events.live.state import PHOTO, published_state
from events.models import AwardPage
from home.demo import demo_password, seed_home, seed_people
from tests.crawl import STARTS, crawl
from tests.factories import award_round, nominee_page

SLUG = "livepriset"
SECRET = "Juryns hemliga motivering: Vera gjorde torget till stadsdelens vardagsrum."


@pytest.fixture(autouse=True)
def fresh_hub(monkeypatch):
    """Each test its own hub: versions restart with each test's database, and a hub trusts only newer ones."""
    monkeypatch.setattr(broadcast, "_hub", None)
    yield
    if broadcast._hub is not None:
        broadcast._hub.shutdown()


@pytest.fixture
def home(db):
    return seed_home()


@pytest.fixture
def award(home):
    """An award showing its three nominees (one with a photo), its winner and motivation chosen in a draft."""
    award = award_round(home, phase="nominees", slug=SLUG, title="Livepriset")
    vera = nominee_page(
        award,
        title="Vera Vinnarsson",
        summary="Gjorde torget tryggt.",
        organisation="Exempelstads kommun",
        image=wagtail_factories.ImageFactory(title="Vera"),
    )
    nominee_page(award, title="Nils Nominerad")
    nominee_page(award, title="Olle Ombud")
    award.winner = vera
    award.winner_motivation = SECRET
    award.save_revision()
    return AwardPage.objects.get(pk=award.pk)


def state_of(client):
    response = client.get(f"/live/{SLUG}/state")
    assert response.status_code == 200
    return response.json()


def winner_of(award):
    return AwardPage.objects.get(pk=award.pk).get_latest_revision_as_object().winner


# --- The state ---------------------------------------------------------------------------------------------------


def test_before_the_reveal_the_state_shows_the_nominees_and_no_winner(client, award):
    response = client.get(f"/live/{SLUG}/state")

    state = response.json()
    assert state["revealed"] is False and state["winner"] is None
    assert [nominee["name"] for nominee in state["nominees"]] == ["Vera Vinnarsson", "Nils Nominerad", "Olle Ombud"]
    assert state["award"] == {"slug": SLUG, "title": "Livepriset", "url": award.url}
    assert SECRET not in response.text
    assert "no-store" in response["Cache-Control"]


def test_after_the_reveal_the_state_names_the_winner_with_motivation_and_photo(client, award):
    before = state_of(client)

    announce_winner(award)

    state = state_of(client)
    assert state["revealed"] is True
    assert state["version"] > before["version"]
    winner = state["winner"]
    assert winner["name"] == "Vera Vinnarsson"
    assert winner["motivation"] == SECRET
    assert winner["summary"] == "Gjorde torget tryggt." and winner["organisation"] == "Exempelstads kommun"
    assert f".{PHOTO}." in winner["image"]["url"] and winner["image"]["width"] == winner["image"]["height"]
    assert winner["url"].endswith("/vera-vinnarsson/")


def test_every_nominee_has_a_photo_of_the_same_size_so_none_stands_out_before_the_reveal(client, award):
    nils = award.get_children().get(slug="nils-nominerad").specific
    nils.image = wagtail_factories.ImageFactory(title="Nils")
    nils.save_revision().publish()

    photos = [nominee["image"]["url"] for nominee in state_of(client)["nominees"] if nominee["image"]]

    assert len(photos) == 2 and all(f".{PHOTO}." in url for url in photos)


def test_the_state_costs_the_same_number_of_queries_with_three_or_twelve_nominees(award, django_assert_num_queries):
    announce_winner(award)
    award = AwardPage.objects.get(pk=award.pk)
    published_state(award)  # renditions made once, as on a live site
    with django_assert_num_queries(4) as few:  # nominees, their view restrictions, photos, version
        published_state(award)

    for number in range(9):
        nominee_page(award, title=f"Fler Nominerade {number}", image=wagtail_factories.ImageFactory())
    published_state(award)
    with django_assert_num_queries(len(few.captured_queries)):
        published_state(award)


def test_the_live_page_shows_the_winner_only_once_revealed(client, award):
    for address in (f"/live/{SLUG}/", f"/live/{SLUG}/?skarm=1"):
        before = client.get(address)
        assert before.status_code == 200
        assert "Nils Nominerad" in before.text
        assert SECRET not in before.text and "data-winner" not in before.text
        assert "no-store" in before["Cache-Control"]

    announce_winner(award)

    for address in (f"/live/{SLUG}/", f"/live/{SLUG}/?skarm=1"):
        after = client.get(address).text
        assert SECRET in after and "data-winner" in after
        assert 'aria-live="polite"' in after


def test_the_big_screen_has_no_navigation_and_the_phone_page_has(client, award):
    screen = client.get(f"/live/{SLUG}/?skarm=1").text
    phone = client.get(f"/live/{SLUG}/").text

    assert 'class="site-header"' not in screen and 'class="live-screen"' in screen
    assert 'class="site-header"' in phone
    assert "js/live.js" in screen and "js/live.js" in phone
    assert "<script>" not in screen and "<style" not in screen and ' style="' not in screen  # CSP-ready


def test_the_english_award_pages_slug_leads_to_the_live_page_of_its_round(client, award):
    translation = award.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    translation.slug = "live-award"
    translation.save_revision().publish()

    response = client.get("/live/live-award/")

    assert response.status_code == 302 and response["Location"] == f"/live/{SLUG}/"


def test_an_unknown_award_has_no_live_page(client, home):
    assert client.get("/live/finns-inte/").status_code == 404
    assert client.get("/live/finns-inte/state").status_code == 404


def test_after_the_reveal_the_award_and_nominee_pages_show_the_winner(client, award):
    vera = winner_of(award)
    assert "data-winner" not in client.get(vera.url).text

    announce_winner(award)

    assert SECRET in client.get(award.url).text
    assert "data-winner" in client.get(vera.url).text


def test_no_public_address_holds_the_motivation_before_the_reveal(client, award):
    live = (f"/live/{SLUG}/", f"/live/{SLUG}/?skarm=1", f"/live/{SLUG}/state", f"/live/{SLUG}/repetition/")

    responses = crawl(client, starts=(*STARTS, *live))

    assert set(live) <= set(responses)
    assert [url for url, response in responses.items() if SECRET.encode() in response.content] == []
    assert not any(_holds(value, SECRET) for value in _cached_values())


# --- Reveal and retraction ---------------------------------------------------------------------------------------


def test_the_reveal_is_broadcast_once_the_transaction_commits(award, django_capture_on_commit_callbacks):
    subscriber = broadcast.get_hub().subscribe(SLUG)

    with django_capture_on_commit_callbacks(execute=True):
        announce_winner(award)
        assert subscriber.take() is None  # not before the commit

    state = subscriber.take()
    assert state["revealed"] is True and state["winner"]["motivation"] == SECRET


def test_a_reveal_that_rolls_back_is_never_broadcast(award, django_capture_on_commit_callbacks):
    subscriber = broadcast.get_hub().subscribe(SLUG)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        announce_winner(award)
        raise RuntimeError("the banquet's power failed")

    assert callbacks == [] and subscriber.take() is None
    assert AwardPage.objects.get(pk=award.pk).winner_id is None


def test_publishing_the_draft_in_the_editor_is_a_reveal_too(award, django_capture_on_commit_callbacks):
    subscriber = broadcast.get_hub().subscribe(SLUG)

    with django_capture_on_commit_callbacks(execute=True):
        award.get_latest_revision().publish()

    assert subscriber.take()["winner"]["name"] == "Vera Vinnarsson"


def test_the_retraction_brings_back_the_nominees_and_keeps_the_winner_in_the_draft(client, award):
    announce_winner(award)
    revealed = state_of(client)

    retract_winner(award)

    state = state_of(client)
    assert state["revealed"] is False and state["winner"] is None
    assert state["version"] > revealed["version"]
    assert SECRET not in client.get(f"/live/{SLUG}/").text
    assert SECRET not in client.get(award.url).text
    award.refresh_from_db()
    assert award.winner_id is None and award.winner_motivation == ""
    assert winner_of(award).title == "Vera Vinnarsson"
    assert award.get_latest_revision_as_object().winner_motivation == SECRET

    announce_winner(award)  # and again, with one click

    assert state_of(client)["winner"]["motivation"] == SECRET


def test_the_reveal_and_the_retraction_are_in_the_pages_history(award, django_user_model):
    editor = django_user_model.objects.create_superuser("rut", "rut@example.org", "x")

    announce_winner(award, user=editor)
    retract_winner(award, user=editor)

    entries = PageLogEntry.objects.filter(page=award, action__startswith="live.").order_by("pk")
    assert [(entry.action, entry.user, entry.data["winner"]["title"]) for entry in entries] == [
        ("live.reveal", editor, "Vera Vinnarsson"),
        ("live.retract", editor, "Vera Vinnarsson"),
    ]


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        ("no winner", "no_winner"),
        ("unpublished winner", "winner_not_published"),
        ("revealed", "already_revealed"),
    ],
)
def test_a_reveal_the_rules_refuse_says_why(award, prepare, code):
    if prepare == "no winner":
        award.winner = None
        award.save_revision()
    elif prepare == "unpublished winner":
        winner_of(award).unpublish()
    else:
        announce_winner(award)

    with pytest.raises(RevealError) as refused:
        announce_winner(award)

    assert refused.value.code == code and refused.value.message


def test_nothing_to_take_back_before_the_reveal(award):
    with pytest.raises(RevealError) as refused:
        retract_winner(award)

    assert refused.value.code == "not_revealed"


# --- The command and the admin action ----------------------------------------------------------------------------


def run_command(*arguments):
    output = io.StringIO()
    call_command("announce_winner", *arguments, stdout=output)
    return output.getvalue()


def without_version(state):
    return {key: value for key, value in state.items() if key != "version"}


def test_the_command_and_the_admin_action_reveal_alike(client, award, django_user_model):
    output = run_command(SLUG)
    by_command = state_of(client)
    assert "Vera Vinnarsson" in output and by_command["revealed"] is True

    run_command(SLUG, "--retract")
    assert state_of(client)["revealed"] is False

    admin = django_user_model.objects.create_superuser("rut", "rut@example.org", "x")
    client.force_login(admin)
    confirmation = client.get(f"/admin/live/{award.pk}/reveal/")
    assert confirmation.status_code == 200 and "Vera Vinnarsson" in confirmation.text and SECRET in confirmation.text
    response = client.post(f"/admin/live/{award.pk}/reveal/")
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{award.pk}/edit/"
    client.logout()
    by_admin = state_of(client)

    assert without_version(by_admin) == without_version(by_command)
    assert by_admin["version"] > by_command["version"]
    actions = list(
        PageLogEntry.objects.filter(page=award, action__startswith="live.").order_by("pk").values_list("action", "user")
    )
    assert actions == [("live.reveal", None), ("live.retract", None), ("live.reveal", admin.pk)]


def test_the_command_refuses_clearly(award):
    with pytest.raises(CommandError, match="finns-inte"):
        run_command("finns-inte")
    with pytest.raises(CommandError, match="not_revealed"):
        run_command(SLUG, "--retract")
    run_command(SLUG)
    with pytest.raises(CommandError, match="already_revealed"):
        run_command(SLUG)


def log_in(client, username):
    assert client.login(username=username, password=demo_password())
    return client


def writer(home):
    """A user who may edit pages but not publish them."""
    group = Group.objects.create(name="Skribenter")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for action in ("add", "change"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")
        GroupPagePermission.objects.create(group=group, page=home, permission=permission)
    user = get_user_model().objects.create_user("skribent", password="x")
    user.groups.add(group)
    return user


def test_only_those_who_may_publish_the_award_may_reveal_or_take_back(client, home, award):
    seed_people(home)
    client.force_login(writer(home))

    for method, action in (("get", "reveal"), ("post", "reveal"), ("post", "retract")):
        refused = getattr(client, method)(f"/admin/live/{award.pk}/{action}/")
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # Wagtail's "no permission"
    assert state_of(client)["revealed"] is False

    log_in(client, "redaktor")
    assert client.post(f"/admin/live/{award.pk}/reveal/").status_code == 302
    assert state_of(client)["revealed"] is True
    assert client.post(f"/admin/live/{award.pk}/retract/").status_code == 302
    assert state_of(client)["revealed"] is False


def test_the_award_page_in_the_admin_offers_the_reveal_the_rehearsal_and_the_live_page(client, award, home):
    seed_people(home)
    log_in(client, "redaktor")

    html = client.get(f"/admin/pages/{award.pk}/edit/").text

    assert f"/admin/live/{award.pk}/reveal/" in html
    assert f"/live/{SLUG}/repetition/" in html and f'"/live/{SLUG}/"' in html

    announce_winner(award)
    html = client.get(f"/admin/pages/{award.pk}/edit/").text
    assert f"/admin/live/{award.pk}/retract/" in html and f"/admin/live/{award.pk}/reveal/" not in html


def test_an_admin_reveal_without_a_winner_in_the_draft_is_refused_with_the_reason(client, award, django_user_model):
    award.winner = None
    award.save_revision()
    client.force_login(django_user_model.objects.create_superuser("rut", "rut@example.org", "x"))

    response = client.post(f"/admin/live/{award.pk}/reveal/")

    assert response.status_code == 409
    assert state_of(client)["revealed"] is False


# --- The rehearsal -----------------------------------------------------------------------------------------------


def test_the_rehearsal_shows_the_drafts_winner_to_editors_of_the_page_only(client, home, award):
    seed_people(home)
    address = f"/live/{SLUG}/repetition/"

    assert client.get(address).status_code == 403
    log_in(client, "jury")
    assert client.get(address).status_code == 403

    log_in(client, "redaktor")
    response = client.get(address)

    assert response.status_code == 200
    assert SECRET in response.text and "Vera Vinnarsson" in response.text
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    client.logout()
    assert SECRET not in client.get(address).text


# --- The stream, in process --------------------------------------------------------------------------------------


class StreamClient:
    """A stream through the site's ASGI application, as the ASGI server would call it, read event by event."""

    def __init__(self, application, path, headers=()):
        self.events = []
        self._disconnect = asyncio.Event()
        self._arrived = asyncio.Event()
        self.start = None
        self._buffer = b""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), *((k.encode(), v.encode()) for k, v in headers)],
            "client": ("127.0.0.1", 40000),
            "server": ("testserver", 80),
        }
        self._requested = False
        self.task = asyncio.create_task(application(scope, self._receive, self._send))

    async def _receive(self):
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message):
        if message["type"] == "http.response.start":
            self.start = message
        else:
            self._buffer += message.get("body", b"")
            while b"\n\n" in self._buffer:
                block, self._buffer = self._buffer.split(b"\n\n", 1)
                self.events.append(block.decode())
            self._arrived.set()

    @property
    def states(self):
        return [json.loads(line[6:]) for event in self.events for line in event.split("\n") if line[:6] == "data: "]

    async def wait_for(self, count, timeout=10):
        async with asyncio.timeout(timeout):
            while len(self.events) < count and not self.task.done():
                self._arrived.clear()
                await self._arrived.wait()
        return self.events

    async def close(self):
        self._disconnect.set()
        await asyncio.wait_for(self.task, 5)


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests in the same session) keeps an event
    loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def site_application():
    return with_live_streams(ASGIHandler())


@pytest.fixture
def served_award(transactional_db):
    """The award with its data committed: the hub reads it from a thread of its own."""
    home = seed_home()
    award = award_round(home, phase="nominees", slug=SLUG, title="Livepriset")
    vera = nominee_page(award, title="Vera Vinnarsson")
    nominee_page(award, title="Nils Nominerad")
    award.winner = vera
    award.winner_motivation = SECRET
    award.save_revision()
    return award


def test_the_stream_sends_the_state_at_once_with_an_id_a_retry_and_headers_against_buffering(served_award):
    async def scenario():
        stream = StreamClient(site_application(), f"/live/{SLUG}/stream")
        events = await stream.wait_for(1)
        await stream.close()
        return stream.start, events

    start, events = run(scenario())

    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    assert start["status"] == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache, no-transform" and headers["x-accel-buffering"] == "no"
    lines = events[0].split("\n")
    retry = int(lines[0].removeprefix("retry: "))
    assert 2000 <= retry <= 5000
    state = json.loads(lines[3].removeprefix("data: "))
    assert lines[1] == f"id: {state['version']}" and lines[2] == "event: state"
    assert state["revealed"] is False and SECRET not in events[0]


def test_the_retry_is_spread_so_reconnecting_clients_do_not_arrive_together(served_award):
    async def scenario():
        streams = [StreamClient(site_application(), f"/live/{SLUG}/stream") for _ in range(20)]
        for stream in streams:
            await stream.wait_for(1)
        for stream in streams:
            await stream.close()
        return {stream.events[0].split("\n")[0] for stream in streams}

    assert len(run(scenario())) > 10


def test_open_streams_receive_the_reveal_and_the_retraction(served_award):
    async def scenario():
        streams = [StreamClient(site_application(), f"/live/{SLUG}/stream") for _ in range(3)]
        for stream in streams:
            await stream.wait_for(1)
        await asyncio.to_thread(announce_winner, served_award)
        for stream in streams:
            await stream.wait_for(2)
        await asyncio.to_thread(retract_winner, served_award)
        for stream in streams:
            await stream.wait_for(3)
        for stream in streams:
            await stream.close()
        return [stream.states for stream in streams]

    for states in run(scenario()):
        assert [state["revealed"] for state in states] == [False, True, False]
        assert states[1]["winner"]["motivation"] == SECRET
        assert states[0]["version"] < states[1]["version"] < states[2]["version"]


def test_a_reconnecting_client_gets_the_current_state_at_once(served_award):
    async def scenario():
        first = StreamClient(site_application(), f"/live/{SLUG}/stream")
        await first.wait_for(1)
        await first.close()  # the phone loses the connection; meanwhile the winner is revealed
        await asyncio.to_thread(announce_winner, served_award)
        again = StreamClient(
            site_application(), f"/live/{SLUG}/stream", headers=[("last-event-id", str(first.states[0]["version"]))]
        )
        await again.wait_for(1)
        await again.close()
        return first.states[0], again.states[0]

    before, now = run(scenario())

    assert before["revealed"] is False
    assert now["revealed"] is True and now["version"] > before["version"]


def test_a_keep_alive_comment_goes_out_when_nothing_happens(served_award, monkeypatch):
    from events.live import views

    monkeypatch.setattr(views, "KEEPALIVE_SECONDS", 0.05)

    async def scenario():
        stream = StreamClient(site_application(), f"/live/{SLUG}/stream")
        events = await stream.wait_for(3)
        await stream.close()
        return events

    assert run(scenario())[1:3] == [": keep-alive", ": keep-alive"]


def test_a_stream_for_an_unknown_award_or_host_is_refused(served_award):
    async def scenario():
        unknown = StreamClient(site_application(), "/live/finns-inte/stream")
        await unknown.task
        return unknown.start["status"]

    assert run(scenario()) == 404
    assert broadcast.get_hub().subscriber_count() == 0


def test_the_stream_checks_allowed_hosts(served_award, settings):
    settings.ALLOWED_HOSTS = ["tryggochsaker.se"]

    async def scenario():
        stream = StreamClient(site_application(), f"/live/{SLUG}/stream")
        await stream.task
        return stream.start["status"]

    assert run(scenario()) == 400


def test_streams_share_the_event_loop_and_do_not_hold_a_thread_each(served_award):
    async def scenario():
        warm = StreamClient(site_application(), f"/live/{SLUG}/stream")  # the hub's one database thread
        await warm.wait_for(1)
        threads = threading.active_count()
        streams = [StreamClient(site_application(), f"/live/{SLUG}/stream") for _ in range(50)]
        for stream in streams:
            await stream.wait_for(1)
        during = threading.active_count()
        open_streams = broadcast.get_hub().subscriber_count(SLUG)
        for stream in [warm, *streams]:
            await stream.close()
        return threads, during, open_streams

    before, during, open_streams = run(scenario())

    assert open_streams == 51
    assert during - before <= 2


def test_a_client_that_disconnects_is_forgotten_at_once(served_award):
    async def scenario():
        hub = broadcast.get_hub()
        counts = []
        for _ in range(200):
            stream = StreamClient(site_application(), f"/live/{SLUG}/stream")
            await stream.wait_for(1)
            counts.append(hub.subscriber_count())
            await stream.close()
            counts.append(hub.subscriber_count())
        return counts

    counts = run(scenario())

    assert set(counts[0::2]) == {1} and set(counts[1::2]) == {0}


def test_ten_thousand_subscriptions_and_cancellations_leave_the_registry_empty():
    hub = broadcast.Hub(load_state=lambda slug: None, marker=lambda: 0)

    async def scenario():
        for number in range(10_000):
            subscriber = hub.subscribe(f"pris-{number % 7}")
            if number % 3 == 0:
                subscriber.offer({"version": number, "award": {"slug": subscriber.slug}})
            hub.unsubscribe(subscriber)
        await asyncio.sleep(0)
        return hub.subscriber_count(), dict(hub._subscribers), len(asyncio.all_tasks())

    count, registry, tasks = run(scenario())

    assert count == 0 and registry == {}
    assert tasks <= 2  # the scenario itself, and at most the one listener, ending
    hub.shutdown()


def test_one_listener_per_process_however_many_subscribe():
    hub = broadcast.Hub(load_state=lambda slug: None, marker=lambda: 0)

    async def scenario():
        subscribers = [hub.subscribe("pris") for _ in range(500)]
        listeners = [task for task in asyncio.all_tasks() if task.get_name() == "live-reveal-listener"]
        for subscriber in subscribers:
            hub.unsubscribe(subscriber)
        await asyncio.sleep(broadcast.POLL_SECONDS * 3)
        return len(listeners), hub.listening

    listeners, still_listening = run(scenario())

    assert listeners == 1 and still_listening is False
    hub.shutdown()


def test_made_up_addresses_cost_no_database_read_of_their_own():
    reads = []
    hub = broadcast.Hub(
        load_state=reads.append, marker=lambda: 0, award_slugs=lambda: reads.append("slugs") or {"pris"}
    )

    async def scenario():
        return await asyncio.gather(*(hub.state(f"finns-inte-{number}") for number in range(50)))

    assert run(scenario()) == [None] * 50
    assert reads == ["slugs"]
    hub.shutdown()


def test_clients_arriving_together_share_one_read_of_the_state():
    reads = []

    def load(slug):
        reads.append(slug)
        return {"version": 1, "award": {"slug": slug}}

    hub = broadcast.Hub(load_state=load, marker=lambda: 0, award_slugs=lambda: {"pris"})

    async def scenario():
        return await asyncio.gather(*(hub.state("pris") for _ in range(100)))

    states = run(scenario())

    assert reads == ["pris"] and all(state is states[0] for state in states)
    hub.shutdown()


def test_a_newer_state_replaces_one_not_yet_sent_and_an_older_one_is_ignored():
    hub = broadcast.Hub(load_state=lambda slug: None, marker=lambda: 0)
    subscriber = hub.subscribe("pris")

    for version in (3, 5, 4):
        hub.deliver({"version": version, "award": {"slug": "pris"}})

    assert subscriber.take()["version"] == 5 and subscriber.take() is None
    hub.deliver({"version": 5, "award": {"slug": "pris"}})
    assert subscriber.take() is None
    hub.unsubscribe(subscriber)


@pytest.mark.postgres
def test_two_editors_revealing_at_the_same_moment_reveal_once(served_award):
    start = threading.Barrier(2)
    outcomes = []

    def reveal():
        start.wait()
        try:
            announce_winner(served_award)
            outcomes.append("revealed")
        except RevealError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=reveal) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_revealed", "revealed"]
    assert PageLogEntry.objects.filter(page=served_award, action="live.reveal").count() == 1


# --- Redis -------------------------------------------------------------------------------------------------------


@pytest.mark.redis
def test_the_reveal_is_published_on_the_sites_redis_channel_after_the_commit(
    award, settings, django_capture_on_commit_callbacks
):
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(broadcast.channel_name())
    try:
        with django_capture_on_commit_callbacks(execute=True):
            announce_winner(award)
            assert pubsub.get_message(timeout=0.2) is None
        message = pubsub.get_message(timeout=5)
    finally:
        pubsub.close()
        client.close()

    state = json.loads(message["data"])
    assert state["revealed"] is True and state["winner"]["name"] == "Vera Vinnarsson"


@pytest.mark.redis
def test_a_hub_passes_on_what_another_process_publishes_through_redis(served_award, settings):
    async def scenario():
        stream = StreamClient(site_application(), f"/live/{SLUG}/stream")
        await stream.wait_for(1)
        await asyncio.sleep(0.5)  # the listener has subscribed
        state = {**stream.states[0], "version": stream.states[0]["version"] + 1000, "revealed": True}
        await asyncio.to_thread(_publish_from_another_process, state, settings.REDIS_URL)
        await stream.wait_for(2, timeout=5)
        await stream.close()
        return stream.states

    states = run(scenario())

    assert states[1]["revealed"] is True


def _publish_from_another_process(state, url):
    import redis

    client = redis.Redis.from_url(url)
    client.publish(broadcast.channel_name(), json.dumps(state))
    client.close()


# --- Helpers -----------------------------------------------------------------------------------------------------


def _cached_values():
    """Every value in the default cache (LocMem in tests, or Redis when REDIS_URL is set)."""
    backend = cache._cache if hasattr(cache, "_cache") else None
    if isinstance(backend, dict):  # LocMemCache
        return [pickle.loads(value) for value in backend.values()]  # noqa: S301  (our own test cache)
    client = cache._cache.get_client()
    return [cache.get(key.decode().split(":", 2)[-1]) for key in client.scan_iter(match=f"{cache.key_prefix}:*")]


def _holds(value, secret):
    if isinstance(value, str):
        return secret in value
    if isinstance(value, bytes):
        if value[:2] == b"\x1f\x8b":
            value = gzip.decompress(value)
        return secret.encode() in value
    if isinstance(value, dict):
        return any(_holds(item, secret) for item in value.values())
    if isinstance(value, list | tuple | set):
        return any(_holds(item, secret) for item in value)
    return secret in repr(value)
