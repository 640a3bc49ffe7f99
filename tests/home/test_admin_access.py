import pytest
from wagtail.models import Page

from home.demo import demo_password

pytestmark = pytest.mark.django_db

CAN_EDIT_PAGES = ["admin", "redaktor", "arrangor"]
CANNOT_EDIT_PAGES = ["entre", "jury"]


def log_in(client, username):
    response = client.post("/admin/login/", {"username": username, "password": demo_password()})
    assert response.status_code == 302, f"{username} could not log in"
    return client


@pytest.mark.parametrize("username", CAN_EDIT_PAGES + CANNOT_EDIT_PAGES)
def test_each_demo_user_can_log_in_to_the_admin(demo_site, client, username):
    log_in(client, username)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["request"].user.username == username


@pytest.mark.parametrize("username", CAN_EDIT_PAGES)
def test_editors_and_organisers_can_edit_pages(demo_site, client, username):
    home = Page.objects.get(depth=2, locale__language_code="sv")
    log_in(client, username)

    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200


@pytest.mark.parametrize("username", CANNOT_EDIT_PAGES)
def test_door_staff_and_jury_cannot_edit_pages(demo_site, client, username):
    home = Page.objects.get(depth=2, locale__language_code="sv")
    log_in(client, username)

    response = client.get(f"/admin/pages/{home.pk}/edit/")

    assert response.status_code in {302, 403}
    assert client.get("/admin/pages/").status_code in {302, 403}


def test_wrong_password_is_refused(demo_site, client):
    response = client.post("/admin/login/", {"username": "redaktor", "password": "fel-lösenord"})

    assert response.status_code == 200
    assert not response.context["request"].user.is_authenticated


def test_only_organisers_can_change_site_settings(demo_site, client):
    log_in(client, "redaktor")
    refused = client.get("/admin/settings/home/sitesettings/", follow=True)
    assert "Site settings" not in refused.text and "Webbplatsinställningar" not in refused.text

    client.logout()
    log_in(client, "arrangor")
    allowed = client.get("/admin/settings/home/sitesettings/", follow=True)
    assert allowed.status_code == 200
    assert allowed.context["form"] is not None
