import re

import pytest
from django.utils import translation
from django.utils.html import escape
from wagtail.models import Page

from events.models import Edition
from home.templatetags.site_tags import date_range

pytestmark = pytest.mark.django_db


def public_pages():
    return Page.objects.live().public().filter(depth__gt=1).select_related("locale").specific()


def test_every_seeded_page_answers_in_its_language(demo_site, client):
    pages = list(public_pages())
    assert {page.locale.language_code for page in pages} == {"sv", "en"}

    for page in pages:
        response = client.get(page.url)

        assert response.status_code == 200, page.url
        assert f'<html lang="{page.locale.language_code}">' in response.text, page.url
        assert page.title.replace("&", "&amp;") in response.text, page.url


def test_every_swedish_page_has_an_english_translation(demo_site):
    swedish = public_pages().filter(locale__language_code="sv")

    assert all(page.get_translations().live().filter(locale__language_code="en").exists() for page in swedish)


def test_interface_text_follows_the_language(demo_site, client):
    swedish = client.get("/").text
    english = client.get("/en/").text

    assert "Hoppa till innehållet" in swedish
    assert "Skip to content" in english
    assert "Anmäl dig nu" in swedish
    assert "Register now" in english


def test_language_switch_leads_to_the_same_page_in_the_other_language(demo_site, client):
    response = client.get("/priser/omfamningen/")

    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', response.text))
    assert links == {"/en/awards/omfamningen/": "en"}


def test_home_page_shows_the_next_edition_and_the_way_to_register(demo_site, client):
    edition = Edition.objects.upcoming().first()

    response = client.get("/")

    with translation.override("sv"):
        dates = date_range(edition.starts_on, edition.ends_on)
    assert escape(edition.name) in response.text
    assert dates in response.text
    assert escape(f"{edition.venue}, {edition.city}") in response.text
    assert 'href="/anmalan/"' in response.text
    assert 'href="/program/"' in response.text


def test_award_page_tells_the_history_from_the_seeds(demo_site, client):
    response = client.get("/priser/riskhanteringspriset/")

    text = response.text
    assert "Landskrona stad" in text
    assert "Linköpings kommun, Landstinget i Uppsala" in text
    for criterion in ["Politisk förankring", "Organisation", "Genomförande", "Uppföljning och resultat"]:
        assert criterion in text
    assert text.index("Politisk förankring") < text.index("Hur går vi vidare?")


def test_unknown_address_gets_a_swedish_404(demo_site, client):
    response = client.get("/finns-inte/")

    assert response.status_code == 404
    assert "Sidan hittades inte" in response.text


def test_sitemap_lists_pages_in_both_languages(demo_site, client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert "/priser/omfamningen/" in response.text
    assert "/en/awards/omfamningen/" in response.text


def test_base_layout_has_skip_link_landmarks_and_language(demo_site, client):
    text = client.get("/en/about/").text

    assert '<a class="skip-link" href="#main">' in text
    assert '<main id="main"' in text
    assert "<header" in text
    assert "<footer" in text
    assert 'aria-label="Main menu"' in text
    assert '<a href="/en/about/" aria-current="page">' in text


@pytest.mark.parametrize(
    ("language", "start", "end", "expected"),
    [
        ("sv", (2027, 10, 12), (2027, 10, 13), "12–13 oktober 2027"),
        ("en", (2027, 10, 12), (2027, 10, 13), "12–13 October 2027"),
        ("sv", (2027, 9, 30), (2027, 10, 1), "30 september – 1 oktober 2027"),
        ("sv", (2027, 12, 31), (2028, 1, 1), "31 december 2027 – 1 januari 2028"),
        ("sv", (2027, 10, 12), (2027, 10, 12), "12 oktober 2027"),
    ],
)
def test_date_range_reads_naturally(language, start, end, expected):
    import datetime as dt

    with translation.override(language):
        assert date_range(dt.date(*start), dt.date(*end)) == expected
