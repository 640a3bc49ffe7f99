"""The check-in API the doors' scanners use (mounted at /api/, documented at /api/openapi.json).

Who may call it: a scanner device with its bearer token (`Authorization: Bearer <token>`), for its own edition's
lists only, or a logged-in member of the door staff (the groups Entrépersonal and Arrangörer, superusers, anyone
with `tickets.add_checkin`), for every edition's lists, with Django's CSRF check on unsafe methods. A list the
caller may not use is answered exactly as a list that does not exist (404). The verdicts themselves are decided by
`tickets.services.checkin`; this module only checks who asks, parses what they send and documents what they get.
Every answer carries `Cache-Control: no-store`: the answers hold attendees' names and the state of the doors.
"""

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseForbidden
from django.urls import re_path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, BeforeValidator

from home import ratelimit
from tickets.models import Checkin, CheckinList, ScannerDevice
from tickets.services.checkin import (
    admitted_tickets,
    attendee_card,
    device_for_token,
    list_status,
    offline_data,
    redeem,
    search,
)

DOOR_STAFF_GROUP = "Entrépersonal"
ORGANISER_GROUP = "Arrangörer"
CHECKIN_PERMISSION = "tickets.add_checkin"
MAX_ID = 2**63 - 1  # the largest primary key the databases store; larger ids name nothing


# --- Who is asking ------------------------------------------------------------------------------------------------


def may_check_in(user):
    """Door staff: the Entrépersonal and Arrangörer groups, superusers, or anyone who may add check-ins."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(CHECKIN_PERMISSION):
        return True
    return user.groups.filter(name__in=[DOOR_STAFF_GROUP, ORGANISER_GROUP]).exists()


@dataclass(frozen=True)
class Caller:
    """The authenticated caller (`request.auth`): a scanner device or a staff user, never both."""

    device: ScannerDevice | None = None
    user: object | None = None

    def lists(self):
        """The check-in lists the caller may use: a device its own edition's, staff every edition's."""
        lists = CheckinList.objects.select_related("edition")
        if self.device is not None:
            lists = lists.filter(edition_id=self.device.edition_id)
        return lists

    @property
    def rate_limit_key(self):
        return f"device:{self.device.pk}" if self.device is not None else f"user:{self.user.pk}"


class DeviceToken(HttpBearer):
    """`Authorization: Bearer <token>` of an active scanner device."""

    def authenticate(self, request, token):
        device = device_for_token(token.strip())
        return Caller(device=device) if device is not None else None


class StaffSession(APIKeyCookie):
    """A logged-in Django session of door staff. Unsafe methods need the CSRF token, as any form of the site does.

    Without a logged-in user this scheme does not apply at all (no CSRF check either), so a device with a revoked
    token gets 401, not a CSRF refusal. A logged-in user without the rights gets 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise AuthorizationError(message=gettext("CSRF check failed. Reload the page and try again."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if not may_check_in(user):
            raise AuthorizationError(message=gettext("You are not allowed to check in attendees."))
        return Caller(user=user)


api = NinjaAPI(
    title="Trygg & Säker check-in",
    version="1.0.0",
    description=(
        "Check-in at the doors of Trygg & Säker. Scanner devices authenticate with `Authorization: Bearer <token>` "
        "(their own edition's lists only); logged-in door staff with the site's session cookie and, on POST, the "
        "CSRF token in `X-CSRFToken`. Every answer is `Cache-Control: no-store`."
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="checkin-api",
    auth=[DeviceToken(), StaffSession()],
)


# --- Errors: always {"detail": "<a message for people>"} ------------------------------------------------------------


def _error(request, status, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(request, 401, gettext("Log in, or send a scanner device's token as “Bearer <token>”."))
    response["WWW-Authenticate"] = 'Bearer realm="check-in"'
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:  # django-ninja's own: a body that is not JSON
        return _error(request, 400, gettext("The request body is not valid JSON."))
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
        for error in exc.errors
    ]
    return _error(request, 422, gettext("The request is not valid: see “errors” for the fields."), errors=errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, gettext("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(request, 413, gettext("The request is too large."))


def _not_found_error():
    return HttpError(404, gettext("No such check-in list."))


# --- What comes in ------------------------------------------------------------------------------------------------


def _plain_text(value):
    """Text a database can store: no NUL characters (PostgreSQL refuses them) and no lone surrogates."""
    if "\x00" in value:
        raise ValueError(gettext("The text must not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(gettext("The text is not valid Unicode.")) from None
    return value


def _number_as_text(value):
    """A list id may come as a JSON number as well as the documented string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _scan_time(value):
    """An ISO 8601 date and time, e.g. 2026-05-12T08:41:07+02:00; without an offset, in the site's time zone."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        if not isinstance(value, str) or len(value) > 40 or len(value) <= 10:
            raise ValueError(gettext("Give the time as an ISO 8601 date and time."))
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(gettext("Give the time as an ISO 8601 date and time.")) from None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError(gettext("The time is out of range.")) from None
    if moment.year < 2000:
        raise ValueError(gettext("The time is out of range."))
    return moment


SCAN_TIME_PATTERN = r"^[2-9][0-9]{3}-"  # documents _scan_time's “from the year 2000”
NO_NUL_PATTERN = "^[^\\u0000]*$"  # documents _plain_text's “no NUL characters”
Text = Annotated[str, AfterValidator(_plain_text), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})]
ScanTime = Annotated[dt.datetime, BeforeValidator(_scan_time)]


class RedeemIn(Schema):
    secret: Text = Field(..., max_length=200, description="The ticket's secret, as its QR code holds it.")
    list: Annotated[str, BeforeValidator(_number_as_text)] = Field(
        ..., pattern=r"^[0-9]{1,18}$", description="The check-in list's id (see /api/checkin/lists)."
    )
    nonce: Text | None = Field(
        None,
        max_length=100,
        description="Unique per scan, chosen by the scanner: sending the same nonce again returns the first answer "
        "and changes nothing (safe retries and offline uploads).",
    )
    scanned_at: ScanTime | None = Field(
        None,
        description="When the device scanned the ticket (ISO 8601, from the year 2000), for scans made offline and "
        "uploaded later. Default: now. Times more than five minutes ahead count as now.",
        json_schema_extra={"pattern": SCAN_TIME_PATTERN},
    )


class ManualCheckinIn(Schema):
    nonce: Text | None = Field(None, max_length=100, description="As for redeem: a retry returns the first answer.")
    scanned_at: ScanTime | None = Field(
        None, description="As for redeem.", json_schema_extra={"pattern": SCAN_TIME_PATTERN}
    )


# --- What goes out ------------------------------------------------------------------------------------------------

Verdict = Literal[tuple(Checkin.Result.values)]


class AttendeeCard(Schema):
    name: str
    organisation: str
    ticket_type: str
    order: str = Field(..., description="The order's code.")
    dietary_needs: str | None = Field(None, description="Only for ticket types that include a meal.")


class RedeemOut(Schema):
    status: Verdict = Field(..., description="The door's verdict.")
    attendee: AttendeeCard | None = Field(..., description="The ticket's holder; null for unknown tickets.")
    checked_in_at: str | None = Field(
        ...,
        description="ok: this admission; already_checked_in: the first admission; otherwise null.",
        json_schema_extra={"format": "date-time"},
    )
    checked_in_by: str | None = Field(
        None, description="already_checked_in: the device or person that admitted the ticket."
    )
    list: str = Field(..., description="The check-in list's id.")


class EditionOut(Schema):
    id: int
    name: str
    year: int


class TicketTypeOut(Schema):
    id: int
    name: str


class ListOut(Schema):
    id: int
    name: str
    edition: EditionOut
    ticket_types: list[TicketTypeOut] = Field(..., description="The ticket types this list admits.")
    allow_reentry: bool = Field(..., description="False: each ticket is admitted once.")
    opens_at: dt.datetime | None = Field(..., description="Scans before this are wrong_list; null: no limit.")
    closes_at: dt.datetime | None = Field(..., description="Scans from this on are wrong_list; null: no limit.")


class StatusOut(Schema):
    list: int
    expected: int = Field(..., description="Tickets of confirmed orders that the list admits.")
    arrived: int = Field(..., description="Of those, the tickets admitted at this list.")


class SearchHit(Schema):
    ticket: int = Field(..., description="The ticket's id, for a manual check-in.")
    attendee: AttendeeCard
    checked_in: bool = Field(..., description="Whether the ticket has been admitted at this list.")


class SearchOut(Schema):
    results: list[SearchHit]


class OfflineTicket(Schema):
    hash: str = Field(..., description="SHA-256 of the ticket's secret, hex: compare the scanned secret's hash.")
    attendee: AttendeeCard
    checked_in: bool


class OfflineOut(Schema):
    list: int
    generated_at: dt.datetime
    hash_algorithm: Literal["sha256"]
    tickets: list[OfflineTicket]


class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, for people.")


class FieldError(Schema):
    loc: list[str | int] = Field(..., description="Where: body, query or path, then the field.")
    msg: str
    type: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldError]


SEARCH_QUERY = Query("", max_length=100, description="Words of the holder's name, email or organisation.")
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}  # 422: an id that is not a number
BODY_ERRORS = {400: ErrorOut, 413: ErrorOut, 422: InvalidOut}  # not JSON, too large, not valid


# --- Endpoints ----------------------------------------------------------------------------------------------------


def _list_for(request, list_id):
    """The caller's list `list_id`; another edition's list is answered like a missing one."""
    list_id = int(list_id)
    checkin_list = request.auth.lists().filter(pk=list_id).first() if 0 < list_id <= MAX_ID else None
    if checkin_list is None:
        raise _not_found_error()
    return checkin_list


def _redeem(request, secret, checkin_list, *, nonce, scanned_at, manual=False):
    caller = request.auth
    return redeem(
        secret,
        checkin_list,
        device=caller.device,
        user=caller.user,
        nonce=nonce or None,
        scanned_at=scanned_at,
        manual=manual,
    )


@api.post(
    "/checkin/redeem",
    response={200: RedeemOut, **BODY_ERRORS, **ERRORS},
    exclude_unset=True,
    summary="Check in a scanned ticket",
    tags=["check-in"],
)
def redeem_ticket(request, payload: RedeemIn):
    """The door's verdict for the scanned `secret` at `list`, recorded. Only `ok` lets the person in."""
    checkin_list = _list_for(request, payload.list)
    return _redeem(request, payload.secret, checkin_list, nonce=payload.nonce, scanned_at=payload.scanned_at)


@api.get("/checkin/lists", response={200: list[ListOut], 401: ErrorOut, 403: ErrorOut}, tags=["check-in"])
def checkin_lists(request):
    """The check-in lists the caller may use."""
    lists = request.auth.lists().prefetch_related("ticket_types")
    return [
        {
            "id": checkin_list.pk,
            "name": checkin_list.name,
            "edition": {
                "id": checkin_list.edition.pk,
                "name": checkin_list.edition.name,
                "year": checkin_list.edition.year,
            },
            "ticket_types": [
                {"id": ticket_type.pk, "name": ticket_type.display_name}
                for ticket_type in checkin_list.ticket_types.all()
            ],
            "allow_reentry": checkin_list.allow_reentry,
            "opens_at": checkin_list.opens_at,
            "closes_at": checkin_list.closes_at,
        }
        for checkin_list in lists
    ]


@api.get("/checkin/lists/{list_id}/status", response={200: StatusOut, **ERRORS}, tags=["check-in"])
def checkin_list_status(request, list_id: int):
    """How many of the list's tickets have arrived."""
    checkin_list = _list_for(request, list_id)
    return {"list": checkin_list.pk, **list_status(checkin_list)}


@api.get(
    "/checkin/lists/{list_id}/search",
    response={200: SearchOut, 429: ErrorOut, **ERRORS},
    exclude_unset=True,
    tags=["check-in"],
)
def search_tickets(request, list_id: int, q: Text = SEARCH_QUERY):
    """Tickets the list admits whose holder's name, email or organisation contains every word of `q` (at least
    two characters), for someone who has lost their ticket. At most 60 searches a minute per device or person
    (settings.RATE_LIMITS `checkin_search`); beyond, 429 with `Retry-After`."""
    checkin_list = _list_for(request, list_id)
    try:
        ratelimit.count_attempt("checkin_search", request.auth.rate_limit_key)
    except ratelimit.RateLimited as limited:
        refused = _error(request, 429, gettext("Too many searches. Wait a minute and try again."))
        return ratelimit.as_429(refused, limited)
    return {
        "results": [
            {"ticket": ticket.pk, "attendee": attendee_card(ticket, checkin_list), "checked_in": ticket.admitted > 0}
            for ticket in search(checkin_list, q)
        ]
    }


@api.get(
    "/checkin/lists/{list_id}/offline", response={200: OfflineOut, **ERRORS}, exclude_unset=True, tags=["check-in"]
)
def offline_tickets(request, list_id: int):
    """Every ticket the list admits, for a scanner to keep while offline: the secret's SHA-256, never the secret.
    Scans made offline are uploaded later to redeem with their `scanned_at` and a nonce."""
    checkin_list = _list_for(request, list_id)
    return {
        "list": checkin_list.pk,
        "generated_at": timezone.now(),
        "hash_algorithm": "sha256",
        "tickets": offline_data(checkin_list),
    }


@api.post(
    "/checkin/lists/{list_id}/checkin/{ticket_id}",
    response={200: RedeemOut, **BODY_ERRORS, **ERRORS},
    exclude_unset=True,
    summary="Check in a ticket found by search",
    tags=["check-in"],
)
def manual_checkin(request, list_id: int, ticket_id: int, payload: ManualCheckinIn | None = None):
    """Checks in a ticket found by search (the holder has lost it): the same verdicts as redeem. 404 for a ticket
    the list does not admit."""
    checkin_list = _list_for(request, list_id)
    ticket = admitted_tickets(checkin_list).filter(pk=ticket_id).first() if 0 < ticket_id <= MAX_ID else None
    if ticket is None:
        raise HttpError(404, gettext("This list admits no such ticket."))
    if request.body.strip() and not isinstance(json.loads(request.body), dict | None):
        # django-ninja lets an optional body that is not an object (true, [1], "x") through as no body at all.
        error = {
            "loc": ["body", "payload"],
            "msg": gettext("Send a JSON object, null or no body."),
            "type": "model_type",
        }
        return _error(request, 422, gettext("The request is not valid: see “errors” for the fields."), errors=[error])
    payload = payload or ManualCheckinIn()
    return _redeem(
        request, ticket.secret, checkin_list, nonce=payload.nonce, scanned_at=payload.scanned_at, manual=True
    )


# --- URLs ---------------------------------------------------------------------------------------------------------


def _no_store(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def _staff_only(view):
    """The interactive docs are for door staff (the schema at /api/openapi.json is public)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_check_in(request.user):
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return wrapped


def _unknown_address(request, *args, **kwargs):
    return _error(request, 404, gettext("Not found."))


def _urlpatterns():
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if pattern.name == "openapi-view":
            pattern.callback = _staff_only(pattern.callback)
    patterns.append(re_path(r"^.*$", _unknown_address))  # JSON, not the site's 404 page
    for pattern in patterns:
        pattern.callback = _no_store(pattern.callback)
    return patterns


# Mounted with `path("api/", include("tickets.api"))`; django-ninja reverses its docs' URLs in this namespace.
app_name = api.urls_namespace
urlpatterns = _urlpatterns()
