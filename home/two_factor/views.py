"""The second step of the admin's log-in, setting up an app, and the account page's entry (see the package's doc).

Every answer is `Cache-Control: no-store` (the pages hold secrets and recovery codes), and a person may try five
codes in five minutes, wherever they type them."""

import xml.etree.ElementTree as ET

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as confirm_log_in
from django_otp.plugins.otp_static.models import StaticToken
from qrcode.image.svg import SvgPathFillImage
from wagtail.admin.auth import require_admin_access

from home import ratelimit
from home.two_factor import services
from home.two_factor.forms import AppCodeForm, RecoveryCodeForm
from home.two_factor.middleware import step_url

ATTEMPTS = 5
ATTEMPTS_PERIOD = 5 * 60  # seconds
RECOVERY = "recovery"


@never_cache
@login_required
def verify(request):
    """The second step of the log-in: a code from the app or, with `?with=recovery`, a recovery code."""
    user, next_url = request.user, _next_url(request)
    if services.is_verified(user):
        return redirect(next_url)
    if not services.has_second_factor(user):
        return redirect(step_url(services.ENROL, next_url) if services.second_factor_required(user) else next_url)
    with_recovery = request.GET.get("with") == RECOVERY
    form = (RecoveryCodeForm if with_recovery else AppCodeForm)(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many_attempts(request):
            form.add_error(None, gettext("Too many attempts. Wait five minutes and try again."))
            status = 429
        else:
            try:
                device = services.verify(user, form.cleaned_data["code"])
            except services.TwoFactorError as error:
                form.add_error("code", error.message)
            else:
                _confirm(request, device)
                return redirect(next_url)
    context = {
        "form": form,
        "next_url": next_url,
        "with_recovery": with_recovery,
        "title": gettext("Confirm your log-in"),
    }
    return render(request, "two_factor/verify.html", context, status=status)


@never_cache
@login_required
def enrol(request):
    """Setting up an authenticator app: the QR code and the key, a code to confirm, then the recovery codes once."""
    user, next_url = request.user, _next_url(request)
    if services.has_second_factor(user) and not services.is_verified(user):
        return redirect(step_url(services.VERIFY, next_url))  # replacing an app needs the app (or a recovery code)
    device = services.start_enrolment(user)
    form = AppCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many_attempts(request):
            form.add_error(None, gettext("Too many attempts. Wait five minutes and try again."))
            status = 429
        else:
            try:
                device, codes = services.confirm_enrolment(user, device, form.cleaned_data["code"])
            except services.TwoFactorError as error:
                form.add_error("code", error.message)
            else:
                _confirm(request, device)
                return _show_recovery_codes(request, codes, next_url)
    context = {
        "form": form,
        "next_url": next_url,
        "qr_code": qr_svg(device.config_url, label=gettext("QR code for the authenticator app")),
        "secret": services.secret_for_people(device),
        "title": gettext("Set up two-factor log-in"),
    }
    return render(request, "two_factor/enrol.html", context, status=status)


@never_cache
@require_admin_access
def manage(request):
    """The account page's entry: whether a second factor is set up, and what the person may change."""
    user = request.user
    context = {
        "title": gettext("Two-factor log-in"),
        "has_second_factor": services.has_second_factor(user),
        "required": services.second_factor_required(user),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
        "enrol_url": f"{reverse('two_factor:enrol')}?next={reverse('two_factor:manage')}",
    }
    return render(request, "two_factor/manage.html", context)


@never_cache
@require_POST
@require_admin_access
def recovery_codes(request):
    """Ten new recovery codes, shown once; the old ones stop working."""
    try:
        codes = services.new_recovery_codes(request.user)
    except services.TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("two_factor:manage")
    return _show_recovery_codes(request, codes, reverse("two_factor:manage"))


@never_cache
@require_POST
@require_admin_access
def disable(request):
    """Turns two-factor log-in off, for someone who does not need it (or anyone, where it is not required)."""
    if services.second_factor_required(request.user):
        raise PermissionDenied
    services.remove_second_factor(request.user, by=request.user)
    messages.success(request, gettext("Two-factor log-in is turned off."))
    return redirect("two_factor:manage")


def qr_svg(data, *, label):
    """`data` as an inline SVG QR code, dark on white in either admin theme, named for screen readers."""
    code = qrcode.QRCode(image_factory=SvgPathFillImage, error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    svg = code.make_image().get_image()
    svg.set("role", "img")
    svg.set("aria-label", label)
    svg.set("class", "two-factor-qr")
    svg.set("width", "200")
    svg.set("height", "200")
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308  (built by ElementTree, which escapes)


def _show_recovery_codes(request, codes, next_url):
    context = {"codes": codes, "next_url": next_url, "title": gettext("Your recovery codes")}
    return render(request, "two_factor/recovery_codes.html", context)


def _confirm(request, device):
    request.session.cycle_key()  # a session that gained rights gets a new key
    confirm_log_in(request, device)


def _too_many_attempts(request):
    key = f"user:{request.user.pk}"
    return not ratelimit.allow("two-factor", key, limit=ATTEMPTS, period=ATTEMPTS_PERIOD)


def _next_url(request):
    """Where to go afterwards: `next` if it is an address on this site, else the admin's dashboard."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url and safe else reverse("wagtailadmin_home")
