"""The live reveal in a real browser against the real ASGI server: two pages show the winner without a reload
within two seconds of an editor's reveal in a third browser; a page offline during the reveal shows the winner once
it is back; the rehearsal plays the draft's reveal; the reveal's animation gives way to reduced motion; no serious
accessibility findings, before or after. Locators use data attributes and addresses, not interface text.

The server is granian in production settings (tests/servers.py) on a copy of this test's database, so the stream
is real Server-Sent Events; see tests/events/test_live_servers.py for how the data reaches it.
"""

import contextlib
import re
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from home.demo import seed_home
from tests.events.test_live_servers import subprocess_env
from tests.factories import award_round, nominee_page
from tests.servers import ROOT, asgi_server, production_env

pytestmark = pytest.mark.browser

SLUG = "livepriset"
MOTIVATION = "För att hon fick torget att bli stadsdelens vardagsrum."
EDITOR, PASSWORD = "rut", "banketten-2027"
WINNER = "[data-live-winner-slot] [data-winner]"


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The collected static files, once per session (production settings serve them from STATIC_ROOT)."""
    var_dir = tmp_path_factory.mktemp("live-static")
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=production_env(VAR_DIR=str(var_dir)), check=True)
    return var_dir / "static"


@pytest.fixture
def live(transactional_db, django_user_model, tmp_path, static_root):
    """The award Livepriset with five nominees and its winner in a draft, an editor who may publish it, and the
    site served by granian."""
    home = seed_home()
    award = award_round(home, phase="nominees", slug=SLUG, title="Livepriset")
    nominees = [
        nominee_page(award, title=title, organisation=organisation)
        for title, organisation in [
            ("Vera Vinnarsson", "Exempelstads kommun"),
            ("Nils Nominerad", "Polisområde Exempel"),
            ("Olle Ombud", "Region Exempelland"),
            ("Trygghetsvärdarna i Provby", "Provby kommun"),
            ("Fastighetsbolaget Exempelhem", "Exempelhem AB"),
        ]
    ]
    award.winner = nominees[0]
    award.winner_motivation = MOTIVATION
    award.save_revision()
    # A hash the production settings accept (the tests' settings hash with MD5, which production refuses).
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    editor = django_user_model.objects.create(username=EDITOR, password=password, is_superuser=True, is_staff=True)
    # Production requires a second factor of everyone who may publish: the editor's phone app has this device.
    device = TOTPDevice.objects.create(user=editor, name="Telefon", confirmed=True)

    var_dir = tmp_path / "var"
    env = subprocess_env(var_dir, redis=False)
    (var_dir / "static").symlink_to(static_root)
    with asgi_server(env) as base_url:
        yield SimpleNamespace(
            base_url=base_url,
            url=f"{base_url}/live/{SLUG}/",
            screen_url=f"{base_url}/live/{SLUG}/?skarm=1",
            award=award,
            env=env,
            device=device,
        )


def announce_from_a_script(live, *arguments):
    command = [sys.executable, "manage.py", "announce_winner", SLUG, *arguments]
    subprocess.run(command, cwd=ROOT, env=live.env, check=True, capture_output=True)


def wait_until_connected(page):
    expect(page.locator("[data-live]")).to_have_attribute("data-live-connection", "live")


def log_in_as_editor(page, live):
    """The editor's log-in as production asks it: password, then the code of the phone's app."""
    page.goto(f"{live.base_url}/admin/login/")
    page.locator("input[name=username]").fill(EDITOR)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/2fa/verify/"))
    totp = TOTP(live.device.bin_key, live.device.step, live.device.t0, live.device.digits)
    page.locator("#id_code").fill(f"{totp.token():0{live.device.digits}d}")
    page.locator("#id_code").press("Enter")
    page.wait_for_url(f"{live.base_url}/admin/")


def reveal_as_editor(browser, live):
    """An editor logs in, opens "Reveal the winner" on the award page, and confirms."""
    context = browser.new_context()
    try:
        editor = context.new_page()
        log_in_as_editor(editor, live)
        editor.goto(f"{live.base_url}/admin/live/{live.award.pk}/reveal/")
        with editor.expect_navigation(url=f"{live.base_url}/admin/pages/{live.award.pk}/edit/"):
            editor.locator("main form[method=post] button[type=submit]").click()
        return time.monotonic()
    finally:
        context.close()


def test_two_open_pages_show_the_winner_within_two_seconds_of_the_editors_reveal(browser, live):
    with contextlib.ExitStack() as stack:
        phone = stack.enter_context(contextlib.closing(browser.new_context(viewport={"width": 390, "height": 844})))
        screen = stack.enter_context(contextlib.closing(browser.new_context(viewport={"width": 1920, "height": 1080})))
        pages = [phone.new_page(), screen.new_page()]
        pages[0].goto(live.url)
        pages[1].goto(live.screen_url)
        for page in pages:
            page.evaluate("window.stillTheSamePage = true")
            wait_until_connected(page)
            expect(page.locator(WINNER)).to_have_count(0)

        revealed_at = reveal_as_editor(browser, live)

        for page in pages:
            expect(page.locator(WINNER)).to_be_visible(timeout=2000)
        assert time.monotonic() - revealed_at < 2.5
        for page in pages:
            expect(page.locator(WINNER)).to_contain_text("Vera Vinnarsson")
            expect(page.locator(WINNER)).to_contain_text(MOTIVATION)
            expect(page.locator("[data-live-winner-slot]")).to_have_attribute("aria-live", "polite")
            expect(page.locator(".live-nominee.is-winner")).to_have_count(1)
            assert page.evaluate("window.stillTheSamePage") is True


class CuttableCable:
    """A TCP proxy in front of the server whose cable a test can cut: open connections drop at once and new ones
    are refused until it is restored. (A browser set offline keeps the connections it already has.)"""

    def __init__(self, base_url):
        self.target = ("127.0.0.1", int(base_url.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.cut_off = threading.Event()
        self.sockets = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self):
        self.cut_off.set()
        with self.lock:
            ends, self.sockets = self.sockets, set()
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def restore(self):
        self.cut_off.clear()

    def close(self):
        self.listener.close()
        self.cut()


def test_a_page_that_loses_its_connection_during_the_reveal_shows_the_winner_once_back(browser, live):
    cable = CuttableCable(live.base_url)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{cable.base_url}/live/{SLUG}/")
        wait_until_connected(page)

        cable.cut()
        context.set_offline(True)
        expect(page.locator("[data-live]")).not_to_have_attribute("data-live-connection", "live")
        announce_from_a_script(live)
        page.wait_for_timeout(1500)
        expect(page.locator(WINNER)).to_have_count(0)

        cable.restore()
        context.set_offline(False)

        expect(page.locator(WINNER)).to_contain_text("Vera Vinnarsson", timeout=10_000)
        wait_until_connected(page)
    finally:
        context.close()
        cable.close()


def test_a_page_reconnects_by_itself_when_the_server_comes_back(browser, live):
    """No "online" event this time (the device never knew it was cut off): the stream's own retry catches up."""
    cable = CuttableCable(live.base_url)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{cable.base_url}/live/{SLUG}/")
        wait_until_connected(page)

        cable.cut()
        expect(page.locator("[data-live]")).to_have_attribute("data-live-connection", "reconnecting")
        announce_from_a_script(live)
        cable.restore()

        expect(page.locator(WINNER)).to_contain_text("Vera Vinnarsson", timeout=10_000)
    finally:
        context.close()
        cable.close()


def test_a_page_that_cannot_open_the_stream_asks_for_the_state_instead(page, live):
    page.route("**/stream", lambda route: route.fulfill(status=503, body="busy"))  # a proxy in the way
    page.goto(live.url)
    expect(page.locator("[data-live]")).to_have_attribute("data-live-connection", "polling")

    announce_from_a_script(live)

    expect(page.locator(WINNER)).to_contain_text("Vera Vinnarsson", timeout=10_000)


def test_a_retraction_takes_the_winner_off_the_page(page, live):
    announce_from_a_script(live)
    page.goto(live.url)
    wait_until_connected(page)
    expect(page.locator(WINNER)).to_be_visible()

    announce_from_a_script(live, "--retract")

    expect(page.locator(WINNER)).to_have_count(0, timeout=2000)
    expect(page.locator(".live-nominee.is-winner")).to_have_count(0)


def test_the_reveal_moves_only_for_those_who_allow_motion(browser, live):
    contexts = {motion: browser.new_context(reduced_motion=motion) for motion in ("no-preference", "reduce")}
    try:
        pages = {motion: context.new_page() for motion, context in contexts.items()}
        for page in pages.values():
            page.goto(live.url)
            wait_until_connected(page)

        announce_from_a_script(live)

        animations = {}
        for motion, page in pages.items():
            expect(page.locator(WINNER)).to_be_visible(timeout=2000)
            animations[motion] = page.locator(WINNER).evaluate("card => getComputedStyle(card).animationName")
        assert animations == {"no-preference": "live-reveal", "reduce": "none"}
    finally:
        for context in contexts.values():
            context.close()


def test_the_rehearsal_plays_the_drafts_reveal_for_the_editor_only(browser, live):
    context = browser.new_context()
    try:
        page = context.new_page()
        assert page.goto(f"{live.base_url}/live/{SLUG}/repetition/").status == 403
        log_in_as_editor(page, live)

        page.goto(f"{live.base_url}/live/{SLUG}/repetition/")
        expect(page.locator(WINNER)).to_have_count(0)
        page.locator("[data-live-rehearse]").click()
        expect(page.locator(WINNER)).to_contain_text("Vera Vinnarsson")
        page.locator("[data-live-rehearse-reset]").click()
        expect(page.locator(WINNER)).to_have_count(0)
    finally:
        context.close()

    other = browser.new_page()
    other.goto(live.url)
    expect(other.locator("[data-live-nominees]")).to_contain_text("Vera Vinnarsson")
    expect(other.locator(WINNER)).to_have_count(0)  # the rehearsal revealed nothing
    other.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1920, "height": 1080}])
def test_the_live_page_and_the_big_screen_pass_axe_before_and_after_the_reveal(
    browser, live, serious_violations, viewport
):
    context = browser.new_context(viewport=viewport)
    try:
        pages = {url: context.new_page() for url in (live.url, live.screen_url)}
        for url, page in pages.items():
            page.goto(url)
            wait_until_connected(page)
            assert serious_violations(page) == [], url

        announce_from_a_script(live)

        for url, page in pages.items():
            expect(page.locator(WINNER)).to_be_visible(timeout=2000)
            # Not wait_for_function: it runs the page's own eval, which the Content-Security-Policy refuses.
            page.evaluate("() => Promise.all(document.getAnimations().map((animation) => animation.finished))")
            assert serious_violations(page) == [], url
    finally:
        context.close()
