"""Name badges: A4 sheets of eight 90 × 55 mm badges, two across and four down, with cut marks in the margins and a
hairline round each badge. A badge shows the edition, the holder's name (large), organisation and ticket type, and
the ticket's own QR code, so that it scans at the door like the ticket does.

A long name or organisation gets a smaller font, then a second line, and only past the smallest size an ellipsis:
nothing is drawn outside its badge. The PDF is built from the rows passed in, without queries of its own, and is the
same bytes every time for the same tickets.
"""

import io
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

from tickets.invoice_pdf import FONT, FONT_BOLD, GREY, RULE, _is_english, _printable, _register_fonts
from tickets.ticket_files import DARK_BLUE, WORD_MARK, qr_png

__all__ = ["badges_pdf", "fit_text"]

BADGE_WIDTH, BADGE_HEIGHT = 90 * mm, 55 * mm
COLUMNS, ROWS = 2, 4
PER_SHEET = COLUMNS * ROWS
LEFT = (A4[0] - COLUMNS * BADGE_WIDTH) / 2
BOTTOM = (A4[1] - ROWS * BADGE_HEIGHT) / 2
PADDING = 4 * mm
BAND = 8 * mm  # the dark-blue strip with the edition's name
QR_SIDE = 30 * mm  # quiet zone included: about 0.8 mm a module for a ticket's secret, sharp for any phone camera
QR_GAP = 3 * mm
TEXT_WIDTH = BADGE_WIDTH - 2 * PADDING - QR_SIDE - QR_GAP
CUT_MARK, CUT_GAP = 5 * mm, 2 * mm
ELLIPSIS = "…"
LEADING = 1.15


@dataclass(frozen=True)
class FittedText:
    size: float
    lines: list

    @property
    def height(self):
        return len(self.lines) * self.size * LEADING


def _width(text, font, size):
    return stringWidth(text, font, size)


def _pieces(text):
    """`text` as (piece, joined) pairs: its words, split again after each hyphen (“Lindqvist-”, “Åkerström”), where
    `joined` says the piece follows the one before without a space."""
    pieces = []
    for word in _printable(text).split():
        parts = re.findall(r"[^-]*-+|[^-]+$", word)
        pieces += [(part, index > 0) for index, part in enumerate(parts)]
    return pieces


def _wrap(pieces, font, size, width):
    """Greedy lines of `pieces`; a piece wider than `width` stays whole on a line of its own."""
    lines = []
    for piece, joined in pieces:
        candidate = f"{lines[-1]}{'' if joined else ' '}{piece}" if lines else piece
        if lines and _width(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(piece)
    return lines


def _cut(text, font, size, width, *, ellipsis):
    """The longest start of `text` that fits in `width` (followed by “…” when `ellipsis`)."""
    end = ELLIPSIS if ellipsis else ""
    while text and _width(text.rstrip() + end, font, size) > width:
        text = text[:-1]
    return text.rstrip() + end if text else ""


def _break_long_pieces(pieces, font, size, width):
    """`pieces` with any piece wider than `width` broken into parts that fit."""
    broken = []
    for piece, joined in pieces:
        while _width(piece, font, size) > width:
            part = _cut(piece, font, size, width, ellipsis=False) or piece[0]
            broken.append((part, joined))
            piece, joined = piece[len(part) :], True
        if piece:
            broken.append((piece, joined))
    return broken


def fit_text(text, *, font, width, largest, smallest, max_lines):
    """`text` in at most `max_lines` lines no wider than `width` points: at the largest size from `largest` down to
    `smallest` (in half points) where it fits, breaking lines between words and after hyphens; else at `smallest`,
    over-long words broken too and the last line ending in “…”."""
    pieces = _pieces(text)
    if not pieces:
        return FittedText(largest, [])
    size = largest
    while size >= smallest:
        lines = _wrap(pieces, font, size, width)
        if len(lines) <= max_lines and all(_width(line, font, size) <= width for line in lines):
            return FittedText(size, lines)
        size -= 0.5
    size = smallest
    lines = _wrap(_break_long_pieces(pieces, font, size, width), font, size, width)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _cut(rest, font, size, width, ellipsis=True)]
    return FittedText(size, lines)


class _Badges:
    def __init__(self, tickets, *, title):
        _register_fonts()
        self.tickets = tickets
        self.title = title
        self.sheets = (len(tickets) + PER_SHEET - 1) // PER_SHEET

    def line(self, canvas, fitted, font, x, baseline):
        """Draws a one-line `fitted` text on `baseline`."""
        canvas.setFont(font, fitted.size)
        canvas.drawString(x, baseline, " ".join(fitted.lines))

    def lines(self, canvas, fitted, font, x, top):
        """Draws `fitted` from `top` down; returns the y below it."""
        ascent, _descent = getAscentDescent(font, fitted.size)
        canvas.setFont(font, fitted.size)
        y = top - ascent
        for line in fitted.lines:
            canvas.drawString(x, y, line)
            y -= fitted.size * LEADING
        return top - fitted.height

    def badge(self, canvas, ticket, x, y):
        attendee = ticket.attendee
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)

        canvas.setFillColor(DARK_BLUE)
        canvas.rect(x, y + BADGE_HEIGHT - BAND, BADGE_WIDTH, BAND, stroke=0, fill=1)
        edition = fit_text(
            ticket.order.edition.name or WORD_MARK,
            font=FONT_BOLD,
            width=BADGE_WIDTH - 2 * PADDING,
            largest=9,
            smallest=6,
            max_lines=1,
        )
        canvas.setFillColor(colors.white)
        self.line(canvas, edition, FONT_BOLD, x + PADDING, y + BADGE_HEIGHT - BAND / 2 - edition.size * 0.35)

        top = y + BADGE_HEIGHT - BAND - PADDING
        text_x = x + PADDING
        canvas.setFillColor(colors.black)
        name = fit_text(
            attendee.name or str(attendee), font=FONT_BOLD, width=TEXT_WIDTH, largest=18, smallest=10, max_lines=2
        )
        top = self.lines(canvas, name, FONT_BOLD, text_x, top) - 1.5 * mm
        if attendee.organisation:
            canvas.setFillColor(GREY)
            organisation = fit_text(
                attendee.organisation, font=FONT, width=TEXT_WIDTH, largest=11, smallest=7, max_lines=2
            )
            self.lines(canvas, organisation, FONT, text_x, top)

        ticket_type = fit_text(
            ticket.ticket_type.display_name, font=FONT_BOLD, width=TEXT_WIDTH, largest=9, smallest=6, max_lines=1
        )
        canvas.setFillColor(DARK_BLUE)
        self.line(canvas, ticket_type, FONT_BOLD, text_x, y + PADDING)

        qr = ImageReader(io.BytesIO(qr_png(ticket.secret, box_size=8)))
        qr_y = y + (BADGE_HEIGHT - BAND - QR_SIDE) / 2
        canvas.drawImage(qr, x + BADGE_WIDTH - PADDING - QR_SIDE, qr_y, QR_SIDE, QR_SIDE)

    def cut_marks(self, canvas):
        """Short lines in the margins on every cut, so the sheet can be cut on a guillotine without a template."""
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.3)
        right, top = LEFT + COLUMNS * BADGE_WIDTH, BOTTOM + ROWS * BADGE_HEIGHT
        for column in range(COLUMNS + 1):
            x = LEFT + column * BADGE_WIDTH
            canvas.line(x, top + CUT_GAP, x, top + CUT_GAP + CUT_MARK)
            canvas.line(x, BOTTOM - CUT_GAP, x, BOTTOM - CUT_GAP - CUT_MARK)
        for row in range(ROWS + 1):
            y = BOTTOM + row * BADGE_HEIGHT
            canvas.line(LEFT - CUT_GAP, y, LEFT - CUT_GAP - CUT_MARK, y)
            canvas.line(right + CUT_GAP, y, right + CUT_GAP + CUT_MARK, y)

    def footer(self, canvas, number):
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        label = _printable(_("Sheet %(number)s of %(count)s") % {"number": number, "count": self.sheets})
        room = COLUMNS * BADGE_WIDTH - _width(label, FONT, 7.5) - 5 * mm
        title = fit_text(self.title, font=FONT, width=room, largest=7.5, smallest=7.5, max_lines=1)
        canvas.drawString(LEFT, BOTTOM / 2, " ".join(title.lines))
        canvas.drawRightString(LEFT + COLUMNS * BADGE_WIDTH, BOTTOM / 2, label)

    def build(self, language):
        buffer = io.BytesIO()
        canvas = Canvas(
            buffer,
            pagesize=A4,
            invariant=True,  # the same tickets give the same bytes: no creation time or random file id
            lang="en" if _is_english(language) else "sv",
            initialFontName=FONT,
        )
        canvas.setTitle(_printable(self.title))
        canvas.setSubject(_printable(self.tickets[0].order.edition.name))
        canvas.setAuthor(WORD_MARK)
        canvas.setCreator(WORD_MARK)
        for sheet in range(self.sheets):
            on_sheet = self.tickets[sheet * PER_SHEET : (sheet + 1) * PER_SHEET]
            for index, ticket in enumerate(on_sheet):
                row, column = divmod(index, COLUMNS)
                x = LEFT + column * BADGE_WIDTH
                y = BOTTOM + (ROWS - 1 - row) * BADGE_HEIGHT  # filled from the top left, as one reads
                canvas.saveState()
                self.badge(canvas, ticket, x, y)
                canvas.restoreState()
            self.cut_marks(canvas)
            self.footer(canvas, sheet + 1)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def badges_pdf(tickets, *, language, heading=""):
    """An A4 PDF of name badges, eight a sheet, one a ticket in the order given, in `language` ("sv" or "en"); each
    QR code holds its ticket's secret. `heading` (e.g. the list and the edition) follows “Name badges” in the
    document's title and at the foot of each sheet. Pass the tickets with `select_related("attendee",
    "ticket_type", "order__edition")`: the PDF makes no queries."""
    tickets = list(tickets)
    if not tickets:
        raise ValueError("badges_pdf needs at least one ticket")
    with translation.override(language):
        title = " – ".join(part for part in (_("Name badges"), heading) if part)
        return _Badges(tickets, title=title).build(language)
