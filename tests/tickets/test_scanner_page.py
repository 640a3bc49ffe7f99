"""The scanner page's shell, manifest and service worker (tickets.views.scanner): the same for everyone, never
stored by caches on the way, only the camera allowed, in Swedish and English; what the service worker keeps are
files that exist. The page's behaviour in a browser is tested in tests/e2e/test_scanner.py."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def page_config(response):
    match = re.search(rb'<script id="scan-config" type="application/json">(.*?)</script>', response.content)
    return json.loads(match.group(1))


def test_the_shell_is_never_stored_allows_the_camera_and_sets_the_csrf_cookie(client):
    response = client.get("/scan/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert "camera=(self)" in response["Permissions-Policy"].split(", ")  # the site's policy denies the rest
    assert settings.CSRF_COOKIE_NAME in response.cookies  # door staff's API calls send it back
    config = page_config(response)
    assert config["api"] == "/api/checkin/"
    assert config["messages"]["ok"] == "Välkommen in"
    assert b'<html lang="sv">' in response.content
    assert b'href="/scan/manifest.webmanifest"' in response.content
    assert b'<a href="/en/scan/" hreflang="en" lang="en">English</a>' in response.content


def test_the_english_shell_speaks_english(client):
    response = client.get("/en/scan/")
    assert b'<html lang="en">' in response.content
    assert page_config(response)["messages"]["ok"] == "Welcome in"
    assert page_config(response)["scope"] == "/en/scan/"


def test_the_shell_is_the_same_for_staff_and_strangers(client, django_user_model):
    anonymous = client.get("/scan/").content
    client.force_login(django_user_model.objects.create_superuser("chef", "chef@example.org", "pw"))
    assert client.get("/scan/").content == anonymous  # nothing personal is kept by the service worker


def test_only_reading_methods_are_answered(client):
    assert client.post("/scan/").status_code == 405


def test_the_manifest_makes_the_scanner_installable(client):
    response = client.get("/scan/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == manifest["scope"] == "/scan/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL)), icon["src"]


def test_the_service_worker_keeps_the_shell_and_files_that_exist(client):
    response = client.get("/scan/worker.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'const SHELL = "/scan/";' in script
    files = json.loads(re.search(r"const FILES = (\[.*?\]);", script).group(1))
    assert any(path.endswith(".wasm") for path in files)
    for path in files:
        assert finders.find(path.removeprefix(settings.STATIC_URL)), path
    assert re.search(r'const CACHE = "scan-[0-9a-f]{16}";', script)
    assert client.get("/en/scan/worker.js").content.decode().count('"/en/scan/"') == 1


def test_the_vendored_decoder_and_its_webassembly_belong_together():
    """The polyfill checks the WebAssembly it loads against the digest it was built with: a mismatch (one file
    updated without the other) would leave phones without a built-in detector unable to scan."""
    decoder = Path(finders.find("vendor/barcode-detector/ponyfill.js")).read_text()
    wasm = Path(finders.find("vendor/barcode-detector/zxing_reader.wasm")).read_bytes()
    assert hashlib.sha256(wasm).hexdigest() in decoder
