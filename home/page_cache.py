"""Whole responses kept for anonymous visitors and served ahead of Wagtail's routing.

A view opts in with `cache_publicly(response)`, and only for an answer that is the same for every anonymous visitor.
The middleware stores it only if rendering asked for no CSRF token or CSP nonce and set no cookie, so a cached (and
gzipped) body never holds a secret or a nonce that another visitor would be given again. Keys start with a
generation token that every committed change to site content replaces (`content_changed`), so an editor's save
shows on the next request and nobody clears a cache by hand. An entry may also name a validator, such as the
programme's fingerprint, that catches writes made without signals. Visitors with a session or pending messages
always get a fresh render (editors see the userbar, never someone else's page).

Django's own cache middleware keys on the URL alone and cannot be invalidated per change, hence this one.
"""

import gzip
import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe, quote_etag
from django.utils.module_loading import import_string
from django.utils.text import compress_string
from django.utils.translation import get_language
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What the cache backends raise when Redis is away or the disk fails.
CACHE_ERRORS = (RedisError, OSError)
GENERATION_KEY = "page-cache:generation"
MESSAGES_COOKIE = "messages"
COMPRESSIBLE = ("text/", "application/json", "application/xml")
MIN_COMPRESSED_LENGTH = 1024
BODY_HEADERS = {"content-type", "content-length", "content-encoding", "content-disposition"}
MAX_CONFIRMED = 1000
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def cache_publicly(response, *, validator=None):
    """Lets the page cache keep `response` for every anonymous visitor of the same URL.

    `validator` is ("dotted.path.to.function", (arguments...), value): the entry is served only while the function
    still returns that value. Compute the value before rendering, so a change made meanwhile can only make the
    entry miss, never keep an old page.
    """
    response.cache_publicly = {"validator": validator}
    return response


class PubliclyCachedPage:
    """A page mixin: the page as anonymous visitors see it, asked for without a query string, is kept whole."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not request.META.get("QUERY_STRING") and not getattr(request, "is_preview", False):
            cache_publicly(response)
        return response


def content_changed(**_kwargs):
    """Starts a new generation now, and again once the transaction commits (a request that rendered in between
    read the old rows and must not be served under the new generation)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # evicted or never set: a fresh token, so no older entry can match
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


class PublicPageCacheMiddleware:
    """Serves and stores what views marked with `cache_publicly`. Sits below LocaleMiddleware (the language is a
    part of the key) and above CsrfViewMiddleware (so a hit skips everything that only a render needs)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_SECONDS
        self.confirmed = {}  # validator -> when this process last saw it hold (time.monotonic())

    def __call__(self, request):
        try:
            key = self.key(request)
        except CACHE_ERRORS:  # the cache is down: render as if there were none (and let /health say so)
            logger.warning("Page cache unavailable", exc_info=True)
            key = None
        if key is None:
            return self.get_response(request)
        response = self.cached_response(request, key)
        if response is None:
            response = self.get_response(request)
            if request.method == "GET" and self.storable(request, response):
                try:
                    self.store(key, response)
                except CACHE_ERRORS:
                    logger.warning("Page cache unavailable", exc_info=True)
        return response

    def key(self, request):
        if request.method not in ("GET", "HEAD") or not self.timeout:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or MESSAGES_COOKIE in request.COOKIES:
            return None
        query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
        parts = (request.scheme, request.get_host(), get_language(), request.path, query)
        return f"page-cache:{_generation()}:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def cached_response(self, request, key):
        try:
            entry = cache.get(key)
        except CACHE_ERRORS:
            logger.warning("Page cache unavailable", exc_info=True)
            return None
        if entry is None:
            return None
        if entry["validator"] and not self.still_valid(entry["validator"]):
            return None
        response = HttpResponse(status=entry["status"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        if entry["gzipped"]:
            patch_vary_headers(response, ("Accept-Encoding",))
            if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
                response.content = entry["body"]
                response.headers["Content-Encoding"] = "gzip"
            else:  # rare (browsers and HTTP libraries all accept gzip), so only the compressed body is kept
                response.content = gzip.decompress(entry["body"])
        else:
            response.content = entry["body"]
        conditional = get_conditional_response(
            request,
            etag=response.headers.get("ETag"),
            last_modified=parse_http_date_safe(response.headers.get("Last-Modified", "")),
            response=response,
        )
        if conditional is not response:  # 304: Django keeps only the validators; CORS and the rest stay too
            for name, value in entry["headers"]:
                if name.lower() not in BODY_HEADERS:
                    conditional.headers.setdefault(name, value)
        return conditional

    def still_valid(self, validator):
        """Whether `validator` still gives its value, asking again at most every PAGE_CACHE_VALIDATE_SECONDS.

        Saves through Django renew the generation at once; the validator catches what bypasses signals (a bulk
        update, a script), within that interval, without a query on every hit.
        """
        path, arguments, value = validator
        confirmed = self.confirmed.get(validator)
        if confirmed is not None and time.monotonic() - confirmed < settings.PAGE_CACHE_VALIDATE_SECONDS:
            return True
        if import_string(path)(*arguments) != value:
            self.confirmed.pop(validator, None)
            return False
        if len(self.confirmed) > MAX_CONFIRMED:
            self.confirmed.clear()
        self.confirmed[validator] = time.monotonic()
        return True

    @staticmethod
    def storable(request, response):
        return (
            getattr(response, "cache_publicly", None) is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(request, "csp_nonce", None)  # true only once rendering used the nonce (django-csp)
            and "Content-Encoding" not in response.headers
        )

    def store(self, key, response):
        body = response.content
        if "ETag" not in response.headers:
            response.headers["ETag"] = quote_etag(hashlib.sha256(body).hexdigest()[:32])
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"  # browsers may keep it but must ask again
        compressible = response.headers.get("Content-Type", "").startswith(COMPRESSIBLE)
        gzipped = compressible and len(body) >= MIN_COMPRESSED_LENGTH
        entry = {
            "status": response.status_code,
            "headers": list(response.headers.items()),
            "body": compress_string(body) if gzipped else body,
            "gzipped": gzipped,
            "validator": response.cache_publicly["validator"],
        }
        cache.set(key, entry, self.timeout)


CONTENT_APPS = {"home", "events", "wagtailcore", "wagtailimages", "wagtaildocs"}


def _is_content(model):
    """Models whose rows pages show. A model that holds no public content (votes, scores) opts out with
    `page_cache_ignores = True`; renditions are made while rendering and the audit log is never shown, so
    neither changes anything already shown."""
    from wagtail.images.models import AbstractRendition
    from wagtail.models import BaseLogEntry

    return (
        model._meta.app_label in CONTENT_APPS
        and not getattr(model, "page_cache_ignores", False)
        and not issubclass(model, AbstractRendition | BaseLogEntry)
    )


def _model_changed(sender, **kwargs):
    if _is_content(sender):
        content_changed()


def connect_signals():
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_model_changed, dispatch_uid=f"page-cache-{id(signal)}")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"page-cache-{id(signal)}")
