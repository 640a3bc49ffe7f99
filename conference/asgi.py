"""ASGI entry point, served by granian: `granian --interface asgi conference.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conference.settings.production")

application = get_asgi_application()
