"""The organisers' lists in the admin: attendees, the banquet's dietary needs, invoices and the waiting list, each a
listing with CSV and Excel export, for whoever may see orders."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from tests.factories import EditionFactory, ticket_shop
from tickets.admin import vat_per_rate_text
from tickets.models import Order, WaitingListEntry
from tickets.services.invoices import cancel_invoice_order, place_invoice_order
from tickets.services.orders import cancel_pending, expire_order, reserve, save_attendees, save_buyer, transition
from tickets.services.waiting_list import join_waiting_list

pytestmark = pytest.mark.django_db

ATTENDEES, DIETARY, INVOICES, WAITING = "ticket_attendees", "ticket_dietary", "ticket_invoices", "ticket_waiting_list"
LISTS = (ATTENDEES, DIETARY, INVOICES, WAITING)


# --- Data ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    today = timezone.localdate()
    edition = EditionFactory(year=today.year + 1, starts_on=today + dt.timedelta(days=30))
    return ticket_shop(edition, conference=50, banquet=50)


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


@pytest.fixture
def english(admin):
    """The superuser with the admin in English, so that headings and labels can be compared as written."""
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    return admin


def admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("redaktor", password="x")
    group, _ = Group.objects.get_or_create(name="Redaktörer")
    group.permissions.add(admin_access())
    user.groups.add(group)
    return user


@pytest.fixture
def organiser(django_user_model):
    user = django_user_model.objects.create_user("arrangor", password="x")
    group, _ = Group.objects.get_or_create(name="Arrangörer")
    group.permissions.add(admin_access())
    user.groups.add(group)
    return user


ORGANISATION = {
    "buyer_kind": "organisation",
    "buyer_name": "Kim Kommunsson",
    "buyer_email": "kim@exempelstad.se",
    "organisation_name": "Exempelstads kommun",
    "organisation_number": "212000-1355",
    "invoice_address": "Box 1",
    "invoice_postcode": "411 01",
    "invoice_city": "Exempelstad",
    "reference": "KS-2026-117",
    "payment_method": "invoice",
}
PERSON = {"buyer_kind": "person", "buyer_name": "Bo Berg", "buyer_email": "bo@example.se", "payment_method": "card"}


def person(first_name, last_name, **fields):
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{first_name.lower()}@example.se",
        "organisation": fields.pop("organisation", "Exempelstads kommun"),
        "job_title": fields.pop("job_title", "Samordnare"),
        **fields,
    }


def order_with(shop, quantities, people, *, now=None):
    order = reserve(shop.edition, quantities, now=now)
    return save_attendees(order, people, now=now)


def invoiced(shop, quantities, people):
    order = save_buyer(order_with(shop, quantities, people), ORGANISATION)
    order, invoice = place_invoice_order(order, notify=False)
    return order, invoice


def paid(shop, quantities, people):
    order = save_buyer(order_with(shop, quantities, people), PERSON)
    with transaction.atomic():
        order = transition(order, Order.Status.PAID, actor="test")
    order.stripe_payment_intent = "pi_x"
    order.save(update_fields=["stripe_payment_intent"])
    return order


@pytest.fixture
def orders(shop):
    """One order in each state; only the paid and the invoiced one's attendees come to the conference."""
    conference, banquet = shop.conference_pass.pk, shop.banquet.pk
    paid_order = paid(
        shop,
        {conference: 1, banquet: 1},
        [person("Åsa", "Öberg", dietary_needs="Glutenfri", accessibility_needs="Rullstol")],
    )
    invoiced_order, invoice = invoiced(
        shop,
        {conference: 2, banquet: 1},
        [person("Cecilia", "Citron", dietary_needs="Vegan"), person("Adam", "Andersson", organisation="Polisen")],
    )
    pending = order_with(shop, {conference: 1, banquet: 1}, [person("Petra", "Pending")])
    past = timezone.now() - dt.timedelta(hours=3)
    expired = order_with(shop, {banquet: 1}, [person("Erik", "Expired")], now=past)
    expire_order(expired, now=timezone.now())
    cancelled = order_with(shop, {banquet: 1}, [person("Carl", "Cancelled")])
    cancel_pending(cancelled)
    for order, status in ((pending, "pending"), (expired, "expired"), (cancelled, "canceled")):
        order.refresh_from_db()
        assert order.status == status
    return {"paid": paid_order, "invoiced": invoiced_order, "invoice": invoice}


def export(client, name, fmt="csv", **params):
    response = client.get(reverse(f"{name}:index"), {**params, "export": fmt})
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [["" if value is None else value for value in row] for row in workbook.active.iter_rows(values_only=True)]


def as_text(row):
    """XLSX cells as the CSV writes them."""
    return [value if isinstance(value, str) else str(value) for value in row]


# --- Attendees ----------------------------------------------------------------------------------------------------


def test_the_attendee_export_has_exactly_the_attendees_of_paid_and_invoiced_orders(client, english, shop, orders):
    client.force_login(english)

    header, *rows = export(client, ATTENDEES, edition=shop.edition.pk)

    assert header == [
        "Order code",
        "Status",
        "First name",
        "Last name",
        "Email",
        "Organisation",
        "Title",
        "Ticket types",
        "Dietary needs",
        "Accessibility needs",
    ]
    by_name = {(row[2], row[3]): row for row in rows}
    assert len(rows) == len(by_name) == 3
    assert set(by_name) == {("Åsa", "Öberg"), ("Cecilia", "Citron"), ("Adam", "Andersson")}
    assert by_name["Åsa", "Öberg"] == [
        orders["paid"].code,
        "Paid",
        "Åsa",
        "Öberg",
        "åsa@example.se",
        "Exempelstads kommun",
        "Samordnare",
        "Konferenspass, Bankett",
        "Glutenfri",
        "Rullstol",
    ]
    assert by_name["Cecilia", "Citron"][:2] == [orders["invoiced"].code, "Invoiced"]
    assert by_name["Cecilia", "Citron"][7:9] == ["Konferenspass, Bankett", "Vegan"]
    assert by_name["Adam", "Andersson"][:2] == [orders["invoiced"].code, "Invoiced"]
    assert by_name["Adam", "Andersson"][5] == "Polisen"
    assert by_name["Adam", "Andersson"][7] == "Konferenspass"


def test_the_attendee_export_headings_follow_the_admins_language(client, admin, shop, orders):
    client.force_login(admin)

    response = client.get(reverse(f"{ATTENDEES}:index"), {"export": "csv"})
    header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert header[:2] == [str(translation.gettext("Order code")), str(translation.gettext("Status"))]


def test_the_attendee_listing_shows_the_same_people(client, admin, shop, orders):
    client.force_login(admin)

    response = client.get(reverse(f"{ATTENDEES}:index"))

    assert response.status_code == 200
    names = [attendee.name for attendee in response.context["object_list"]]
    assert names == ["Adam Andersson", "Cecilia Citron", "Åsa Öberg"]  # by last name
    html = response.content.decode()
    for name in ("Petra", "Erik", "Carl"):
        assert name not in html
    assert reverse("ticket_orders:inspect", args=[orders["paid"].pk]) in html


def test_the_attendee_xlsx_has_the_same_rows_as_the_csv(client, admin, shop, orders):
    client.force_login(admin)

    assert export(client, ATTENDEES, "xlsx", edition=shop.edition.pk) == export(
        client, ATTENDEES, edition=shop.edition.pk
    )


def test_the_attendees_of_the_upcoming_edition_are_shown_unless_another_is_chosen(client, admin, shop, orders):
    old_shop = ticket_shop(EditionFactory(year=2020), conference=5, banquet=5)
    old_order, _ = invoiced(old_shop, {old_shop.conference_pass.pk: 1}, [person("Olle", "Gammal")])
    client.force_login(admin)

    default = export(client, ATTENDEES)[1:]
    every = export(client, ATTENDEES, edition="")[1:]
    old = export(client, ATTENDEES, edition=old_shop.edition.pk)[1:]

    assert len(default) == 3 and "Olle" not in {row[2] for row in default}
    assert len(every) == 4
    assert [(row[0], row[2]) for row in old] == [(old_order.code, "Olle")]
    page = client.get(reverse(f"{ATTENDEES}:index"))
    assert not page.context["view"].is_filtering  # the upcoming edition is the default, not a filter
    assert len(page.context["object_list"]) == 3


def test_the_attendee_listing_costs_the_same_queries_for_2_or_10_attendees(client, admin, shop):
    client.force_login(admin)
    url = reverse(f"{ATTENDEES}:index")

    def count(export_format=None):
        params = {"edition": shop.edition.pk, **({"export": export_format} if export_format else {})}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
            if export_format:
                b"".join(response.streaming_content)
        return len(queries)

    invoiced(shop, {shop.conference_pass.pk: 2, shop.banquet.pk: 1}, [person("A", "Ett"), person("B", "Två")])
    two = (count(), count("csv"), count("xlsx"))
    people = [person(f"P{i}", f"Person{i}") for i in range(8)]
    invoiced(shop, {shop.conference_pass.pk: 8, shop.banquet.pk: 4}, people)
    assert len(client.get(url, {"edition": shop.edition.pk}).context["object_list"]) == 10
    ten = (count(), count("csv"), count("xlsx"))

    assert ten == two


# --- The banquet's dietary list -----------------------------------------------------------------------------------


def test_the_dietary_list_has_only_the_banquets_attendees(client, english, shop, orders):
    client.force_login(english)

    header, *rows = export(client, DIETARY, edition=shop.edition.pk)

    assert header == ["Last name", "First name", "Organisation", "Dietary needs", "Tickets with a meal", "Order code"]
    assert [row[:5] for row in rows] == [  # by last name: Adam Andersson has no banquet ticket
        ["Citron", "Cecilia", "Exempelstads kommun", "Vegan", "Bankett"],
        ["Öberg", "Åsa", "Exempelstads kommun", "Glutenfri", "Bankett"],
    ]
    assert export(client, DIETARY, "xlsx", edition=shop.edition.pk) == [header, *rows]


def test_the_dietary_listing_opens(client, admin, shop, orders):
    client.force_login(admin)

    response = client.get(reverse(f"{DIETARY}:index"))

    assert response.status_code == 200
    assert [a.last_name for a in response.context["object_list"]] == ["Citron", "Öberg"]
    assert "Vegan" in response.content.decode()


def test_the_dietary_listing_costs_the_same_queries_for_2_or_10_attendees(client, admin, shop):
    client.force_login(admin)
    url = reverse(f"{DIETARY}:index")

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"edition": shop.edition.pk})
        return len(queries)

    invoiced(shop, {shop.banquet.pk: 2}, [person("A", "Ett"), person("B", "Två")])
    two = count()
    invoiced(shop, {shop.banquet.pk: 8}, [person(f"P{i}", f"Person{i}") for i in range(8)])
    assert len(client.get(url, {"edition": shop.edition.pk}).context["object_list"]) == 10

    assert count() == two


# --- Invoices -----------------------------------------------------------------------------------------------------


def test_the_invoice_export_has_the_invoice_and_its_credit_note(client, admin, english, shop, orders):
    invoice = orders["invoice"]
    _, credit_note = cancel_invoice_order(orders["invoiced"], by=admin)
    client.force_login(admin)

    header, *rows = export(client, INVOICES)

    assert header == [
        "Number",
        "Kind",
        "Credits",
        "Order code",
        "Buyer organisation",
        "Organisation number",
        "Reference",
        "Issued",
        "Due",
        "Total including VAT",
        "VAT per rate",
        "Order status",
    ]
    by_number = {row[0]: row for row in rows}
    assert set(by_number) == {invoice.number, credit_note.number}
    today = timezone.localdate().isoformat()
    assert by_number[invoice.number] == [
        invoice.number,
        "Invoice",
        "",
        orders["invoiced"].code,
        "Exempelstads kommun",
        "212000-1355",
        "KS-2026-117",
        today,
        invoice.due_on.isoformat(),
        "11100.00",
        "25 %: 1,980.00; 12 %: 128.57",
        "Cancelled",
    ]
    assert by_number[credit_note.number][1:4] == ["Credit note", invoice.number, orders["invoiced"].code]
    assert by_number[credit_note.number][9:] == ["-11100.00", "25 %: -1,980.00; 12 %: -128.57", "Cancelled"]


def test_the_vat_per_rate_follows_the_admins_language():
    summary = [{"rate": "25.00", "vat": "1980.00"}, {"rate": "12.00", "vat": "128.57"}]
    with translation.override("sv"):
        assert vat_per_rate_text(summary) == "25 %: 1\xa0980,00; 12 %: 128,57"
    with translation.override("en"):
        assert vat_per_rate_text(summary) == "25 %: 1,980.00; 12 %: 128.57"


def test_the_invoice_xlsx_has_the_same_rows(client, admin, english, shop, orders):
    cancel_invoice_order(orders["invoiced"], by=admin)
    client.force_login(admin)

    csv_rows = export(client, INVOICES)
    xlsx_rows = export(client, INVOICES, "xlsx")

    assert xlsx_rows[0] == csv_rows[0]
    assert len(xlsx_rows) == len(csv_rows) == 3
    for xlsx_row, csv_row in zip(xlsx_rows[1:], csv_rows[1:], strict=True):
        issued, due, total = xlsx_row[7], xlsx_row[8], xlsx_row[9]
        assert isinstance(issued, dt.date) and issued.isoformat()[:10] == csv_row[7]  # a real date in Excel
        assert (due.isoformat()[:10] if due else "") == csv_row[8]
        assert Decimal(str(total)) == Decimal(csv_row[9])  # a number in Excel
        assert as_text(xlsx_row[:7]) == csv_row[:7] and xlsx_row[10:] == csv_row[10:]


def test_the_invoice_listing_links_the_pdf_and_the_order(client, admin, shop, orders):
    client.force_login(admin)

    response = client.get(reverse(f"{INVOICES}:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("ticket_orders:invoice_pdf", args=[orders["invoice"].pk]) in html
    assert reverse("ticket_orders:inspect", args=[orders["invoiced"].pk]) in html


def test_invoices_are_filtered_by_kind(client, admin, shop, orders):
    _, credit_note = cancel_invoice_order(orders["invoiced"], by=admin)
    client.force_login(admin)

    response = client.get(reverse(f"{INVOICES}:index"), {"kind": "credit_note"})

    assert [invoice.number for invoice in response.context["object_list"]] == [credit_note.number]


# --- The waiting list ---------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(shop):
    ada = join_waiting_list(shop.bankett, name="Ada Ek", email="ada@example.se", language="sv")
    bo = join_waiting_list(shop.konferens, name="Bo Berg", email="bo@example.se", language="sv")
    WaitingListEntry.objects.filter(pk=bo.pk).update(status=WaitingListEntry.Status.WITHDRAWN)
    return ada, bo


def test_the_waiting_list_is_listed_and_filtered(client, admin, shop, waiting):
    ada, bo = waiting
    client.force_login(admin)

    everyone = client.get(reverse(f"{WAITING}:index"))
    bankett = client.get(reverse(f"{WAITING}:index"), {"capacity": shop.bankett.pk})
    withdrawn = client.get(reverse(f"{WAITING}:index"), {"status": "withdrawn"})

    assert everyone.status_code == 200
    assert {entry.pk for entry in everyone.context["object_list"]} == {ada.pk, bo.pk}
    assert [entry.pk for entry in bankett.context["object_list"]] == [ada.pk]
    assert [entry.pk for entry in withdrawn.context["object_list"]] == [bo.pk]
    assert "ada@example.se" in everyone.content.decode()


def test_the_waiting_list_is_exported(client, admin, english, shop, waiting):
    client.force_login(admin)

    header, *rows = export(client, WAITING, status="waiting")

    assert header == ["Capacity", "Edition", "Name", "Email", "Status", "Joined", "Offered", "Offer valid until"]
    [row] = rows
    assert row[:5] == ["Bankett", str(shop.edition), "Ada Ek", "ada@example.se", "Waiting"]
    joined = timezone.localtime(waiting[0].created_at).strftime("%Y-%m-%d %H:%M")  # Swedish time
    assert row[5:] == [joined, "", ""]
    xlsx_header, xlsx_row = export(client, WAITING, "xlsx", status="waiting")
    assert xlsx_header == header and xlsx_row[:5] == row[:5]


# --- Who may see the lists ----------------------------------------------------------------------------------------


def test_an_editor_gets_403_on_every_list_and_export(client, editor, shop, orders, waiting):
    client.force_login(editor)

    for name in LISTS:
        for url in (reverse(f"{name}:index"), reverse(f"{name}:index_results")):
            for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
                response = client.get(url, params)
                assert response.status_code == 403, (url, params)
                assert b"Cecilia" not in response.content and b"ada@example.se" not in response.content


def test_the_lists_are_read_only(client, admin, shop, orders):
    client.force_login(admin)
    attendee = orders["paid"].attendees.first()

    for name in LISTS:
        for url in ("new/", f"edit/{attendee.pk}/", f"delete/{attendee.pk}/", f"inspect/{attendee.pk}/"):
            prefix = reverse(f"{name}:index")
            assert client.get(prefix + url).status_code == 404
            assert client.post(prefix + url).status_code == 404


def test_the_organisers_and_view_order_see_the_lists(client, organiser, editor, shop, orders):
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="view_order"))
    for user in (organiser, editor):
        client.force_login(user)
        for name in LISTS:
            assert client.get(reverse(f"{name}:index")).status_code == 200, (user, name)
        assert len(export(client, ATTENDEES)) == 4


def test_the_menu_shows_the_lists_to_organisers_only(client, organiser, editor):
    client.force_login(organiser)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in LISTS:
        assert reverse(f"{name}:index") in html, name

    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in LISTS:
        assert reverse(f"{name}:index") not in html, name
