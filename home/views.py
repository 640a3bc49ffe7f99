import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


HEALTH_TIMEOUT_SECONDS = 1  # within a load balancer's probe timeout (and the tests' 2 s)


def _check_database():
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is not None:
        # Through Django, a database that is down would keep the check waiting for the pool's whole timeout.
        pool.open()
        with pool.connection(timeout=HEALTH_TIMEOUT_SECONDS) as pooled:
            pooled.execute("SELECT 1").fetchone()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis():
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
@require_GET
def health(request):
    """200 when the database (and Redis, if configured) answer; 503 naming what does not."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:
            logger.exception("Health check failed", extra={"check": name})
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503)
