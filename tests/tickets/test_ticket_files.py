"""The files a ticket holder gets, read back with real decoders: zxing-cpp for the QR codes, pypdf for the PDF,
icalendar for the calendar file."""

import datetime as dt
import io
import zoneinfo

import icalendar
import pytest
import zxingcpp
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from tests.factories import EditionFactory, ticket_shop
from tickets.services.orders import reserve, save_attendees
from tickets.ticket_files import conference_ics, qr_png, ticket_pdf, wallet_png

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
SECRET = "q8Xr-3kV_wPz0aLm9TyB2nQcD7eFgH1j"  # what Ticket.secret looks like: token_urlsafe(24)
ATTENDEE = {
    "first_name": "Åsa",
    "last_name": "Öberg",
    "email": "asa@example.se",
    "organisation": "Exempelstads kommun",
    "dietary_needs": "Vegetarisk",
}


def swedish(msgid, **values):
    """The Swedish of a msgid as the catalogue has it (the English until the translation is compiled)."""
    with translation.override("sv"):
        text = translation.gettext(msgid)
    return text % values if values else text


def decode(image):
    """The QR codes zxing finds in `image` (a PIL image or PNG bytes)."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [code for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def only_code(image):
    codes = decode(image)
    assert len(codes) == 1, codes
    return codes[0]


def pdf_text(page):
    return " ".join(page.extract_text().split())


@pytest.fixture
def edition():
    return EditionFactory(
        year=2027,
        name="Trygg & Säker 2027",
        city="Örebro",
        venue="Conventum Arena",
        address="Fabriksgatan 1, Örebro",
        starts_on=dt.date(2027, 10, 13),
        ends_on=dt.date(2027, 10, 14),
        banquet_starts_at=dt.datetime(2027, 10, 13, 19, 0, tzinfo=STOCKHOLM),
        banquet_venue="Örebro slott",
    )


@pytest.fixture
def shop(edition):
    return ticket_shop(edition)


@pytest.fixture
def tickets(shop):
    order = reserve(shop.edition, {shop.conference_pass.pk: 1, shop.banquet.pk: 1})
    save_attendees(order, [ATTENDEE])
    return list(order.tickets.select_related("ticket_type", "attendee", "order__edition").order_by("pk"))


def by_kind(tickets, kind):
    return next(ticket for ticket in tickets if ticket.ticket_type.kind == kind)


# The QR code


def test_qr_png_holds_exactly_the_secret_at_a_high_error_correction_level():
    code = only_code(qr_png(SECRET))

    assert code.valid
    assert code.text == SECRET
    assert code.bytes == SECRET.encode()
    assert code.ec_level in ("Q", "H")


def test_qr_png_is_black_on_white_with_a_quiet_zone_of_four_modules():
    box = 10
    image = Image.open(io.BytesIO(qr_png(SECRET, box_size=box))).convert("L")
    width, height = image.size
    assert width == height and width % box == 0
    modules = width // box
    assert modules >= 21 + 8

    pixels = image.load()
    dark = [(x, y) for y in range(height) for x in range(width) if pixels[x, y] < 128]
    assert {pixels[x, y] for y in range(height) for x in range(width)} <= {0, 255}  # pure black and white
    left, top = min(x for x, _ in dark), min(y for _, y in dark)
    right, bottom = max(x for x, _ in dark), max(y for _, y in dark)
    assert (left, top) == (4 * box, 4 * box)  # the finder pattern starts after four white modules
    assert (width - 1 - right, height - 1 - bottom) == (4 * box, 4 * box)


def test_qr_png_box_size_scales_the_image():
    small = Image.open(io.BytesIO(qr_png(SECRET, box_size=4)))
    large = Image.open(io.BytesIO(qr_png(SECRET, box_size=12)))
    assert large.size == (small.size[0] * 3, small.size[1] * 3)
    assert only_code(large).text == SECRET


# The PDF


@pytest.mark.django_db
def test_ticket_pdf_has_a_page_a_ticket_with_the_secret_in_its_qr_code(tickets):
    pdf = ticket_pdf(tickets, language="sv")
    reader = PdfReader(io.BytesIO(pdf))

    assert len(reader.pages) == len(tickets) == 2
    for page, ticket in zip(reader.pages, tickets, strict=True):
        images = page.images
        assert len(images) == 1
        assert only_code(images[0].image).text == ticket.secret
        assert page.mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
        assert page.mediabox.height == pytest.approx(841.89, abs=0.1)


@pytest.mark.django_db
def test_ticket_pdf_qr_code_is_at_least_50_mm(tickets):
    page = PdfReader(io.BytesIO(ticket_pdf(tickets[:1], language="sv"))).pages[0]
    sizes = []

    def visitor(operator, operands, cm, tm):
        if operator == b"cm":
            sizes.append(operands[0])

    page.extract_text(visitor_operand_before=visitor)
    assert max(float(size) for size in sizes) >= 50 / 25.4 * 72  # points: the image is drawn `size` wide


@pytest.mark.django_db
def test_ticket_pdf_in_swedish_shows_holder_type_days_place_and_order_code(tickets):
    conference_ticket = by_kind(tickets, "conference")
    banquet_ticket = by_kind(tickets, "banquet")
    reader = PdfReader(io.BytesIO(ticket_pdf(tickets, language="sv")))
    pages = {ticket.pk: pdf_text(page) for page, ticket in zip(reader.pages, tickets, strict=True)}

    conference = pages[conference_ticket.pk]
    for expected in (
        "Trygg & Säker",
        "Trygg & Säker 2027",
        "Åsa Öberg",
        "Exempelstads kommun",
        "Konferenspass",
        "13 oktober 2027",
        "14 oktober 2027",
        "Conventum Arena",
        "Fabriksgatan 1, Örebro",
        conference_ticket.order.code,
        swedish("Show the QR code at the entrance. One ticket admits one person."),
    ):
        assert expected in conference
    assert "Vegetarisk" not in conference  # nothing about health on a ticket others may see

    banquet = pages[banquet_ticket.pk]
    assert "Bankett" in banquet
    assert swedish("%(date)s at %(time)s", date="13 oktober 2027", time="19:00") in banquet
    assert "Örebro slott" in banquet
    assert "14 oktober 2027" not in banquet


@pytest.mark.django_db
def test_ticket_pdf_in_english_says_it_in_english(tickets):
    reader = PdfReader(io.BytesIO(ticket_pdf(tickets, language="en")))
    conference = pdf_text(reader.pages[[t.ticket_type.kind for t in tickets].index("conference")])

    assert "Conference pass" in conference
    assert "13 October 2027" in conference
    assert "Valid on" in conference
    assert "Order code" in conference
    assert "Show the QR code at the entrance. One ticket admits one person." in conference
    assert "oktober" not in conference
    assert "Konferenspass" not in conference
    assert reader.metadata.title.startswith("Tickets ")


@pytest.mark.django_db
def test_a_day_pass_shows_only_its_day(shop):
    order = reserve(shop.edition, {shop.day_two.pk: 1})
    save_attendees(order, [ATTENDEE])
    tickets = list(order.tickets.select_related("ticket_type", "attendee", "order__edition"))

    text = pdf_text(PdfReader(io.BytesIO(ticket_pdf(tickets, language="sv"))).pages[0])
    assert "14 oktober 2027" in text
    assert "13 oktober 2027" not in text


@pytest.mark.django_db
def test_ticket_pdf_is_the_same_bytes_every_time_and_makes_no_queries(tickets, django_assert_num_queries):
    with django_assert_num_queries(0):
        first = ticket_pdf(tickets, language="sv")
        second = ticket_pdf(tickets, language="sv")
    assert first == second


# The phone ticket


@pytest.mark.django_db
def test_wallet_png_is_a_portrait_phone_screen_with_the_secret(tickets):
    for ticket in tickets:
        png = wallet_png(ticket, language="sv")
        image = Image.open(io.BytesIO(png))

        assert image.format == "PNG"
        assert image.size == (1080, 1920)
        assert image.getpixel((0, 1919)) in ((255, 255, 255), 255)  # white background
        code = only_code(image)
        assert code.text == ticket.secret
        assert code.ec_level in ("Q", "H")
        # the code sits in the middle and is large
        position = code.position
        xs = [position.top_left.x, position.top_right.x, position.bottom_left.x, position.bottom_right.x]
        ys = [position.top_left.y, position.top_right.y, position.bottom_left.y, position.bottom_right.y]
        assert max(xs) - min(xs) >= 600
        assert min(ys) < 960 < max(ys)


@pytest.mark.django_db
def test_wallet_png_is_deterministic_and_differs_by_language(tickets):
    ticket = by_kind(tickets, "conference")
    swedish = wallet_png(ticket, language="sv")
    assert wallet_png(ticket, language="sv") == swedish
    assert wallet_png(ticket, language="en") != swedish


# Nothing personal in the QR


@pytest.mark.django_db
def test_the_qr_codes_hold_nothing_personal(tickets):
    images = [qr_png(ticket.secret) for ticket in tickets]
    images += [wallet_png(ticket, language="sv") for ticket in tickets]
    reader = PdfReader(io.BytesIO(ticket_pdf(tickets, language="sv")))
    images += [image.image for page in reader.pages for image in page.images]
    secrets = {ticket.secret for ticket in tickets}

    for image in images:
        text = only_code(image).text
        assert text in secrets
        assert "@" not in text
        for personal in ("Åsa", "Öberg", "Exempelstads", "asa", "example", "http"):
            assert personal.lower() not in text.lower()


# The calendar file


def events(ics):
    calendar = icalendar.Calendar.from_ical(ics)
    return calendar, {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_conference_ics_has_the_conference_days_and_the_banquet(edition):
    calendar, found = events(conference_ics(edition, language="sv"))

    assert f"edition-{edition.pk}-conference@tryggochsaker.se" in found
    conference = found[f"edition-{edition.pk}-conference@tryggochsaker.se"]
    assert conference.decoded("DTSTART") == dt.date(2027, 10, 13)
    assert conference.decoded("DTEND") == dt.date(2027, 10, 15)  # exclusive: the day after the last day
    assert not isinstance(conference.decoded("DTSTART"), dt.datetime)  # all-day
    assert str(conference["SUMMARY"]) == "Trygg & Säker 2027"
    location = str(conference["LOCATION"])
    assert "Conventum Arena" in location and "Fabriksgatan 1" in location and "Örebro" in location
    assert "tryggochsaker.se" in str(calendar["PRODID"])

    banquet = found[f"edition-{edition.pk}-banquet@tryggochsaker.se"]
    starts, ends = banquet.decoded("DTSTART"), banquet.decoded("DTEND")
    assert starts == dt.datetime(2027, 10, 13, 19, 0, tzinfo=STOCKHOLM)
    assert ends - starts == dt.timedelta(hours=3)
    assert str(banquet["DTSTART"].params["TZID"]) == "Europe/Stockholm"
    assert str(banquet["LOCATION"]) == "Örebro slott"
    assert str(banquet["SUMMARY"]) == swedish("Banquet – %(edition)s", edition="Trygg & Säker 2027")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


@pytest.mark.django_db
def test_conference_ics_uids_are_stable_and_english_names_the_banquet_in_english(edition):
    now = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
    assert conference_ics(edition, language="en", now=now) == conference_ics(edition, language="en", now=now)
    _calendar, found = events(conference_ics(edition, language="en"))
    assert str(found[f"edition-{edition.pk}-banquet@tryggochsaker.se"]["SUMMARY"]) == "Banquet – Trygg & Säker 2027"


@pytest.mark.django_db
def test_conference_ics_without_a_banquet_time_has_only_the_conference():
    edition = EditionFactory(year=2028, starts_on=dt.date(2028, 10, 10), ends_on=dt.date(2028, 10, 10))
    _calendar, found = events(conference_ics(edition, language="sv"))

    assert list(found) == [f"edition-{edition.pk}-conference@tryggochsaker.se"]
    conference = found[f"edition-{edition.pk}-conference@tryggochsaker.se"]
    assert conference.decoded("DTEND") - conference.decoded("DTSTART") == dt.timedelta(days=1)
