"""Who needs a second factor, and the devices behind it: one authenticator app (TOTP) and ten single-use recovery
codes a person, as django-otp's own `TOTPDevice` and `StaticDevice`.

These functions are the only place that creates, confirms, checks or removes the devices, whichever view, the
middleware or a management command asks. Every change is written to Wagtail's log against the person."""

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext, gettext_lazy
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.permission_policies.pages import PagePermissionPolicy

EDITOR_GROUP = "Redaktörer"
ORGANISER_GROUP = "Arrangörer"
JURY_GROUP = "Jury"
GROUPS_THAT_NEED_IT = frozenset({EDITOR_GROUP, ORGANISER_GROUP, JURY_GROUP})
# Who may see these sees people: buyers, attendees, nominators, voters.
PERSONAL_DATA_PERMISSIONS = (
    "tickets.view_order",
    "tickets.change_order",
    "tickets.view_attendee",
    "tickets.change_attendee",
    "tickets.view_invoice",
    "tickets.view_waitinglistentry",
    "events.view_nomination",
    "events.change_nomination",
    "events.view_vote",
)
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = len(StaticToken.random_token())
APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery codes"

VERIFY = "verify"
ENROL = "enrol"

LOG_ENABLED = "home.two_factor_enabled"
LOG_RECOVERY_CODES = "home.two_factor_recovery_codes"
LOG_REMOVED = "home.two_factor_removed"
LOG_RESET = "home.two_factor_reset"


class TwoFactorError(Exception):
    """A code the rules refuse; `code` is stable, `message` is for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


WRONG_CODE = gettext_lazy("The code is not right. Check it and try again.")
THROTTLED = gettext_lazy("Too many wrong codes. Wait a minute and try again.")


# --- Who ----------------------------------------------------------------------------------------------------------


def needs_second_factor(user):
    """Superusers, editors, organisers and the jury, and anyone with admin access who may publish pages or see
    personal data (orders, attendees, nominations, votes). Door staff alone do not."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.groups.filter(name__in=GROUPS_THAT_NEED_IT).exists():
        return True
    if not user.has_perm("wagtailadmin.access_admin"):
        return False
    permissions = user.get_all_permissions()
    if any(permission in permissions for permission in PERSONAL_DATA_PERMISSIONS):
        return True
    if any(permission.partition(".")[2].startswith("publish_") for permission in permissions):
        return True  # snippets with drafts
    return PagePermissionPolicy().user_has_permission(user, "publish")


def second_factor_required(user):
    """Whether `user` may not use the admin without a second factor: needed by them, and required by the settings."""
    return settings.TWO_FACTOR_REQUIRED and needs_second_factor(user)


def has_second_factor(user):
    """Whether `user` has a confirmed app or recovery codes (then they are asked for a code at every log-in)."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def is_verified(user):
    """Whether this log-in was confirmed with a second factor (django-otp's middleware says so)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user):
    """What this log-in still needs before the admin: VERIFY (a code), ENROL (set up an app first) or None."""
    if user is None or not user.is_authenticated or is_verified(user):
        return None
    if has_second_factor(user):
        return VERIFY
    if second_factor_required(user):
        return ENROL
    return None


# --- Setting up ---------------------------------------------------------------------------------------------------


def start_enrolment(user):
    """The unconfirmed app `user` is setting up, created with a new random key if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_people(device):
    """The app's key as people type it: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user, device, code, *, by=None):
    """Confirms the app `device` with a code from it: it replaces any other app of `user`, and `user` gets ten new
    recovery codes (returned; they are stored only as the library keeps them, and shown once)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if device is None:
            raise TwoFactorError("no_enrolment", gettext("Start setting up the app again."))
        allowed = device.verify_is_allowed()[0]
        accepted = allowed and device.verify_token(_normalise(code))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _replace_recovery_codes(user)
            _log(user, LOG_ENABLED, by=by or user)
    # Outside the transaction, so that a wrong code's count (the library's throttling) is kept.
    if not allowed:
        raise TwoFactorError("throttled", str(THROTTLED))
    if not accepted:
        raise TwoFactorError("wrong_code", str(WRONG_CODE))
    return device, codes


def new_recovery_codes(user, *, by=None):
    """Ten new recovery codes for `user`, who has an app; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorError("no_app", gettext("Set up an authenticator app first."))
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        _log(user, LOG_RECOVERY_CODES, by=by or user)
    return codes


def _replace_recovery_codes(user):
    # The device stays (a log-in confirmed with one of its codes stays confirmed); its codes are replaced.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remove_second_factor(user, *, by=None, reset=False):
    """Removes `user`'s app and recovery codes: by themselves where it is optional, or `reset` by someone else
    (a lost phone), after which `user` sets up a new app at their next log-in. Returns how many devices went."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        _log(user, LOG_RESET if reset else LOG_REMOVED, by=by, data={"devices": removed})
    return removed


def _log(user, action, *, by, data=None):
    log(instance=_unwrapped(user), action=action, user=_unwrapped(by) if by else None, data=data)


def _unwrapped(user):
    """request.user itself: Wagtail's log looks up the log model by the object's type, and request.user is a lazy
    object (twice over, with django-otp's middleware)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


# --- Logging in ---------------------------------------------------------------------------------------------------


def verify(user, code):
    """The device that accepts `code` from `user`: a few digits are the app's, anything else is a recovery code,
    which is used up. Raises TwoFactorError ("wrong_code", "throttled")."""
    code = _normalise(code)
    # The app's codes are six digits; recovery codes eight letters and digits (RECOVERY_CODE_LENGTH).
    model = TOTPDevice if code.isdigit() and len(code) < RECOVERY_CODE_LENGTH else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if not device.verify_is_allowed()[0]:
                throttled = True
                continue
            if device.verify_token(code):
                return device
    if throttled:
        raise TwoFactorError("throttled", str(THROTTLED))
    raise TwoFactorError("wrong_code", str(WRONG_CODE))


def _normalise(code):
    """What people type, as the devices store it: no spaces or dashes, recovery codes in lower case."""
    return "".join(str(code).split()).replace("-", "").lower()
