"""WSGI entry point, for hosts without ASGI; the live stream needs the ASGI one."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conference.settings.production")

application = get_wsgi_application()
