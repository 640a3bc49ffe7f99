"""Swedish identifiers a buyer types in."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_ok(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalise_organisation_number(value):
    """`value` as NNNNNN-NNNN if it is a valid Swedish organisation number (10 digits, or 12 with the “16”
    century prefix; the last digit a Luhn check digit), else ValidationError saying what is wrong."""
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(
            _("Write the organisation number with ten digits, e.g. 212000-1355."), code="organisation_number_format"
        )
    if not luhn_ok(digits):
        raise ValidationError(
            _("The organisation number is not valid: check the digits."), code="organisation_number_checksum"
        )
    return f"{digits[:6]}-{digits[6:]}"
