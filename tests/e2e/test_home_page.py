import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_switches_language_and_passes_axe(page, site_url, serious_violations):
    page.goto(site_url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trygg & Säker")
    expect(page.get_by_role("link", name="Anmäl dig nu")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Register now")).to_be_visible()
    assert serious_violations(page) == []


def test_skip_link_moves_focus_to_the_main_content(page, site_url):
    page.goto(site_url + "/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


def test_award_page_passes_axe_on_a_phone(browser, site_url, serious_violations):
    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.goto(site_url + "/priser/omfamningen/")

    expect(phone.get_by_role("heading", name="Tidigare vinnare")).to_be_visible()
    assert serious_violations(phone) == []
    phone.close()
