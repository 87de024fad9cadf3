"""A small SVG bar chart of a line's twelve monthly targets, drawn on the server.

Only numbers and the month labels passed in go into the markup, and both are escaped, so
the chart is safe to mark as safe in a template.
"""

from decimal import Decimal
from html import escape

from bsc_site.numbers import plain

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM, PAD_LEFT = 480, 150, 14, 22, 8


def month_chart(months: list[Decimal], labels: list[str], *, title: str) -> str:
    """Bars for the months (negative values hang below the zero line), value on hover."""
    if len(months) != 12:
        return ""
    top = max(max(months), Decimal(0))
    bottom = min(min(months), Decimal(0))
    span = (top - bottom) or Decimal(1)
    plot = Decimal(HEIGHT - PAD_TOP - PAD_BOTTOM)
    zero_y = PAD_TOP + top / span * plot
    slot = Decimal(WIDTH - PAD_LEFT * 2) / 12
    bars = []
    for index, (value, label) in enumerate(zip(months, labels, strict=True)):
        height = abs(value) / span * plot
        y = zero_y - height if value >= 0 else zero_y
        x = PAD_LEFT + index * slot + slot * Decimal("0.15")
        text = escape(f"{label}: {plain(value)}")
        bars.append(
            f'<g><title>{text}</title><rect x="{x:.1f}" y="{y:.1f}" width="{slot * Decimal("0.7"):.1f}" '
            f'height="{max(height, Decimal("0.5")):.1f}" class="bar"/>'
            f'<text x="{x + slot * Decimal("0.35"):.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(label[:3])}</text></g>'
        )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="month-chart">'
        f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_LEFT}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" class="axis"/>'
        + "".join(bars)
        + "</svg>"
    )
