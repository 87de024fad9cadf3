"""The strategy map and the task division matrix, as employees and HR see them.

The map plan: twelve objectives, three per perspective, and fourteen links, one of them
(F2 -> C1) against the usual learning -> process -> customer -> financial direction.
"""

import random
import re
from importlib import import_module

import openpyxl
import pytest
from playwright.sync_api import expect

from strategy.models import Perspective, TaskAssignment
from tests.strategy.factories import CellFactory, LinkFactory, MeasureFactory, ObjectiveFactory, PlanFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]

# (code, English, Chinese, order), top band first: the rows the migration ships.
PERSPECTIVES = import_module("strategy.migrations.0002_perspectives").PERSPECTIVES
TOP_TO_BOTTOM = [code for code, *_rest in PERSPECTIVES]

OBJECTIVES = [  # perspective, code, English, Chinese
    ("financial", "F1", "Grow revenue", "增加销售收入"),
    ("financial", "F2", "Improve cost efficiency", "提高成本效率"),
    ("financial", "F3", "Raise the return on assets", "提高资产回报率"),
    ("customer", "C1", "Win new customers", "赢得新客户"),
    ("customer", "C2", "Keep customers satisfied", "提高客户满意度"),
    ("customer", "C3", "Deliver on time", "按时交货"),
    ("internal_process", "P1", "Shorten the production lead time", "缩短生产周期"),
    ("internal_process", "P2", "Reduce defects", "降低产品不良率"),
    ("internal_process", "P3", "Develop new products", "开发新产品"),
    ("learning_growth", "L1", "Build key skills", "提升关键岗位技能"),
    ("learning_growth", "L2", "Improve the information systems", "完善信息系统"),
    ("learning_growth", "L3", "Strengthen the team culture", "加强团队文化"),
]
LINKS = [  # driver -> outcome
    ("L1", "P1"), ("L1", "P2"), ("L2", "P1"), ("L2", "P3"), ("L3", "P2"),
    ("P1", "C3"), ("P2", "C2"), ("P3", "C1"), ("P2", "F2"),
    ("C1", "F1"), ("C2", "F1"), ("C2", "F3"), ("C3", "C2"),
    ("F2", "C1"),  # against the direction: cheaper production lets prices win customers
]


@pytest.fixture
def perspectives():
    """Transactional tests flush the migration's rows; put them back with both names."""
    return {
        code: Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})[0]
        for code, en, zh, order in PERSPECTIVES
    }


@pytest.fixture
def plan(perspectives):
    plan = PlanFactory(year=2026)
    objectives = {
        code: ObjectiveFactory(plan=plan, perspective=perspectives[band], code=code, name_en=en, name_zh=zh)
        for band, code, en, zh in OBJECTIVES
    }
    for source, target in LINKS:
        LinkFactory(source=objectives[source], target=objectives[target])
    return plan


def switch_to_chinese(page):
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def strategy_map(page):
    return page.locator(".strategy-map svg")


def band_labels_top_to_bottom(page) -> list[str]:
    """The band labels, checked to be drawn in the shipped order from the top down."""
    tops, labels = [], []
    for code in TOP_TO_BOTTOM:
        label = strategy_map(page).locator(f'.band[data-perspective="{code}"] .band-label')
        expect(label).to_be_visible()
        tops.append(label.bounding_box()["y"])
        labels.append(" ".join(label.locator("tspan").all_text_contents()))
    assert tops == sorted(tops) and len(set(tops)) == 4, f"bands are not stacked financial first: {tops}"
    return labels


def box_rects(page) -> dict[int, dict]:
    return {
        int(box["id"]): box
        for box in strategy_map(page).locator("a.objective").evaluate_all(
            """boxes => boxes.map(a => {
                const r = a.getBoundingClientRect();
                return {id: a.dataset.objectiveId, x: r.x, y: r.y, right: r.right, bottom: r.bottom};
            })"""
        )
    }


def overlap(a, b) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


# --- the strategy map ---


def test_an_employee_sees_the_four_bands_every_objective_and_the_arrows(page, log_in, screenshot, world, plan):
    log_in(page, "emp_a")

    page.goto(f"/strategy/{plan.pk}/map/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy map · Strategy 2026")
    expect(strategy_map(page)).to_be_visible()
    assert band_labels_top_to_bottom(page) == ["Financial", "Customer", "Internal process", "Learning & growth"]
    boxes = strategy_map(page).get_by_role("link")
    expect(boxes).to_have_count(len(OBJECTIVES))
    for objective in plan.objectives.all():
        box = strategy_map(page).get_by_role("link", name=re.compile(rf"^{objective.code} {objective.name_en}\b"))
        expect(box).to_have_attribute("href", f"/strategy/objectives/{objective.pk}/")
    # Every link is drawn; only F2 -> C1 is dashed.
    objectives = {o.code: o.pk for o in plan.objectives.all()}
    expect(strategy_map(page).locator("path.link")).to_have_count(len(LINKS))
    against = strategy_map(page).locator("path.link.against-direction")
    expect(against).to_have_count(1)
    expect(against).to_have_attribute("data-source", str(objectives["F2"]))
    expect(against).to_have_attribute("data-target", str(objectives["C1"]))
    expect(against).to_have_attribute("stroke-dasharray", re.compile(r"\d"))
    expect(strategy_map(page).locator("path.link:not(.against-direction)[stroke-dasharray]")).to_have_count(0)
    expect(strategy_map(page)).to_have_attribute("data-skipped-links", "0")
    screenshot(page, "en")


def test_clicking_a_box_on_the_map_opens_the_objective(page, log_in, world, plan):
    log_in(page, "emp_a")
    page.goto(f"/strategy/{plan.pk}/map/")

    strategy_map(page).get_by_role("link", name=re.compile(r"^C2 ")).click()

    expect(page).to_have_url(re.compile(rf"/strategy/objectives/{plan.objectives.get(code='C2').pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("C2 Keep customers satisfied")


def test_the_map_speaks_chinese_after_the_switch(page, log_in, screenshot, world, plan):
    log_in(page, "emp_a")
    page.goto(f"/strategy/{plan.pk}/map/")

    switch_to_chinese(page)

    assert band_labels_top_to_bottom(page) == ["财务", "客户", "内部流程", "学习与成长"]
    for _band, code, _en, zh in OBJECTIVES:
        expect(strategy_map(page).get_by_role("link", name=re.compile(rf"^{code} {zh}"))).to_have_count(1)
    screenshot(page, "zh-hans")


def test_the_map_prints_without_the_menu(page, log_in, screenshot, world, plan):
    log_in(page, "emp_a")
    page.goto(f"/strategy/{plan.pk}/map/")
    expect(page.locator(".topbar")).to_be_visible()

    page.emulate_media(media="print")

    screenshot(page)
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".subnav")).to_be_hidden()
    expect(strategy_map(page)).to_be_visible()
    # The map fits the printed page: no box is cut off on the right.
    width = page.evaluate("document.documentElement.clientWidth")
    assert max(box["right"] for box in box_rects(page).values()) <= width


def test_the_print_button_is_not_printed(page, log_in, world, plan):
    log_in(page, "emp_a")
    page.goto(f"/strategy/{plan.pk}/map/")

    page.emulate_media(media="print")

    # The print rules hide .buttons; the map's Print button sits outside one.
    expect(page.get_by_role("button", name="Print")).to_be_hidden()


def big_plan(perspectives):
    """30 objectives and 50 links without a cycle: links go up from a lower band, plus a
    few inside a band from an earlier box to a later one."""
    plan = PlanFactory(year=2027)
    sizes = {"financial": 6, "customer": 7, "internal_process": 9, "learning_growth": 8}
    topics = ["revenue", "margins", "cash flow", "key accounts", "service quality", "brand trust", "delivery times",
              "supplier quality", "plant uptime", "product design", "safety", "team skills", "data quality"]
    bands = {}
    for band, size in sizes.items():
        letter = band[0].upper()
        bands[band] = [
            ObjectiveFactory(
                plan=plan, perspective=perspectives[band], code=f"{letter}{i}", sort_order=i,
                name_en=f"Improve {topics[(i + len(band)) % len(topics)]} in region {i}",
            )
            for i in range(1, size + 1)
        ]
    bottom_up = [bands[code] for code in reversed(TOP_TO_BOTTOM)]
    pairs = {(band[0], band[1]) for band in bottom_up} | {(bottom_up[2][2], bottom_up[2][5])}
    rng = random.Random(2027)
    while len(pairs) < 50:
        low, high = sorted(rng.sample(range(4), 2))
        pairs.add((rng.choice(bottom_up[low]), rng.choice(bottom_up[high])))
    for source, target in pairs:
        LinkFactory(source=source, target=target)
    return plan, bands


def test_a_map_with_30_objectives_and_50_links_keeps_every_box_apart(page, log_in, screenshot, world, perspectives):
    plan, bands = big_plan(perspectives)
    log_in(page, "emp_a")

    page.goto(f"/strategy/{plan.pk}/map/")

    expect(strategy_map(page).get_by_role("link")).to_have_count(30)
    expect(strategy_map(page).locator("path.link")).to_have_count(50)
    screenshot(page)
    rects = box_rects(page)
    ids = sorted(rects)
    clashes = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if overlap(rects[a], rects[b])]
    assert clashes == []
    # Each box sits inside its own band.
    band_rects = dict(
        strategy_map(page).locator(".band").evaluate_all(
            "bands => bands.map(g => { const r = g.querySelector('rect').getBoundingClientRect();"
            " return [g.dataset.perspective, {top: r.top, bottom: r.bottom}]; })"
        )
    )
    for band, objectives in bands.items():
        for objective in objectives:
            box = rects[objective.pk]
            assert band_rects[band]["top"] <= box["y"] and box["bottom"] <= band_rects[band]["bottom"], objective.code


# --- the task division matrix ---


@pytest.fixture
def measures(world, plan):
    """M1 led by Alpha, M2 led by Beta with Alpha supporting, M3 led by nobody."""
    objectives = {o.code: o for o in plan.objectives.all()}
    m1 = MeasureFactory(objective=objectives["F1"], code="M1", name_en="Sales of new products", name_zh="新产品销售额")
    m2 = MeasureFactory(objective=objectives["C2"], code="M2", name_en="Complaint handling", name_zh="客户投诉处理")
    m3 = MeasureFactory(objective=objectives["P2"], code="M3", name_en="Quality circles", name_zh="质量改进小组")
    CellFactory(measure=m1, department=world.dept_a, role="lead")
    CellFactory(measure=m2, department=world.dept_b, role="lead")
    CellFactory(measure=m2, department=world.dept_a, role="support")
    return m1, m2, m3


def cell(page, measure, department):
    return page.get_by_label(f"{measure.code} × {department.display_name}", exact=True)


def test_hr_gives_the_measure_without_a_lead_a_lead_and_a_support_department(page, log_in, screenshot, world, plan, measures):
    _m1, _m2, m3 = measures
    log_in(page, "hr")
    page.goto(f"/strategy/{plan.pk}/matrix/")

    problems = page.get_by_role("alert").filter(has_text="Every measure needs exactly one lead department")
    expect(problems.locator("li")).to_have_text(["M3 Quality circles — no lead department"])
    expect(cell(page, m3, world.dept_b)).to_have_value("")
    screenshot(page, "problems")

    cell(page, m3, world.dept_b).select_option(label="Lead")
    cell(page, m3, world.dept_a1).select_option(label="Support")
    page.get_by_role("button", name="Save the matrix").click()

    expect(page.locator(".messages")).to_have_text("Task division saved (2 cells changed).")
    expect(problems).to_have_count(0)
    expect(page.get_by_text("Every measure has exactly one lead department.")).to_be_visible()
    lead_cell = page.locator("td", has=cell(page, m3, world.dept_b))
    support_cell = page.locator("td", has=cell(page, m3, world.dept_a1))
    expect(lead_cell).to_have_class(re.compile(r"\brole-lead\b"))
    expect(lead_cell).to_have_css("background-color", "rgb(219, 233, 247)")
    expect(support_cell).to_have_class(re.compile(r"\brole-support\b"))
    expect(support_cell).to_have_css("background-color", "rgb(238, 245, 236)")
    expect(cell(page, m3, world.dept_b)).to_have_value("lead")
    screenshot(page, "saved-en")
    assert dict(TaskAssignment.objects.filter(measure=m3).values_list("department__code", "role")) == {
        "B": "lead", "A1": "support"
    }

    switch_to_chinese(page)
    expect(page.locator(".matrix select")).not_to_have_count(0)
    screenshot(page, "saved-zh-hans")


def test_an_employee_sees_the_matrix_read_only_and_downloads_it(page, log_in, screenshot, world, plan, measures, tmp_path):
    log_in(page, "emp_a")

    page.goto(f"/strategy/{plan.pk}/matrix/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Task division matrix · Strategy 2026")
    expect(page.locator(".matrix tbody tr")).to_have_count(3)
    expect(page.locator(".matrix select")).to_have_count(0)
    expect(page.get_by_role("button", name="Save the matrix")).to_have_count(0)
    m2_row = page.locator(".matrix tbody tr", has_text="M2")
    expect(m2_row.locator("td.role-lead")).to_have_text("Lead")
    expect(m2_row.locator("td.role-support")).to_have_text("Support")
    screenshot(page, "en")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export to Excel").click()
    download = download_info.value
    assert download.suggested_filename == "task-division-2026.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == ["M1", "M2", "M3"]
    assert rows["M2"][header.index("B Beta")] == "Lead"
    assert rows["M2"][header.index("A Alpha")] == "Support"

    switch_to_chinese(page)
    expect(page.locator(".matrix select")).to_have_count(0)
    expect(page.locator(".matrix tbody tr", has_text="M2")).to_contain_text("客户投诉处理")
    screenshot(page, "zh-hans")


def test_chinese_department_names_in_the_matrix_header_are_not_upside_down(page, log_in, world, plan, measures):
    log_in(page, "emp_a")
    page.goto(f"/strategy/{plan.pk}/matrix/")
    switch_to_chinese(page)

    header = page.locator(".matrix th.dept").first
    expect(header).to_have_text(world.dept_a.name_zh)
    style = header.evaluate(
        """th => { const s = getComputedStyle(th);
            const m = new DOMMatrix(s.transform === "none" ? undefined : s.transform);
            return {mode: s.writingMode, orientation: s.textOrientation, flipped: m.a < 0 && m.d < 0}; }"""
    )
    # Vertical text turned half a circle reads bottom to top; Chinese characters then
    # stand on their heads unless they are laid sideways like latin letters.
    upside_down = style["mode"].startswith("vertical") and style["orientation"] != "sideways" and style["flipped"]
    assert not upside_down, style
