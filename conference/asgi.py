"""ASGI entry point, served by granian: `granian --interface asginl conference.asgi:application`.

The live reveal's streams (`/live/<slug>/stream`) go around the site's sync-only middleware (events.live.asgi);
everything else is Django as usual, at most ASGI_MAX_REQUESTS at a time per process.
"""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conference.settings.production")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from events.live.asgi import with_live_streams  # noqa: E402  (needs the apps that get_asgi_application set up)


def with_request_limit(app, limit):
    """`app` serving at most `limit` HTTP requests at a time; the rest wait their turn, first come first served.

    Django runs each request in a thread of its own. Without a limit, a rush of 500 buyers shares the CPU among
    500 threads: every request progresses slowly and all finish late, the first buyer as late as the last. With
    a limit the early ones are served at full speed while the others wait, cheaply, in the event loop."""
    if limit <= 0:
        return app
    turns = asyncio.Semaphore(limit)

    async def application(scope, receive, send):
        if scope["type"] != "http" or scope["path"] == "/health":  # the load balancer's probe never waits in line
            return await app(scope, receive, send)
        async with turns:
            return await app(scope, receive, send)

    return application


application = with_live_streams(with_request_limit(django_application, settings.ASGI_MAX_REQUESTS))
