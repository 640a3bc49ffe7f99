"""Two-factor log-in (home.two_factor): required for everyone who can publish or see personal data where
TWO_FACTOR_REQUIRED is on (production), optional where it is off (the demo), and never for door staff alone.

The codes are real: computed from the device's own key with django-otp's TOTP, as a phone's app would."""

import io
import time

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from home.demo import demo_password, seed_home, seed_people
from home.two_factor import services, views
from tests.events.test_live_servers import database_for_subprocesses
from tests.factories import EditionFactory
from tests.servers import asgi_server, production_env
from tickets.models import ScannerDevice

User = get_user_model()
LOGIN = "/admin/login/"
VERIFY = "/admin/2fa/verify/"
ENROL = "/admin/2fa/enrol/"
MANAGE = "/admin/2fa/"
NEED_IT = ["admin", "redaktor", "arrangor", "jury"]
ADMIN_PAGES = ["/admin/", "/admin/pages/", "/admin/account/", "/admin/snippets/", MANAGE]


@pytest.fixture
def people(db):
    """The demo's staff groups and users (admin, redaktor, arrangor, entre, jury, jury2)."""
    seed_people(seed_home())


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def optional(settings):
    settings.TWO_FACTOR_REQUIRED = False


def log_in(client, username, **extra):
    response = client.post(LOGIN, {"username": username, "password": demo_password(), **extra})
    assert response.status_code == 302, f"{username}'s password was refused"
    return response


def app_code(device):
    """The code the app shows now, or the next one if this one was used (each code works once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def enrol(client, username):
    """Sets up the app for the logged-in `username`: returns the device and the recovery codes shown."""
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post(ENROL, {"code": app_code(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


def enrolled(client, username):
    """`username` with an app and recovery codes, logged out again."""
    log_in(client, username)
    device, codes = enrol(client, username)
    client.post("/admin/logout/")
    return device, codes


def goes_to(response, address):
    return response.status_code == 302 and response["Location"].startswith(address)


def opens(response):
    """The admin answers the page itself (or sends on within the admin, as /admin/pages/ does to the home page)."""
    if response.status_code == 302:
        return not response["Location"].startswith(("/admin/2fa/", LOGIN))
    return response.status_code == 200


# --- Required (production) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ADMIN_PAGES)  # not "page": pytest-playwright's fixture would pull in a browser
def test_an_organiser_with_only_a_password_opens_no_admin_page(people, required, client, address):
    response = log_in(client, "arrangor")
    assert goes_to(response, ENROL)

    assert goes_to(client.get(address), ENROL)


@pytest.mark.parametrize("username", NEED_IT)
def test_everyone_who_can_publish_or_see_personal_data_must_set_up_an_app(people, required, client, username):
    assert goes_to(log_in(client, username), ENROL)
    assert goes_to(client.get("/admin/"), ENROL)


def test_door_staff_alone_need_no_second_factor(people, required, client, django_user_model):
    assert not services.needs_second_factor(django_user_model.objects.get(username="entre"))

    assert log_in(client, "entre")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/checkin/lists").status_code == 200


def test_the_log_in_goes_on_to_the_second_step_and_then_where_it_was_going(people, required, client):
    response = log_in(client, "arrangor", next="/scan/")
    assert response["Location"] == f"{ENROL}?next=%2Fscan%2F"

    device, _codes = enrol(client, "arrangor")
    client.post("/admin/logout/")
    response = log_in(client, "arrangor", next="/scan/")
    assert response["Location"] == f"{VERIFY}?next=%2Fscan%2F"
    response = client.post(response["Location"], {"code": app_code(device), "next": "/scan/"})
    assert response["Location"] == "/scan/"


def test_the_enrolment_page_shows_the_qr_code_and_the_key_and_is_never_kept(people, required, client):
    log_in(client, "arrangor")

    response = client.get(ENROL)

    device = TOTPDevice.objects.get(user__username="arrangor", confirmed=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'class="two-factor-qr"' in html and 'role="img"' in html and "aria-label=" in html
    assert services.secret_for_people(device) in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert client.get(ENROL).context["secret"] == services.secret_for_people(device)  # the same app on a reload


def test_a_wrong_code_does_not_turn_it_on(people, required, client):
    log_in(client, "arrangor")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user__username="arrangor")
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert goes_to(client.get("/admin/"), ENROL)


def test_the_apps_code_turns_it_on_shows_ten_recovery_codes_once_and_opens_the_admin(people, required, client):
    log_in(client, "arrangor")

    device, codes = enrol(client, "arrangor")

    assert len(codes) == len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert ModelLogEntry.objects.filter(action=services.LOG_ENABLED, object_id=str(device.user_id)).count() == 1
    html = client.get(MANAGE).content.decode()
    assert not any(code in html for code in codes)


def test_a_verified_organiser_gets_in_with_the_apps_code(people, required, client):
    device, _codes = enrolled(client, "arrangor")

    assert goes_to(log_in(client, "arrangor"), VERIFY)
    assert goes_to(client.get("/admin/pages/"), VERIFY)
    response = client.post(VERIFY, {"code": app_code(device)})

    assert response["Location"] == "/admin/"
    for address in ADMIN_PAGES:
        assert opens(client.get(address)), address


@pytest.mark.parametrize("username", NEED_IT)
def test_editors_jury_and_admin_get_in_the_same_way(people, required, client, username):
    device, _codes = enrolled(client, username)

    log_in(client, username)
    client.post(VERIFY, {"code": app_code(device)})

    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_at_log_in(people, required, client):
    device, _codes = enrolled(client, "arrangor")
    log_in(client, "arrangor")

    response = client.post(VERIFY, {"code": f"{(int(app_code(device)) + 1) % 1_000_000:06d}"})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert goes_to(client.get("/admin/"), VERIFY)


def test_each_recovery_code_works_once(people, required, client, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code (1 s, then 2, 4…) aside
    _device, codes = enrolled(client, "arrangor")

    log_in(client, "arrangor")
    assert goes_to(client.post(f"{VERIFY}?with=recovery", {"code": codes[0].upper()}), "/admin/")
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    log_in(client, "arrangor")
    refused = client.post(f"{VERIFY}?with=recovery", {"code": codes[0]})
    assert refused.status_code == 200 and refused.context["form"].errors["code"]
    assert goes_to(client.get("/admin/"), VERIFY)
    assert goes_to(client.post(f"{VERIFY}?with=recovery", {"code": codes[1]}), "/admin/")
    assert StaticToken.objects.filter(device__user__username="arrangor").count() == 8


def test_code_attempts_are_limited_to_five_in_five_minutes(people, required, client, monkeypatch):
    monkeypatch.setattr(views, "ATTEMPTS_PERIOD", 10**9)  # one window for the whole test, wherever the clock is
    device, _codes = enrolled(client, "arrangor")
    cache.clear()  # the code that set the app up counted too
    log_in(client, "arrangor")
    wrong = "000000" if app_code(device) != "000000" else "111111"

    answers = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(5)]
    too_many = client.post(VERIFY, {"code": app_code(device)})

    assert answers == [200] * 5
    assert too_many.status_code == 429
    assert too_many.context["form"].non_field_errors()
    assert goes_to(client.get("/admin/"), VERIFY)


def test_a_password_alone_cannot_replace_the_app(people, required, client):
    enrolled(client, "arrangor")
    log_in(client, "arrangor")

    assert goes_to(client.get(ENROL), VERIFY)
    assert TOTPDevice.objects.filter(user__username="arrangor", confirmed=False).count() == 0


def test_the_check_in_api_refuses_an_unconfirmed_session_but_not_a_scanners_token(people, required, client):
    log_in(client, "arrangor")
    _device, token = ScannerDevice.create_with_token(edition=EditionFactory(), name="Dörr A")

    refused = client.get("/api/checkin/lists")
    with_token = client.get("/api/checkin/lists", HTTP_AUTHORIZATION=f"Bearer {token}")
    with_a_wrong_token = client.get("/api/checkin/lists", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert refused.status_code == 403 and refused.json()["detail"]
    assert "no-store" in refused["Cache-Control"]
    assert with_token.status_code == 200
    assert with_a_wrong_token.status_code == 401  # the session does not stand in for a refused token


def test_the_scanner_page_and_the_public_site_are_unaffected(people, required, client):
    log_in(client, "arrangor")

    assert client.get("/scan/").status_code == 200
    assert client.get("/").status_code == 200
    assert goes_to(client.get("/live/omfamningen/repetition/"), ENROL)  # the rehearsal shows the winner


def test_someone_elses_address_is_never_where_the_steps_lead(people, required, client):
    device, _codes = enrolled(client, "arrangor")
    log_in(client, "arrangor")

    response = client.post(VERIFY, {"code": app_code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/admin/"


def test_new_recovery_codes_replace_the_old_ones(people, required, client, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code aside
    device, old = enrolled(client, "arrangor")
    log_in(client, "arrangor")
    client.post(VERIFY, {"code": app_code(device)})

    new = client.post(reverse("two_factor:recovery_codes")).context["codes"]

    assert len(new) == 10 and not set(new) & set(old)
    assert client.get("/admin/").status_code == 200  # still confirmed
    client.post("/admin/logout/")
    log_in(client, "arrangor")
    assert client.post(f"{VERIFY}?with=recovery", {"code": old[0]}).status_code == 200
    assert goes_to(client.post(f"{VERIFY}?with=recovery", {"code": new[0]}), "/admin/")


def test_who_needs_it_may_not_turn_it_off(people, required, client):
    device, _codes = enrolled(client, "arrangor")
    log_in(client, "arrangor")
    client.post(VERIFY, {"code": app_code(device)})

    response = client.post(reverse("two_factor:disable"))

    assert goes_to(response, "/admin/")  # Wagtail's answer to a refused admin action: the dashboard, and why
    assert TOTPDevice.objects.filter(user__username="arrangor", confirmed=True).exists()


def test_a_reset_removes_the_app_and_the_codes_and_is_logged(people, required, client, django_user_model):
    enrolled(client, "arrangor")
    user = django_user_model.objects.get(username="arrangor")

    call_command("reset_two_factor", "arrangor", stdout=io.StringIO())

    assert not services.has_second_factor(user)
    assert ModelLogEntry.objects.filter(action=services.LOG_RESET, object_id=str(user.pk)).exists()
    assert goes_to(log_in(client, "arrangor"), ENROL)


def test_a_reset_ends_the_confirmation_of_a_running_session(people, required, client):
    device, _codes = enrolled(client, "arrangor")
    log_in(client, "arrangor")
    client.post(VERIFY, {"code": app_code(device)})

    call_command("reset_two_factor", "arrangor", stdout=io.StringIO())

    assert goes_to(client.get("/admin/"), ENROL)


# --- Optional (the demo) -----------------------------------------------------------------------------------------


def test_without_the_requirement_a_password_is_enough(people, optional, client):
    assert log_in(client, "arrangor")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_without_the_requirement_anyone_may_set_it_up_from_the_account_page(people, optional, client):
    log_in(client, "redaktor")

    assert MANAGE in client.get("/admin/account/").content.decode()
    assert client.get(MANAGE).status_code == 200
    device, codes = enrol(client, "redaktor")

    assert len(codes) == 10
    assert device.user.username == "redaktor"


def test_without_the_requirement_whoever_set_it_up_is_asked_for_the_code(people, optional, client):
    device, _codes = enrolled(client, "redaktor")

    assert goes_to(log_in(client, "redaktor"), VERIFY)
    assert goes_to(client.get("/admin/"), VERIFY)
    client.post(VERIFY, {"code": app_code(device)})
    assert client.get("/admin/").status_code == 200


def test_without_the_requirement_it_can_be_turned_off_again(people, optional, client):
    device, _codes = enrolled(client, "redaktor")
    log_in(client, "redaktor")
    client.post(VERIFY, {"code": app_code(device)})

    response = client.post(reverse("two_factor:disable"))

    assert goes_to(response, MANAGE)
    assert not TOTPDevice.objects.filter(user__username="redaktor").exists()
    client.post("/admin/logout/")
    assert log_in(client, "redaktor")["Location"] == "/admin/"


# --- Under the production settings themselves --------------------------------------------------------------------


def test_production_settings_refuse_an_organiser_log_in_without_the_second_factor(transactional_db, tmp_path, settings):
    seed_people(seed_home())
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # production's hasher
    organiser = User.objects.get(username="arrangor")
    organiser.set_password(demo_password())
    organiser.save()
    env = production_env(VAR_DIR=str(tmp_path), **database_for_subprocesses(tmp_path))
    csrf = "a" * 32  # Django accepts an unmasked token that matches the cookie

    with asgi_server(env) as url, httpx.Client(base_url=url) as http:
        login = http.post(
            LOGIN,
            data={"username": "arrangor", "password": demo_password(), "csrfmiddlewaretoken": csrf},
            headers={"Cookie": f"csrftoken={csrf}"},
        )
        assert login.status_code == 302
        assert login.headers["Location"].startswith(ENROL)
        session = {"Cookie": f"sessionid={login.cookies['sessionid']}"}
        for address in ["/admin/", "/admin/pages/", "/admin/snippets/"]:
            response = http.get(address, headers=session)
            assert response.status_code == 302 and response.headers["Location"].startswith(ENROL), address
        assert http.get("/api/checkin/lists", headers=session).status_code == 403
