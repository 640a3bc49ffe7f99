"""Security headers beyond Django's own settings: the Content-Security-Policy's exceptions (the policy itself is
CONTENT_SECURITY_POLICY in the settings, sent by django-csp), Permissions-Policy on every response, and no-store on
everything under the admin.

Both middlewares sit above the page cache, so a page it serves gets this request's headers, never a stored copy.
"""

from functools import cache, wraps

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# What the Wagtail admin needs beyond the site's policy. Wagtail writes inline scripts that no nonce can reach (its
# form widgets' templates, rendered without the request, start the page, snippet and date choosers and inline panels
# with one), and its widgets set style attributes; 'unsafe-inline' is ignored beside a nonce, so the admin's policy
# names none. Its images include data: and blob: URLs (the pairing QR code, previews of uploads). Only the admin, with
# its logged-in staff, gets this; every public page keeps the strict policy.
ADMIN_CSP = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}

# Browser features no page of ours uses. A view that needs one names it in its own Permissions-Policy header (the
# scanner: camera=(self)); the rest stay denied there too.
DENIED_FEATURES = (
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


@cache
def admin_prefix():
    return reverse("wagtailadmin_home")


def is_admin(request):
    return request.path.startswith(admin_prefix())


def permissions_policy(own=""):
    """The Permissions-Policy header: the view's `own` declarations, and every denied feature it did not name."""
    declared = [part.strip() for part in own.split(",") if part.strip()]
    named = {part.split("=", 1)[0].strip() for part in declared}
    return ", ".join(declared + [f"{feature}=()" for feature in DENIED_FEATURES if feature not in named])


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; Cache-Control: no-store on every admin response (Wagtail marks some
    only private or no-cache, which lets a shared computer's browser keep orders and attendees on disk)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Permissions-Policy"] = permissions_policy(response.get("Permissions-Policy", ""))
        if is_admin(request):
            add_never_cache_headers(response)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under the admin, and frame-ancestors following a view that
    lets its own site frame it (X-Frame-Options: SAMEORIGIN, as Wagtail's previews in the editor do)."""

    def process_response(self, request, response):
        # Wagtail renders a preview by passing a stand-in request for the page's public address through the
        # middleware, inside the admin's own request: that one, not the stand-in, says how the preview may be framed.
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        replace = {}
        if is_admin(request):
            replace.update(ADMIN_CSP)
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            replace["frame-ancestors"] = [SELF]
        if replace:
            parts.replace = {**replace, **(parts.replace or {})}
        return parts


def csp_update_at_request(get_directives):
    """django-csp's `csp_update` for sources known only when a request comes: `get_directives()` gives its dict
    (read from settings that a deployment, or a test, sets)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return csp_update(get_directives())(view)(request, *args, **kwargs)

        return wrapped

    return decorator
