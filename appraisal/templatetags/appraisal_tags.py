"""Small lookups for the appraisal pages, whose forms carry plain values in their snapshot."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bsc_site import numbers

from indicators.models import ScoringMethod
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


@register.filter
def line_name(info) -> str:
    """A form line's indicator name in the page's language (the snapshot keeps both)."""
    if not hasattr(info, "get"):
        return ""
    chinese = (get_language() or "").startswith("zh")
    first, second = ("name_zh", "name_en") if chinese else ("name_en", "name_zh")
    return info.get(first) or info.get(second) or ""


@register.filter
def person(user) -> str:
    """Who someone is on a page: their employee name, else their full name or user name."""
    if user is None:
        return "—"
    employee = getattr(user, "employee", None)
    return (employee.display_name if employee else "") or user.get_full_name() or user.get_username()


@register.filter
def method_label(value: str) -> str:
    try:
        return ScoringMethod(value).label
    except ValueError:
        return value


@register.filter
def level_label(value) -> str:
    """A level of the seven-level scale with its words: "6 good" / "6 好"."""
    from indicators.scoring import SEVEN_LEVEL_SCALE

    chinese = (get_language() or "").startswith("zh")
    for level in SEVEN_LEVEL_SCALE:
        if str(level.value) == str(value):
            return f"{level.value} {level.label_zh if chinese else _(level.label_en)}"
    return str(value)


@register.filter
def attr_of(obj, name: str):
    """A model field by name (for forms drawn from a list of field names)."""
    return getattr(obj, name, "") if obj is not None else ""
