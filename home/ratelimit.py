"""Fixed-window rate limits kept in the shared cache (Redis in production), for forms anyone may post.

The limits are named in settings.RATE_LIMITS as (attempts, seconds). A view counts an attempt with
`count_attempt(name, identifier)`, which raises RateLimited once the window is full; `render_429` answers with the
shared page (templates/429.html) and `as_429` turns a page the view rendered itself (a form that keeps what was
typed) into the same answer: status 429 and `Retry-After`, the seconds until the window ends.
"""

import datetime as dt
import hashlib
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

from home.page_cache import CACHE_ERRORS

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """More attempts than a limit allows: `retry_after` is the seconds until its window ends."""

    code = "rate_limited"

    def __init__(self, name, *, retry_after):
        super().__init__(name)
        self.name = name
        self.retry_after = retry_after

    @property
    def minutes(self):
        return math.ceil(self.retry_after / 60)

    @property
    def retry_at(self):
        return timezone.now() + dt.timedelta(seconds=self.retry_after)

    @property
    def message(self):
        return ngettext(
            "Too many attempts in a short time. Try again in %(minutes)d minute.",
            "Too many attempts in a short time. Try again in %(minutes)d minutes.",
            self.minutes,
        ) % {"minutes": self.minutes}


def client_ip(request):
    """The address the request came from: REMOTE_ADDR, or behind the proxies in settings.TRUSTED_PROXIES (a load
    balancer) the nearest address they forwarded for that is not one of them. An IPv6 address stands for its /64,
    the network one home or one phone is given whole."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXIES and _trusted(address):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = hop
            if not _trusted(hop):
                break
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _trusted(address):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def count_attempt(name, identifier):
    """Counts one attempt by `identifier` (an address, an email, a username) under the limit `name` of
    settings.RATE_LIMITS; raises RateLimited once more attempts than it allows fall in the current window."""
    limit, period = settings.RATE_LIMITS[name]
    if not allow(name, identifier, limit=limit, period=period):
        raise RateLimited(name, retry_after=seconds_left(period))


def give_back(name, identifier):
    """Takes back one attempt counted under the limit `name` in the current window, for an attempt that turned out
    not to be what the limit is about (a log-in that succeeded, a reservation that held nothing). Counting first
    and giving back afterwards keeps the limit exact when a script sends its attempts all at once."""
    _limit, period = settings.RATE_LIMITS[name]
    try:
        cache.decr(_key(name, identifier, period))
    except ValueError:  # the window ended in between: the new one has nothing to give back
        pass
    except CACHE_ERRORS:
        logger.warning("Rate limits unavailable", exc_info=True, extra={"scope": name})


def seconds_left(period):
    """Seconds until the current window of `period` seconds ends (at least 1)."""
    return max(1, math.ceil(period - time.time() % period))


def as_429(response, limited):
    """`response` as the answer to an attempt beyond a limit: 429, when to come back, and never kept by a cache."""
    response.status_code = 429
    response["Retry-After"] = str(limited.retry_after)
    add_never_cache_headers(response)
    return response


def render_429(request, limited, *, back_url=""):
    """The shared page that says an attempt was refused and when to try again (templates/429.html)."""
    context = {"limited": limited, "message": limited.message, "retry_at": limited.retry_at, "back_url": back_url}
    return as_429(render(request, "429.html", context), limited)


def allow(scope, identifier, *, limit, period):
    """Counts one attempt by `identifier` (an IP address, an email) in `scope`; False once more than `limit`
    attempts fall in the current window of `period` seconds. The identifier is hashed, never stored as such.
    With the cache down every attempt is allowed: better an unmetered form than a lost one."""
    try:
        return _count(scope, identifier, limit=limit, period=period)
    except CACHE_ERRORS:
        logger.warning("Rate limits unavailable", exc_info=True, extra={"scope": scope})
        return True


def _key(scope, identifier, period):
    window = int(time.time() // period)
    digest = hashlib.sha256(f"{scope}\n{identifier.strip().lower()}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{window}:{digest}"


def _count(scope, identifier, *, limit, period):
    key = _key(scope, identifier, period)
    if cache.add(key, 1, period):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr: this attempt opens a new window
        cache.add(key, 1, period)
        return True
    return count <= limit
