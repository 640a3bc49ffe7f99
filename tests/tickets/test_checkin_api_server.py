"""The check-in API as it runs in production: granian serving the ASGI application with the production settings on
this test's PostgreSQL database. Twenty doors post the same ticket at the same instant; exactly one gets `ok`.

The server is another process, so the test commits its data (a transactional test) and points the server at the
test database itself.
"""

import threading
from urllib.parse import quote

import httpx
import pytest
from django.db import connection

from tests.factories import EditionFactory, ticket_shop
from tests.servers import asgi_server, production_env
from tickets.models import Checkin, CheckinList, Order, ScannerDevice
from tickets.services.orders import reserve, save_attendees, transition

DOORS = 20


def server_database_url():
    """The URL of the database this test runs on (NAME is the test database's)."""
    database = connection.settings_dict
    credentials = quote(database["USER"] or "") + (":" + quote(database["PASSWORD"]) if database["PASSWORD"] else "")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(database['NAME'])}"


def paid_conference_ticket(shop):
    order = reserve(shop.edition, {shop.conference_pass.pk: 1})
    save_attendees(order, [{"first_name": "Åsa", "last_name": "Öberg", "organisation": "Exempelstads kommun"}])
    transition(order, Order.Status.PAID, actor="test")
    return order.tickets.get()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_doors_posting_one_ticket_at_the_same_instant_admit_it_once(tmp_path):
    shop = ticket_shop(EditionFactory())
    day_one = CheckinList.objects.create(edition=shop.edition, name="Konferens dag 1")
    day_one.ticket_types.set([shop.conference_pass])
    secret = paid_conference_ticket(shop).secret
    device, token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    env = production_env(DATABASE_URL=server_database_url(), VAR_DIR=str(tmp_path / "var"), REDIS_URL=None)
    start = threading.Barrier(DOORS)
    responses = [None] * DOORS

    with asgi_server(env) as url:
        headers = {"Authorization": f"Bearer {token}"}
        listed = httpx.get(f"{url}/api/checkin/lists", headers=headers, timeout=10)
        anonymous = httpx.post(f"{url}/api/checkin/redeem", json={"secret": secret, "list": "1"}, timeout=10)

        def scan(index):
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                body = {"secret": secret, "list": str(day_one.pk), "nonce": f"door-{index}"}
                start.wait(timeout=30)
                responses[index] = client.post("/api/checkin/redeem", json=body)

        threads = [threading.Thread(target=scan, args=(index,)) for index in range(DOORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)

    assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [day_one.pk]
    assert "no-store" in listed.headers["cache-control"]
    assert anonymous.status_code == 401
    assert all(response is not None for response in responses), "a door got no answer"
    assert [response.status_code for response in responses] == [200] * DOORS
    statuses = sorted(response.json()["status"] for response in responses)
    assert statuses == ["already_checked_in"] * (DOORS - 1) + ["ok"]
    admitted_at = {response.json()["checked_in_at"] for response in responses}
    assert len(admitted_at) == 1  # every refusal names the one admission
    assert Checkin.objects.filter(result="ok").count() == 1
    assert Checkin.objects.filter(device=device).count() == DOORS
