"""The strategy map drawing: pure tests, no database."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from strategy.strategy_map import (
    BOX_H,
    FONT_SIZE,
    PERSPECTIVES,
    MapLink,
    MapObjective,
    layout,
    render_svg,
    text_width,
    wrap_text,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
LABELS = {
    "financial": "财务",
    "customer": "客户",
    "internal_process": "内部流程",
    "learning_growth": "学习与成长",
}
PREFIX = {"financial": "F", "customer": "C", "internal_process": "P", "learning_growth": "L"}
STATUSES = ["green", "amber", "red", None]


def objective(id, perspective="financial", *, code=None, title="Objective", status=None, order=0):
    return MapObjective(
        id=id,
        code=code or f"{PREFIX[perspective]}{id}",
        title=title,
        perspective=perspective,
        url=f"/strategy/objectives/{id}/",
        status=status,
        order=order,
    )


def thirty_objectives():
    """30 objectives spread unevenly: 4 financial, 6 customer, 12 process, 8 learning."""
    counts = {"financial": 4, "customer": 6, "internal_process": 12, "learning_growth": 8}
    titles = ["提高客户满意度与品牌美誉度", "Grow revenue from new products and services", "降低成本"]
    result, next_id = [], 1
    for perspective in PERSPECTIVES:
        for _ in range(counts[perspective]):
            result.append(
                objective(
                    next_id,
                    perspective,
                    title=titles[next_id % 3],
                    status=STATUSES[next_id % 4],
                )
            )
            next_id += 1
    return result


def fifty_links(objectives):
    """50 links: mostly up the map, some inside a band, some against the direction."""
    by_band = {p: [o.id for o in objectives if o.perspective == p] for p in PERSPECTIVES}
    pairs = []
    for lower, upper in zip(PERSPECTIVES[::-1], PERSPECTIVES[::-1][1:]):
        for a, b in itertools.product(by_band[lower], by_band[upper]):
            if (a * 7 + b * 3) % 3 == 0:
                pairs.append(MapLink(a, b))
    pairs = pairs[:38]
    process = by_band["internal_process"]
    pairs += [MapLink(process[i], process[i + 3]) for i in range(6)]  # within one band
    pairs += [MapLink(by_band["financial"][0], by_band["financial"][3])]  # same row, far apart
    pairs += [
        MapLink(f, l, against_direction=True)
        for f, l in zip(by_band["financial"], by_band["learning_growth"][::2])
    ]
    pairs += [MapLink(by_band["customer"][0], by_band["internal_process"][5], True)]
    assert len(pairs) == 50
    return pairs


@pytest.fixture
def sample():
    objectives = thirty_objectives()
    return objectives, fifty_links(objectives)


def parse(svg):
    return ET.fromstring(svg)


# --------------------------------------------------------------------------- bands


def test_bands_run_from_financial_at_the_top_to_learning_and_growth_at_the_bottom(sample):
    geo = layout(*sample)

    assert [b.perspective for b in geo.bands] == list(PERSPECTIVES)
    tops = [b.rect.y for b in geo.bands]
    assert tops == sorted(tops)
    for upper, lower in zip(geo.bands, geo.bands[1:]):
        assert upper.rect.bottom <= lower.rect.y


def test_bands_have_the_same_height_sized_by_the_band_with_most_rows(sample):
    geo = layout(*sample)

    heights = {b.rect.height for b in geo.bands}
    assert len(heights) == 1
    assert max(b.rows for b in geo.bands) == 2  # 12 objectives in rows of at most 6
    assert heights.pop() >= 2 * BOX_H


def test_band_labels_are_drawn_in_order_from_the_top(sample):
    root = parse(render_svg(*sample, LABELS))

    bands = root.findall(".//svg:g[@class='band']", NS)
    assert [b.get("data-perspective") for b in bands] == list(PERSPECTIVES)
    labels = ["".join(b.find("svg:text", NS).itertext()) for b in bands]
    assert [label.startswith(LABELS[p]) for label, p in zip(labels, PERSPECTIVES)] == [True] * 4


def test_a_missing_band_label_falls_back_to_the_english_name():
    svg = render_svg([objective(1)], [], {"financial": "财务"})

    assert "Learning &amp; growth" in svg
    assert "财务" in svg


# --------------------------------------------------------------------------- boxes


def test_no_two_boxes_overlap(sample):
    geo = layout(*sample)

    boxes = list(geo.boxes.values())
    assert len(boxes) == 30
    for a, b in itertools.combinations(boxes, 2):
        assert not a.rect.overlaps(b.rect), (a.objective.code, b.objective.code)


def test_every_box_lies_inside_its_band_right_of_the_label_column(sample):
    geo = layout(*sample)

    bands = {b.perspective: b for b in geo.bands}
    for box in geo.boxes.values():
        band = bands[box.objective.perspective]
        assert band.rect.contains(box.rect), box.objective.code
        assert box.rect.x >= band.label_rect.right


def test_a_band_of_twelve_is_split_into_two_rows_of_six_at_width_1200(sample):
    geo = layout(*sample)

    process = [b for b in geo.boxes.values() if b.objective.perspective == "internal_process"]
    assert geo.columns == 6
    assert sorted({b.row for b in process}) == [0, 1]
    assert [sum(1 for b in process if b.row == r) for r in (0, 1)] == [6, 6]


def test_rows_are_balanced():
    objectives = [objective(i, "customer") for i in range(1, 8)]

    geo = layout(objectives, [])

    assert [sum(1 for b in geo.boxes.values() if b.row == r) for r in (0, 1)] == [4, 3]


def test_a_narrow_map_has_fewer_columns_and_still_no_overlaps(sample):
    geo = layout(*sample, width=700)

    assert geo.columns == 3
    for a, b in itertools.combinations(geo.boxes.values(), 2):
        assert not a.rect.overlaps(b.rect)


def test_objectives_are_ordered_by_order_then_code_in_natural_order():
    objectives = [
        objective(1, code="F10"),
        objective(2, code="F2"),
        objective(3, code="F1", order=5),
        objective(4, code="F3"),
    ]

    geo = layout(objectives, [])

    ordered = sorted(geo.boxes.values(), key=lambda b: (b.row, b.rect.x))
    assert [b.objective.code for b in ordered] == ["F2", "F3", "F10", "F1"]


def test_an_unknown_perspective_is_refused():
    bad = MapObjective(1, "X1", "Bad", "marketing", "/x/", None)

    with pytest.raises(ValueError, match="unknown perspective"):
        layout([bad], [])


def test_each_box_is_a_link_to_its_objective(sample):
    root = parse(render_svg(*sample, LABELS))

    anchors = root.findall(".//svg:g[@class='objectives']/svg:a", NS)
    assert len(anchors) == 30
    assert {a.get("href") for a in anchors} == {f"/strategy/objectives/{i}/" for i in range(1, 31)}
    assert all(a.get("aria-label") for a in anchors)


def test_a_javascript_url_gives_a_box_without_a_link():
    evil = MapObjective(1, "F1", "Evil", "financial", "java\tscript:alert(1)", None)

    svg = render_svg([evil], [], LABELS)

    assert "alert" not in svg
    assert parse(svg).findall(".//svg:a", NS) == []
    assert 'data-objective-id="1"' in svg


# --------------------------------------------------------------------------- text


def test_latin_text_wraps_between_words():
    lines, truncated = wrap_text("Grow revenue from new products", 120, 13, 3)

    assert not truncated
    assert len(lines) > 1
    assert " ".join(lines) == "Grow revenue from new products"
    assert all(text_width(line, 13) <= 120 for line in lines)


def test_chinese_text_wraps_between_characters():
    title = "建立客户投诉快速响应机制并跟踪闭环"

    lines, truncated = wrap_text(title, 100, 13, 3)

    assert not truncated
    assert len(lines) >= 2
    assert "".join(lines) == title
    assert all(text_width(line, 13) <= 100 for line in lines)


def test_chinese_punctuation_never_starts_a_line():
    lines, _ = wrap_text("提高一次交检合格率，降低返工率。减少客户投诉，提升满意度。", 80, 13, 6)

    assert not any(line[0] in "，。" for line in lines)


def test_text_beyond_three_lines_ends_with_an_ellipsis():
    title = "Knowledge management and best-practice sharing across all plants and departments"

    geo = layout([objective(1, title=title)], [])

    box = geo.boxes[1]
    assert len(box.lines) == 3
    assert box.truncated
    assert box.lines[-1].endswith("…")


def test_box_text_starts_with_the_code_in_bold():
    root = parse(render_svg([objective(1, code="F1", title="Grow revenue")], [], LABELS))

    first = root.find(".//svg:a/svg:text/svg:tspan", NS)
    assert first.text == "F1"
    assert first.get("font-weight") == "bold"


def test_box_text_is_at_least_12px_at_width_1200(sample):
    svg = render_svg(*sample, LABELS)

    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', svg)]
    assert FONT_SIZE >= 12
    assert min(sizes) >= 12


def test_text_is_escaped():
    nasty = objective(1, title='<script>alert("x")</script> & \'quotes\' 中文')

    svg = render_svg([nasty], [], {"financial": "<b>Fin</b>"}, title="A & B <i>")

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;Fin" in svg
    assert "A &amp; B &lt;i&gt;" in svg
    root = parse(svg)  # still well-formed
    assert "<script>" in root.find("svg:g[@class='objectives']/svg:a", NS).get("aria-label")


def test_characters_xml_does_not_allow_are_dropped():
    svg = render_svg([objective(1, title="bell\x07 and null\x00 and \ud800")], [], LABELS)

    parse(svg)
    assert "\x07" not in svg


# --------------------------------------------------------------------------- links


def test_every_valid_link_is_one_path_with_an_arrowhead(sample):
    objectives, links = sample

    root = parse(render_svg(objectives, links, LABELS))

    paths = root.findall(".//svg:g[@class='links']/svg:path", NS)
    assert len(paths) == 50
    assert all(p.get("marker-end", "").startswith("url(#") for p in paths)
    drawn = {(int(p.get("data-source")), int(p.get("data-target"))) for p in paths}
    assert drawn == {(k.source, k.target) for k in links}


def test_arrowhead_markers_are_defined(sample):
    root = parse(render_svg(*sample, LABELS))

    ids = {m.get("id") for m in root.findall(".//svg:defs/svg:marker", NS)}
    used = {
        p.get("marker-end")[5:-1] for p in root.findall(".//svg:g[@class='links']/svg:path", NS)
    }
    assert used <= ids


def test_links_against_the_direction_are_dashed_in_the_warning_colour(sample):
    objectives, links = sample

    root = parse(render_svg(objectives, links, LABELS))

    paths = root.findall(".//svg:g[@class='links']/svg:path", NS)
    against = {(k.source, k.target) for k in links if k.against_direction}
    for p in paths:
        key = (int(p.get("data-source")), int(p.get("data-target")))
        if key in against:
            assert p.get("stroke-dasharray")
            assert "against" in p.get("marker-end")
        else:
            assert p.get("stroke-dasharray") is None
    assert len(against) == 5


def test_arrows_are_drawn_under_the_boxes(sample):
    svg = render_svg(*sample, LABELS)

    assert svg.index('<g class="links"') < svg.index('<g class="objectives"')


def test_a_straight_arrow_runs_from_edge_to_edge():
    lower = objective(1, "customer")
    upper = objective(2, "financial")

    geo = layout([lower, upper], [MapLink(1, 2)])

    route = geo.routes[0]
    a, b = geo.boxes[1].rect, geo.boxes[2].rect
    assert route.kind == "line"
    assert route.start[1] == pytest.approx(a.y)  # leaves the top of the driver
    assert route.end[1] == pytest.approx(b.bottom + 1)  # tip just under the outcome
    assert a.x <= route.start[0] <= a.right


def test_a_link_inside_a_row_is_curved_around_the_boxes_in_between():
    objectives = [objective(i, code=f"F{i}") for i in range(1, 6)]

    geo = layout(objectives, [MapLink(1, 5)])

    route = geo.routes[0]
    assert route.kind == "arc"
    assert route.crossings == 0


def test_neighbours_in_a_row_are_joined_by_a_straight_arrow():
    geo = layout([objective(1, code="F1"), objective(2, code="F2")], [MapLink(1, 2)])

    assert geo.routes[0].kind == "line"


def test_routes_avoid_other_boxes_where_possible(sample):
    geo = layout(*sample)

    # dense (12 process objectives in two full rows, one learning objective with 8 links),
    # yet every arrow finds a way around the boxes in this sample
    assert [r.link for r in geo.routes if r.crossings] == []
    same_band = [
        r
        for r in geo.routes
        if geo.boxes[r.link.source].objective.perspective
        == geo.boxes[r.link.target].objective.perspective
    ]
    assert same_band and all(r.crossings == 0 for r in same_band)


def test_missing_ids_self_links_and_repeats_are_skipped_and_counted():
    objectives = [objective(1), objective(2, "customer")]
    links = [MapLink(2, 1), MapLink(2, 1), MapLink(99, 1), MapLink(2, 98), MapLink(1, 1)]

    geo = layout(objectives, links)
    svg = render_svg(objectives, links, LABELS)

    assert geo.skipped_links == 4
    assert len(geo.routes) == 1
    assert parse(svg).get("data-skipped-links") == "4"


def test_an_empty_map_still_draws_four_bands():
    root = parse(render_svg([], [], LABELS))

    assert len(root.findall(".//svg:g[@class='band']", NS)) == 4


# --------------------------------------------------------------------------- status


def test_status_colours_are_applied_and_no_status_is_grey():
    objectives = [objective(i, status=s) for i, s in enumerate(STATUSES, start=1)]

    root = parse(render_svg(objectives, [], LABELS))

    fills = {
        a.get("data-status"): a.find("svg:path[@class='status']", NS).get("fill")
        for a in root.findall(".//svg:g[@class='objectives']/svg:a", NS)
    }
    assert fills == {"green": "#2e7d32", "amber": "#e69a00", "red": "#c62828", "none": "#b0b0b0"}


def test_an_unknown_status_is_drawn_as_no_status():
    root = parse(render_svg([objective(1, status="purple")], [], LABELS))

    assert root.find(".//svg:a", NS).get("data-status") == "none"


def test_the_legend_explains_every_status_and_both_arrows():
    root = parse(render_svg([objective(1)], [], LABELS))

    legend = root.find(".//svg:g[@class='legend']", NS)
    swatches = legend.findall("svg:rect[@class='legend-status']", NS)
    assert [s.get("data-status") for s in swatches] == ["green", "amber", "red", "none"]
    assert len(legend.findall("svg:path[@class='legend-link']", NS)) == 2
    text = " ".join("".join(t.itertext()) for t in legend.findall("svg:text", NS))
    assert "On target" in text and "Against the usual direction" in text


def test_the_status_is_part_of_the_accessible_name():
    root = parse(render_svg([objective(1, code="F1", title="Grow", status="red")], [], LABELS))

    assert root.find(".//svg:a", NS).get("aria-label") == "F1 Grow (Off target)"


# --------------------------------------------------------------------------- the svg


def test_the_svg_parses_as_xml_in_the_svg_namespace(sample):
    root = parse(render_svg(*sample, LABELS, title="2026 战略地图"))

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert re.fullmatch(r"0 0 1200 \d+(\.\d)?", root.get("viewBox"))
    assert root.get("role") == "group"
    title = root.find("svg:title", NS)
    assert title.text == "2026 战略地图"
    assert root.get("aria-labelledby") == title.get("id")


def test_the_svg_needs_no_outside_resources(sample):
    svg = render_svg(*sample, LABELS)

    assert "<script" not in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "")
    assert "https://" not in svg
    assert "@import" not in svg


def test_output_is_deterministic(sample):
    objectives, links = sample

    first = render_svg(objectives, links, LABELS, title="Map")
    second = render_svg(list(reversed(objectives)), list(reversed(links)), LABELS, title="Map")

    assert first == second


def test_marker_ids_take_the_prefix_so_two_maps_can_share_a_page():
    svg = render_svg([objective(1), objective(2, "customer")], [MapLink(2, 1)], LABELS, id_prefix="plan-7")

    assert 'id="plan-7-arrow"' in svg
    assert "url(#plan-7-arrow)" in svg


def test_the_module_imports_nothing_from_the_database_layer():
    import ast

    import strategy.strategy_map as module

    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in ([node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names])
    }
    assert not any(name and (name.startswith("django.db") or ".models" in name) for name in imported)
