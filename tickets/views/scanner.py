"""The door's scanner page (/scan/, /en/scan/), installable as an app, with its manifest and service worker.

The page is one shell, the same for everyone: it holds no names, tickets or tokens. Whoever opens it proves who
they are to the check-in API (`tickets.api`) on every call: a paired scanner device with its bearer token (kept on
the device; the admin's pairing link carries it in the address's fragment, which never reaches a server), or a
logged-in member of the door staff with the session cookie and the CSRF cookie. The service worker keeps the shell
and its files so that the page opens without a network; the tickets it needs offline are the API's offline data,
kept by the page itself in IndexedDB.
"""

import hashlib
import json

from csp.constants import WASM_UNSAFE_EVAL
from csp.decorators import csp_update
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

WASM = "vendor/barcode-detector/zxing_reader.wasm"
DECODER = "vendor/barcode-detector/ponyfill.js"
ICONS = {192: "img/scan-icon-192.png", 512: "img/scan-icon-512.png"}
SHELL_FILES = ["js/scan.js", "css/scan.css", DECODER, WASM, *ICONS.values()]


def _messages():
    """What the page's script says, in the request's language."""
    return {
        "ok": gettext("Welcome in"),
        "already_checked_in": gettext("Already checked in"),
        "wrong_list": gettext("Not valid here"),
        "unpaid": gettext("Not paid"),
        "canceled": gettext("Cancelled ticket"),
        "unknown": gettext("Unknown ticket"),
        "checked_in_at": gettext("Checked in at {time}"),
        "checked_in_at_by": gettext("Checked in at {time} by {by}"),
        "dietary_needs": gettext("Dietary needs: {needs}"),
        "decided_offline": gettext("Offline: decided on this device, sent when the network is back."),
        "online": gettext("Online"),
        "offline": gettext("Offline – scans are kept on this device"),
        "queued": gettext("Waiting to be sent: {count}"),
        "conflicts": gettext("Conflicts: {count}"),
        "conflict_line": gettext("{name}: this device said “{local}”, the server “{server}”."),
        "arrived": gettext("Arrived {arrived} of {expected}"),
        "offline_data": gettext("Offline data: {count} tickets, {time}"),
        "no_offline_data": gettext("No offline data yet"),
        "camera_error": gettext("The camera could not be started: {error}"),
        "camera_starting": gettext("Starting the camera…"),
        "camera_running": gettext("Camera on: hold the ticket's QR code in front of it."),
        "server_error": gettext("The server could not check the ticket: {error}"),
        "search_offline": gettext("Searching needs the network."),
        "search_empty": gettext("No tickets match."),
        "check_in": gettext("Check in"),
        "checked_in": gettext("Checked in"),
        "not_allowed": gettext("This account may not check in attendees."),
        "pair_failed": gettext("The token was not accepted. Check it and try again."),
        "no_lists": gettext("There are no check-in lists yet."),
        "dismiss": gettext("Next scan"),
    }


@require_safe
@ensure_csrf_cookie
# Where the browser has no BarcodeDetector, the QR decoder is WebAssembly, which the CSP allows here only.
@csp_update({"script-src": [WASM_UNSAFE_EVAL]})
def scanner(request):
    config = {
        "api": "/api/checkin/",
        "decoder": static(DECODER),
        "wasm": static(WASM),
        "worker": reverse("scan_worker"),
        "scope": reverse("scanner"),
        "messages": _messages(),
    }
    response = render(
        request,
        "tickets/scanner.html",
        {
            "config": config,
            "login_url": redirect_to_login(reverse("scanner")).url,
            "manifest_url": reverse("scan_manifest"),
            "icon": static(ICONS[192]),
        },
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    response["Permissions-Policy"] = "camera=(self)"
    return response


@require_safe
def manifest(request):
    data = {
        "name": gettext("Trygg & Säker – check-in"),
        "short_name": gettext("Check-in"),
        "description": gettext("Scan tickets at the doors of Trygg & Säker."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("scanner"),
        "scope": reverse("scanner"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#0d1b2e",
        "theme_color": "#0d1b2e",
        "icons": [
            {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for size, path in ICONS.items()
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def service_worker(request):
    """The service worker for this language's scanner page. Its cache's name is a digest of the files it keeps,
    so a release with new files (new hashed names) installs a new worker and drops the old cache."""
    files = [static(path) for path in SHELL_FILES]
    shell = reverse("scanner")
    version = hashlib.sha256(json.dumps([shell, *files]).encode()).hexdigest()[:16]
    response = render(
        request,
        "tickets/scan_worker.js",
        {"cache_name": f"scan-{version}", "shell": json.dumps(shell), "files": json.dumps(files)},
        content_type="text/javascript; charset=utf-8",
    )
    patch_cache_control(response, no_cache=True)
    return response
