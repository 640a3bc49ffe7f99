"""The files a ticket holder gets: the QR code, a PDF ticket per attendee, a phone-sized PNG and the calendar file.

The QR code holds the ticket's secret and nothing else: no name, no email, no URL. Whoever scans it looks the
ticket up by the secret, so a photo of a ticket tells a stranger nothing about its holder. Error correction level
Q (a quarter of the code can be lost) keeps it readable through a cracked phone screen or a creased print-out.

Everything is built from the rows passed in, without queries of its own, and the PDF and PNGs are the same bytes
every time for the same tickets (`invariant=True`, no timestamps).
"""

import datetime as dt
import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
import reportlab
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from tickets.invoice_pdf import (
    FONT,
    FONT_BOLD,
    GREY,
    MARGIN,
    RULE,
    _is_english,
    _markup,
    _printable,
    _register_fonts,
    full_frame,
)
from tickets.models import TicketType

__all__ = ["conference_ics", "qr_png", "ticket_pdf", "wallet_png"]

WORD_MARK = "Trygg & Säker"  # the brand: never translated
DOMAIN = "tryggochsaker.se"
DARK_BLUE_HEX = "#10233f"
DARK_BLUE = colors.HexColor(DARK_BLUE_HEX)
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
QR_ON_PAPER = 70 * mm
BANQUET_HOURS = 3
WALLET_SIZE = (1080, 1920)
WALLET_QR_MAX = 960  # px, quiet zone included


# The QR code


def _qr_code(secret):
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=QUIET_ZONE)
    qr.add_data(str(secret), optimize=0)
    qr.make(fit=True)
    return qr


def _qr_image(secret, box_size):
    """The code as a black-on-white greyscale PIL image, `box_size` pixels a module, quiet zone included."""
    qr = _qr_code(secret)
    qr.box_size = box_size
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_png(secret, *, box_size=10):
    """A PNG of a QR code holding exactly `secret`: level Q, a 4-module quiet zone, black on white."""
    return _png(_qr_image(secret, box_size))


# What a ticket says


def _long_date(day):
    return date_format(day, "j F Y")  # "13 oktober 2027" / "13 October 2027", in the active language


def _edition_days(edition):
    return [edition.starts_on + dt.timedelta(days=n) for n in range(max(edition.days, 1))]


def _is_banquet(ticket):
    return ticket.ticket_type.kind == TicketType.Kind.BANQUET


def _banquet_time(edition):
    moment = timezone.localtime(edition.banquet_starts_at, timezone.get_default_timezone())
    return _("%(date)s at %(time)s") % {"date": _long_date(moment.date()), "time": time_format(moment.time(), "H:i")}


def _when(ticket):
    """(label, lines): the banquet's day and time for a banquet ticket, else the days the ticket admits."""
    edition = ticket.order.edition
    if _is_banquet(ticket) and edition.banquet_starts_at:
        return _("When"), [_banquet_time(edition)]
    days = [ticket.ticket_type.valid_on] if ticket.ticket_type.valid_on else _edition_days(edition)
    return _("Valid on"), [_long_date(day) for day in days]


def _place(ticket):
    """Lines of where to go: the banquet venue for a banquet ticket (when set), else the venue and its address."""
    edition = ticket.order.edition
    if _is_banquet(ticket) and edition.banquet_venue:
        return [edition.banquet_venue]
    address = edition.address
    if edition.city and edition.city not in address:
        address = ", ".join(part for part in (address, edition.city) if part)
    return [line for line in (edition.venue, address) if line]


def _instruction():
    return _("Show the QR code at the entrance. One ticket admits one person.")


# The PDF


class _TicketPdf:
    def __init__(self, tickets, language):
        _register_fonts()
        self.tickets = list(tickets)
        self.language = language
        self.styles = {
            "word_mark": ParagraphStyle("word_mark", fontName=FONT_BOLD, fontSize=26, leading=30, textColor=DARK_BLUE),
            "edition": ParagraphStyle("edition", fontName=FONT, fontSize=12, leading=15, textColor=GREY),
            "kind": ParagraphStyle("kind", fontName=FONT, fontSize=9, leading=12, textColor=GREY),
            "type": ParagraphStyle("type", fontName=FONT_BOLD, fontSize=20, leading=24, textColor=DARK_BLUE),
            "name": ParagraphStyle("name", fontName=FONT_BOLD, fontSize=24, leading=29, spaceBefore=4),
            "organisation": ParagraphStyle("organisation", fontName=FONT, fontSize=13, leading=17),
            "label": ParagraphStyle("label", fontName=FONT, fontSize=9, leading=13, textColor=GREY),
            "value": ParagraphStyle("value", fontName=FONT, fontSize=11, leading=14),
            "code": ParagraphStyle("code", fontName=FONT_BOLD, fontSize=11, leading=14),
            "instruction": ParagraphStyle(
                "instruction", fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_CENTER
            ),
        }

    def text(self, value, style):
        return Paragraph(_markup(value), self.styles[style])

    def facts(self, ticket):
        label, days = _when(ticket)
        rows = [
            (label, "\n".join(days), "value"),
            (_("Place"), "\n".join(_place(ticket)), "value"),
            (_("Order code"), ticket.order.code, "code"),
        ]
        data = [[self.text(label, "label"), self.text(value, style)] for label, value, style in rows if value]
        table = Table(data, colWidths=[32 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def qr(self, ticket):
        # 10 px a module: sharp at 70 mm (about 130 dpi for a typical code); PDF viewers scale it without smoothing.
        return Image(io.BytesIO(qr_png(ticket.secret, box_size=10)), width=QR_ON_PAPER, height=QR_ON_PAPER)

    def page(self, ticket):
        attendee = ticket.attendee
        edition = ticket.order.edition
        story = [
            self.text(WORD_MARK, "word_mark"),
            self.text(edition.name, "edition"),
            Spacer(0, 3 * mm),
            HRFlowable(width="100%", thickness=2, color=DARK_BLUE, spaceBefore=0, spaceAfter=8 * mm),
            self.text(_("Ticket"), "kind"),
            self.text(ticket.ticket_type.display_name, "type"),
            self.text(attendee.name or str(attendee), "name"),
        ]
        if attendee.organisation:
            story.append(self.text(attendee.organisation, "organisation"))
        story += [
            Spacer(0, 6 * mm),
            self.facts(ticket),
            Spacer(0, 8 * mm),
            self.qr(ticket),
            Spacer(0, 4 * mm),
            Paragraph(escape(_printable(_instruction())), self.styles["instruction"]),
        ]
        return story

    def build(self):
        buffer = io.BytesIO()
        first = self.tickets[0]
        edition = first.order.edition
        title = _printable(f"{_('Tickets')} {first.order.code} – {edition.name}")
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=title,
            author=WORD_MARK,
            subject=_printable(edition.name),
            creator=WORD_MARK,
            lang="en" if _is_english(self.language) else "sv",
            invariant=True,  # the same tickets give the same bytes: no creation time or random file id
            initialFontName=FONT,
        )
        count = len(self.tickets)
        page_label = _("Ticket %(number)s of %(count)s")

        def draw_footer(canvas, document):
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(GREY)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.3)
            y = MARGIN - 2 * mm
            canvas.line(MARGIN, y + 9, A4[0] - MARGIN, y + 9)
            canvas.drawString(MARGIN, y, _printable(f"{WORD_MARK} · {edition.name}"))
            label = page_label % {"number": document.page, "count": count}
            canvas.drawRightString(A4[0] - MARGIN, y, _printable(label))
            canvas.restoreState()

        frame = full_frame(doc)
        doc.addPageTemplates([PageTemplate(id="ticket", frames=[frame], onPage=draw_footer)])
        story = []
        for index, ticket in enumerate(self.tickets):
            if index:
                story.append(PageBreak())
            story += self.page(ticket)
        doc.build(story)
        return buffer.getvalue()


def ticket_pdf(tickets, *, language):
    """An A4 PDF, one page a ticket, in `language` ("sv" or "en"). Pass the tickets with
    `select_related("ticket_type", "attendee", "order__edition")`: the PDF makes no queries."""
    tickets = list(tickets)
    if not tickets:
        raise ValueError("ticket_pdf needs at least one ticket")
    with translation.override(language):
        return _TicketPdf(tickets, language).build()


# The phone ticket


@cache
def _font_path(bold):
    return str(Path(reportlab.__file__).parent / "fonts" / ("VeraBd.ttf" if bold else "Vera.ttf"))


@cache
def _font(size, bold=False):
    return ImageFont.truetype(_font_path(bold), size)


def _wrap(text, font, width):
    """`text` broken into lines no wider than `width` px (a word wider than that gets a line of its own)."""
    lines = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return [line for line in lines if line]


def _fitting_font(text, size, width, *, bold=False, smallest=36):
    """The largest font up to `size` px in which `text` fits on one line (down to `smallest`, then it wraps)."""
    while size > smallest and _font(size, bold).getlength(str(text)) > width:
        size -= 4
    return _font(size, bold)


class _Wallet:
    SIDE = 72  # px of margin left and right

    def __init__(self, ticket):
        self.ticket = ticket
        self.image = PILImage.new("RGB", WALLET_SIZE, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.width = WALLET_SIZE[0] - 2 * self.SIDE

    def lines(self, text, font, y, fill, gap=10):
        """Draws `text` centred from `y` down, wrapped; returns the y below it."""
        for line in _wrap(text, font, self.width):
            self.draw.text((WALLET_SIZE[0] // 2, y), line, font=font, fill=fill, anchor="mt")
            ascent, descent = font.getmetrics()
            y += ascent + descent + gap
        return y

    def build(self):
        ticket = self.ticket
        edition = ticket.order.edition
        attendee = ticket.attendee
        blue, grey = DARK_BLUE_HEX, "#555555"

        self.draw.rectangle((0, 0, WALLET_SIZE[0], 16), fill=blue)
        y = self.lines(WORD_MARK, _font(76, bold=True), 70, blue)
        y = self.lines(edition.name, _font(40), y, grey)
        name = attendee.name or str(attendee)
        y = self.lines(name, _fitting_font(name, 64, self.width, bold=True), y + 28, "black")
        self.lines(ticket.ticket_type.display_name, _font(48, bold=True), y + 4, blue)

        qr = _qr_image(ticket.secret, 1)
        box = max(WALLET_QR_MAX // qr.width, 1)
        qr = qr.resize((qr.width * box, qr.height * box), PILImage.Resampling.NEAREST)
        top = (WALLET_SIZE[1] - qr.height) // 2
        self.image.paste(qr, ((WALLET_SIZE[0] - qr.width) // 2, top))

        y = top + qr.height
        _label, days = _when(ticket)
        for day in days:
            y = self.lines(day, _font(40, bold=True), y, "black")
        y = self.lines(", ".join(_place(ticket)), _font(34), y + 6, grey)
        y = self.lines(f"{_('Order code')}: {ticket.order.code}", _font(34), y + 6, grey)
        instruction = _instruction().replace(". ", ".\n")  # a sentence a line where the screen allows
        self.lines(instruction, _font(30), max(y + 16, WALLET_SIZE[1] - 150), grey, gap=6)
        return _png(self.image)


def wallet_png(ticket, *, language):
    """A 1080×1920 PNG for a phone screen: word mark, name, ticket type, the QR in the middle, days and place."""
    with translation.override(language):
        return _Wallet(ticket).build()


# The calendar file


def _location(edition):
    parts = [edition.venue, edition.address]
    if edition.city and edition.city not in edition.address:
        parts.append(edition.city)
    return ", ".join(part for part in parts if part)


def conference_ics(edition, *, language, now=None):
    """An iCalendar file (bytes) with the conference as an all-day event over its days and, when its time is set,
    the banquet as a three-hour event in Europe/Stockholm time. UIDs are stable, so importing it again updates the
    events instead of adding copies; DTSTAMP is `now` (default: the current time)."""
    stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    with translation.override(language):
        calendar = Calendar.new(
            prodid=f"-//{DOMAIN}//{WORD_MARK} {edition.year}//{language.upper()}",
            uid=f"edition-{edition.pk}@{DOMAIN}",
            name=edition.name,
        )
        calendar.add_component(
            Event.new(
                uid=f"edition-{edition.pk}-conference@{DOMAIN}",
                stamp=stamp,
                start=edition.starts_on,
                end=edition.ends_on + dt.timedelta(days=1),
                summary=edition.name,
                location=_location(edition) or None,
            )
        )
        if edition.banquet_starts_at:
            starts = timezone.localtime(edition.banquet_starts_at, timezone.get_default_timezone())
            calendar.add_component(
                Event.new(
                    uid=f"edition-{edition.pk}-banquet@{DOMAIN}",
                    stamp=stamp,
                    start=starts,
                    end=starts + dt.timedelta(hours=BANQUET_HOURS),
                    summary=_("Banquet – %(edition)s") % {"edition": edition.name},
                    location=edition.banquet_venue or _location(edition) or None,
                )
            )
            calendar.add_missing_timezones(
                first_date=dt.date(starts.year, 1, 1), last_date=dt.date(starts.year + 1, 1, 1)
            )
        return calendar.to_ical()
