"""Deployment checks of the production profile (`manage.py check --deploy`), registered by settings.production.

They warn where a setting works on one machine but not on several, or makes requests wait; see the README's
*Production*.
"""

from django.conf import settings
from django.core import checks

# Per ASGI process, besides the requests being worked on: the live hub's thread and /health, which skips the queue.
CONNECTIONS_BESIDES_REQUESTS = 2


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """Without REDIS_URL the cache is on this machine's disk: shared by its processes, not by other machines."""
    if settings.REDIS_URL:
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set, so the cache (whole pages, rate limits) is kept on this machine's disk "
            f"({settings.CACHES['default'].get('LOCATION')}).",
            hint="That is enough for every process of one machine. With app servers on more than one machine, set "
            "REDIS_URL: otherwise the other machines go on serving their cached pages for up to PAGE_CACHE_SECONDS "
            "after an edit, and each machine counts rate limits on its own.",
            id="conference.W001",
        )
    ]


@checks.register(checks.Tags.database, deploy=True)
def check_pool_covers_requests(app_configs=None, **kwargs):
    """A process's pool must hold a connection for each request it works on, or requests queue for connections."""
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    needed = settings.ASGI_MAX_REQUESTS + CONNECTIONS_BESIDES_REQUESTS
    if not isinstance(pool, dict) or settings.ASGI_MAX_REQUESTS <= 0 or pool["max_size"] >= needed:
        return []
    return [
        checks.Warning(
            f"DATABASE_POOL_SIZE ({pool['max_size']}) is below ASGI_MAX_REQUESTS + {CONNECTIONS_BESIDES_REQUESTS} "
            f"({needed}).",
            hint="Requests then wait for a connection, and fail after DATABASE_POOL_TIMEOUT. Raise the pool or lower "
            "ASGI_MAX_REQUESTS.",
            id="conference.W002",
        )
    ]
