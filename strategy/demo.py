"""The demo company's 2026 strategy: objectives in the four perspectives, a strategy map,
measures and a filled task division matrix. Running it again changes nothing.

This is seed data: it writes the rows directly (the plan is approved and frozen, which the
services would refuse to edit), but only saves a row when one of its values differs, so a
second run leaves no trace in the history tables either. Links are checked for loops with
the same rule the services use.

Heda Enterprise (合达企业) here is a mid-size maker of solid-wood furniture and custom
cabinetry that sells through its own exhibition hall (the SAL-HALL group) and regional
dealers, with two production workshops (PRD1, PRD2).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from organisation.models import Department, User

from .graph import closes_cycle
from .models import Measure, Objective, ObjectiveLink, Perspective, PlanStatus, StrategyPlan, TaskAssignment, TaskRole

YEAR = 2026
APPROVED_AT = datetime(2026, 1, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Same rows as strategy/migrations/0002_perspectives.py (transactional tests flush them).
PERSPECTIVES = [
    ("financial", "Financial", "财务", 1),
    ("customer", "Customer", "客户", 2),
    ("internal_process", "Internal process", "内部流程", 3),
    ("learning_growth", "Learning & growth", "学习与成长", 4),
]

VISION = (
    "To be the most trusted home-furnishing brand in East China by 2030: furniture people keep for a "
    "lifetime, delivered when we promise it."
)
MISSION = (
    "We design and build durable, well-made furniture and cabinetry for families and businesses, show it "
    "honestly in our exhibition hall and through our dealers, deliver it complete and on time, and stand "
    "behind it with fast service — creating value for our customers, growth for our people and a steady "
    "return for our owners."
)
VALUES = (
    "Customer first: we earn every order again with every delivery.\n"
    "Quality is our signature: nothing leaves the workshop that we would not put in our own homes.\n"
    "Integrity: we keep our promises to customers, suppliers and each other.\n"
    "Continuous improvement: plan, do, check, act — every month, in every department.\n"
    "Grow together: we train, reward and promote people for the results they achieve."
)

F, C, P, L = "financial", "customer", "internal_process", "learning_growth"

# code, perspective, owner department, sort order (left to right in its band of the map),
# Chinese name, English name, description. The order was chosen by looking at the rendered
# map at width 1200 (drivers below their outcomes, no arrow under a box, one crossing of solid
# arrows, the dashed budget arrow crossing two); codes are numbered in that order so the plan
# page lists them the same way.
OBJECTIVES = [
    ("F1", F, "FIN", 10, "成本费用控制在预算内", "Keep costs and expenses within budget",
     "Every department stays within its approved budget; labour, R&D and purchasing costs are planned and "
     "tracked monthly. The budget ring-fences the training money the skills programme needs."),
    ("F2", F, "FIN", 20, "提高盈利能力，保持财务稳健", "Increase profit and keep the finances sound",
     "Grow operating profit faster than revenue while keeping debt, liquidity and cash flow in a healthy range."),
    ("F3", F, "SAL", 30, "扩大销售收入", "Grow sales revenue",
     "Grow revenue by 15% over 2025 through the exhibition hall, the dealer network and new product lines."),
    ("C1", C, "PRD", 10, "准时齐套交付", "Deliver complete and on time",
     "Orders arrive complete, undamaged and on the promised date."),
    ("C2", C, "SAL", 20, "提升客户满意度", "Raise customer satisfaction",
     "Customers recommend us: satisfaction above 90 points in the yearly survey, complaints handled to the "
     "customer's satisfaction."),
    ("C3", C, "SAL", 30, "提高展厅成交率", "Convert more exhibition hall visitors",
     "Turn more exhibition hall visits into orders with better advice, new models on display and a smooth "
     "visit from greeting to contract."),
    ("C4", C, "SAL", 40, "开发新客户与经销商", "Win new customers and dealers",
     "Sign new regional dealers and project customers (hotels, developers) and grow the share of the key "
     "cabinetry line."),
    ("P1", P, "PUR", 10, "优化采购与供应商管理", "Improve purchasing and suppliers",
     "Buy timber, boards and hardware within budget from reliable suppliers; every receipt and issue in "
     "the warehouse documented."),
    ("P2", P, "PRD", 20, "提高生产效率", "Raise production efficiency",
     "Lean improvements in both workshops: fewer delays and rework, safe work, production plans met."),
    ("P3", P, "QA", 30, "提高产品质量", "Raise product quality",
     "Keep the ISO 9001 system effective and every workshop step covered by a written work instruction."),
    ("P4", P, "SAL", 40, "快速处理客户投诉", "Resolve customer complaints fast",
     "Every complaint gets an owner within a day and is closed within a week, with the cause fed back to "
     "production and quality."),
    ("P5", P, "RD", 50, "加快新产品开发", "Speed up new product development",
     "Launch new collections twice a year; development projects run on plan from design to first batch."),
    ("L1", L, "GMO", 10, "推进ERP/MES信息化", "Digitalise operations with ERP and MES",
     "Roll out ERP in purchasing, warehouse and finance and MES in the workshops, so data is reliable and "
     "available daily."),
    ("L2", L, "HR", 20, "以绩效激励留住骨干", "Reward performance, keep key people",
     "Pay and bonuses follow the balanced scorecard results; appraisals on time; fewer key people leave."),
    ("L3", L, "HR", 30, "提升员工关键技能", "Build key skills through training",
     "A yearly training plan for operators, inspectors, engineers and hall consultants, carried out in full."),
]

# Driver -> outcome. Learning -> process -> customer -> financial, plus one budget link
# from a financial objective to a learning objective (against the usual direction).
LINKS = [
    ("F1", "F2"), ("F3", "F2"),
    ("C2", "F3"), ("C3", "F3"), ("C4", "F3"),
    ("C1", "C2"),
    ("P1", "F1"), ("P2", "F1"),
    ("P1", "P2"), ("P2", "C1"), ("P3", "C2"), ("P4", "C2"), ("P5", "C3"), ("P5", "C4"),
    ("L1", "P1"), ("L1", "P2"),
    ("L2", "P2"), ("L2", "P3"),
    ("L3", "P3"), ("L3", "P4"), ("L3", "P5"),
    ("F1", "L3"),  # the expense budget funds the training programme
]

# objective code -> [(measure code, Chinese, English, lead department, support departments)]
MEASURES = {
    "F1": [
        ("F1.1", "公司费用预算达成率", "Company expenses against budget", "FIN", ["GMO", "HR"]),
        ("F1.2", "人力成本总额控制率", "Total labour cost against budget", "HR", ["FIN"]),
        ("F1.3", "研发费用预算达成率", "R&D expenses against budget", "RD", ["FIN"]),
    ],
    "F2": [
        ("F2.1", "利息保障倍数", "Interest coverage (EBIT / interest expense)", "FIN", ["GMO"]),
        ("F2.2", "经营现金流动负债比", "Operating cash flow to current liabilities", "FIN", []),
        ("F2.3", "资产负债率", "Debt-to-asset ratio within range", "FIN", ["GMO"]),
    ],
    "F3": [
        ("F3.1", "销售收入达成率", "Sales revenue against plan", "SAL", ["FIN"]),
        ("F3.2", "新产品销售收入占比", "Share of revenue from new products", "SAL", ["RD"]),
    ],
    "C1": [
        ("C1.1", "按期交货率", "On-time delivery rate", "PRD", ["PRD1", "PRD2", "PUR"]),
        ("C1.2", "包装与到货完好满意度", "Satisfaction with packaging and arrival condition", "PRD", ["QA"]),
    ],
    "C2": [
        ("C2.1", "客户满意度", "Customer satisfaction score", "SAL", ["QA", "PRD"]),
        ("C2.2", "投诉处理满意率", "Satisfaction with complaint handling", "SAL", ["QA"]),
    ],
    "C3": [
        ("C3.1", "展厅成交率", "Exhibition hall conversion rate", "SAL", []),
        ("C3.2", "展厅客户满意度", "Exhibition hall customer satisfaction", "SAL", ["QA"]),
    ],
    "C4": [
        ("C4.1", "新增客户与经销商数量", "New customers and dealers signed", "SAL", []),
        ("C4.2", "重点产品市场占有率", "Market share of the key cabinetry line", "SAL", ["RD"]),
    ],
    "P1": [
        ("P1.1", "采购费用预算达成率", "Purchasing expenses against budget", "PUR", ["FIN"]),
        ("P1.2", "出入库手续齐全率", "Warehouse receipts and issues fully documented", "PUR", ["PRD", "FIN"]),
    ],
    "P2": [
        ("P2.1", "精益改善实施率", "Lean improvements implemented", "PRD", ["PRD1", "PRD2"]),
        ("P2.2", "安全事故次数", "Workshop safety incidents", "PRD", ["PRD1", "PRD2", "HR"]),
    ],
    "P3": [
        ("P3.1", "ISO 9001质量体系有效运行", "ISO 9001 quality system kept effective", "QA", ["PRD1", "PRD2"]),
        ("P3.2", "书面作业指导书覆盖率", "Work steps covered by written instructions", "QA", ["PRD"]),
    ],
    "P4": [
        ("P4.1", "投诉解决周期", "Days to resolve a complaint", "SAL", ["QA"]),
        ("P4.2", "投诉解决率", "Complaints resolved", "SAL", ["QA", "PRD"]),
    ],
    "P5": [
        ("P5.1", "新产品开发数量", "New products launched", "RD", ["SAL"]),
        ("P5.2", "开发项目按计划完成率", "Development projects on plan", "RD", ["PRD", "QA"]),
    ],
    "L1": [
        ("L1.1", "系统和网络故障率", "System and network failure rate", "GMO", ["FIN"]),
        ("L1.2", "报表数据出错率", "Report data error rate", "FIN", ["GMO", "PUR"]),
    ],
    "L2": [
        ("L2.1", "员工自然流失率", "Voluntary staff turnover", "HR", ["GMO"]),
        ("L2.2", "员工培训与激励满意度", "Staff satisfaction with training and incentives", "HR", []),
        ("L2.3", "绩效考核按时完成率", "Appraisals completed on time", "HR", ["GMO", "FIN"]),
    ],
    "L3": [
        ("L3.1", "培训计划完成率", "Training plan completion", "HR", ["PRD", "SAL", "RD"]),
        ("L3.2", "新技术掌握程度", "Mastery of new technology", "RD", ["HR", "PRD"]),
    ],
}


def _sync(model, lookup: dict, values: dict, reason: str):
    """Create the row, or bring it to `values`; saves (and so writes history) only on a change."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    else:
        for name, value in values.items():
            setattr(obj, name, value)
    obj._change_reason = reason
    obj.save()
    return obj


def ensure_perspectives() -> dict[str, Perspective]:
    """The four perspectives, created as the migration does when they are missing."""
    return {
        code: Perspective.objects.get_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})[0]
        for code, en, zh, order in PERSPECTIVES
    }


@transaction.atomic
def load_demo() -> str:
    perspectives = ensure_perspectives()
    departments = {d.code: d for d in Department.objects.all()}
    missing = {o[2] for o in OBJECTIVES} | {m[3] for ms in MEASURES.values() for m in ms} | {
        s for ms in MEASURES.values() for m in ms for s in m[4]
    }
    missing -= set(departments)
    if missing:
        raise RuntimeError(f"Load the organisation demo first: departments {', '.join(sorted(missing))} are missing.")
    gm = User.objects.filter(username="gm").first()

    plan = _sync(
        StrategyPlan, {"year": YEAR},
        {"vision": VISION, "mission": MISSION, "values": VALUES, "status": PlanStatus.APPROVED,
         "approved_by_id": gm.pk if gm else None, "approved_at": APPROVED_AT if gm else None},
        "demo plan",
    )

    objectives: dict[str, Objective] = {}
    for code, perspective, owner, order, name_zh, name_en, description in OBJECTIVES:
        objectives[code] = _sync(
            Objective, {"plan": plan, "code": code},
            {"perspective_id": perspectives[perspective].pk, "owner_department_id": departments[owner].pk,
             "sort_order": order, "name_zh": name_zh, "name_en": name_en, "description": description},
            "demo objective",
        )

    # A link between two demo objectives that the demo does not define is removed (a refresh
    # restores the demo map); objectives, measures and links added by hand are otherwise kept.
    wanted = {(objectives[s].pk, objectives[t].pk) for s, t in LINKS}
    demo_ids = [o.pk for o in objectives.values()]
    for link in ObjectiveLink.objects.filter(source_id__in=demo_ids, target_id__in=demo_ids):
        if (link.source_id, link.target_id) not in wanted:
            link._change_reason = "demo link removed"
            link.delete()

    edges = list(ObjectiveLink.objects.filter(source__plan=plan).values_list("source_id", "target_id"))
    for source_code, target_code in LINKS:
        source, target = objectives[source_code], objectives[target_code]
        if (source.pk, target.pk) in edges:
            continue
        if closes_cycle(edges, source.pk, target.pk):
            raise ValueError(f"Demo link {source_code} -> {target_code} would close a loop in the strategy map.")
        link = ObjectiveLink(source=source, target=target)
        link._change_reason = "demo link"
        link.save()
        edges.append((source.pk, target.pk))

    measure_count = 0
    for objective_code, measures in MEASURES.items():
        for order, (code, name_zh, name_en, lead, supports) in enumerate(measures, start=1):
            measure = _sync(
                Measure, {"objective": objectives[objective_code], "code": code},
                {"name_zh": name_zh, "name_en": name_en, "sort_order": order * 10},
                "demo measure",
            )
            measure_count += 1
            _fill_row(measure, {lead: TaskRole.LEAD, **{code: TaskRole.SUPPORT for code in supports}}, departments)

    links = ObjectiveLink.objects.filter(source__plan=plan).count()
    return (
        f"Strategy {YEAR}: {len(objectives)} objectives in 4 perspectives, {links} cause-and-effect links, "
        f"{measure_count} measures, task division matrix filled."
    )


def _fill_row(measure: Measure, roles: dict[str, str], departments: dict[str, Department]) -> None:
    """One row of the task division matrix, exactly as given (other cells of the row are cleared,
    so a reload restores exactly one lead department)."""
    wanted = {departments[code].pk: role for code, role in roles.items()}
    for cell in TaskAssignment.objects.filter(measure=measure).exclude(department_id__in=wanted):
        cell.delete()
    for department_id, role in wanted.items():
        _sync(TaskAssignment, {"measure": measure, "department_id": department_id}, {"role": role}, "demo matrix cell")
