"""The invoice PDF: what a Swedish invoice must show, read back out of the PDF with pypdf."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import EditionFactory
from tickets.invoice_pdf import format_sek, render_invoice_pdf
from tickets.models import Invoice, Order

NBSP = "\u00a0"

SELLER = {
    "name": "Trygg & Säker AB",
    "organisation_number": "556677-8899",
    "vat_number": "SE556677889901",
    "address": "Storgatan 1\n702 10 Örebro",
    "email": "faktura@tryggochsaker.se",
    "bankgiro": "123-4567",
    "f_tax": True,
}
BUYER = {
    "name": "Örebro kommun",
    "contact": "Anna Ek",
    "email": "anna.ek@example.se",
    "organisation_number": "212000-1967",
    "address": "Box 300",
    "postcode": "701 35",
    "city": "Örebro",
    "reference": "KS-4711",
    "peppol_id": "0007:2120001967",
}
LINES = [
    {
        "description": "Konferensbiljett, två dagar",
        "quantity": 3,
        "unit_price": "5000.00",
        "vat_rate": "25.00",
        "amount": "15000.00",
    },
    {"description": "Bankett", "quantity": 2, "unit_price": "1120.00", "vat_rate": "12.00", "amount": "2240.00"},
]
VAT_SUMMARY = [
    {"rate": "25.00", "net": "12000.00", "vat": "3000.00", "gross": "15000.00"},
    {"rate": "12.00", "net": "2000.00", "vat": "240.00", "gross": "2240.00"},
]


def negated(value):
    return str(-Decimal(value))


@pytest.fixture
def order():
    edition = EditionFactory(name="Trygg & Säker 2026")
    return Order.objects.create(
        edition=edition, hold_expires_at=timezone.now(), language="sv", total=Decimal("17240.00")
    )


@pytest.fixture
def invoice(order):
    return Invoice.objects.create(
        order=order,
        kind=Invoice.Kind.INVOICE,
        number="TS-1001",
        issued_on=dt.date(2026, 11, 23),
        due_on=dt.date(2026, 12, 23),
        seller=SELLER,
        buyer=BUYER,
        lines=LINES,
        vat_summary=VAT_SUMMARY,
        total=Decimal("17240.00"),
    )


@pytest.fixture
def credit_note(invoice):
    return Invoice.objects.create(
        order=invoice.order,
        kind=Invoice.Kind.CREDIT_NOTE,
        number="TS-1002",
        credits=invoice,
        issued_on=dt.date(2026, 11, 25),
        due_on=None,
        seller=SELLER,
        buyer=BUYER,
        lines=[{**line, "quantity": -line["quantity"], "amount": negated(line["amount"])} for line in LINES],
        vat_summary=[
            {"rate": rate["rate"], **{key: negated(rate[key]) for key in ("net", "vat", "gross")}}
            for rate in VAT_SUMMARY
        ],
        total=Decimal("-17240.00"),
    )


def pdf_text(data):
    """The PDF's text; a no-break space comes out as a plain one."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


def shown(amount, language="sv"):
    """An amount as pdf_text reads it back."""
    return format_sek(Decimal(amount), language).replace(NBSP, " ")


def flat(text):
    """The text with its line breaks and spaces of any kind as single spaces, for phrases a line may break."""
    return " ".join(text.replace(NBSP, " ").split())


# format_sek


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.5"), f"1{NBSP}234,50{NBSP}kr"),
        (Decimal("0"), f"0,00{NBSP}kr"),
        (Decimal("12.345"), f"12,35{NBSP}kr"),  # rounded half up to whole öre
        (Decimal("999"), f"999,00{NBSP}kr"),
        (Decimal("1234567.89"), f"1{NBSP}234{NBSP}567,89{NBSP}kr"),
        (Decimal("-1234.5"), f"-1{NBSP}234,50{NBSP}kr"),
        (Decimal("-0.001"), f"0,00{NBSP}kr"),  # no "minus zero"
        ("17240.00", f"17{NBSP}240,00{NBSP}kr"),
    ],
)
def test_format_sek_swedish(amount, expected):
    assert format_sek(amount) == expected
    assert format_sek(amount, "sv") == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.5"), "SEK 1,234.50"),
        (Decimal("1234567.89"), "SEK 1,234,567.89"),
        (Decimal("-1234.5"), "SEK -1,234.50"),
        (Decimal("0.5"), "SEK 0.50"),
    ],
)
def test_format_sek_english(amount, expected):
    assert format_sek(amount, "en") == expected


# The invoice


@pytest.mark.django_db
def test_invoice_is_an_a4_pdf(invoice):
    data = render_invoice_pdf(invoice)

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    assert render_invoice_pdf(invoice) == data  # no timestamps: the same invoice gives the same file


@pytest.mark.django_db
def test_invoice_shows_what_a_swedish_invoice_must(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "Faktura" in text
    assert "TS-1001" in text
    assert "2026-11-23" in text  # issued
    assert "2026-12-23" in text  # due
    # Seller
    assert "Trygg & Säker AB" in text
    assert "Storgatan 1" in text
    assert "702 10 Örebro" in text
    assert "556677-8899" in text
    assert "SE556677889901" in text
    assert "Godkänd för F-skatt" in text
    assert "faktura@tryggochsaker.se" in text
    assert "123-4567" in text
    # Buyer
    assert "Örebro kommun" in text
    assert "212000-1967" in text
    assert "Box 300" in text
    assert "701 35 Örebro" in text
    assert "Anna Ek" in text
    assert "Er referens" in text
    assert "KS-4711" in text
    assert "0007:2120001967" in text
    # Order and conference
    assert invoice.order.code in text
    assert "Trygg & Säker 2026" in text
    # Lines
    assert "Konferensbiljett, två dagar" in text
    assert "Bankett" in text
    assert shown("5000") in text  # unit price incl. VAT
    assert shown("4000") in text  # unit price excl. VAT
    # VAT per rate, and the total
    assert "25 %" in text
    assert "12 %" in text
    for rate in VAT_SUMMARY:
        assert shown(rate["net"]) in text
        assert shown(rate["vat"]) in text
    assert "3 000,00 kr" in text
    assert "240,00 kr" in text
    assert "17 240,00 kr" in text
    assert "Att betala" in text
    # How to pay
    assert "Betala 17 240,00 kr till bankgiro 123-4567 senast 2026-12-23." in flat(text)
    assert "fakturanummer TS-1001" in flat(text)


@pytest.mark.django_db
def test_invoice_without_f_tax_or_peppol_leaves_them_out(invoice):
    invoice.seller = {**SELLER, "f_tax": False}
    invoice.buyer = {**BUYER, "peppol_id": ""}

    text = pdf_text(render_invoice_pdf(invoice))

    assert "F-skatt" not in text
    assert "PEPPOL" not in text
    assert "TS-1001" in text


@pytest.mark.django_db
def test_invoice_in_the_orders_language(invoice):
    invoice.order.language = "en"

    text = pdf_text(render_invoice_pdf(invoice))

    assert "Invoice" in text
    assert "Faktura" not in text
    assert "SEK 17,240.00" in text


@pytest.mark.django_db
def test_invoice_in_english(invoice):
    text = pdf_text(render_invoice_pdf(invoice, language="en"))

    assert "Invoice" in text
    assert "Your reference" in text
    assert "KS-4711" in text
    assert "Approved for F-tax" in text
    assert "SEK 3,000.00" in text  # VAT at 25 %
    assert "SEK 240.00" in text  # VAT at 12 %
    assert "SEK 17,240.00" in text
    assert "2026-12-23" in text
    assert "Pay SEK 17,240.00 to bankgiro 123-4567 by 2026-12-23" in flat(text)


@pytest.mark.django_db
def test_swedish_letters_and_ampersand_survive(invoice):
    invoice.buyer = {**BUYER, "name": "Ågrens Åkeri & Söner", "city": "Ödeshög", "contact": "Åsa Ärlig"}

    text = pdf_text(render_invoice_pdf(invoice))

    assert "Ågrens Åkeri & Söner" in text
    assert "Ödeshög" in text
    assert "Åsa Ärlig" in text
    assert "Trygg & Säker" in text


@pytest.mark.django_db
def test_letters_the_font_lacks_fall_back_to_plain_ones(invoice):
    invoice.buyer = {**BUYER, "contact": "Ődön Győr"}

    text = pdf_text(render_invoice_pdf(invoice))

    assert "Odön Gyor" in text  # Ő and ő are not in the font; ö is


@pytest.mark.django_db
def test_many_lines_run_onto_more_pages(invoice):
    invoice.lines = LINES * 40

    reader = PdfReader(io.BytesIO(render_invoice_pdf(invoice, language="en")))

    assert len(reader.pages) > 1
    last_page = reader.pages[-1].extract_text()
    assert "Description" in last_page  # the header row again
    assert "Page 1" in reader.pages[0].extract_text()
    assert f"Page {len(reader.pages)}" in last_page
    assert "SEK 17,240.00" in last_page


# The credit note


@pytest.mark.django_db
def test_credit_note(credit_note):
    text = pdf_text(render_invoice_pdf(credit_note))

    assert "Kreditfaktura" in text
    assert "TS-1002" in text
    assert "2026-11-25" in text
    assert "Krediterar faktura TS-1001" in flat(text)
    assert "Förfallodatum" not in text
    assert "Betala" not in text
    assert "-15 000,00 kr" in text  # a line
    assert "-3 000,00 kr" in text  # VAT at 25 %
    assert "-240,00 kr" in text  # VAT at 12 %
    assert "-17 240,00 kr" in text  # total
    assert "556677-8899" in text
    assert "SE556677889901" in text


@pytest.mark.django_db
def test_credit_note_in_english(credit_note):
    text = pdf_text(render_invoice_pdf(credit_note, language="en"))

    assert "Credit note" in text
    assert "Credits invoice TS-1001" in flat(text)
    assert "SEK -17,240.00" in text
