"""Small lookups for the appraisal pages, whose forms carry plain values in their snapshot."""

from django import template

from bsc_site import numbers

from scorecards.models import DataOwner

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def data_owner_label(value: str) -> str:
    try:
        return DataOwner(value).label
    except ValueError:
        return value


@register.filter
def plain(value):
    """A stored Decimal without trailing zeros: 8.3300 -> 8.33, 100.0000 -> 100."""
    return value if value in (None, "") else numbers.plain(value)
