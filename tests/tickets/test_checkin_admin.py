"""Check-in lists and scanner devices in the admin: a new device's token is shown once and works, a revoked one
does not, and only organisers manage them."""

import base64
import io
import re

import pytest
import zxingcpp
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import EditionFactory, ticket_shop
from tickets.models import CheckinList, ScannerDevice
from tickets.services.checkin import device_for_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


def test_adding_a_device_shows_its_token_once_and_the_token_works(client, admin):
    edition = EditionFactory()
    client.force_login(admin)
    form = client.get(reverse("scanner_devices:add"))
    assert b'name="name"' in form.content and b"device-token" not in form.content  # the form, not a token page

    response = client.post(reverse("scanner_devices:add"), {"edition": edition.pk, "name": "Dörr A"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'id="device-token" type="text" readonly value="([^"]+)"', response.content.decode()).group(1)
    device = ScannerDevice.objects.get()
    assert device_for_token(token) == device
    assert token not in client.get(reverse("scanner_devices:edit", args=[device.pk])).content.decode()

    # A phone pairs by scanning the page's QR code: the scanner page's address with the token in its fragment.
    pairing_qr = re.search(r'<img src="data:image/png;base64,([^"]+)"[^>]*data-pairing-qr', response.content.decode())
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(pairing_qr.group(1)))))
    assert code.text == f"http://testserver/scan/#token={token}"
    assert f'href="{code.text}" data-pairing-link' in response.content.decode()


def test_door_staff_find_the_scanner_in_the_admin_menu_and_editors_do_not(client, admin, django_user_model):
    client.force_login(admin)
    assert '"url": "/scan/"' in client.get(reverse("wagtailadmin_home")).content.decode()  # the sidebar's data
    editor = django_user_model.objects.create_user("redaktor", "redaktor@example.org", "x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert '"url": "/scan/"' not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_revoked_device_stops_working(client, admin):
    edition = EditionFactory()
    device, token = ScannerDevice.create_with_token(edition=edition, name="Dörr A")
    client.force_login(admin)

    client.post(
        reverse("scanner_devices:edit", args=[device.pk]),
        {"edition": edition.pk, "name": "Dörr A", "revoked_at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )

    device.refresh_from_db()
    assert device.revoked_at is not None
    assert device_for_token(token) is None


def test_check_in_lists_are_listed_with_expected_and_arrived(client, admin):
    shop = ticket_shop(EditionFactory())
    checkin_list = CheckinList.objects.create(edition=shop.edition, name="Bankett")
    checkin_list.ticket_types.set([shop.banquet])
    client.force_login(admin)

    response = client.get(reverse("checkin_lists:index"))

    assert response.status_code == 200
    assert "Bankett" in response.content.decode()


def test_editors_cannot_manage_devices(client, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("redaktor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)

    assert client.get(reverse("scanner_devices:add")).status_code in (302, 403)
    assert client.get(reverse("scanner_devices:index")).status_code in (302, 403)


def test_the_listing_counts_as_the_doors_do(client, admin):
    from tickets.models import Order
    from tickets.services.checkin import list_status, redeem
    from tickets.services.orders import reserve, transition

    shop = ticket_shop(EditionFactory())
    checkin_list = CheckinList.objects.create(edition=shop.edition, name="Konferens dag 1")
    checkin_list.ticket_types.set([shop.conference_pass, shop.day_one])
    paid = [reserve(shop.edition, {shop.conference_pass.pk: 2}) for _ in range(2)]
    for order in paid:
        transition(order, Order.Status.PAID, actor="test")
    reserve(shop.edition, {shop.day_one.pk: 1})  # pending: not expected
    for ticket in paid[0].tickets.all():
        redeem(ticket.secret, checkin_list)
        redeem(ticket.secret, checkin_list)  # a duplicate is not a second arrival
    client.force_login(admin)

    [row] = client.get(reverse("checkin_lists:index")).context["object_list"]

    assert (
        {"expected": row.expected, "arrived": row.arrived, "not_arrived": 2}
        == list_status(checkin_list)
        == {"expected": 4, "arrived": 2, "not_arrived": 2}
    )
