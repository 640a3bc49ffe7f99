"""Fixed-window rate limits kept in the shared cache (Redis in production), for forms anyone may post."""

import hashlib
import logging
import time

from django.core.cache import cache

from home.page_cache import CACHE_ERRORS

logger = logging.getLogger(__name__)


def client_ip(request):
    """The address the request came from, as the server saw it."""
    return request.META.get("REMOTE_ADDR", "")


def allow(scope, identifier, *, limit, period):
    """Counts one attempt by `identifier` (an IP address, an email) in `scope`; False once more than `limit`
    attempts fall in the current window of `period` seconds. The identifier is hashed, never stored as such.
    With the cache down every attempt is allowed: better an unmetered form than a lost one."""
    try:
        return _count(scope, identifier, limit=limit, period=period)
    except CACHE_ERRORS:
        logger.warning("Rate limits unavailable", exc_info=True, extra={"scope": scope})
        return True


def _count(scope, identifier, *, limit, period):
    window = int(time.time() // period)
    digest = hashlib.sha256(f"{scope}\n{identifier.strip().lower()}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{window}:{digest}"
    if cache.add(key, 1, period):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr: this attempt opens a new window
        cache.add(key, 1, period)
        return True
    return count <= limit
