"""Money arithmetic: prices include VAT; the VAT in a sum is worked out per rate, to the öre."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")


def vat_in(gross, rate):
    """The VAT included in `gross` at `rate` percent."""
    return (gross * rate / (100 + rate)).quantize(ORE, rounding=ROUND_HALF_UP)


def vat_summary(amounts):
    """[(rate, gross)] → one row per rate, highest rate first: {"rate", "net", "vat", "gross"} (Decimals)."""
    gross_by_rate = defaultdict(Decimal)
    for rate, gross in amounts:
        gross_by_rate[Decimal(rate)] += Decimal(gross)
    rows = []
    for rate in sorted(gross_by_rate, reverse=True):
        gross = gross_by_rate[rate]
        vat = vat_in(gross, rate)
        rows.append({"rate": rate, "net": gross - vat, "vat": vat, "gross": gross})
    return rows


def to_ore(amount):
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
