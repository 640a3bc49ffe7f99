"""Keeps a log-in that still needs its second factor out of the admin and the other staff-only addresses.

Installed after django-otp's `OTPMiddleware`, which tells whether the session's log-in was confirmed. Public pages
are never touched (this middleware does not even read the session there), and neither is the scanner page: it is
one shell for everyone, and the check-in API it calls is guarded here instead.
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from home.two_factor.services import ENROL, pending_step

ADMIN = "admin"
API = "api"
STAFF_PAGE = "staff page"

# Admin addresses a log-in may use before its second factor: the log-in itself, the steps, and what they load.
OPEN_ADMIN_VIEWS = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "two_factor:verify",
        "two_factor:enrol",
    }
)
# Staff-only pages outside /admin/ that show what the public may not see yet.
STAFF_VIEWS = frozenset({"live:rehearsal"})
API_PREFIX = "/api/"


def step_url(step, next_url):
    """The address of `step` (VERIFY or ENROL), coming back to `next_url` afterwards."""
    name = "two_factor:enrol" if step == ENROL else "two_factor:verify"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_password_log_in(request, response):
            # Straight on to the second step, wherever the log-in was going (the admin, or the scanner page).
            step = pending_step(request.user)
            if step is not None:
                response["Location"] = step_url(step, response["Location"])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        area = self._area(request)
        if area is None:
            return None
        if area == API and "Authorization" in request.headers:
            # A scanner device's token decides alone: the session's log-in may not stand in for a token refused.
            if pending_step(request.user) is not None:
                request.user = AnonymousUser()
            return None
        step = pending_step(request.user)
        if step is None:
            return None
        if area == API:
            response = JsonResponse(
                {"detail": gettext("Confirm your log-in with your second factor in the admin first.")}, status=403
            )
            add_never_cache_headers(response)
            return response
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("wagtailadmin_home")
        return redirect(step_url(step, next_url))

    @staticmethod
    def _area(request):
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            return None if view_name in OPEN_ADMIN_VIEWS else ADMIN
        if request.path_info.startswith(API_PREFIX):
            return API
        if view_name in STAFF_VIEWS:
            return STAFF_PAGE
        return None


def _is_password_log_in(request, response):
    match = request.resolver_match
    return (
        request.method == "POST"
        and match is not None
        and match.view_name == "wagtailadmin_login"
        and response.status_code == 302
        and request.user.is_authenticated
    )
