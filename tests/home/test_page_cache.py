"""Whole pages kept for anonymous visitors: served without a query, renewed by any edit, never anyone's own page."""

import gzip

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from home.demo import seed_home
from home.models import SiteSettings
from home.page_cache import GENERATION_KEY, PublicPageCacheMiddleware, cache_publicly

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return seed_home()


def queries_for(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code in (200, 304), path
    return response, len(queries)


def test_an_anonymous_visitor_gets_the_home_page_from_the_cache_without_a_query(client, home):
    first, cold = queries_for(client, "/")
    again, warm = queries_for(client, "/")

    assert cold > 0
    assert warm == 0
    assert again.content == first.content
    assert again["Content-Language"] == "sv"
    assert again["X-Frame-Options"] == "DENY"


def test_languages_are_kept_apart(client, home):
    client.get("/")
    english, _queries = queries_for(client, "/en/")

    assert '<html lang="en">' in english.text


def test_publishing_a_change_shows_on_the_next_request(client, home):
    client.get("/")
    home.lead = "Nu med ny ingress om trygghet."
    home.save_revision().publish()

    assert "Nu med ny ingress om trygghet." in client.get("/").text


def test_a_change_to_the_site_settings_shows_on_the_next_request(client, home):
    client.get("/")
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.footer_text = "Ny sidfot från arrangören."
    site_settings.save()

    assert "Ny sidfot från arrangören." in client.get("/").text


def test_the_body_is_gzipped_once_for_clients_that_accept_it(client, home):
    plain = client.get("/")
    compressed, warm = queries_for(client, "/", accept_encoding="gzip, deflate, br")

    assert warm == 0
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content)


def test_a_revalidation_with_the_etag_answers_304_from_the_cache(client, home):
    first = client.get("/")
    again, warm = queries_for(client, "/", if_none_match=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert warm == 0
    assert "no-cache" in first["Cache-Control"]


def test_a_visitor_with_a_session_never_gets_the_cached_page(client, home, admin_user):
    client.get("/")
    client.force_login(admin_user)

    _response, queries = queries_for(client, "/")
    editor_page = client.get("/").text
    client.logout()
    client.cookies.clear()

    assert queries > 0
    assert "wagtail-userbar" in editor_page
    assert "wagtail-userbar" not in client.get("/").text  # nor was the editor's page kept for others


def test_an_unknown_query_string_is_rendered_but_not_kept(client, home):
    client.get("/?utm_source=nyhetsbrev")
    _response, queries = queries_for(client, "/?utm_source=nyhetsbrev")

    assert queries > 0


def test_a_lost_generation_token_misses_rather_than_serves_an_old_page(client, home):
    client.get("/")
    cache.delete(GENERATION_KEY)

    _response, queries = queries_for(client, "/")

    assert queries > 0


def run_twice(view):
    """Two anonymous GETs through the middleware; how many times `view` ran."""
    calls = []

    def get_response(request):
        calls.append(request)
        return view(request)

    middleware = PublicPageCacheMiddleware(get_response)
    for _ in range(2):
        middleware(RequestFactory().get("/nagot/"))
    return len(calls)


def test_a_response_that_holds_a_csrf_token_is_never_kept():
    def form(request):
        return cache_publicly(HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">'))

    assert run_twice(form) == 2


def test_a_response_that_sets_a_cookie_is_never_kept():
    def with_cookie(request):
        response = cache_publicly(HttpResponse("hej"))
        response.set_cookie("spar", "1")
        return response

    assert run_twice(with_cookie) == 2


def test_only_responses_that_opt_in_are_kept():
    assert run_twice(lambda request: HttpResponse("hej")) == 2
    assert run_twice(lambda request: cache_publicly(HttpResponse("hej"))) == 1
