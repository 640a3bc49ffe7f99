"""The invoice and credit note as an A4 PDF, built with reportlab.

Everything the PDF shows comes from the invoice row and its snapshots (seller, buyer, lines, VAT per rate), so a
PDF rendered again years later is the same document. It carries what mervärdesskattelagen 17 kap. 24 § asks of a
Swedish invoice: date and number, the seller's VAT number, both parties' names and addresses, what was sold and
when, the unit price without VAT, the taxable amount, rate and VAT per rate, and for a credit note a clear
reference to the invoice it changes.
"""

import io
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

__all__ = ["format_sek", "render_invoice_pdf"]

NBSP = "\u00a0"  # between thousands and before "kr": keeps an amount on one line; the embedded font has it
CENT = Decimal("0.01")
MARGIN = 20 * mm
FONT = "InvoiceSans"
FONT_BOLD = "InvoiceSans-Bold"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")


def full_frame(doc):
    """One frame filling the document's page inside its margins, with no padding of its own."""
    return Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def format_sek(amount, language="sv"):
    """An amount in kronor, rounded to öre: "1 234,50 kr" (no-break spaces) in Swedish, "SEK 1,234.50" in English."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):,.2f}".split(".")
    if _is_english(language):
        return f"SEK {sign}{whole}.{cents}"
    return f"{sign}{whole.replace(',', NBSP)},{cents}{NBSP}kr"


def render_invoice_pdf(invoice, *, language=None):
    """The invoice or credit note as PDF bytes, in the order's language (Swedish unless told otherwise)."""
    language = language or invoice.order.language or "sv"
    with translation.override(language):
        return _InvoicePdf(invoice, language).build()


# Helpers


def _is_english(language):
    return str(language or "").lower().startswith("en")


def _decimal(value):
    return Decimal(str(value if value not in (None, "") else 0))


def _format_rate(rate, language):
    value = _decimal(rate).normalize()
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if _is_english(language):
        return f"{text}%"
    return f"{text.replace('.', ',')}{NBSP}%"


def _format_date(value):
    if isinstance(value, date):
        return value.isoformat()  # ISO 8601, as Swedish invoices write dates
    return str(value or "")


@cache
def _register_fonts():
    """Bitstream Vera ships inside reportlab itself, so every machine has it; it is embedded (subset) in the PDF
    and covers Swedish å ä ö and most of Latin Extended-A."""
    font_dir = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(font_dir / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_dir / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph) & frozenset(
        pdfmetrics.getFont(FONT_BOLD).face.charToGlyph
    )


def _printable(text):
    """Text the font can draw: a character it lacks becomes its unaccented letter (ő → o), else "?"."""
    glyphs = _register_fonts()
    out = []
    for char in str(text):
        if ord(char) in glyphs or char == "\n":
            out.append(char)
        elif char in "\t\r\u2007\u2009\u202f":
            out.append(" ")
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base and all(ord(c) in glyphs for c in base) else "?")
    return "".join(out)


def _markup(text):
    """Plain text (maybe several lines) as Paragraph markup."""
    lines = [line.strip() for line in _printable(text).splitlines()]
    return "<br/>".join(escape(line) for line in lines if line)


class _InvoicePdf:
    def __init__(self, invoice, language):
        _register_fonts()
        self.invoice = invoice
        self.language = language
        self.seller = invoice.seller or {}
        self.buyer = invoice.buyer or {}
        self.is_credit_note = invoice.kind == type(invoice).Kind.CREDIT_NOTE
        self.styles = {
            "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
            "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=GREY),
            "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5),
            "cell_right": ParagraphStyle("cell_right", fontName=FONT, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
            "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
            "head_right": ParagraphStyle(
                "head_right", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
            ),
            "heading": ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=10, leading=13, spaceAfter=3),
            "letterhead": ParagraphStyle("letterhead", fontName=FONT_BOLD, fontSize=15, leading=19),
            "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=20, leading=24, spaceAfter=4),
        }

    def money(self, value):
        return format_sek(_decimal(value), self.language)

    def p(self, text, style="body"):
        return Paragraph(text, self.styles[style])

    def text(self, value, style="body"):
        return self.p(_markup(value), style)

    def facts(self, rows, label_width):
        """Label–value pairs as a borderless two-column table; pairs without a value are left out."""
        data = [
            [self.p(escape(label), "small"), self.text(value)]
            for label, value in rows
            if value not in (None, "") and str(value).strip()
        ]
        if not data:
            return Spacer(0, 0)
        table = Table(data, colWidths=[label_width, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    # The parts, top to bottom

    def title(self):
        return _("Credit note") if self.is_credit_note else _("Invoice")

    def header(self, width):
        invoice = self.invoice
        title = self.title()
        order = invoice.order
        edition = order.edition
        conference = edition.name
        starts_on, ends_on = getattr(edition, "starts_on", None), getattr(edition, "ends_on", None)
        if starts_on and ends_on:
            days = _format_date(starts_on)
            if ends_on != starts_on:
                days = f"{days} – {_format_date(ends_on)}"
            conference = f"{conference}\n{days}"
        rows = [
            (_("Credit note number") if self.is_credit_note else _("Invoice number"), invoice.number),
            (_("Invoice date"), _format_date(invoice.issued_on)),
        ]
        if self.is_credit_note:
            credited = invoice.credits
            if credited is not None:
                rows.append(
                    (
                        "",
                        _("Credits invoice %(number)s dated %(date)s")
                        % {"number": credited.number, "date": _format_date(credited.issued_on)},
                    )
                )
        elif invoice.due_on:
            rows.append((_("Due date"), _format_date(invoice.due_on)))
            if isinstance(invoice.issued_on, date) and invoice.due_on > invoice.issued_on:
                rows.append(
                    (_("Payment terms"), _("%(days)s days net") % {"days": (invoice.due_on - invoice.issued_on).days})
                )
        rows += [(_("Order code"), order.code), (_("Conference"), conference)]
        right = [self.p(escape(title), "title"), self.facts(rows, 32 * mm)]
        left = [self.text(self.seller.get("name", ""), "letterhead")]
        return self.columns(width, left, right)

    def columns(self, width, left, right):
        table = Table([[left, right]], colWidths=[width * 0.5, width * 0.5])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (0, -1), 8),
                    ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ]
            )
        )
        return table

    def parties(self, width):
        buyer, seller = self.buyer, self.seller
        place = " ".join(part for part in (buyer.get("postcode", ""), buyer.get("city", "")) if part)
        address = "\n".join(part for part in (buyer.get("address", ""), place) if part)
        left = [
            self.p(escape(_("Bill to")), "heading"),
            self.p(f"<b>{_markup(buyer.get('name', ''))}</b>"),
            self.text(address),
            Spacer(0, 4),
            self.facts(
                [
                    (_("Org. no."), buyer.get("organisation_number")),
                    (_("VAT reg. no."), buyer.get("vat_number")),
                    (_("Contact"), buyer.get("contact")),
                    (_("Your reference"), buyer.get("reference")),
                    (_("Email"), buyer.get("email")),
                    (_("PEPPOL id"), buyer.get("peppol_id")),
                ],
                32 * mm,
            ),
        ]
        right = [
            self.p(escape(_("Seller")), "heading"),
            self.p(f"<b>{_markup(seller.get('name', ''))}</b>"),
            self.text(seller.get("address", "")),
            Spacer(0, 4),
            self.facts(
                [
                    (_("Org. no."), seller.get("organisation_number")),
                    (_("VAT reg. no."), seller.get("vat_number")),
                    ("", _("Approved for F-tax") if seller.get("f_tax") else ""),
                    (_("Email"), seller.get("email")),
                    (_("Bankgiro"), seller.get("bankgiro")),
                ],
                32 * mm,
            ),
        ]
        return self.columns(width, left, right)

    def lines_table(self, width):
        widths = [None, 12 * mm, 26 * mm, 26 * mm, 20 * mm, 28 * mm]
        widths[0] = width - sum(w for w in widths if w)
        head = [
            self.p(escape(_("Description")), "head"),
            self.p(escape(_("Qty")), "head_right"),
            self.p(escape(_("Unit price excl. VAT")), "head_right"),
            self.p(escape(_("Unit price incl. VAT")), "head_right"),
            self.p(escape(_("VAT rate")), "head_right"),
            self.p(escape(_("Amount incl. VAT")), "head_right"),
        ]
        rows = [head]
        for line in self.invoice.lines or []:
            rate = _decimal(line.get("vat_rate"))
            unit_price = _decimal(line.get("unit_price"))
            unit_net = (unit_price * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
            rows.append(
                [
                    self.text(line.get("description", ""), "cell"),
                    self.p(escape(str(line.get("quantity", ""))), "cell_right"),
                    self.p(escape(self.money(unit_net)), "cell_right"),
                    self.p(escape(self.money(unit_price)), "cell_right"),
                    self.p(escape(_format_rate(rate, self.language)), "cell_right"),
                    self.p(escape(self.money(line.get("amount"))), "cell_right"),
                ]
            )
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def totals_table(self):
        summary = self.invoice.vat_summary or []
        rows = [
            [
                self.p(escape(_("VAT rate")), "head_right"),
                self.p(escape(_("Excl. VAT")), "head_right"),
                self.p(escape(_("VAT")), "head_right"),
                self.p(escape(_("Incl. VAT")), "head_right"),
            ]
        ]
        net_total = vat_total = Decimal("0")
        for rate in summary:
            net_total += _decimal(rate.get("net"))
            vat_total += _decimal(rate.get("vat"))
            rows.append(
                [
                    self.p(escape(_format_rate(rate.get("rate"), self.language)), "cell_right"),
                    self.p(escape(self.money(rate.get("net"))), "cell_right"),
                    self.p(escape(self.money(rate.get("vat"))), "cell_right"),
                    self.p(escape(self.money(rate.get("gross"))), "cell_right"),
                ]
            )
        first_total = len(rows)
        total_label = _("Total credited") if self.is_credit_note else _("Total to pay")
        for label, value, bold in (
            (_("Total excl. VAT"), net_total, False),
            (_("Total VAT"), vat_total, False),
            (total_label, self.invoice.total, True),
        ):
            style = "head_right" if bold else "cell_right"
            rows.append(["", self.p(escape(label), style), "", self.p(escape(self.money(value)), style)])
        table = Table(rows, colWidths=[20 * mm, 32 * mm, 28 * mm, 32 * mm], hAlign="RIGHT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                    ("LINEABOVE", (0, first_total), (-1, first_total), 0.6, RULE),
                    ("LINEABOVE", (1, -1), (-1, -1), 1, colors.black),
                    ("SPAN", (1, first_total), (2, first_total)),
                    ("SPAN", (1, first_total + 1), (2, first_total + 1)),
                    ("SPAN", (1, first_total + 2), (2, first_total + 2)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def payment(self):
        invoice = self.invoice
        if self.is_credit_note:
            return [self.p(escape(_("This credit note is not a request for payment.")))]
        values = {
            "amount": self.money(invoice.total),
            "bankgiro": _printable(self.seller.get("bankgiro") or ""),
            "due_date": _format_date(invoice.due_on),
            "number": invoice.number,
        }
        if values["bankgiro"] and invoice.due_on:
            first = _("Pay %(amount)s to bankgiro %(bankgiro)s by %(due_date)s at the latest.")
        elif values["bankgiro"]:
            first = _("Pay %(amount)s to bankgiro %(bankgiro)s.")
        elif invoice.due_on:
            first = _("Pay %(amount)s by %(due_date)s at the latest.")
        else:
            first = ""
        second = _("Mark the payment with the invoice number %(number)s.")
        text = " ".join(part % values for part in (first, second) if part)
        return [self.p(escape(_("Payment")), "heading"), self.p(escape(text))]

    def footer_text(self):
        seller = self.seller
        parts = [
            seller.get("name", ""),
            seller.get("organisation_number") and " ".join((_("Org. no."), seller["organisation_number"])),
            seller.get("vat_number") and " ".join((_("VAT reg. no."), seller["vat_number"])),
            seller.get("f_tax") and _("Approved for F-tax"),
        ]
        return _printable(" · ".join(part for part in parts if part))

    def build(self):
        buffer = io.BytesIO()
        title = _printable(f"{self.title()} {self.invoice.number}")
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=title,
            author=_printable(self.seller.get("name", "")),
            subject=_printable(self.invoice.order.edition.name),
            creator="Trygg & Säker",
            lang="en" if _is_english(self.language) else "sv",
            invariant=True,  # the same invoice gives the same bytes: no creation time or random file id
            initialFontName=FONT,
        )
        width = doc.width
        story = [
            self.header(width),
            Spacer(0, 8 * mm),
            self.parties(width),
            Spacer(0, 8 * mm),
            self.lines_table(width),
            Spacer(0, 5 * mm),
            KeepTogether([self.totals_table(), Spacer(0, 8 * mm), *self.payment()]),
        ]
        footer = self.footer_text()
        page_label = _("Page %(page)s")

        def draw_footer(canvas, document):
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(GREY)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.3)
            y = MARGIN - 2 * mm
            canvas.line(MARGIN, y + 9, A4[0] - MARGIN, y + 9)
            page = f"{title} · {page_label % {'page': document.page}}"
            canvas.drawRightString(A4[0] - MARGIN, y, page)
            room = doc.width - canvas.stringWidth(page, FONT, 7.5) - 4 * mm
            canvas.drawString(MARGIN, y if canvas.stringWidth(footer, FONT, 7.5) <= room else y - 9.5, footer)
            canvas.restoreState()

        frame = full_frame(doc)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_footer)])
        doc.build(story)
        return buffer.getvalue()
