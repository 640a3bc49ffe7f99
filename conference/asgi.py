"""ASGI entry point, served by granian: `granian --interface asginl conference.asgi:application`.

The live reveal's streams (`/live/<slug>/stream`) go around the site's sync-only middleware (events.live.asgi);
everything else is Django as usual.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conference.settings.production")

django_application = get_asgi_application()

from events.live.asgi import with_live_streams  # noqa: E402  (needs the apps that get_asgi_application set up)

application = with_live_streams(django_application)
