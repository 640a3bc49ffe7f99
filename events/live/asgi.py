"""The live streams' way into Django, around the site's middleware.

All of the site's middleware is sync-only, so Django would run the stream's async view behind a thread of its
own for as long as the stream stays open, and wraps every request in a ThreadSensitiveContext that keeps a thread
for the same time. The streams therefore get a second Django handler with no middleware and no per-request
context: one event loop serves every open stream, and the few blocking calls Django still makes (its request
signals) share one thread. ALLOWED_HOSTS is still checked, the one thing the middleware did that a stream needs.
"""

import re

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response

STREAM_PATH = re.compile(r"^/live/[^/]+/stream/?$")


class LiveStreamHandler(ASGIHandler):
    """Django's ASGI handler for the live streams only: no middleware, no thread per request."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response_for_allowed_host)

    async def _get_response_for_allowed_host(self, request):
        request.get_host()  # DisallowedHost: 400, as for every other address of the site
        return await self._get_response_async(request)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Live streams are served over HTTP only, not {scope['type']}.")
        await self.handle(scope, receive, send)


def with_live_streams(django_application):
    """`django_application` with the live streams (`/live/<slug>/stream`) sent to a LiveStreamHandler."""
    streams = LiveStreamHandler()

    async def application(scope, receive, send):
        if scope["type"] == "http" and STREAM_PATH.match(scope["path"]):
            await streams(scope, receive, send)
        else:
            await django_application(scope, receive, send)

    return application
