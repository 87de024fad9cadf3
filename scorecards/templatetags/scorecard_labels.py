"""Labels of the scorecard choices for values the pure modules hand back as plain text."""

from django import template

from scorecards.models import Feed, Level

register = template.Library()


@register.filter
def feed_label(value: str) -> str:
    try:
        return Feed(value).label
    except ValueError:
        return value


@register.filter
def level_label(value: str) -> str:
    try:
        return Level(value).label
    except ValueError:
        return value
