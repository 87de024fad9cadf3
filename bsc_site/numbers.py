"""How a Decimal is written where people read or type it: no exponent, no trailing zeros."""

from decimal import Decimal


def plain(value: Decimal | int | None) -> str | None:
    """25.00 -> "25", 8.3300 -> "8.33", 0.001 -> "0.001"; None stays None."""
    if value is None:
        return None
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
