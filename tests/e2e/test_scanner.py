"""The door's scanner page (/scan/) in Debian's Chromium against the live server: a paired device scans a real
ticket's QR code through a fake camera (a video of the ticket's QR), a USB scanner types codes with Enter, the
network drops and the scans made meanwhile reach the server when it is back; door staff log in, find an attendee
who lost their ticket and check them in. axe finds nothing serious or critical on any of the page's states.
Locators use ids and data attributes, not interface text."""

import io
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from tests.factories import checkin_doors, confirmed_order
from tickets.models import Checkin, ScannerDevice
from tickets.ticket_files import qr_png

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
VIDEO = (640, 480)


@pytest.fixture
def doors(live_server, transactional_db):
    """The doors of an edition with three paid orders, and a paired scanner device's token."""
    shop, day_one, banquet = checkin_doors()
    orders = [
        confirmed_order(shop, name=("Åsa", "Öberg")),
        confirmed_order(shop, name=("Bo", "Ek"), organisation="Polisregion Syd"),
        confirmed_order(shop, name=("Cecilia", "Lind"), organisation="Region Skåne"),
    ]
    _device, token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    tickets = [order.tickets.get(ticket_type=shop.conference_pass) for order in orders]
    return {"day_one": day_one, "banquet": banquet, "tickets": tickets, "token": token}


def open_list(page, url, checkin_list):
    """Opens the scanner, picks `checkin_list` and waits until its offline data is on the device."""
    page.goto(url)
    page.locator("#lists button", has_text=checkin_list.name).click()
    expect(page.locator("#scan")).to_be_visible()
    expect(page.locator("#offline-data")).to_contain_text(re.compile(r"\b3\b"))


def scan_with_keyboard(page, secret):
    """What a USB scanner does: types the code and Enter, wherever the focus is."""
    page.keyboard.type(secret, delay=2)
    page.keyboard.press("Enter")


def admissions(checkin_list):
    return list(
        Checkin.objects.filter(checkin_list=checkin_list, result=Checkin.Result.OK)
        .order_by("scanned_at")
        .values_list("ticket__attendee__first_name", flat=True)
    )


def wait_for(condition, *, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    return condition()


def passes_axe(page, serious_violations, where):
    found = serious_violations(page)
    assert found == [], (where, found)


def write_y4m(path, picture, *, frames=10):
    """A raw video (YUV4MPEG2, 4:2:0) of `picture` centred on white, as Chromium's fake camera plays it."""
    canvas = Image.new("RGB", VIDEO, "white")
    picture = picture.convert("RGB")
    picture.thumbnail((VIDEO[1] - 40, VIDEO[1] - 40))
    canvas.paste(picture, ((VIDEO[0] - picture.width) // 2, (VIDEO[1] - picture.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (VIDEO[0] // 2, VIDEO[1] // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{VIDEO[0]} H{VIDEO[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + frame)


def test_a_paired_phone_scans_a_real_tickets_qr_with_its_camera(
    browser_type, browser_type_launch_args, live_server, doors, tmp_path, serious_violations
):
    ticket = doors["tickets"][0]
    video = tmp_path / "ticket.y4m"
    write_y4m(video, Image.open(io.BytesIO(qr_png(ticket.secret))))
    camera_args = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = browser_type.launch(
        **{**browser_type_launch_args, "args": [*browser_type_launch_args["args"], *camera_args]}
    )
    try:
        context = browser.new_context(viewport=PHONE)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        open_list(page, f"{live_server.url}/scan/#token={doors['token']}", doors["day_one"])
        assert "#token" not in page.url  # the pairing link's token does not stay in the address
        passes_axe(page, serious_violations, "scanning")

        expect(page.locator("#camera-stop")).to_be_hidden()
        page.locator("#camera-start").click()
        expect(page.locator("#camera-stop")).to_be_visible()
        expect(page.locator("#camera-start")).to_be_hidden()
        expect(page.locator("#verdict")).to_have_attribute("data-status", "ok", timeout=15_000)
        expect(page.locator("#verdict")).to_have_class(re.compile(r"verdict--ok"))
        expect(page.locator("#verdict-name")).to_have_text("Åsa Öberg")
        passes_axe(page, serious_violations, "the verdict")
        assert admissions(doors["day_one"]) == ["Åsa"]

        # The ticket stays in front of the camera: it is not scanned again and again.
        page.wait_for_timeout(1500)
        assert Checkin.objects.filter(ticket=ticket).count() == 1
        context.close()
    finally:
        browser.close()


def test_a_usb_scanner_types_codes_and_a_second_scan_is_already_checked_in(
    browser, live_server, doors, serious_violations
):
    first, second, _ = doors["tickets"]
    page = browser.new_page(viewport=PHONE)
    open_list(page, f"{live_server.url}/scan/#token={doors['token']}", doors["day_one"])
    page.evaluate("document.activeElement.blur()")  # the scanner types wherever the focus is

    scan_with_keyboard(page, first.secret)
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")
    expect(page.locator("#verdict-name")).to_have_text("Åsa Öberg")
    expect(page.locator("#counts")).to_contain_text("1")

    scan_with_keyboard(page, first.secret)
    expect(page.locator("#verdict")).to_have_attribute("data-status", "already_checked_in")
    expect(page.locator("#verdict")).to_have_class(re.compile(r"verdict--warn"))
    expect(page.locator("#verdict-detail")).to_contain_text("Dörr A")
    passes_axe(page, serious_violations, "already checked in")

    scan_with_keyboard(page, "not-a-ticket")
    expect(page.locator("#verdict")).to_have_attribute("data-status", "unknown")
    expect(page.locator("#verdict")).to_have_class(re.compile(r"verdict--deny"))
    passes_axe(page, serious_violations, "unknown ticket")

    page.keyboard.press("Escape")
    expect(page.locator("#verdict")).to_be_hidden()
    scan_with_keyboard(page, second.secret)
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")
    assert admissions(doors["day_one"]) == ["Åsa", "Bo"]


def test_scans_made_offline_are_decided_on_the_device_and_reach_the_server_when_it_is_back(
    browser, live_server, doors, serious_violations
):
    first, second, third = doors["tickets"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_list(page, f"{live_server.url}/scan/#token={doors['token']}", doors["day_one"])
    scan_with_keyboard(page, third.secret)  # admitted online, before the network goes
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")
    assert page.evaluate("navigator.serviceWorker.ready.then((registration) => Boolean(registration.active))")

    context.set_offline(True)
    expect(page.locator("#network")).to_have_class(re.compile(r"scanner-network--offline"))
    scan_with_keyboard(page, first.secret)
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")
    expect(page.locator("#verdict-name")).to_have_text("Åsa Öberg")
    expect(page.locator("#verdict-detail")).not_to_be_empty()  # says it was decided offline
    scan_with_keyboard(page, second.secret)
    expect(page.locator("#verdict-name")).to_have_text("Bo Ek")
    scan_with_keyboard(page, first.secret)  # the same ticket again, on this device: already in
    expect(page.locator("#verdict")).to_have_attribute("data-status", "already_checked_in")
    scan_with_keyboard(page, third.secret)  # admitted before the network went: the offline data knows
    expect(page.locator("#verdict")).to_have_attribute("data-status", "already_checked_in")
    expect(page.locator("#queue")).to_contain_text("4")
    passes_axe(page, serious_violations, "offline")
    assert admissions(doors["day_one"]) == ["Cecilia"]

    # The page opens again without a network (its service worker keeps it), with its list, data and queue.
    page.reload()
    expect(page.locator("#scan")).to_be_visible()
    expect(page.locator("#list-name")).to_have_text(doors["day_one"].name)
    expect(page.locator("#queue")).to_contain_text("4")
    scan_with_keyboard(page, second.secret)  # admitted on this device before the reload
    expect(page.locator("#verdict")).to_have_attribute("data-status", "already_checked_in")

    context.set_offline(False)
    expect(page.locator("#queue")).to_contain_text(re.compile(r"\b0\b"), timeout=15_000)
    assert wait_for(lambda: admissions(doors["day_one"]) == ["Cecilia", "Åsa", "Bo"])
    expect(page.locator("#conflicts li")).to_have_count(0)
    uploaded = Checkin.objects.filter(checkin_list=doors["day_one"], nonce__isnull=False)
    assert uploaded.count() == 6  # every scan, with its nonce; the offline repeats recorded as repeats
    context.close()


def test_an_offline_admission_that_another_door_made_first_is_shown_as_a_conflict(browser, live_server, doors):
    first = doors["tickets"][0]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_list(page, f"{live_server.url}/scan/#token={doors['token']}", doors["day_one"])
    context.set_offline(True)
    expect(page.locator("#network")).to_have_class(re.compile(r"scanner-network--offline"))

    from tickets.services.checkin import redeem

    redeem(first.secret, doors["day_one"])  # another door, online, a moment before the upload
    scan_with_keyboard(page, first.secret)
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")  # this device could not know
    context.set_offline(False)
    expect(page.locator("#conflicts li")).to_have_count(2, timeout=15_000)  # the count and the one conflict
    expect(page.locator("#conflicts")).to_contain_text("Åsa Öberg")
    context.close()


def test_door_staff_log_in_find_a_lost_ticket_and_check_it_in_in_english(
    browser, live_server, doors, django_user_model, serious_violations
):
    staff = django_user_model.objects.create_user("entre", "entre@example.org", "dörrar-2026")
    staff.groups.add(Group.objects.get_or_create(name="Entrépersonal")[0])
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/en/scan/")
    expect(page.locator("#signin")).to_be_visible()
    passes_axe(page, serious_violations, "sign in")

    page.locator("#signin a").click()
    page.locator("#id_username").fill("entre")
    page.locator("#id_password").fill("dörrar-2026")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/en/scan/$"))
    expect(page.locator("#pick")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    passes_axe(page, serious_violations, "choose a list")

    page.locator("#lists button", has_text=doors["day_one"].name).click()
    page.locator("#search-box summary").click()
    page.locator("#search-q").fill("polisregion")
    page.locator("#search-q").press("Enter")
    expect(page.locator("#search-results li")).to_have_count(1)
    expect(page.locator("#search-results li")).to_contain_text("Bo Ek")
    passes_axe(page, serious_violations, "search results")
    page.locator("#search-results button").click()
    expect(page.locator("#verdict")).to_have_attribute("data-status", "ok")
    expect(page.locator("#verdict-title")).to_have_text("Welcome in")
    assert admissions(doors["day_one"]) == ["Bo"]
    assert Checkin.objects.get(result=Checkin.Result.OK).user == staff


def test_a_wrong_token_is_refused_and_the_page_asks_again(browser, live_server, doors):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/scan/")
    expect(page.locator("#signin")).to_be_visible()
    page.locator("#pair-token").fill("not-a-token")
    page.locator("#pair-token").press("Enter")
    expect(page.locator("#pair-error")).not_to_be_empty()
    page.locator("#pair-token").fill(doors["token"])
    page.locator("#pair-token").press("Enter")
    expect(page.locator("#pick")).to_be_visible()
    expect(page.locator("#lists button")).to_have_count(2)
    assert settings.SESSION_COOKIE_NAME not in {cookie["name"] for cookie in page.context.cookies()}
