"""Money and VAT written the way the reader's language writes them: “1 234,50 kr” and “25 %” in Swedish."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"
ORE = Decimal("0.01")


def _english():
    return (get_language() or "sv").startswith("en")


@register.filter
def sek(amount):
    """An amount in kronor to the öre, with no-break spaces so that it never wraps: “1 234,50 kr”, “SEK 1,234.50”."""
    if amount in (None, ""):
        return ""
    value = Decimal(str(amount)).quantize(ORE, rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    whole, cents = f"{abs(value):,.2f}".split(".")
    if _english():
        return f"SEK{NBSP}{sign}{whole}.{cents}"
    return f"{sign}{whole.replace(',', NBSP)},{cents}{NBSP}kr"


@register.filter
def vat_rate(rate):
    """A VAT rate without needless decimals: “25 %” (“25%” in English), “6 %”, “12,5 %”."""
    value = Decimal(str(rate)).normalize()
    text = f"{value:f}"
    if _english():
        return f"{text}%"
    return f"{text.replace('.', ',')}{NBSP}%"
