"""Privacy requests: the export holds exactly one person's data, and the erasure leaves no trace of them outside
the accounting records (which keep amounts, numbers and the buying organisation, not the person)."""

import datetime as dt
import json
from decimal import Decimal
from functools import reduce
from operator import or_

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from events import voting
from events.models import JuryReview, Nomination, NominationAnswer, Vote
from home import privacy
from home.demo import seed_home
from tests.factories import EditionFactory, award_round, checkin_doors, nominee_page
from tickets.models import Attendee, Invoice, Order, Ticket, Voucher, WaitingListEntry
from tickets.services.checkin import redeem
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import reserve, save_attendees, save_buyer, transition
from tickets.services.waiting_list import join_waiting_list, offer_free_places

pytestmark = pytest.mark.django_db

ORGANISATION = "Exempelstads kommun"
AGNES = {"first": "Agnes", "last": "Ahlqvist", "email": "agnes.ahlqvist@exempelstad.se", "phone": "070-111 11 11"}
BERIT = {"first": "Berit", "last": "Bergdahl", "email": "berit.bergdahl@exempelstad.se", "phone": "070-222 22 22"}


def needles(person):
    return [person["first"], person["last"], person["email"], person["phone"]]


# --- Two people with overlapping data -------------------------------------------------------------------------------


def attendee(person, **details):
    return {"first_name": person["first"], "last_name": person["last"], "email": person["email"], **details}


def private_buyer(person, street):
    return {
        "buyer_kind": "person",
        "buyer_name": f"{person['first']} {person['last']}",
        "buyer_email": person["email"],
        "buyer_phone": person["phone"],
        "invoice_address": street,
        "invoice_postcode": "411 01",
        "invoice_city": "Göteborg",
        "payment_method": "card",
    }


def card_order(shop, person, street):
    """`person` buys a day-two pass for themselves as a private person, by card."""
    order = reserve(shop.edition, {shop.day_two.pk: 1})
    save_attendees(order, [attendee(person, organisation=ORGANISATION)])
    save_buyer(order, private_buyer(person, street))
    return transition(order, Order.Status.PAID, actor="test")


def nominate(award, candidate, person, *, status=Nomination.Status.RECEIVED):
    nomination = Nomination.objects.create(
        award=award,
        edition=award.edition,
        status=status,
        candidate_kind="person",
        candidate_name=candidate,
        candidate_organisation="Polisområde Exempel",
        candidate_contact="kandidat@example.org",
        nominator_name=f"{person['first']} {person['last']}",
        nominator_email=person["email"],
        nominator_organisation=ORGANISATION,
        consented_at=timezone.now(),
    )
    for criterion in award.criteria.all():
        NominationAnswer.objects.create(
            nomination=nomination,
            criterion=criterion,
            criterion_title=criterion.title,
            text=f"{candidate} har gjort skillnad.",
        )
    return nomination


def sent_email(person):
    """An email the task queue kept after sending it, as the database backend does in production."""
    message = {"to": [person["email"]], "subject": "Din bokning", "body": f"Hej {person['first']} {person['last']}!"}
    return DBTaskResult.objects.create(
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs={"args": [message], "kwargs": {}},
        task_path=privacy.EMAIL_TASK,
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


@pytest.fixture
def world(django_user_model):
    """Agnes buys for herself and Berit (same organisation, by invoice), each buys a day pass by card, both stand in
    line for the banquet (Agnes has been offered a place), both nominate and vote, and the doors admitted them."""
    today = timezone.localdate()
    edition = EditionFactory(year=today.year + 1, starts_on=today + dt.timedelta(days=30))
    shop, day_one, banquet = checkin_doors(edition)
    shop.bankett.size = 2
    shop.bankett.save()

    together = reserve(edition, {shop.conference_pass.pk: 2, shop.banquet.pk: 2})
    save_attendees(
        together,
        [
            attendee(AGNES, organisation=ORGANISATION, job_title="Trygghetssamordnare", dietary_needs="Vegan"),
            attendee(BERIT, organisation=ORGANISATION, job_title="Säkerhetschef", dietary_needs="Laktosfri"),
        ],
    )
    save_buyer(
        together,
        {
            "buyer_kind": "organisation",
            "buyer_name": f"{AGNES['first']} {AGNES['last']}",
            "buyer_email": AGNES["email"].upper(),  # as typed: matching ignores case
            "buyer_phone": AGNES["phone"],
            "organisation_name": ORGANISATION,
            "organisation_number": "212000-1355",
            "invoice_address": "Box 100",
            "invoice_postcode": "411 10",
            "invoice_city": "Göteborg",
            "reference": f"{AGNES['first']} {AGNES['last']}",
            "payment_method": "invoice",
        },
    )
    together, organisation_invoice = place_invoice_order(together, notify=False)
    agnes_alone = card_order(shop, AGNES, "Lillgatan 1")
    berit_alone = card_order(shop, BERIT, "Storgatan 2")
    # The shop invoices organisations only; an invoice to a private person (issued by hand) follows the same rule.
    private_invoice = Invoice.objects.create(
        order=agnes_alone,
        number="TS-9001",
        buyer={
            "name": f"{AGNES['first']} {AGNES['last']}",
            "contact": f"{AGNES['first']} {AGNES['last']}",
            "email": AGNES["email"],
            "organisation_number": "",
            "address": "Lillgatan 1",
            "postcode": "411 01",
            "city": "Göteborg",
            "reference": "",
            "peppol_id": "",
        },
        lines=[{"description": "Dagpass dag 2", "quantity": 1, "unit_price": "2950.00", "amount": "2950.00"}],
        total=agnes_alone.total,
    )

    def ticket(person, ticket_type, order=together):
        return Ticket.objects.get(order=order, attendee__email=person["email"], ticket_type=ticket_type)

    redeem(ticket(AGNES, shop.conference_pass).secret, day_one)
    redeem(ticket(BERIT, shop.conference_pass).secret, day_one)
    redeem(ticket(AGNES, shop.banquet).secret, banquet)

    # Sold out: both stand in line, then a place frees up and goes to Agnes, first in line.
    agnes_waits = join_waiting_list(shop.bankett, name="Agnes Ahlqvist", email=AGNES["email"], language="sv")
    join_waiting_list(shop.bankett, name="Berit Bergdahl", email=BERIT["email"], language="sv")
    shop.bankett.size = 3
    shop.bankett.save()
    offer_free_places(shop.bankett)
    agnes_waits.refresh_from_db()
    assert agnes_waits.status == WaitingListEntry.Status.OFFERED

    award = award_round(seed_home(), edition=edition, phase="judging", public_vote=True)
    first, second = nominee_page(award, "Kim Kandidat"), nominee_page(award, "Lo Lokal")
    unseen = nominate(award, "Mo Modig", AGNES)
    reviewed = nominate(award, "Kim Kandidat", AGNES, status=Nomination.Status.SHORTLISTED)
    nominate(award, "Lo Lokal", BERIT)
    now = timezone.now()
    Vote.objects.create(award=award, edition=edition, nominee=first, email=AGNES["email"], confirmed_at=now)
    Vote.objects.create(award=award, edition=edition, nominee=second, email=AGNES["email"])  # never confirmed
    Vote.objects.create(award=award, edition=edition, nominee=first, email=BERIT["email"], confirmed_at=now)

    sent_email(AGNES)
    sent_email(BERIT)
    organiser = django_user_model.objects.create_user("arrangor", password="x")
    organiser.groups.add(organiser_group())
    return {
        "shop": shop,
        "award": award,
        "together": together,
        "agnes_alone": agnes_alone,
        "berit_alone": berit_alone,
        "organisation_invoice": organisation_invoice,
        "private_invoice": private_invoice,
        "offer": agnes_waits.voucher,
        "unseen": unseen,
        "reviewed": reviewed,
        "organiser": organiser,
    }


def organiser_group():
    group, _ = Group.objects.get_or_create(name="Arrangörer")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


def text_hits(*texts):
    """(model, pk, text) for every text column (char, text, JSON) of every model of our apps that contains one of
    `texts`, and for Wagtail's log."""
    hits = []
    models_ = [model for label in ("tickets", "events", "home") for model in apps.get_app_config(label).get_models()]
    for model in [*models_, ModelLogEntry]:
        columns = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for text in texts:
            found = model.objects.filter(reduce(or_, (Q(**{f"{column}__icontains": text}) for column in columns)))
            hits += [(model.__name__, pk, text) for pk in found.values_list("pk", flat=True)]
    return hits


def without_moment(data):
    return {key: value for key, value in data.items() if key != "exported_at"}


# --- The export -----------------------------------------------------------------------------------------------------


def test_the_export_holds_all_of_one_persons_data_and_nothing_of_anyone_elses(world):
    data = privacy.personal_data("  Agnes.Ahlqvist@EXEMPELSTAD.se ")
    text = json.dumps(data, ensure_ascii=False)

    assert {order["code"] for order in data["orders"]} == {world["together"].code, world["agnes_alone"].code}
    together = next(order for order in data["orders"] if order["code"] == world["together"].code)
    assert together["buyer"]["buyer_phone"] == AGNES["phone"]
    assert together["attendees"] == 2  # Berit is counted, not named
    assert {(line["ticket_type"], line["quantity"]) for line in together["tickets"]} == {
        ("Konferenspass", 2),
        ("Bankett", 2),
    }
    assert [(a["order"], a["dietary_needs"]) for a in data["attendees"]] == [
        (world["together"].code, "Vegan"),
        (world["agnes_alone"].code, ""),
    ]
    checkins = [
        (ticket["ticket_type"], checkin["list"], checkin["result"])
        for ticket in data["attendees"][0]["tickets"]
        for checkin in ticket["checkins"]
    ]
    assert sorted(checkins) == [("Bankett", "Bankett", "ok"), ("Konferenspass", "Konferens dag 1", "ok")]
    assert {invoice["number"] for invoice in data["invoices"]} == {world["organisation_invoice"].number, "TS-9001"}
    assert [(entry["capacity"], entry["status"]) for entry in data["waiting_list"]] == [("Bankett", "offered")]
    assert {n["candidate_name"] for n in data["nominations"]} == {"Mo Modig", "Kim Kandidat"}
    assert sorted((vote["nominee"], vote["confirmed_at"] is not None) for vote in data["votes"]) == [
        ("Kim Kandidat", True),
        ("Lo Lokal", False),
    ]
    for text_of_agnes in needles(AGNES):
        assert text_of_agnes in text
    for text_of_berit in [*needles(BERIT), "Laktosfri", "Storgatan"]:
        assert text_of_berit not in text
    # No secret that opens a door or an order, no offer code, and nobody else's contact details.
    for secret in Ticket.objects.values_list("secret", flat=True):
        assert secret not in text
    for secret in Order.objects.values_list("secret", flat=True):
        assert secret not in text
    assert world["offer"].code not in text
    assert "kandidat@example.org" not in text


def test_the_export_of_an_address_nothing_is_held_about_is_empty(world):
    data = privacy.personal_data("nobody@example.org")

    assert all(value == [] for key, value in data.items() if key not in ("email", "exported_at"))


# --- The erasure ----------------------------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_outside_the_accounting_records_and_leaves_the_other_person_alone(world):
    berit_before = without_moment(privacy.personal_data(BERIT["email"]))
    counted_before = {result.nominee.title: result.votes for result in voting.vote_results(world["award"])}
    assert text_hits(*needles(AGNES))  # the search finds her before

    done = privacy.erase(AGNES["email"].title(), actor=world["organiser"])

    assert done.deleted == {"waiting_list": 1, "nominations": 1, "votes": 1, "emails": 1}
    assert done.anonymised == {
        "orders": 2,
        "invoices": 2,
        "attendees": 2,
        "checkins": 2,
        "nominations": 1,
        "votes": 1,
        "vouchers": 1,
    }
    assert text_hits(*needles(AGNES)) == []

    # What the accounting keeps: the organisation's invoice as the organisation's, a private invoice without her.
    organisation_invoice = Invoice.objects.get(pk=world["organisation_invoice"].pk)
    assert organisation_invoice.buyer == {
        **world["organisation_invoice"].buyer,
        "contact": "–",
        "email": "",
        "reference": "",
    }
    assert (organisation_invoice.number, organisation_invoice.total) == (
        world["organisation_invoice"].number,
        world["together"].total,
    )
    assert organisation_invoice.buyer["name"] == ORGANISATION
    assert organisation_invoice.buyer["organisation_number"] == "212000-1355"
    private_invoice = Invoice.objects.get(number="TS-9001")
    assert (private_invoice.total, private_invoice.lines) == (Decimal("2950.00"), world["private_invoice"].lines)
    assert {key: private_invoice.buyer[key] for key in ("name", "contact", "email", "address", "postcode")} == {
        "name": "–",
        "contact": "–",
        "email": "",
        "address": "",
        "postcode": "",
    }
    together = Order.objects.get(pk=world["together"].pk)
    assert (together.organisation_name, together.organisation_number, together.invoice_address) == (
        ORGANISATION,
        "212000-1355",
        "Box 100",
    )
    assert (together.total, together.status, together.buyer_name) == (world["together"].total, "invoiced", "–")
    alone = Order.objects.get(pk=world["agnes_alone"].pk)
    assert (alone.total, alone.status, alone.buyer_name, alone.invoice_address) == (Decimal("2950.00"), "paid", "–", "")
    assert Ticket.objects.filter(order=together).count() == 4  # the sales and the doors' head count stay

    # The rest: deleted, or kept without her.
    assert not Nomination.objects.filter(pk=world["unseen"].pk).exists()
    reviewed = Nomination.objects.get(pk=world["reviewed"].pk)
    assert (reviewed.candidate_name, reviewed.nominator_name, reviewed.nominator_email) == ("Kim Kandidat", "–", "")
    assert {result.nominee.title: result.votes for result in voting.vote_results(world["award"])} == counted_before
    offer = Voucher.objects.get(pk=world["offer"].pk)
    assert offer.valid_until <= timezone.now()
    assert offer.note == "Waiting list: –"
    assert DBTaskResult.objects.count() == 1  # Berit's

    # Berit's data is as it was, but for the place Agnes no longer waits for: it is offered to Berit, next in line.
    berit_after = without_moment(privacy.personal_data(BERIT["email"]))
    assert [entry["status"] for entry in berit_after["waiting_list"]] == ["offered"]
    berit_before["waiting_list"] = berit_after["waiting_list"] = None
    assert berit_after == berit_before
    assert Attendee.objects.get(email=BERIT["email"], order=together).dietary_needs == "Laktosfri"


def test_the_log_says_who_erased_how_much_without_the_address(world):
    done = privacy.erase(AGNES["email"], actor=world["organiser"])

    summary = ModelLogEntry.objects.get(action=privacy.ERASED_ACTION)
    assert (summary.user_id, summary.data["reference"]) == (world["organiser"].pk, done.reference)
    assert summary.data["deleted"]["votes"] == 1
    assert summary.data["reference"] == privacy.reference(AGNES["email"].upper())  # the same address, the same ref
    orders = ModelLogEntry.objects.filter(action=privacy.ANONYMISED_ACTION, content_type__model="order")
    assert set(orders.values_list("object_id", flat=True)) == {
        str(world["together"].pk),
        str(world["agnes_alone"].pk),
    }
    assert text_hits(*needles(AGNES)) == []  # the log included


def test_erasing_again_finds_nothing(world):
    privacy.erase(AGNES["email"], actor=world["organiser"])

    again = privacy.erase(AGNES["email"], actor=world["organiser"])

    assert again.total == 0
    assert privacy.plan_erasure(AGNES["email"]).total == 0
    data = privacy.personal_data(AGNES["email"])
    assert all(value == [] for key, value in data.items() if key not in ("email", "exported_at"))


def test_the_plan_says_what_the_erasure_will_do_and_changes_nothing(world):
    plan = privacy.plan_erasure(AGNES["email"])

    assert plan.anonymised["orders"] == 2
    assert plan.deleted["waiting_list"] == 1
    assert Order.objects.get(pk=world["together"].pk).buyer_phone == AGNES["phone"]


def test_a_reviewed_nomination_stays_anonymised_even_while_received(world):
    """A jury review makes a nomination part of the award's record, whatever its status."""
    unseen = world["unseen"]
    juror = Group.objects.get(name="Arrangörer").user_set.first()
    JuryReview.objects.create(nomination=unseen, juror=juror, submitted_at=timezone.now())

    done = privacy.erase(AGNES["email"], actor=world["organiser"])

    assert (done.deleted["nominations"], done.anonymised["nominations"]) == (0, 2)
    assert Nomination.objects.get(pk=unseen.pk).nominator_email == ""


def test_the_erasure_is_one_transaction(world, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the lights went out")

    monkeypatch.setattr("tickets.services.waiting_list.offer_free_places", fail)

    with pytest.raises(RuntimeError):
        privacy.erase(AGNES["email"], actor=world["organiser"])

    assert Order.objects.get(pk=world["together"].pk).buyer_name == "Agnes Ahlqvist"
    assert Vote.objects.filter(email=AGNES["email"]).count() == 2
    assert not ModelLogEntry.objects.filter(action=privacy.ERASED_ACTION).exists()


# --- The admin page -------------------------------------------------------------------------------------------------

URL = "privacy_requests"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("redaktor", password="x")
    group, _ = Group.objects.get_or_create(name="Redaktörer")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user


def test_editors_may_not_use_the_page(client, world, editor):
    client.force_login(editor)

    assert client.get(reverse(URL)).status_code == 403
    response = client.post(reverse(URL), {"email": AGNES["email"], "action": "export"})
    assert response.status_code == 403
    response = client.post(reverse(URL), {"email": AGNES["email"], "action": "erase", "confirm": "on"})
    assert response.status_code == 403
    assert Order.objects.get(pk=world["together"].pk).buyer_email == AGNES["email"].upper()


def test_organisers_and_whoever_may_change_orders_use_the_page(client, world, django_user_model):
    client.force_login(world["organiser"])
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert reverse(URL).encode() in client.get(reverse("wagtailadmin_home")).content  # in the Settings menu

    clerk = django_user_model.objects.create_user("kassor", password="x")
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="tickets", codename="change_order"),
    )
    client.force_login(clerk)
    assert client.get(reverse(URL)).status_code == 200


def test_the_export_is_a_json_download_that_is_not_stored(client, world):
    client.force_login(world["organiser"])

    response = client.post(reverse(URL), {"email": AGNES["email"], "action": "export"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="personuppgifter-{today}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert without_moment(data) == without_moment(privacy.personal_data(AGNES["email"]))
    assert ModelLogEntry.objects.filter(action=privacy.EXPORTED_ACTION, user_id=world["organiser"].pk).exists()


def test_an_address_in_the_query_string_exports_nothing(client, world):
    client.force_login(world["organiser"])

    response = client.get(reverse(URL), {"email": AGNES["email"], "action": "export"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert AGNES["phone"].encode() not in response.content


def test_erasing_shows_what_will_happen_then_asks_for_confirmation(client, world):
    client.force_login(world["organiser"])

    review = client.post(reverse(URL), {"email": AGNES["email"], "action": "review"})
    assert review.status_code == 200
    assert b'data-anonymised="2"' in review.content and b'data-deleted="1"' in review.content
    assert "no-store" in review["Cache-Control"]
    unconfirmed = client.post(reverse(URL), {"email": AGNES["email"], "action": "erase"})
    assert unconfirmed.status_code == 200
    assert Order.objects.get(pk=world["together"].pk).buyer_name == "Agnes Ahlqvist"  # nothing done yet

    done = client.post(reverse(URL), {"email": AGNES["email"], "action": "erase", "confirm": "on"})

    assert done.status_code == 200
    assert privacy.reference(AGNES["email"]).encode() in done.content
    assert Order.objects.get(pk=world["together"].pk).buyer_name == "–"
    assert ModelLogEntry.objects.filter(action=privacy.ERASED_ACTION, user_id=world["organiser"].pk).exists()


def test_erasing_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["organiser"])
    page = client.get(reverse(URL))
    token = page.cookies["csrftoken"].value

    refused = client.post(reverse(URL), {"email": AGNES["email"], "action": "erase", "confirm": "on"})
    assert refused.status_code == 403
    assert Order.objects.get(pk=world["together"].pk).buyer_name == "Agnes Ahlqvist"

    data = {"email": AGNES["email"], "action": "erase", "confirm": "on", "csrfmiddlewaretoken": token}
    assert client.post(reverse(URL), data).status_code == 200
    assert Order.objects.get(pk=world["together"].pk).buyer_name == "–"
