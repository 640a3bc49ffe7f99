"""The organisers' side of check-in: each list's arrivals (counts and a chart of admissions per ten minutes, in
Stockholm time), the tickets not yet arrived as a listing with CSV and Excel export, and the name badges as a PDF
whose QR codes scan at the door; for whoever may view check-in lists, never cached."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
import zxingcpp
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from wagtail.users.models import UserProfile

from tests.factories import EditionFactory, at, ticket_shop
from tickets.admin.arrivals import NotArrivedIndexView
from tickets.badges import badges_pdf, fit_text
from tickets.invoice_pdf import FONT_BOLD
from tickets.models import CheckinList, Order, Ticket
from tickets.services.checkin import redeem
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import cancel_pending, reserve, save_attendees, save_buyer, transition

pytestmark = pytest.mark.django_db

DAY = dt.date(2040, 10, 9)


# --- Data ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    return ticket_shop(EditionFactory(year=DAY.year, starts_on=DAY, ends_on=DAY + dt.timedelta(days=1)))


@pytest.fixture
def banquet(shop):
    checkin_list = CheckinList.objects.create(edition=shop.edition, name="Bankett")
    checkin_list.ticket_types.set([shop.banquet])
    return checkin_list


def person(first_name, last_name, organisation="Exempelstads kommun"):
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{first_name.lower()}@example.se",
        "organisation": organisation,
    }


def ordered(shop, ticket_type, people):
    order = reserve(shop.edition, {ticket_type.pk: len(people)})
    return save_attendees(order, people)


def paid(shop, ticket_type, people):
    order = ordered(shop, ticket_type, people)
    with transaction.atomic():
        return transition(order, Order.Status.PAID, actor="test")


def invoiced(shop, ticket_type, people):
    order = save_buyer(
        ordered(shop, ticket_type, people),
        {
            "buyer_kind": "organisation",
            "buyer_name": "Kim Kommunsson",
            "buyer_email": "kim@exempelstad.se",
            "organisation_name": "Exempelstads kommun",
            "organisation_number": "212000-1355",
            "invoice_address": "Box 1",
            "invoice_postcode": "411 01",
            "invoice_city": "Exempelstad",
            "payment_method": "invoice",
        },
    )
    return place_invoice_order(order, notify=False)[0]


def tickets_of(order):
    """The order's tickets by attendee position."""
    return list(order.tickets.select_related("attendee").order_by("attendee__position"))


def admit(ticket, checkin_list, hhmm, day=DAY):
    answer = redeem(ticket.secret, checkin_list, now=at(day, hhmm))
    assert answer["status"] == "ok", answer
    return answer


@pytest.fixture
def banquet_guests(shop, banquet):
    """Four paid and two invoiced guests of the banquet; a pending and a cancelled order, whose guests are not
    expected; a conference ticket, which the banquet does not admit."""
    paid_order = paid(
        shop,
        shop.banquet,
        [person("Åsa", "Öberg"), person("Bo", "Berg"), person("Cecilia", "Citron"), person("Dan", "Dahl")],
    )
    invoiced_order = invoiced(shop, shop.banquet, [person("Eva", "Ek", "Polisen"), person("Filip", "Fors", "Polisen")])
    ordered(shop, shop.banquet, [person("Petra", "Pending")])
    cancel_pending(ordered(shop, shop.banquet, [person("Carl", "Cancelled")]))
    paid(shop, shop.conference_pass, [person("Konrad", "Konferens")])
    return tickets_of(paid_order) + tickets_of(invoiced_order)


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


@pytest.fixture
def english(admin):
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    return admin


def admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@pytest.fixture
def door_staff(django_user_model):
    user = django_user_model.objects.create_user("entre", password="x")
    group, _ = Group.objects.get_or_create(name="Entrépersonal")
    group.permissions.add(
        admin_access(), Permission.objects.get(content_type__app_label="tickets", codename="view_checkinlist")
    )
    user.groups.add(group)
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("redaktor", password="x")
    user.user_permissions.add(admin_access())
    return user


def url(name, checkin_list):
    return reverse(f"checkin_lists:{name}", args=[checkin_list.pk])


def page(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content.decode(), "html.parser")


def export(client, checkin_list, fmt):
    response = client.get(url("not_arrived", checkin_list), {"export": fmt})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [["" if value is None else value for value in row] for row in workbook.active.iter_rows(values_only=True)]


def qr_codes(pdf_page):
    codes = []
    for image in pdf_page.images:
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
        codes += [code.text for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]
    return codes


# --- Arrivals -----------------------------------------------------------------------------------------------------


def test_the_arrivals_page_counts_the_expected_the_arrived_and_the_rest(client, admin, banquet, banquet_guests):
    admit(banquet_guests[0], banquet, "18:02")
    admit(banquet_guests[4], banquet, "18:05")  # an invoiced guest
    redeem(banquet_guests[0].secret, banquet, now=at(DAY, "18:20"))  # a second scan is no second arrival
    client.force_login(admin)

    response = client.get(url("arrivals", banquet))

    html = page(response)
    counts = {box["data-count"]: int(box.dd.get_text()) for box in html.select(".arrivals-counts > div")}
    assert counts == {"expected": 6, "arrived": 2, "not_arrived": 4}
    assert "no-store" in response["Cache-Control"]


def test_the_chart_has_a_bar_for_every_ten_minutes_in_stockholm_time(client, admin, banquet, banquet_guests):
    for ticket, hhmm in zip(banquet_guests, ["18:01", "18:09", "18:25", "18:39", "18:30"], strict=False):
        admit(ticket, banquet, hhmm)
    redeem(banquet_guests[0].secret, banquet, now=at(DAY, "18:12"))  # refused: already in
    profile = UserProfile.get_for_user(admin)
    profile.current_time_zone = "America/New_York"  # the doors are in Sweden, whatever the admin's own zone
    profile.save()
    client.force_login(admin)

    html = page(client.get(url("arrivals", banquet)))

    [svg] = html.select("svg.arrivals-chart")
    bars = [(bar["data-start"], int(bar["data-count"]), int(bar["data-total"])) for bar in svg.select("rect")]
    assert bars == [("18:00", 2, 2), ("18:10", 0, 2), ("18:20", 1, 3), ("18:30", 2, 5)]
    heights = {start: float(bar["height"]) for bar, (start, _, _) in zip(svg.select("rect"), bars, strict=True)}
    assert heights["18:00"] == heights["18:30"] == pytest.approx(2 * heights["18:20"])
    assert heights["18:10"] == 0
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in html.select("table tbody tr")]
    assert rows == [["18:00–18:10", "2", "2"], ["18:20–18:30", "1", "3"], ["18:30–18:40", "2", "5"]]


def test_the_chart_says_what_it_shows_to_screen_readers(client, admin, banquet, banquet_guests):
    admit(banquet_guests[0], banquet, "18:01")
    admit(banquet_guests[1], banquet, "18:03")
    admit(banquet_guests[2], banquet, "18:44")
    client.force_login(admin)

    html = page(client.get(url("arrivals", banquet)))

    [svg] = html.select("svg.arrivals-chart")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.find("title", id=title_id).get_text()
    description = svg.find("desc", id=desc_id).get_text()
    for fact in ("3", "18:00", "18:50", "18:00–18:10"):  # in all, from, to, and the busiest ten minutes
        assert fact in description
    assert html.find("h2", id=html.select_one("section.arrivals-day")["aria-labelledby"])
    assert html.select_one("table caption").get_text() == svg.title.get_text()


def test_each_day_gets_a_chart_and_the_total_runs_on(client, admin, shop, banquet_guests):
    both_days = CheckinList.objects.create(edition=shop.edition, name="Garderob", allow_reentry=True)
    both_days.ticket_types.set([shop.banquet])
    admit(banquet_guests[0], both_days, "23:55")
    admit(banquet_guests[1], both_days, "00:15", day=DAY + dt.timedelta(days=1))
    admit(banquet_guests[1], both_days, "00:16", day=DAY + dt.timedelta(days=1))  # re-entry: admitted again
    client.force_login(admin)

    html = page(client.get(url("arrivals", both_days)))

    charts = html.select("section.arrivals-day")
    assert len(charts) == 2
    first, second = ([(bar["data-start"], bar["data-total"]) for bar in chart.select("rect")] for chart in charts)
    assert first == [("23:50", "1")]
    assert second == [("00:10", "3")]


def test_a_list_nobody_has_arrived_at_has_no_chart(client, admin, banquet, banquet_guests):
    client.force_login(admin)

    html = page(client.get(url("arrivals", banquet)))

    assert not html.select("svg.arrivals-chart")
    assert int(html.select_one("[data-count=not_arrived] dd").get_text()) == 6


def test_the_arrivals_page_costs_the_same_queries_for_2_or_20_admissions(client, admin, shop, banquet):
    people = [person(f"Gäst{i}", f"Gästsson{i}") for i in range(20)]
    guests = tickets_of(paid(shop, shop.banquet, people[:10])) + tickets_of(paid(shop, shop.banquet, people[10:]))
    client.force_login(admin)
    client.get(url("arrivals", banquet))  # the session, the profile and the menu settle

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("arrivals", banquet))
        assert response.status_code == 200
        return len(captured)

    for minute, ticket in enumerate(guests[:2]):
        admit(ticket, banquet, f"18:{minute:02}")
    two = queries()
    for minute, ticket in enumerate(guests[2:], start=2):
        admit(ticket, banquet, f"18:{minute * 3:02}")

    assert queries() == two
    with CaptureQueriesContext(connection) as captured:
        client.get(url("arrivals", banquet))
    ours = [query["sql"] for query in captured if "tickets_" in query["sql"]]
    assert len(ours) == 3  # the list, the counts, the scan times


# --- Not arrived --------------------------------------------------------------------------------------------------


def test_the_not_arrived_export_has_exactly_the_unarrived_attendees_of_confirmed_orders(
    client, english, banquet, banquet_guests
):
    admit(banquet_guests[0], banquet, "18:00")
    admit(banquet_guests[5], banquet, "18:01")
    client.force_login(english)

    header, *rows = export(client, banquet, "csv")

    assert header == ["First name", "Last name", "Email", "Organisation", "Ticket type", "Order code"]
    codes = {ticket.attendee.first_name: ticket.order.code for ticket in banquet_guests}
    assert rows == [  # by last name
        ["Bo", "Berg", "bo@example.se", "Exempelstads kommun", "Banquet", codes["Bo"]],
        ["Cecilia", "Citron", "cecilia@example.se", "Exempelstads kommun", "Banquet", codes["Cecilia"]],
        ["Dan", "Dahl", "dan@example.se", "Exempelstads kommun", "Banquet", codes["Dan"]],
        ["Eva", "Ek", "eva@example.se", "Polisen", "Banquet", codes["Eva"]],
    ]
    assert export(client, banquet, "xlsx") == [header, *rows]


def test_the_not_arrived_export_speaks_the_admins_language(client, admin, banquet, banquet_guests):
    client.force_login(admin)

    header, first, *_ = export(client, banquet, "csv")

    assert header[4] == str(NotArrivedIndexView.export_headings["ticket_type.display_name"])  # in Swedish
    assert first[4] == "Bankett"


def test_the_not_arrived_listing_shows_who_is_missing(client, admin, banquet, banquet_guests):
    admit(banquet_guests[0], banquet, "18:00")
    client.force_login(admin)

    response = client.get(url("not_arrived", banquet))

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert [ticket.attendee.first_name for ticket in response.context["object_list"]] == [
        "Bo",
        "Cecilia",
        "Dan",
        "Eva",
        "Filip",
    ]
    assert "Åsa" not in html and "Petra" not in html and "Konrad" not in html
    assert f"{url('not_arrived', banquet)}?export=csv" in html
    assert reverse("ticket_orders:inspect", args=[banquet_guests[1].order_id]) in html


# --- Badges -------------------------------------------------------------------------------------------------------


def test_the_badges_are_eight_a_sheet_and_each_qr_holds_its_tickets_secret(client, admin, shop, banquet):
    people = [person(f"Gäst{i}", f"Gästsson{i}") for i in range(9)]
    guests = tickets_of(paid(shop, shop.banquet, people))
    client.force_login(admin)

    response = client.get(url("badges", banquet))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    first, second = (qr_codes(sheet) for sheet in reader.pages)
    assert len(first) == 8 and len(second) == 1
    assert sorted(first + second) == sorted(ticket.secret for ticket in guests)
    for sheet in reader.pages:
        assert sheet.mediabox.width == pytest.approx(595.28, abs=0.1)  # A4


def test_a_badge_shows_name_organisation_and_ticket_type(client, admin, shop, banquet, banquet_guests):
    client.force_login(admin)

    reader = PdfReader(io.BytesIO(client.get(url("badges", banquet)).content))

    [sheet] = reader.pages  # six confirmed guests: one sheet
    text = " ".join(sheet.extract_text().split())
    for expected in ("Åsa Öberg", "Eva Ek", "Polisen", "Exempelstads kommun", "Bankett", shop.edition.name):
        assert expected in text
    for absent in ("Petra", "Carl", "Konrad"):
        assert absent not in text
    assert len(qr_codes(sheet)) == 6


def test_the_badges_pdf_makes_no_queries_and_is_the_same_every_time(banquet_guests, django_assert_num_queries):
    tickets = list(
        Ticket.objects.select_related("attendee", "ticket_type", "order__edition").filter(
            pk__in=[ticket.pk for ticket in banquet_guests]
        )
    )

    with django_assert_num_queries(0):
        pdf = badges_pdf(tickets, language="sv", heading="Bankett")

    assert badges_pdf(tickets, language="sv", heading="Bankett") == pdf


def test_long_names_shrink_then_wrap_and_never_overflow():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = 49 * 72 / 25.4  # the badge's text column, in points

    def fitted(text):
        result = fit_text(text, font=FONT_BOLD, width=width, largest=18, smallest=10, max_lines=2)
        assert len(result.lines) <= 2
        assert all(stringWidth(line, FONT_BOLD, result.size) <= width for line in result.lines)
        return result

    assert fitted("Åsa Öberg").size == 18
    assert fitted("Åsa Öberg").lines == ["Åsa Öberg"]
    two_lines = fitted("Maria-Christina Lindqvist-Åkerström")
    assert len(two_lines.lines) == 2 and " ".join(two_lines.lines) == "Maria-Christina Lindqvist-Åkerström"
    smaller = fitted("Bartholomeus Åkerströmsdottersson")
    assert smaller.size < 18 and smaller.lines == ["Bartholomeus", "Åkerströmsdottersson"]
    assert fitted("Karin Lindqvist-Åkerströmsdottersson").lines == ["Karin Lindqvist-", "Åkerströmsdottersson"]
    endless = fitted("Ödmjukaste " * 30 + "Hjärtligaste")
    assert endless.size == 10 and endless.lines[-1].endswith("…")
    unbroken = fitted("Å" * 200)
    assert unbroken.size == 10 and unbroken.lines[-1].endswith("…")


def test_badges_for_a_list_without_tickets_go_back_to_the_arrivals(client, admin, banquet):
    client.force_login(admin)

    response = client.get(url("badges", banquet))

    assert response.status_code == 302
    assert response["Location"] == url("arrivals", banquet)


# --- Who may see them ---------------------------------------------------------------------------------------------

PAGES = ("arrivals", "not_arrived", "badges")


def test_door_staff_see_the_arrivals_and_the_badges_but_not_the_missing_attendees_emails(
    client, door_staff, admin, banquet, banquet_guests
):
    client.force_login(door_staff)

    assert client.get(url("arrivals", banquet)).status_code == 200
    assert client.get(url("badges", banquet)).status_code == 200
    for params in ({}, {"export": "csv"}):
        response = client.get(url("not_arrived", banquet), params)
        assert response.status_code == 403  # the emails are the orders' data, for organisers
        assert b"example.se" not in response.content

    client.force_login(admin)
    assert len(export(client, banquet, "csv")) == 1 + 6


def test_without_the_permission_to_view_lists_there_is_nothing_to_see(client, editor, banquet, banquet_guests):
    client.force_login(editor)

    for name in PAGES:
        for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
            response = client.get(url(name, banquet), params)
            assert response.status_code == 403, (name, params)
            assert "no-store" in response["Cache-Control"]
            assert b"Berg" not in response.content and b"example.se" not in response.content


def test_anonymous_visitors_are_sent_to_log_in(client, banquet, banquet_guests):
    for name in PAGES:
        response = client.get(url(name, banquet))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_the_lists_index_and_edit_page_link_the_three_pages(client, admin, door_staff, banquet):
    client.force_login(admin)
    index = client.get(reverse("checkin_lists:index")).content.decode()
    edit = client.get(reverse("checkin_lists:edit", args=[banquet.pk])).content.decode()

    for name in PAGES:
        assert url(name, banquet) in index, name
        assert url(name, banquet) in edit, name

    client.force_login(door_staff)
    index = client.get(reverse("checkin_lists:index")).content.decode()
    assert url("arrivals", banquet) in index
    assert url("badges", banquet) in index
    assert url("not_arrived", banquet) not in index
