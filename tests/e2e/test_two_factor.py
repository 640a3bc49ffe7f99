"""Two-factor log-in in Debian's Chromium, as production requires it: an organiser sets up the app by typing the
key the page shows (the code computed here, as the phone's app would), keeps the recovery codes, logs out and in
again with password and code. axe finds nothing serious or critical on the steps' pages.
Locators use ids and data attributes, not interface text."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from home.demo import demo_password, seed_home, seed_people

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(live_server, transactional_db, settings):
    settings.TWO_FACTOR_REQUIRED = True
    seed_people(seed_home())
    return live_server.url


def code_for(secret, *, after=None):
    """The app's code for the key as the page shows it; a later one than `after` (each code works once)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    code = f"{totp.token():06d}"
    if code == after:
        totp.time += 30
        code = f"{totp.token():06d}"
    return code


def log_in_with_password(page, url):
    page.goto(f"{url}/admin/login/")
    page.locator("#id_username").fill("arrangor")
    page.locator("#id_password").fill(demo_password())
    page.locator("#id_password").press("Enter")


def test_an_organiser_sets_up_the_app_and_logs_in_with_password_and_code(browser, people, serious_violations):
    page = browser.new_page()

    log_in_with_password(page, people)
    page.wait_for_url(re.compile(r"/admin/2fa/enrol/"))
    expect(page.locator("svg.two-factor-qr")).to_be_visible()
    assert serious_violations(page) == [], "set-up page"

    secret = page.locator("[data-two-factor-secret]").inner_text()
    first_code = code_for(secret)
    page.locator("#id_code").fill(first_code)
    page.locator("#id_code").press("Enter")
    expect(page.locator("[data-recovery-code]")).to_have_count(10)
    assert serious_violations(page) == [], "recovery codes"

    page.locator("main a.button").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{people}/admin/2fa/")
    expect(page.locator("form[action$='/admin/2fa/recovery-codes/']")).to_be_visible()
    assert serious_violations(page) == [], "account's two-factor page"

    page.locator(".sidebar-footer__account").click()  # the admin's own account menu
    page.locator("#wagtail-sidebar form[action$='/admin/logout/'] button").click()
    page.wait_for_url(re.compile(r"/admin/login/"))
    log_in_with_password(page, people)
    page.wait_for_url(re.compile(r"/admin/2fa/verify/"))
    expect(page.locator("#id_code")).to_have_attribute("autocomplete", "one-time-code")
    assert serious_violations(page) == [], "verify page"
    page.locator("#id_code").fill(code_for(secret, after=first_code))
    page.locator("#id_code").press("Enter")

    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator("#wagtail-sidebar")).to_be_attached()


def test_the_steps_pass_axe_on_a_phone_with_a_wrong_code(browser, people, serious_violations):
    page = browser.new_page(viewport=PHONE)

    log_in_with_password(page, people)
    page.wait_for_url(re.compile(r"/admin/2fa/enrol/"))
    secret = page.locator("[data-two-factor-secret]").inner_text()
    page.locator("#id_code").fill("000000" if code_for(secret) != "000000" else "111111")
    page.locator("#id_code").press("Enter")

    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == []
