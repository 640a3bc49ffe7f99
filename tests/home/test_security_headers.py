"""Security headers on real pages: a strict Content-Security-Policy on every public page (the scanner alone may
compile WebAssembly, the review alone may send its form on to Stripe Checkout), no inline code without the
response's nonce, Permissions-Policy everywhere, and nothing under the admin kept by a browser."""

import re
from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path, reverse
from django.utils.translation import override
from django.views.decorators.clickjacking import xframe_options_sameorigin
from wagtail.models import Site

from conference.urls import urlpatterns as site_urlpatterns
from events.models import AwardPage, NomineePage, ProgrammePage
from home.models import ContentPage
from home.page_cache import cache_publicly
from tests.home.test_admin_access import log_in
from tickets.models import Order, TicketType

pytestmark = pytest.mark.django_db

EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


def policy(response, header="Content-Security-Policy"):
    """The response's policy as {directive: [sources]}."""
    assert header in response, f"no {header} on {response.wsgi_request.path}"
    directives = (part.split() for part in response[header].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def nonce_of(response):
    nonces = [source for source in policy(response)["script-src"] if source.startswith("'nonce-")]
    return nonces[0][len("'nonce-") : -1] if nonces else None


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' judges: executable inline scripts and
    <style> elements (with their nonces), style attributes, event handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.attributes = [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if (attributes.get("type") or "").lower() in EXECUTABLE_SCRIPT_TYPES:
                self.scripts.append(attributes.get("nonce"))
        elif tag == "style":
            self.styles.append(attributes.get("nonce"))
        for name, value in attributes.items():
            if name == "style" or name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.attributes.append(f"<{tag} {name}={value!r}>")


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


# --- The public pages, one of each kind ------------------------------------------------------------------------


def register_until_review(client):
    """Takes the demo's registration to its review step (one conference pass, a private person paying by card)."""
    ticket_type = TicketType.objects.filter(is_active=True).order_by("pk").first()
    quantities = {f"quantity_{other.pk}": 0 for other in TicketType.objects.filter(edition=ticket_type.edition)}
    with override("sv"):
        urls = {step: reverse(f"tickets:{step}") for step in ("register", "attendees", "buyer", "review")}
    assert client.post(urls["register"], {**quantities, f"quantity_{ticket_type.pk}": 1}).status_code == 302
    attendee = {"first_name": "Ada", "last_name": "Ek", "email": "ada@example.se", "organisation": "Exempelby kommun"}
    assert (
        client.post(urls["attendees"], {f"attendee1-{key}": value for key, value in attendee.items()}).status_code
        == 302
    )
    buyer = {"buyer_kind": "person", "buyer_name": "Ada Ek", "buyer_email": "ada@example.se", "payment_method": "card"}
    assert client.post(urls["buyer"], buyer).status_code == 302
    return urls


@pytest.fixture
def public_pages(demo_site):
    """{kind: address} for every kind of public page in the demo."""
    programme = ProgrammePage.objects.live().get(locale__language_code="sv")
    session = programme.edition.sessions.exclude(kind="break").first()
    award = AwardPage.objects.live().get(locale__language_code="sv", slug="omfamningen")
    order = Order.objects.filter(status=Order.Status.PAID).first()
    with override("sv"):
        return {
            "home": "/",
            "home in English": "/en/",
            "content page": ContentPage.objects.live().filter(locale__language_code="sv").first().url,
            "programme": programme.url,
            "session": programme.url + programme.reverse_subpage("session", args=(session.pk, session.slug)),
            "speakers": programme.url + programme.reverse_subpage("speakers"),
            "my agenda": programme.url + programme.reverse_subpage("agenda"),
            "award index": award.get_parent().url,
            "award": award.url,
            "nomination form": award.url + award.reverse_subpage("nominate"),
            "vote form": award.url + award.reverse_subpage("vote"),
            "nominee": NomineePage.objects.live().filter(locale__language_code="sv").first().url,
            "live page": reverse("live:page", args=[award.slug]),
            "live big screen": reverse("live:page", args=[award.slug]) + "?skarm=1",
            "registration": reverse("tickets:register"),
            "order page": reverse("tickets:order", kwargs={"secret": order.secret}),
            "waiting list": reverse("tickets:waiting_list", args=[TicketType.objects.order_by("pk").first().pk]),
            "scanner": reverse("scanner"),
            "page not found": "/finns-inte/",
        }


def every_public_page(client, public_pages):
    """(kind, response) for every kind of public page, the registration's later steps included."""
    for kind, url in public_pages.items():
        response = client.get(url)
        assert response.status_code == (404 if kind == "page not found" else 200), (kind, url)
        yield kind, response
    urls = register_until_review(client)
    for step in ("attendees", "buyer", "review"):
        response = client.get(urls[step])
        assert response.status_code == 200, step
        yield f"registration: {step}", response


def test_every_public_page_has_the_strict_policy(client, public_pages):
    for kind, response in every_public_page(client, public_pages):
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], kind
        assert directives["object-src"] == ["'none'"], kind
        assert directives["base-uri"] == ["'self'"], kind
        assert directives["frame-ancestors"] == ["'none'"], kind
        for directive in ("script-src", "style-src"):
            assert directives[directive][0] == "'self'", kind
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(directives[directive]), kind
        assert directives["connect-src"] == directives["img-src"] == ["'self'"], kind


def test_no_public_page_holds_inline_code_without_the_responses_nonce(client, public_pages):
    for kind, response in every_public_page(client, public_pages):
        found = inline_code(response)
        nonce = nonce_of(response)
        unmarked = [element for element in found.scripts + found.styles if element is None or element != nonce]
        assert unmarked == [], kind
        assert found.attributes == [], kind


def test_only_the_scanner_may_compile_webassembly(client, public_pages):
    for kind, response in every_public_page(client, public_pages):
        allowed = "'wasm-unsafe-eval'" in policy(response)["script-src"]
        assert allowed == (kind == "scanner"), kind


def test_permissions_policy_denies_the_camera_everywhere_but_on_the_scanner(client, public_pages):
    for kind, response in every_public_page(client, public_pages):
        features = [feature.strip() for feature in response["Permissions-Policy"].split(",")]
        assert ("camera=(self)" if kind == "scanner" else "camera=()") in features, kind
        assert {"microphone=()", "geolocation=()", "payment=()"} <= set(features), kind
        assert len({feature.split("=")[0] for feature in features}) == len(features), kind  # each named once


def test_only_the_review_may_send_its_form_on_to_stripe_checkout(client, public_pages, settings):
    settings.STRIPE_API_BASE = ""
    for kind, response in every_public_page(client, public_pages):
        expected = ["'self'", "https://checkout.stripe.com"] if kind == "registration: review" else ["'self'"]
        assert policy(response)["form-action"] == expected, kind


def test_the_review_sends_its_form_to_the_stripe_host_the_settings_name(client, demo_site, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:12345/"  # the tests' fake Stripe serves Checkout there too
    urls = register_until_review(client)

    assert policy(client.get(urls["review"]))["form-action"] == ["'self'", "http://127.0.0.1:12345"]


def test_a_page_from_the_page_cache_gets_the_policy_and_permissions_too(client, demo_site):
    fresh = client.get("/")
    cached = client.get("/")

    assert cached.content == fresh.content
    assert policy(cached) == policy(fresh)
    assert cached["Permissions-Policy"] == fresh["Permissions-Policy"]


def test_order_pages_and_the_scanner_are_never_stored(client, public_pages):
    for kind in ("order page", "scanner"):
        assert "no-store" in client.get(public_pages[kind])["Cache-Control"], kind


# --- The nonce, on a page that uses it ---------------------------------------------------------------------------

PAGE_WITH_INLINE_SCRIPT = engines["django"].from_string(
    '<!DOCTYPE html><title>t</title><script nonce="{{ request.csp_nonce }}">document.title = "ok";</script>'
)


def page_with_inline_script(request):
    return cache_publicly(HttpResponse(PAGE_WITH_INLINE_SCRIPT.render(request=request)))


@xframe_options_sameorigin
def page_for_frames_of_this_site(request):
    return HttpResponse("<!DOCTYPE html><title>Preview</title>")


def broken_page(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("csp-test/inline-script/", page_with_inline_script),
    path("csp-test/same-origin-frame/", page_for_frames_of_this_site),
    path("csp-test/broken/", broken_page),
    *site_urlpatterns,
]


@pytest.mark.urls(__name__)
def test_the_nonce_is_new_on_every_response_and_is_the_one_in_the_page(client):
    nonces = set()
    for _ in range(3):
        response = client.get("/csp-test/inline-script/")
        nonce = nonce_of(response)
        assert inline_code(response).scripts == [nonce]
        assert f"'nonce-{nonce}'" in policy(response)["style-src"]
        nonces.add(nonce)

    assert len(nonces) == 3  # also: the page cache kept none of these responses, nonce and all
    assert all(re.fullmatch(r"[A-Za-z0-9+/]{22}==", nonce) for nonce in nonces)  # 128 random bits


@pytest.mark.urls(__name__)
def test_a_page_that_frames_only_on_its_own_site_says_so_in_the_policy_too(client):
    response = client.get("/csp-test/same-origin-frame/")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert policy(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.urls(__name__)
def test_the_error_pages_hold_no_inline_code_either():
    server_error = Client(raise_request_exception=False).get("/csp-test/broken/")
    with override("sv"):
        refused_form = Client(enforce_csrf_checks=True).post(reverse("tickets:register"))

    for response, status in ((server_error, 500), (refused_form, 403)):
        assert response.status_code == status
        assert policy(response)["style-src"] == ["'self'"]
        found = inline_code(response)
        assert found.scripts == found.styles == found.attributes == [], status
        assert "css/error.css" in response.content.decode()


# --- The admin -----------------------------------------------------------------------------------------------------


def test_the_admin_is_never_stored(client, demo_site):
    assert "no-store" in client.get("/admin/login/")["Cache-Control"]
    log_in(client, "arrangor")
    order = Order.objects.filter(status=Order.Status.PAID).first()
    for url in (
        "/admin/",
        reverse("wagtailadmin_explore", args=[Site.objects.get(is_default_site=True).root_page_id]),
        reverse("wagtailadmin_pages:edit", args=[ContentPage.objects.first().pk]),
        f"/admin/tickets/orders/{order.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url


def test_the_admin_allows_wagtails_inline_code_and_nothing_more(client, demo_site):
    log_in(client, "admin")
    response = client.get(reverse("wagtailadmin_home"))
    directives = policy(response)

    # Wagtail's widgets start with inline scripts that carry no nonce; a nonce would switch 'unsafe-inline' off.
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
