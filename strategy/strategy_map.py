"""The strategy map drawn as SVG by the server.

The four perspectives are horizontal bands (financial on top, learning & growth at the
bottom), objectives are boxes inside their band, cause-and-effect links are arrows from the
driver (source) to the outcome (target). No JavaScript, no CSS file, no web font: the result
prints and can be tested as a string.

Pure Python and no ORM: the caller (a selector or view) turns its objectives and links into
``MapObjective`` and ``MapLink`` and passes the translated perspective names.

    svg = render_svg(objectives, links, band_labels, width=1200, title=plan_title)

**Escaping is done here.** Every caller-supplied string (codes, titles, band labels, the
title, urls, statuses) is XML-escaped by this module, characters XML does not allow are
dropped, and a url is only used if it is relative or http(s) (anything else, such as
``javascript:``, gives a box without a link). The returned string can therefore be put into
a template with ``{{ svg|safe }}``; no template is shipped for it on purpose.

``layout()`` returns the geometry (bands, boxes, link routes) so tests can check overlaps
without parsing the SVG; ``render_svg()`` draws a layout. Output is deterministic: the same
input gives the same string.

Layout rules:

- Bands all have the same height, sized by the band with the most rows; a band's rows are
  centred vertically inside it, and a band label sits in a left column (rotated text).
- Inside a band, objectives are ordered by ``order`` then ``code`` (natural order: P2
  before P10) and placed in balanced, centred rows of at most ``columns`` boxes (6 at width
  1200, fewer when narrower; 7 objectives give rows of 4 and 3).
- Every box has the same size; its text is the code (bold) and the title, wrapped onto at
  most three lines (Chinese per character, latin per word, ellipsis beyond). The full text
  is in the box's tooltip and aria-label.
- A link is a straight arrow from the edge of the source box to the edge of the target box
  (the centre line clipped by both rectangles) unless that line passes under another box
  (which would read as a link to it) or ends on another arrowhead. Then the cheapest of a few
  alternatives is used: a parallel line, an arc over or under the row (links inside one
  row), a path through the gaps of the rows in between (in one of five lanes, so arrows
  sharing a gap stay apart), or a bend to either side. Links are routed shortest first, and
  a candidate running along an arrow already drawn costs more. Arrows are drawn under the
  boxes; a crossing is only left where every alternative crosses too.
- A link flagged ``against_direction`` is dashed, in a warning colour, with its own
  arrowhead. A link whose source or target is not on the map (or that links a box to itself,
  or repeats another link) is left out and counted in ``MapLayout.skipped_links`` and in the
  ``data-skipped-links`` attribute of the ``<svg>``.
- The status colour (green / amber / red / none) is a stripe on the left of the box; no
  status is neutral grey. A legend under the bands explains the colours and the two arrows.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")
STATUSES = ("green", "amber", "red")

DEFAULT_BAND_LABELS = {
    "financial": _("Financial"),
    "customer": _("Customer"),
    "internal_process": _("Internal process"),
    "learning_growth": _("Learning & growth"),
}
STATUS_LABELS = {
    "green": _("On target"),
    "amber": _("At risk"),
    "red": _("Off target"),
    None: _("No status"),
}

# Colours: dark enough to survive a black-and-white printer, light band tints.
STATUS_COLOURS = {"green": "#2e7d32", "amber": "#e69a00", "red": "#c62828", None: "#b0b0b0"}
BAND_FILLS = {
    "financial": ("#eaf1fa", "#d3e2f4"),
    "customer": ("#eaf5ec", "#d2eadb"),
    "internal_process": ("#fbf4e4", "#f3e3bf"),
    "learning_growth": ("#f3edf8", "#e3d6ef"),
}
TEXT_COLOUR = "#000000"
BOX_BORDER = "#5f6b73"
LINK_COLOUR = "#34495e"
AGAINST_COLOUR = "#d84315"
FONT_FAMILY = (
    "Arial, 'Liberation Sans', Helvetica, 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'Microsoft YaHei', 'PingFang SC', sans-serif"
)

# Geometry, in SVG user units (= CSS px when drawn at its natural width).
MARGIN = 10
LABEL_COL_W = 50
LABEL_FONT_SIZE = 15
LABEL_LINE_H = 18
TITLE_H = 36
TITLE_FONT_SIZE = 18
BAND_PAD_Y = 30
MIN_BAND_H = 150
ROW_GAP = 40
MIN_SLOT_W = 185
H_GAP_RATIO = 0.2  # share of a slot left empty between boxes
MAX_COLUMNS = 6
MIN_COLUMNS = 2
FONT_SIZE = 13
LINE_H = 16
MAX_LINES = 3
BOX_PAD_Y = 9
BOX_PAD_X = 7
STRIPE_W = 8
BOX_H = MAX_LINES * LINE_H + 2 * BOX_PAD_Y
LEGEND_H = 34
LEGEND_FONT_SIZE = 12

SVG_NS = "http://www.w3.org/2000/svg"
ELLIPSIS = "\u2026"


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class MapObjective:
    id: int
    code: str
    title: str
    perspective: str  # "financial" | "customer" | "internal_process" | "learning_growth"
    url: str
    status: str | None  # "green" | "amber" | "red" | None
    order: int = 0


@dataclass(frozen=True)
class MapLink:
    source: int  # the driver
    target: int  # the outcome
    against_direction: bool = False


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    def overlaps(self, other: Rect) -> bool:
        """True if the interiors intersect (touching edges do not count)."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def inflate(self, by: float) -> Rect:
        return Rect(self.x - by, self.y - by, self.width + 2 * by, self.height + 2 * by)


@dataclass(frozen=True)
class BandGeometry:
    perspective: str
    rect: Rect  # the whole band, label column included
    label_rect: Rect
    rows: int


@dataclass(frozen=True)
class BoxGeometry:
    objective: MapObjective
    rect: Rect
    row: int
    column: int
    lines: tuple[str, ...]  # the wrapped text, first line starting with the code
    truncated: bool


@dataclass(frozen=True)
class LinkRoute:
    link: MapLink
    d: str  # SVG path data
    start: tuple[float, float]
    end: tuple[float, float]
    kind: str  # "line" | "arc" | "channel" | "bend"
    crossings: int  # other boxes the route passes under (0 where avoidable)
    points: tuple[tuple[float, float], ...]  # the route as a polyline, for checks


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    columns: int
    title_height: float
    bands: tuple[BandGeometry, ...]  # top to bottom
    boxes: dict[int, BoxGeometry]  # by objective id, in drawing order
    routes: tuple[LinkRoute, ...]
    skipped_links: int
    legend_y: float


# --------------------------------------------------------------------------- text


# Helvetica/Arial advance widths (1/1000 em) for printable ASCII, 32..126.
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_SAFETY = 1.07  # fallback fonts (DejaVu) run wider than Arial
_BOLD = 1.09

# Chinese/Japanese punctuation that must not start a line, or end one (kinsoku).
_NO_LINE_START = set("，。、；：！？）》」』】〕〉”’％,.;:!?)]}%" + ELLIPSIS + "·")
_NO_LINE_END = set("（《「『【〔〈“‘([{")

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _char_em(ch: str) -> float:
    o = ord(ch)
    if 32 <= o <= 126:
        return _ASCII_WIDTHS[o - 32] / 1000
    if _is_wide(ch) or ch == ELLIPSIS:
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return 0.62


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Estimated rendered width of ``text``, erring on the wide side."""
    em = sum(_char_em(ch) for ch in text)
    return em * font_size * _SAFETY * (_BOLD if bold else 1.0)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split into unbreakable pieces: latin words, single CJK characters.

    Each token comes with whether a space precedes it. Punctuation that may not start a
    line is glued to the token before it, opening brackets to the token after them.
    """
    tokens: list[list] = []

    def add(tok: str, space: bool) -> None:
        if tokens and not space and (tok[0] in _NO_LINE_START or tokens[-1][0][-1] in _NO_LINE_END):
            tokens[-1][0] += tok
        else:
            tokens.append([tok, space])

    word = ""
    word_space = False
    pending_space = False
    for ch in text:
        if ch.isspace():
            if word:
                add(word, word_space)
                word = ""
            pending_space = True
        elif _is_wide(ch):
            if word:
                add(word, word_space)
                word = ""
            add(ch, pending_space)
            pending_space = False
        else:
            if not word:
                word_space = pending_space
                pending_space = False
            word += ch
    if word:
        add(word, word_space)
    return [(t, s) for t, s in tokens]


def wrap_text(
    text: str,
    max_width: float,
    font_size: float,
    max_lines: int,
    *,
    bold_prefix: str = "",
) -> tuple[tuple[str, ...], bool]:
    """Wrap ``text`` into at most ``max_lines`` lines no wider than ``max_width``.

    Latin text breaks between words (a word longer than a line is cut), CJK text between
    any two characters. Returns the lines and whether text was cut off (the last line then
    ends with an ellipsis). ``bold_prefix``: the text starts with this, drawn bold.
    """

    def width(line: str, first: bool) -> float:
        if first and bold_prefix and line.startswith(bold_prefix):
            return text_width(bold_prefix, font_size, bold=True) + text_width(
                line[len(bold_prefix) :], font_size
            )
        return text_width(line, font_size)

    lines: list[str] = []
    current = ""
    for token, space in _tokens(text):
        candidate = current + (" " if space and current else "") + token
        if width(candidate, not lines) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        if width(token, not lines) <= max_width:
            current = token
            continue
        for ch in token:  # a word longer than a whole line: cut it
            if current and width(current + ch, not lines) > max_width:
                lines.append(current)
                current = ""
            current += ch
    if current:
        lines.append(current)

    truncated = len(lines) > max_lines
    lines = lines[:max_lines]
    if truncated:
        last = lines[-1]
        first = len(lines) == 1
        while last and width(last + ELLIPSIS, first) > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return tuple(lines), truncated


def _clean(value: object) -> str:
    return _XML_INVALID.sub("", str(value))


def _esc(value: object) -> str:
    """XML-escape text and attribute values (quotes included); drop invalid characters."""
    return (
        _clean(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _safe_url(url: str) -> str | None:
    """The url if it is relative or http(s); None for any other scheme (javascript:, data:)."""
    url = _clean(url or "").strip()
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    scheme = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", url))
    if not url or (scheme and scheme.group(1).lower() not in ("http", "https")):
        return None
    return url


# --------------------------------------------------------------------------- geometry


def _columns_for(width: float) -> int:
    area = width - 2 * MARGIN - LABEL_COL_W
    return max(MIN_COLUMNS, min(MAX_COLUMNS, int(area // MIN_SLOT_W)))


def _row_sizes(count: int, columns: int) -> list[int]:
    """Balanced rows: 7 objectives in rows of at most 6 give 4 + 3, not 6 + 1."""
    if count == 0:
        return []
    rows = math.ceil(count / columns)
    base, extra = divmod(count, rows)
    return [base + 1 if i < extra else base for i in range(rows)]


def _clip(rect: Rect, toward: tuple[float, float], origin: tuple[float, float] | None = None):
    """Where the ray from ``origin`` (default: the centre of ``rect``) toward a point leaves
    the rectangle. ``origin`` must lie inside it."""
    ox, oy = origin if origin is not None else (rect.cx, rect.cy)
    dx, dy = toward[0] - ox, toward[1] - oy
    if dx == 0 and dy == 0:
        return ox, oy
    tx = ((rect.right - ox) / dx if dx > 0 else (rect.x - ox) / dx) if dx else math.inf
    ty = ((rect.bottom - oy) / dy if dy > 0 else (rect.y - oy) / dy) if dy else math.inf
    t = min(tx, ty)
    return ox + dx * t, oy + dy * t


def _segment_hits(p: tuple[float, float], q: tuple[float, float], r: Rect) -> bool:
    """Liang-Barsky: does the segment p-q pass through the rectangle?"""
    x0, y0 = p
    dx, dy = q[0] - x0, q[1] - y0
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, x0 - r.x), (dx, r.right - x0), (-dy, y0 - r.y), (dy, r.bottom - y0)):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def _quad(p0, p1, p2, steps=20):
    pts = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        pts.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return pts


def _cubic(p0, p1, p2, p3, steps=24):
    pts = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
        pts.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return pts


def _num(v: float) -> str:
    s = f"{v:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def _pt(p: tuple[float, float]) -> str:
    return f"{_num(p[0])},{_num(p[1])}"


def _pull_back(end: tuple[float, float], toward: tuple[float, float], by: float):
    """Move ``end`` ``by`` units toward ``toward`` (so an arrow tip does not hide under a border)."""
    dx, dy = toward[0] - end[0], toward[1] - end[1]
    dist = math.hypot(dx, dy)
    if dist == 0:
        return end
    return end[0] + dx / dist * by, end[1] + dy / dist * by


def _rounded(points: Sequence[tuple[float, float]], radius: float = 14) -> tuple[str, list[tuple[float, float]]]:
    """A polyline through ``points`` with rounded corners: SVG path data and a sampled polyline."""
    pts: list[tuple[float, float]] = []
    for p in points:
        if not pts or math.dist(pts[-1], p) > 0.5:
            pts.append(p)
    d = [f"M{_pt(pts[0])}"]
    poly = [pts[0]]
    for i in range(1, len(pts) - 1):
        prev, corner, nxt = pts[i - 1], pts[i], pts[i + 1]
        len_in, len_out = math.dist(prev, corner), math.dist(corner, nxt)
        r = min(radius, len_in / 2, len_out / 2)
        a = (corner[0] - (corner[0] - prev[0]) / len_in * r, corner[1] - (corner[1] - prev[1]) / len_in * r)
        b = (corner[0] + (nxt[0] - corner[0]) / len_out * r, corner[1] + (nxt[1] - corner[1]) / len_out * r)
        d.append(f"L{_pt(a)} Q{_pt(corner)} {_pt(b)}")
        poly.append(a)
        poly.extend(_quad(a, corner, b, steps=4)[1:])
    d.append(f"L{_pt(pts[-1])}")
    poly.append(pts[-1])
    return " ".join(d), poly


def _length(points: Sequence[tuple[float, float]]) -> float:
    return sum(math.dist(points[i], points[i + 1]) for i in range(len(points) - 1))


class _Router:
    """Greedy link router: for each link, the cheapest of a few candidate paths.

    Cost: every other box crossed weighs 1000 (an arrow under a box reads as a link to it),
    leaving the bands 400, an arrowhead on another arrow's end 40, running along an arrow
    already drawn a little per point, and a curve a little more than a straight line.
    """

    CELL = 7  # congestion grid, in user units

    def __init__(self, boxes: Sequence[Rect], area: Rect) -> None:
        self.boxes = list(boxes)
        self.area = area
        self.busy: dict[tuple[int, int], int] = {}
        self.tips: list[tuple[float, float]] = []  # arrowheads drawn so far
        self.tails: list[tuple[float, float]] = []
        rows: dict[tuple[float, float], list[Rect]] = {}
        for r in self.boxes:
            rows.setdefault((r.y, r.bottom), []).append(r)
        self.rows = sorted((top, bottom, sorted(rs, key=lambda r: r.x)) for (top, bottom), rs in rows.items())

    # -- costs

    def _cells(self, poly: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
        cells = []
        for i in range(len(poly) - 1):
            (x0, y0), (x1, y1) = poly[i], poly[i + 1]
            n = max(1, int(math.dist(poly[i], poly[i + 1]) / (self.CELL / 2)))
            for k in range(n):
                t = k / n
                cell = (int((x0 + (x1 - x0) * t) // self.CELL), int((y0 + (y1 - y0) * t) // self.CELL))
                if not cells or cells[-1] != cell:
                    cells.append(cell)
        return cells

    def _crowding(self, poly) -> float:
        cells = self._cells(poly)
        inner = cells[4:-4]  # arrows meet at their boxes anyway
        return sum(1 for c in set(inner) if c in self.busy)

    def _crossings(self, poly, others: Sequence[Rect]) -> int:
        xs = [p[0] for p in poly]
        ys = [p[1] for p in poly]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        segments = list(zip(poly, poly[1:]))
        hits = 0
        for o in others:
            left, right, top, bottom = o.x, o.right, o.y, o.bottom
            if left > x1 or right < x0 or top > y1 or bottom < y0:
                continue
            for p, q in segments:
                if (p[0] < left and q[0] < left) or (p[0] > right and q[0] > right):
                    continue
                if (p[1] < top and q[1] < top) or (p[1] > bottom and q[1] > bottom):
                    continue
                if _segment_hits(p, q, o):
                    hits += 1
                    break
        return hits

    # -- candidates

    def _channel(self, s: Rect, t: Rect, lane: float) -> list[tuple[float, float]] | None:
        """Waypoints of a path that avoids the rows between the two boxes: out of the source
        vertically, along the space between rows, up or down through a gap of each row in
        between, into the target vertically.

        ``lane`` shifts the path sideways, so that arrows sharing a gap stay apart.
        """
        if s.y == t.y:
            return None
        up = t.y < s.y
        upper, lower = (t, s) if up else (s, t)
        between = [row for row in self.rows if row[0] >= upper.bottom and row[1] <= lower.y]
        if up:
            between = between[::-1]
        middle: list[tuple[float, float]] = []
        for top, bottom, rects in between:
            cy = (top + bottom) / 2
            x = s.cx + (t.cx - s.cx) * (cy - s.cy) / (t.cy - s.cy) + lane
            if any(r.x - 8 <= x <= r.right + 8 for r in rects):
                gaps = [rects[0].x - 22, rects[-1].right + 22]
                gaps += [(a.right + b.x) / 2 for a, b in zip(rects, rects[1:])]
                x = min(gaps, key=lambda g: (abs(g - x), g)) + lane
            ys = (bottom + 8, top - 8) if up else (top - 8, bottom + 8)
            middle += [(x, ys[0]), (x, ys[1])]

        def port(box: Rect, toward_x: float) -> float:
            # leave or enter right opposite the next waypoint, if the edge reaches that far
            return min(max(toward_x - lane, box.x + 16), box.right - 16) + lane

        exit_x = port(s, middle[0][0] if middle else t.cx + lane)
        entry_x = port(t, middle[-1][0] if middle else s.cx + lane)
        return [
            (exit_x, s.y - 12 if up else s.bottom + 12),
            *middle,
            (entry_x, t.bottom + 12 if up else t.y - 12),
        ]

    def route(self, link: MapLink, s: Rect, t: Rect) -> LinkRoute:
        others = [o.inflate(3) for o in self.boxes if o != s and o != t]
        candidates = []

        def consider(kind: str, cost: float, start, end, d: str, poly) -> None:
            hits = self._crossings(poly, others)
            a = self.area
            outside = any(not (a.x <= x <= a.right and a.y <= y <= a.bottom) for x, y in poly)
            score = hits * 1000 + (400 if outside else 0) + cost + 0.6 * self._crowding(poly)
            # an arrowhead on top of another, or on the start of another arrow, is ambiguous
            if any(math.dist(end, p) < 12 for p in (*self.tips, *self.tails)):
                score += 40
            if any(math.dist(start, p) < 12 for p in self.tips):
                score += 40
            candidates.append((score, len(candidates), kind, d, start, end, tuple(poly), hits))

        # 1. the centre line, clipped by both boxes; then parallels to it, so that two
        #    arrows into one box do not share an arrowhead
        dx, dy = t.cx - s.cx, t.cy - s.cy
        dist = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / dist, dx / dist
        straight = 0.0
        for shift in (0, 9, -9, 18, -18):
            o1 = (s.cx + nx * shift, s.cy + ny * shift)
            o2 = (t.cx + nx * shift, t.cy + ny * shift)
            if not (s.x < o1[0] < s.right and s.y < o1[1] < s.bottom):
                continue
            if not (t.x < o2[0] < t.right and t.y < o2[1] < t.bottom):
                continue
            start = _clip(s, o2, o1)
            end = _pull_back(_clip(t, o1, o2), o1, 1)
            if shift == 0:
                straight = math.dist(start, end)
            consider("line", abs(shift) / 3, start, end, f"M{_pt(start)} L{_pt(end)}", [start, end])

        # 2. inside one row: arcs over or under the row, at five heights
        if s.y == t.y:
            sign = 1 if t.cx > s.cx else -1
            span = abs(t.cx - s.cx)
            # heights grow with the span, so nested arcs stay apart; the two flat ones stay
            # inside the band's margin when a high arc would reach the next band
            heights = [(22 + 0.07 * span) * f for f in (1.0, 1.45, 1.9)] + [26, 38]
            for lane_index, h in enumerate(heights):
                lane = lane_index % 3
                # leave near the middle of the edge, arrive nearer its end: an arrow into
                # a box and one out of it on the same side do not meet
                out, into = s.width * (0.05 + 0.05 * lane), t.width * (0.22 + 0.06 * lane)
                for side in (-1, 1):  # over, under
                    edge = s.y if side < 0 else s.bottom
                    c1 = (s.cx + sign * out, edge + side * h)
                    c2 = (t.cx - sign * into, edge + side * h)
                    st = _clip(s, c1)
                    en = _pull_back(_clip(t, c2), c2, 1)
                    poly = _cubic(st, c1, c2, en)
                    cost = 20 + h / 4 + (4 if side > 0 else 0) + (30 if lane_index > 2 else 0)
                    consider("arc", cost, st, en, f"M{_pt(st)} C{_pt(c1)} {_pt(c2)} {_pt(en)}", poly)

        # 3. through the space between rows and the gaps of the rows in between, in one
        #    of five lanes
        for lane in (0, -7, 7, -14, 14):
            wps = self._channel(s, t, lane)
            if not wps:
                break
            st = _clip(s, wps[0], (wps[0][0], s.cy))
            en = _clip(t, wps[-1], (wps[-1][0], t.cy))
            en = _pull_back(en, wps[-1], 1)
            d, poly = _rounded([st, *wps, en])
            cost = 10 + (_length(poly) - straight) / 8 + abs(lane) / 6
            consider("channel", cost, st, en, d, poly)

        # 4. bends to either side of the centre line
        mx, my = (s.cx + t.cx) / 2, (s.cy + t.cy) / 2
        for off in (45, -45, 90, -90, 140, -140, 200, -200):
            q = (mx + nx * off, my + ny * off)
            st = _clip(s, q)
            en = _pull_back(_clip(t, q), q, 1)
            poly = _quad(st, q, en)
            consider("bend", 15 + abs(off) / 5, st, en, f"M{_pt(st)} Q{_pt(q)} {_pt(en)}", poly)

        best = min(candidates, key=lambda c: (c[0], c[1]))
        kind, d, st, en, poly, hits = best[2:]
        for cell in self._cells(poly):
            self.busy[cell] = self.busy.get(cell, 0) + 1
        self.tips.append(en)
        self.tails.append(st)
        return LinkRoute(link=link, d=d, start=st, end=en, kind=kind, crossings=hits, points=poly)


def _sort_key(o: MapObjective):
    natural = tuple(
        (0, int(part), "") if part.isdecimal() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", o.code)
        if part
    )
    return (o.order, natural, o.code, o.id)


def layout(
    objectives: Iterable[MapObjective],
    links: Iterable[MapLink],
    *,
    width: int = 1200,
    title: str = "",
) -> MapLayout:
    """Compute bands, boxes and link routes. Raises ValueError for an unknown perspective
    or a repeated objective id; bad links are skipped and counted instead."""
    objectives = list(objectives)
    by_id: dict[int, MapObjective] = {}
    for o in objectives:
        if o.perspective not in PERSPECTIVES:
            raise ValueError(f"Objective {o.id} has unknown perspective {o.perspective!r}.")
        if o.id in by_id:
            raise ValueError(f"Objective id {o.id} appears twice.")
        by_id[o.id] = o

    columns = _columns_for(width)
    area_x = MARGIN + LABEL_COL_W
    area_w = width - MARGIN - area_x
    slot_w = area_w / columns
    box_w = slot_w * (1 - H_GAP_RATIO)
    text_w = box_w - STRIPE_W - 2 * BOX_PAD_X

    per_band = {
        p: sorted((o for o in objectives if o.perspective == p), key=_sort_key) for p in PERSPECTIVES
    }
    rows_per_band = {p: _row_sizes(len(per_band[p]), columns) for p in PERSPECTIVES}
    max_rows = max([len(r) for r in rows_per_band.values()] + [1])
    band_h = max(MIN_BAND_H, 2 * BAND_PAD_Y + max_rows * BOX_H + (max_rows - 1) * ROW_GAP)

    title_h = TITLE_H if title else 0
    y = MARGIN + title_h
    bands: list[BandGeometry] = []
    boxes: dict[int, BoxGeometry] = {}
    for p in PERSPECTIVES:
        band_rect = Rect(MARGIN, y, width - 2 * MARGIN, band_h)
        bands.append(
            BandGeometry(
                perspective=p,
                rect=band_rect,
                label_rect=Rect(MARGIN, y, LABEL_COL_W, band_h),
                rows=len(rows_per_band[p]),
            )
        )
        sizes = rows_per_band[p]
        content_h = len(sizes) * BOX_H + max(0, len(sizes) - 1) * ROW_GAP
        row_y = y + (band_h - content_h) / 2
        items = iter(per_band[p])
        for r, size in enumerate(sizes):
            x0 = area_x + (area_w - size * slot_w) / 2 + (slot_w - box_w) / 2
            for c in range(size):
                o = next(items)
                lines, truncated = wrap_text(
                    f"{o.code} {o.title}".strip() if o.title else o.code,
                    text_w,
                    FONT_SIZE,
                    MAX_LINES,
                    bold_prefix=o.code,
                )
                boxes[o.id] = BoxGeometry(
                    objective=o,
                    rect=Rect(round(x0 + c * slot_w, 1), round(row_y, 1), round(box_w, 1), BOX_H),
                    row=r,
                    column=c,
                    lines=lines,
                    truncated=truncated,
                )
            row_y += BOX_H + ROW_GAP
        y += band_h

    bands_area = Rect(area_x - 4, MARGIN + title_h, area_w + 8, y - MARGIN - title_h)
    router = _Router([b.rect for b in boxes.values()], bands_area)
    seen: set[tuple[int, int]] = set()
    valid: list[MapLink] = []
    skipped = 0
    for link in sorted(links, key=lambda k: (k.source, k.target, k.against_direction)):
        key = (link.source, link.target)
        if link.source not in boxes or link.target not in boxes or link.source == link.target:
            skipped += 1
        elif key in seen:
            skipped += 1
        else:
            seen.add(key)
            valid.append(link)

    def span(link: MapLink):
        a, b = boxes[link.source].rect, boxes[link.target].rect
        return (math.dist((a.cx, a.cy), (b.cx, b.cy)), link.source, link.target)

    # Short links first: they have the fewest ways around; long ones then avoid them.
    routed = {
        (k.source, k.target): router.route(k, boxes[k.source].rect, boxes[k.target].rect)
        for k in sorted(valid, key=span)
    }
    routes = [routed[(k.source, k.target)] for k in valid]
    if skipped:
        logger.warning("Strategy map: %d link(s) skipped (unknown objective, self-link or repeat).", skipped)

    legend_y = y + 8
    height = legend_y + LEGEND_H + MARGIN
    return MapLayout(
        width=width,
        height=height,
        columns=columns,
        title_height=title_h,
        bands=tuple(bands),
        boxes=boxes,
        routes=tuple(routes),
        skipped_links=skipped,
        legend_y=legend_y,
    )


# --------------------------------------------------------------------------- drawing


def _style(cls: str) -> str:
    return (
        f".{cls} a .box{{transition:stroke-width .1s}}"
        f".{cls} a:hover .box,.{cls} a:focus .box{{stroke:#000;stroke-width:2.5}}"
        f".{cls} a:focus{{outline:none}}"
        f".{cls} a:hover text{{text-decoration:underline}}"
    )


def render_svg(
    objectives: Iterable[MapObjective],
    links: Iterable[MapLink],
    band_labels: Mapping[str, str],
    *,
    width: int = 1200,
    title: str = "",
    id_prefix: str = "strategy-map",
) -> str:
    """Return the strategy map as one ``<svg>`` element (a string, safe to embed as is).

    ``band_labels`` maps each perspective key to its translated name; a missing key falls
    back to the English name. ``id_prefix`` keeps the ids of the arrowhead markers unique if
    a page shows more than one map.
    """
    geo = layout(objectives, links, width=width, title=title)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "strategy-map"
    if not prefix[0].isalpha():
        prefix = "m" + prefix
    cls = "bsc-strategy-map"
    w, h = _num(geo.width), _num(geo.height)
    heading = title or str(_("Strategy map"))
    out: list[str] = []
    add = out.append

    add(
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" class="{cls}" '
        f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'style="max-width:100%;height:auto" role="group" aria-labelledby="{prefix}-title" '
        f'font-family="{_esc(FONT_FAMILY)}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}" '
        f'data-skipped-links="{geo.skipped_links}">'
    )
    add(f'<title id="{prefix}-title">{_esc(heading)}</title>')
    add(f"<style>{_style(cls)}</style>")
    add("<defs>")
    for name, colour in (("arrow", LINK_COLOUR), ("arrow-against", AGAINST_COLOUR)):
        add(
            f'<marker id="{prefix}-{name}" viewBox="0 0 10 8" refX="10" refY="4" '
            f'markerWidth="10" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,4 L0,8 Z" fill="{colour}"/></marker>'
        )
    add("</defs>")

    if title:
        add(
            f'<text x="{MARGIN}" y="{_num(MARGIN + TITLE_H / 2)}" dominant-baseline="central" '
            f'font-size="{TITLE_FONT_SIZE}" font-weight="bold">{_esc(title)}</text>'
        )

    # bands
    add('<g class="bands">')
    for band in geo.bands:
        fill, label_fill = BAND_FILLS[band.perspective]
        r, lr = band.rect, band.label_rect
        label = str(band_labels.get(band.perspective) or DEFAULT_BAND_LABELS[band.perspective])
        add(
            f'<g class="band" data-perspective="{band.perspective}">'
            f'<rect x="{_num(r.x)}" y="{_num(r.y)}" width="{_num(r.width)}" height="{_num(r.height)}" '
            f'fill="{fill}" stroke="#ffffff" stroke-width="2"/>'
            f'<rect x="{_num(lr.x)}" y="{_num(lr.y)}" width="{_num(lr.width)}" height="{_num(lr.height)}" '
            f'fill="{label_fill}" stroke="#ffffff" stroke-width="2"/>'
        )
        label_lines, _cut = wrap_text(label, lr.height - 16, LABEL_FONT_SIZE, 2)
        n = len(label_lines)
        cx, cy = lr.cx, lr.cy
        parts = []
        for i, line in enumerate(label_lines):
            dy = (i - (n - 1) / 2) * LABEL_LINE_H
            parts.append(
                f'<tspan x="{_num(cx)}" y="{_num(cy + dy)}">{_esc(line)}</tspan>'
            )
        add(
            f'<text class="band-label" transform="rotate(-90 {_num(cx)} {_num(cy)})" '
            f'text-anchor="middle" dominant-baseline="central" font-size="{LABEL_FONT_SIZE}" '
            f'font-weight="bold">{"".join(parts)}<title>{_esc(label)}</title></text>'
        )
        add("</g>")
    add("</g>")

    # links, under the boxes; warnings on top of ordinary arrows
    add('<g class="links" fill="none">')
    for route in sorted(geo.routes, key=lambda r: r.link.against_direction):
        against = route.link.against_direction
        colour = AGAINST_COLOUR if against else LINK_COLOUR
        marker = f"{prefix}-arrow-against" if against else f"{prefix}-arrow"
        dash = ' stroke-dasharray="7 4"' if against else ""
        klass = "link against-direction" if against else "link"
        add(
            f'<path class="{klass}" d="{route.d}" stroke="{colour}" stroke-width="1.6" '
            f'stroke-opacity="0.85"{dash} marker-end="url(#{marker})" '
            f'data-source="{route.link.source}" data-target="{route.link.target}"/>'
        )
    add("</g>")

    # objectives
    add('<g class="objectives">')
    for box in geo.boxes.values():
        o = box.objective
        status = o.status if o.status in STATUSES else None
        r = box.rect
        full = f"{o.code} {o.title}".strip()
        aria = f"{full} ({STATUS_LABELS[status]})"
        url = _safe_url(o.url)
        if url:
            add(
                f'<a class="objective" href="{_esc(url)}" xlink:href="{_esc(url)}" '
                f'aria-label="{_esc(aria)}" data-objective-id="{o.id}" '
                f'data-status="{status or "none"}">'
            )
        else:
            add(
                f'<g class="objective" role="img" aria-label="{_esc(aria)}" '
                f'data-objective-id="{o.id}" data-status="{status or "none"}">'
            )
        add(f"<title>{_esc(aria)}</title>")
        add(
            f'<rect class="box" x="{_num(r.x)}" y="{_num(r.y)}" width="{_num(r.width)}" '
            f'height="{_num(r.height)}" rx="4" fill="#ffffff" stroke="{BOX_BORDER}" stroke-width="1"/>'
        )
        add(
            f'<path class="status" d="M{_num(r.x + 4)},{_num(r.y)} h{_num(STRIPE_W - 4)} '
            f'v{_num(r.height)} h-{_num(STRIPE_W - 4)} a4,4 0 0 1 -4,-4 v-{_num(r.height - 8)} '
            f'a4,4 0 0 1 4,-4 Z" fill="{STATUS_COLOURS[status]}"/>'
        )
        n = len(box.lines)
        tx = r.x + STRIPE_W + BOX_PAD_X
        first_y = r.cy - (n - 1) * LINE_H / 2
        spans = []
        for i, line in enumerate(box.lines):
            y = _num(first_y + i * LINE_H)
            if i == 0 and o.code and line.startswith(o.code):
                rest = line[len(o.code) :]
                spans.append(
                    f'<tspan x="{_num(tx)}" y="{y}" font-weight="bold">{_esc(o.code)}</tspan>'
                    + (f"<tspan>{_esc(rest)}</tspan>" if rest else "")
                )
            else:
                spans.append(f'<tspan x="{_num(tx)}" y="{y}">{_esc(line)}</tspan>')
        add(f'<text dominant-baseline="central">{"".join(spans)}</text>')
        add("</a>" if url else "</g>")
    add("</g>")

    # legend
    add(_legend(geo, prefix))
    add("</svg>")
    return "".join(out)


def _legend(geo: MapLayout, prefix: str) -> str:
    y = geo.legend_y + LEGEND_H / 2
    x = MARGIN + LABEL_COL_W
    parts = [f'<g class="legend" font-size="{LEGEND_FONT_SIZE}">']
    for status in (*STATUSES, None):
        label = str(STATUS_LABELS[status])
        parts.append(
            f'<rect class="legend-status" data-status="{status or "none"}" x="{_num(x)}" '
            f'y="{_num(y - 7)}" width="14" height="14" rx="2" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{_num(x + 20)}" y="{_num(y)}" dominant-baseline="central">{_esc(label)}</text>'
        )
        x += 20 + text_width(label, LEGEND_FONT_SIZE) + 22
    x += 14
    for against in (False, True):
        label = str(_("Against the usual direction") if against else _("Cause and effect"))
        colour = AGAINST_COLOUR if against else LINK_COLOUR
        dash = ' stroke-dasharray="7 4"' if against else ""
        marker = f"{prefix}-arrow-against" if against else f"{prefix}-arrow"
        parts.append(
            f'<path class="legend-link" d="M{_num(x)},{_num(y)} h40" stroke="{colour}" '
            f'stroke-width="1.6"{dash} marker-end="url(#{marker})" fill="none"/>'
            f'<text x="{_num(x + 48)}" y="{_num(y)}" dominant-baseline="central">{_esc(label)}</text>'
        )
        x += 48 + text_width(label, LEGEND_FONT_SIZE) + 26
    parts.append("</g>")
    return "".join(parts)
