"""The programme exports over HTTP: pick the edition, answer 304 while nothing changed, else render once and cache.

Every answer is keyed on `programme_version`, which changes whenever an editor saves anything the programme shows,
so neither the cache nor a client's copy is ever cleared by hand.
"""

import hashlib
import re
from dataclasses import replace

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.views.decorators.http import require_safe

from events.exports import EXPORTERS, REVISION, acronym
from events.models import Edition, ProgrammePage
from events.models.programme_page import FINGERPRINT
from events.selectors import Programme, current_edition, get_programme, programme_version, session_queryset
from home.page_cache import cache_publicly

CACHE_SECONDS = 6 * 60 * 60
LANGUAGES = ("sv", "en")
MAX_SESSION_IDS = 500
_SESSION_IDS = re.compile(r"^\d{1,9}(,\d{1,9})*$")
_YEAR = re.compile(r"[0-9]{4}")


class BadQuery(Exception):
    """A query string we cannot answer; the message says what to send instead."""


@require_safe
def programme_ics(request):
    """The programme as iCalendar; `?sessions=1,2,3` keeps only those sessions (a visitor's own agenda)."""
    return _programme_export(request, "ics")


@require_safe
def programme_json(request):
    return _programme_export(request, "json")


@require_safe
def programme_xml(request):
    return _programme_export(request, "xml")


def _programme_export(request, identifier):
    try:
        edition = _edition(request.GET.get("edition"))
        language = _language(request.GET.get("lang"))
        session_ids = _session_ids(request.GET.get("sessions")) if identifier == "ics" else None
    except BadQuery as error:
        return _plain(400, str(error))
    if edition is None:
        return _plain(404, "No such edition.")

    def load():
        programme = get_programme(edition)
        if session_ids is not None:
            wanted = set(session_ids)
            programme = replace(programme, sessions=[s for s in programme.sessions if s.pk in wanted])
        return programme

    variant = ",".join(map(str, session_ids)) if session_ids is not None else "all"
    filename = f"{acronym(edition)}.{identifier}" if identifier == "ics" else None
    response = _serve(request, identifier, edition, language, variant, load, filename)
    if session_ids is None:  # a visitor's own selection is not worth keeping for everyone
        cache_publicly(response, validator=(FINGERPRINT, (edition.pk,), response.programme_fingerprint))
    return response


@require_safe
def session_ics(request, pk):
    """One session as a calendar file, for "add to calendar"."""
    try:
        language = _language(request.GET.get("lang"))
    except BadQuery as error:
        return _plain(400, str(error))
    edition = Edition.objects.filter(sessions__pk=pk).first()
    if edition is None:
        return _plain(404, "No such session.")

    def load():
        sessions = list(session_queryset().filter(pk=pk))
        return Programme(edition=edition, rooms=[], tracks=[], sessions=sessions, days=[s.day for s in sessions])

    filename = f"{acronym(edition)}-session-{pk}.ics"
    return _serve(request, "ics", edition, language, f"session-{pk}", load, filename)


def _serve(request, identifier, edition, language, variant, load, filename):
    fingerprint, last_changed = programme_version(edition)  # before rendering (see home.page_cache)
    programme_url, session_url = _programme_links(request, edition, language)
    # The programme fingerprint does not see the edition's own row or the programme page's address; these do.
    version = _digest(REVISION, fingerprint, _edition_state(edition), programme_url)[:16]
    tag = _digest(version, identifier, language, variant)[:32]
    etag = quote_etag(tag)
    last_modified = int(last_changed.timestamp())

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        exporter = EXPORTERS[identifier]
        key = f"events:programme-export:{tag}"
        content = cache.get(key)
        if content is None:
            content = exporter(
                load(), language=language, programme_url=programme_url, session_url=session_url, version=version
            ).render()
            cache.set(key, content, CACHE_SECONDS)
        response = HttpResponse(content, content_type=exporter.content_type)
        if filename:
            response["Content-Disposition"] = content_disposition_header(False, filename)
        if identifier != "json":  # the JSON holds both languages
            response["Content-Language"] = language
    response.headers.setdefault("ETag", etag)
    response.headers.setdefault("Last-Modified", http_date(last_modified))
    # Clients may keep a copy but must ask again: a moved session should reach them on their next look.
    patch_cache_control(response, public=True, no_cache=True)
    response["Access-Control-Allow-Origin"] = "*"
    response.programme_fingerprint = fingerprint
    return response


def _edition(year):
    """The edition asked for, else the next one, else the latest; None when there is no such edition."""
    if year is None:
        return current_edition()
    if not _YEAR.fullmatch(year):  # ASCII digits: str.isdigit() also passes "²²²²", which int() refuses
        raise BadQuery("edition must be a year, e.g. ?edition=2027.")
    return Edition.objects.filter(year=int(year)).first()


def _language(value):
    if value is None:
        return "sv"
    if value not in LANGUAGES:
        raise BadQuery("lang must be sv or en.")
    return value


def _session_ids(value):
    """The ids in "?sessions=1,2,3", sorted and without repeats; None when the parameter is absent."""
    if value is None:
        return None
    value = value.replace(" ", "")
    if not _SESSION_IDS.match(value):
        raise BadQuery("sessions must be session ids separated by commas, e.g. ?sessions=12,15,31.")
    ids = sorted({int(part) for part in value.split(",")})
    if len(ids) > MAX_SESSION_IDS:
        raise BadQuery(f"sessions takes at most {MAX_SESSION_IDS} ids.")
    return ids


def _programme_links(request, edition, language):
    """The address of `edition`'s published programme page in `language` (else in Swedish), and a function giving
    a session's address under it; (None, None) while no programme page is live. One query.
    """
    pages = ProgrammePage.objects.live().filter(edition=edition).select_related("locale").order_by("-path")
    by_language = {page.locale.language_code: page for page in pages}  # the first in the tree wins
    page = by_language.get(language) or by_language.get("sv") or next(iter(by_language.values()), None)
    if page is None:
        return None, None
    programme_url = page.get_full_url(request)

    def session_url(session):
        return programme_url + page.reverse_subpage("session", args=(session.pk, session.slug))

    return programme_url, session_url


def _edition_state(edition):
    fields = ("pk", "year", "name", "city", "venue", "address", "starts_on", "ends_on")
    return repr([getattr(edition, name) for name in fields])


def _digest(*parts):
    return hashlib.sha256("\n".join(str(part) for part in parts).encode()).hexdigest()


def _plain(status, message):
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
