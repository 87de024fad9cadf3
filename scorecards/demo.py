"""The demo company's 2026 scorecards: a seasonal profile for sales, the company card, a card
for every active department, the exhibition hall group's team card and a card for every
post with active holders, all approved. Running it again changes nothing.

Everything goes through the services, as HR would do it in the editor: the department cards
are generated from the task division matrix and the post cards from their department's card,
then trimmed, weighted and given targets; HR submits and approves them (the general manager
approves the company card). A card that already exists for its owner and year is left
alone, so a second run writes nothing.

The library (indicators/data/kpi_library.csv) holds only KPIs and no amounts; the demo adds
the few indicators Heda's cards need besides: revenue and collections in 10k yuan, a
first-pass yield, post responsibility (PRI), competency (PCI), work attitude (WAI) and veto
(NNI) indicators, with codes starting "HD-".
"""

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from bsc_site.numbers import plain
from indicators.models import Indicator
from indicators.services import save_indicator
from organisation.models import Department, Post, Team, User
from strategy.demo import YEAR, ensure_perspectives
from strategy.models import Perspective, StrategyPlan

from . import services
from .models import (
    Aggregation,
    CascadeLink,
    DataOwner,
    Level,
    PhasingMethod,
    RatingMode,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    SeasonalProfile,
    VersionStatus,
    VetoMode,
    owner_key,
)
from .selectors import latest_version

D = Decimal
F, C, P, L = "financial", "customer", "internal_process", "learning_growth"

# Furniture sells slowly around the Spring Festival and peaks before the year's end
# (new homes, the National Day holidays, year-end project deliveries).
SALES_PROFILE = {
    "code": "sales",
    "name_zh": "销售季节性（家具）",
    "name_en": "Sales seasonality (furniture)",
    "shares": ["5", "4", "6", "7", "8", "8", "8", "8", "9", "10", "12", "15"],
}

# ---------------------------------------------------------------------------------------
# Indicators the library lacks

QUALITATIVE, LOWER, HIGHER = "qualitative", "lower_better", "higher_better"


def _indicator(code, type_, perspective, name_zh, name_en, definition_zh, definition_en, source_zh, source_en,
               unit, direction, method, params=None):
    return {
        "code": code, "type": type_, "perspective": perspective, "name_zh": name_zh, "name_en": name_en,
        "definition_zh": definition_zh, "definition_en": definition_en, "data_source_zh": source_zh,
        "data_source_en": source_en, "unit": unit, "direction": direction, "scoring_method": method,
        "scoring_params": params or {}, "category": "Heda demo",
    }


DEMO_INDICATORS = [
    # KPIs with amounts (10k yuan) and a yield.
    _indicator("HD-F01", "KPI", F, "销售收入", "Sales revenue", "当期确认的产品销售收入(不含税)",
               "Revenue from products sold in the period, excluding VAT", "财务部销售收入明细账",
               "Finance: sales revenue ledger", "万元", HIGHER, "percentage"),
    _indicator("HD-F02", "KPI", F, "展厅销售收入", "Exhibition hall sales revenue", "展厅成交订单确认的销售收入(不含税)",
               "Revenue from orders signed in the exhibition hall, excluding VAT", "财务部销售收入明细账(展厅)",
               "Finance: sales revenue ledger, exhibition hall", "万元", HIGHER, "percentage"),
    _indicator("HD-F03", "KPI", F, "销售回款额", "Sales collections", "当期收回的货款",
               "Cash received from customers for goods sold", "财务部银行收款记录",
               "Finance: bank receipts", "万元", HIGHER, "percentage"),
    _indicator("HD-P01", "KPI", P, "产品一次交验合格率", "First-pass inspection yield",
               "(一次交验合格批次/交验总批次)*100%", "(Batches passing final inspection first time / batches inspected) * 100%",
               "质量部检验记录", "Quality: inspection records", "%", HIGHER, "percentage"),
    # Post responsibility indicators.
    _indicator("HD-R01", "PRI", P, "月度工作计划完成率", "Monthly work plan completion",
               "(按时完成的计划事项/计划事项总数)*100%", "(Planned items completed on time / planned items) * 100%",
               "月度工作计划与总结", "Monthly work plan and report", "%", HIGHER, "percentage"),
    _indicator("HD-R02", "PRI", P, "展厅陈列与5S检查", "Exhibition hall display and 5S checks",
               "展厅陈列、样品与5S日常检查发现的问题数,每项扣5分", "Findings of the daily display, sample and 5S checks; 5 points each",
               "展厅日常检查记录", "Exhibition hall daily check record", "findings", LOWER, "deduction",
               {"points_per_occurrence": "5"}),
    _indicator("HD-R03", "PRI", P, "违反操作规程次数", "Breaches of operating procedures",
               "违反作业指导书或设备操作规程的次数,每次扣10分", "Breaches of work instructions or machine procedures; 10 points each",
               "车间日常检查记录", "Workshop daily inspection record", "count", LOWER, "deduction",
               {"points_per_occurrence": "10"}),
    _indicator("HD-R04", "PRI", P, "漏检率", "Defects missed at inspection",
               "(后序或客户发现的本应检出缺陷数/检验总数)*100%",
               "(Defects found later or by customers that inspection should have caught / items inspected) * 100%",
               "质量部检验与投诉记录", "Quality: inspection and complaint records", "%", LOWER, "percentage"),
    _indicator("HD-R05", "PRI", C, "客户跟进及时率", "Customer follow-up on time",
               "(48小时内回访的客户/应回访客户)*100%", "(Customers followed up within 48 hours / customers to follow up) * 100%",
               "CRM客户跟进记录", "CRM follow-up records", "%", HIGHER, "percentage"),
    # Competencies, rated.
    _indicator("HD-C01", "PCI", L, "专业知识与技能", "Professional knowledge and skills",
               "岗位所需专业知识与技能的掌握和运用", "Command and use of the knowledge and skills the post requires",
               "胜任力评价表", "Competency rating form", "", QUALITATIVE, "description"),
    _indicator("HD-C02", "PCI", L, "沟通与团队协作", "Communication and teamwork",
               "与上级、同事及其他部门的沟通与配合",
               "How well the person communicates and works with superiors, peers and other departments",
               "胜任力评价表", "Competency rating form", "", QUALITATIVE, "description"),
    _indicator("HD-C03", "PCI", L, "领导与培养下属", "Leadership and developing people",
               "目标分解、指导、激励与培养下属", "Setting goals, coaching, motivating and developing the team",
               "胜任力评价表", "Competency rating form", "", QUALITATIVE, "description"),
    _indicator("HD-C04", "PCI", L, "客户导向", "Customer orientation",
               "理解客户需求、提供专业建议并维护客户关系",
               "Understanding customers' needs, advising them well and keeping the relationship",
               "胜任力评价表", "Competency rating form", "", QUALITATIVE, "description"),
    # Work attitude.
    _indicator("HD-W01", "WAI", L, "劳动纪律与出勤", "Discipline and attendance",
               "迟到、早退、旷工及违反劳动纪律的次数,每次扣5分",
               "Late arrivals, early departures, absences and other breaches of discipline; 5 points each",
               "考勤记录与日常检查记录", "Attendance and daily inspection records", "count", LOWER, "deduction",
               {"points_per_occurrence": "5"}),
    _indicator("HD-W02", "WAI", L, "责任心与主动性", "Responsibility and initiative",
               "对工作结果负责、主动发现并解决问题", "Owning results, spotting and solving problems without being asked",
               "上级评价", "Superior's rating", "", QUALITATIVE, "description"),
    # Veto indicators.
    _indicator("HD-N01", "NNI", P, "重大安全事故", "Major safety incidents",
               "造成重伤、死亡或直接损失5万元以上的安全事故次数;发生即否决",
               "Safety incidents causing serious injury, death or a direct loss above 50,000 yuan; one is a veto",
               "安全事故报告", "Safety incident reports", "count", LOWER, "zero_one"),
    _indicator("HD-N02", "NNI", P, "严重违反廉洁规定", "Serious breaches of integrity rules",
               "收受回扣、虚报费用、泄露价格等经查实的行为;发生即否决",
               "Proven kickbacks, false expense claims or leaked prices; one is a veto",
               "审计与监察记录", "Audit and compliance records", "count", LOWER, "deduction",
               {"points_per_occurrence": "100"}),
    _indicator("HD-N03", "NNI", P, "重大质量事故", "Major quality incidents",
               "造成批量退货、召回或直接损失5万元以上的质量事故次数;发生即否决",
               "Quality incidents causing a batch return, a recall or a direct loss above 50,000 yuan; one is a veto",
               "质量事故报告", "Quality incident reports", "count", LOWER, "zero_one"),
]

# ---------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class Line:
    """A line of a demo card: indicator code, weight (% of the card), annual target, and what
    differs from the library's defaults."""

    code: str
    weight: str
    target: str | None = None
    method: str | None = None
    params: dict | None = None
    aggregation: str | None = None
    profile: bool = False  # phased by the sales profile
    rating_mode: str = ""
    upper: str | None = None  # the indicator of the upper card's line it feeds, if not the same


def bands(*spec) -> dict:
    """Interval bands laid on the actual value: bands((None, 30, 80), (30, 55, 100), ...)."""
    return {
        "basis": "actual",
        "bands": [{"lower": None if lo is None else str(lo), "upper": None if hi is None else str(hi), "score": str(s)}
                  for lo, hi, s in spec],
    }


# Balance-sheet ratios are year-end levels, scored by bands around the range the board set.
DEBT_RATIO = dict(method="interval", params=bands((None, 30, 80), (30, 55, 100), (55, 65, 60), (65, None, 0)), aggregation="last")
CURRENT_RATIO = dict(method="interval", params=bands((None, 100, 0), (100, 120, 60), (120, 200, 100), (200, None, 80)), aggregation="last")
SAFETY_INCIDENTS = dict(method="deduction", params={"points_per_occurrence": "20"})  # minor incidents; major ones are HD-N01
VETO_ZERO_ONE = dict(target="0")  # met when there is none

COMPANY_LINES = [
    Line("HD-F01", "15", "18000", profile=True),
    Line("HD-F03", "5", "17100", profile=True),
    Line("F-015", "8", "100"),
    Line("F-010", "4", "100"),
    Line("FR-007", "3", "6", aggregation="average"),
    Line("C-018", "10", "90"),
    Line("C-021", "5", "20"),
    Line("C-004", "5", "98"),
    Line("C-002", "5", "12"),
    Line("P-002", "8", "95"),
    Line("HD-P01", "7", "98"),
    Line("P-095", "5", "90"),
    Line("P-108", "5", "12"),
    Line("HD-N01", "0", **VETO_ZERO_ONE),
    Line("L-006", "5", "8", aggregation="last"),
    Line("L-002", "5", "95"),
    Line("L-011", "5", "85"),
]


@dataclass(frozen=True)
class Policy:
    veto_mode: str = VetoMode.ZERO
    veto_ceiling: str | None = None
    veto_deduction: str | None = None
    front_line: bool = False

    def fields(self) -> dict:
        return {
            "veto_mode": self.veto_mode,
            "veto_ceiling": None if self.veto_ceiling is None else D(self.veto_ceiling),
            "veto_deduction": None if self.veto_deduction is None else D(self.veto_deduction),
            "front_line": self.front_line,
        }


# Grades: A 90+, B 80-89, C 70-79, D 60-69, E below 60. A vetoed company card is capped in E.
COMPANY_POLICY = Policy(VetoMode.CAP, veto_ceiling="59")

# Department code -> its lines (weights % of the card) and veto policy. Lines the matrix
# generates but that are not listed are dropped (HR keeps a department card focused).
DEPARTMENT_LINES = {
    "GMO": [
        Line("F-001", "15", "100"), Line("F-015", "10", "100"),
        Line("P-085", "20", "2"), Line("P-003", "10", "1"), Line("P-020", "15", "100"), Line("P-019", "10", "99"),
        Line("HD-R01", "10", "100"),
        Line("L-006", "10", "8", aggregation="last"),
    ],
    "HR": [
        Line("F-010", "15", "100"), Line("F-001", "10", "100"),
        Line("P-020", "15", "100"), Line("P-019", "10", "99"), Line("P-015", "10", "30", aggregation="average"),
        Line("L-002", "15", "95"), Line("L-006", "10", "8", aggregation="last"), Line("L-011", "10", "85"), Line("L-015", "5", "95"),
    ],
    "FIN": [
        Line("F-015", "15", "100"), Line("F-001", "5", "100"), Line("FR-004", "10", "50", **DEBT_RATIO),
        Line("FR-001", "5", "150", **CURRENT_RATIO), Line("FR-007", "10", "6", aggregation="average"),
        Line("FR-008", "10", "0.4", aggregation="average"),
        Line("P-003", "10", "1"), Line("P-065", "10", method="deduction", params={"points_per_occurrence": "10"}),
        Line("P-064", "5", "100"), Line("HD-R01", "10", "100"),
        Line("L-002", "10", "95"),
        Line("HD-N02", "0"),
    ],
    "SAL": [
        Line("HD-F01", "25", "18000", profile=True), Line("HD-F03", "10", "17100", profile=True),
        Line("C-018", "10", "90"), Line("C-021", "10", "20"), Line("C-002", "5", "12"), Line("C-004", "5", "98"),
        Line("C-019", "5", "90"), Line("C-025", "5", "90"), Line("C-005", "5", "5", aggregation="average"),
        Line("P-107", "10", "30"),
        Line("L-002", "5", "95"), Line("L-015", "5", "95"),
        Line("HD-N02", "0"),
    ],
    "PRD": [
        Line("F-001", "10", "100"),
        Line("C-001", "10", "90"), Line("C-004", "5", "98"),
        Line("P-002", "20", "95"), Line("P-095", "15", "90"), Line("P-066", "10", **SAFETY_INCIDENTS),
        Line("P-001", "10", "95"), Line("P-064", "5", "100"), Line("HD-N01", "0", **VETO_ZERO_ONE),
        Line("L-002", "10", "95"), Line("L-009", "5"),
    ],
    "PRD1": [
        Line("F-001", "10", "100"),
        Line("P-002", "25", "95"), Line("HD-P01", "20", "98"), Line("P-095", "15", "90"), Line("P-048", "10"),
        Line("P-066", "10", **SAFETY_INCIDENTS), Line("HD-N01", "0", **VETO_ZERO_ONE),
        Line("L-002", "10", "95"),
    ],
    "PRD2": [
        Line("F-001", "10", "100"),
        Line("P-002", "25", "95"), Line("HD-P01", "20", "98"), Line("P-095", "15", "90"), Line("P-048", "10"),
        Line("P-066", "10", **SAFETY_INCIDENTS), Line("HD-N01", "0", **VETO_ZERO_ONE),
        Line("L-002", "10", "95"),
    ],
    "QA": [
        Line("F-001", "10", "100"),
        Line("C-018", "10", "90"), Line("C-004", "10", "98"), Line("C-005", "10", "5", aggregation="average"),
        Line("P-048", "20"), Line("P-001", "15", "95"), Line("HD-P01", "15", "98"), Line("HD-N03", "0", **VETO_ZERO_ONE),
        Line("L-002", "10", "95"),
    ],
    "PUR": [
        Line("F-001", "25", "100"),
        Line("P-064", "20", "100"), Line("P-002", "20", "95"), Line("P-003", "10", "1"), Line("HD-R01", "15", "100"),
        Line("HD-N02", "0"),
        Line("L-002", "10", "95"),
    ],
    "RD": [
        Line("F-006", "10", "100"), Line("F-002", "5", "100"),
        Line("C-002", "5", "12"),
        Line("P-108", "20", "12"), Line("P-105", "20", "90"), Line("P-106", "15", "80"),
        Line("L-009", "10"), Line("L-002", "10", "95"), Line("L-015", "5", "95"),
    ],
}
DEPARTMENT_POLICIES = {
    "FIN": Policy(VetoMode.CAP, veto_ceiling="59"),
    "SAL": Policy(VetoMode.DEDUCT, veto_deduction="30"),
    "PUR": Policy(VetoMode.CAP, veto_ceiling="59"),
}

TEAM_LINES = {
    # The exhibition hall group: its revenue feeds the sales department's revenue line.
    "SAL-HALL": [
        Line("HD-F02", "40", "6000", profile=True, upper="HD-F01"),
        Line("C-025", "15", "90"),
        Line("P-107", "20", "30"), Line("HD-R02", "10"), Line("HD-R05", "10", "95"),
        Line("L-015", "5", "95"),
        Line("HD-N02", "0"),
    ],
}
TEAM_POLICIES = {"SAL-HALL": Policy(VetoMode.DEDUCT, veto_deduction="30", front_line=True)}


@dataclass(frozen=True)
class PostSpec:
    """How a post's card differs from its department's: the department lines it keeps (code ->
    weight, or (weight, target) where the post's share of a total differs), and its own lines.
    Veto (NNI) lines of the department are always kept."""

    keep: dict = field(default_factory=dict)
    own: list = field(default_factory=list)
    front_line: bool = False


# A head's card: every line of the department at 80% of its weight, plus leadership and
# responsibility (the department card itself carries the daily-inspection deduction).
HEAD_SHARE = D("0.8")
HEAD_OWN = [Line("HD-C03", "10", rating_mode=RatingMode.DEGREE_360), Line("HD-W02", "10")]
OTHER_OWN = [Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR), Line("HD-W01", "10")]

POSTS = {
    "GMO-AST": PostSpec(
        keep={"F-001": "10", "P-003": "15", "P-085": "10"},
        own=[Line("HD-R01", "25", "100"), Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR),
             Line("HD-C02", "10", rating_mode=RatingMode.DEGREE_180), Line("HD-W01", "10"), Line("HD-W02", "10")],
    ),
    "HR-SPC": PostSpec(
        keep={"P-020": "15", "P-019": "15", "P-015": "15", "L-015": "10"},
        own=[Line("HD-R01", "15", "100"), Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR),
             Line("HD-C02", "10", rating_mode=RatingMode.DEGREE_360), Line("HD-W01", "10")],
    ),
    "FIN-ACC": PostSpec(
        keep={"P-003": "15", "P-065": "20"},
        own=[Line("HD-R01", "25", "100"), Line("HD-C01", "15", rating_mode=RatingMode.SUPERIOR),
             Line("HD-C02", "10", rating_mode=RatingMode.DEGREE_180), Line("HD-W01", "15")],
    ),
    "FIN-CSH": PostSpec(
        keep={"P-065": "20", "P-003": "10"},
        own=[Line("HD-R01", "30", "100"), Line("HD-C01", "15", rating_mode=RatingMode.SUPERIOR),
             Line("HD-W01", "15"), Line("HD-W02", "10")],
    ),
    "SAL-REP": PostSpec(
        # Twelve of the 18,000 (10k yuan) come from five representatives, six from the hall.
        keep={"HD-F01": ("30", "2400"), "HD-F03": ("10", "2280"), "C-021": "10", "C-018": "10"},
        own=[Line("HD-R05", "15", "95"), Line("HD-C04", "10", rating_mode=RatingMode.DEGREE_180),
             Line("HD-C01", "5", rating_mode=RatingMode.SUPERIOR), Line("HD-W01", "10")],
    ),
    "SAL-HAL": PostSpec(
        keep={"C-025": "15", "P-107": "15"},
        own=[Line("HD-F02", "30", "1500", profile=True, upper="HD-F01"), Line("HD-R02", "10"), Line("HD-R05", "10", "95"),
             Line("HD-C04", "10", rating_mode=RatingMode.DEGREE_360), Line("HD-W01", "10")],
        front_line=True,
    ),
    "PRD1-OPR": PostSpec(
        keep={"P-002": "20", "HD-P01": "20", "P-066": "10"},
        own=[Line("HD-R03", "20"), Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR), Line("HD-W01", "10"), Line("HD-W02", "10")],
    ),
    "PRD2-OPR": PostSpec(
        keep={"P-002": "20", "HD-P01": "20", "P-066": "10"},
        own=[Line("HD-R03", "20"), Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR), Line("HD-W01", "10"), Line("HD-W02", "10")],
    ),
    "QA-INS": PostSpec(
        keep={"HD-P01": "20"},
        own=[Line("HD-R04", "25", "0.5"), Line("HD-R01", "15", "100"), Line("HD-C01", "15", rating_mode=RatingMode.SUPERIOR),
             Line("HD-W01", "10"), Line("HD-W02", "15")],
    ),
    "PUR-BUY": PostSpec(
        keep={"F-001": "20", "P-064": "20", "P-002": "20"},
        own=[Line("HD-C01", "10", rating_mode=RatingMode.SUPERIOR), Line("HD-C02", "10", rating_mode=RatingMode.DEGREE_180),
             Line("HD-W01", "10"), Line("HD-W02", "10")],
    ),
    "RD-ENG": PostSpec(
        keep={"P-108": ("20", "3"), "P-105": "20", "L-009": "10"},
        own=[Line("HD-R01", "15", "100"), Line("HD-C01", "15", rating_mode=RatingMode.DEGREE_360),
             Line("HD-C02", "10", rating_mode=RatingMode.DEGREE_360), Line("HD-W02", "10")],
    ),
}

RATE_LIKE_UNITS = {"%", "‰", "％", "score", "ratio", "days", "hours"}


# ---------------------------------------------------------------------------------------
# Loading


class _Loader:
    def __init__(self, hr: User, gm: User):
        self.hr, self.gm = hr, gm
        self.indicators = {i.code: i for i in Indicator.objects.select_related("perspective")}
        self.perspectives = [p.code for p in Perspective.objects.order_by("sort_order")]
        self.profile = None
        self.created = 0

    # -- indicators and the profile

    def ensure_indicators(self) -> None:
        perspectives = {p.code: p for p in Perspective.objects.all()}
        for spec in DEMO_INDICATORS:
            if spec["code"] in self.indicators:
                continue
            indicator = save_indicator(by=self.hr, **{**spec, "perspective": perspectives[spec["perspective"]]})
            self.indicators[indicator.code] = indicator

    def ensure_profile(self) -> None:
        self.profile = SeasonalProfile.objects.filter(code=SALES_PROFILE["code"]).first()
        if self.profile is None:
            self.profile = services.save_profile(by=self.hr, **SALES_PROFILE)

    # -- one card

    def _line_fields(self, spec: Line, indicator: Indicator) -> dict:
        method = spec.method or indicator.scoring_method
        return {
            "weight": D(spec.weight),
            "target": None if spec.target is None else D(spec.target),
            "method": method,
            "params": spec.params if spec.params is not None else dict(indicator.scoring_params or {}),
            "aggregation": spec.aggregation or _aggregation(indicator),
            "phasing": PhasingMethod.PROFILE if spec.profile else PhasingMethod.EVEN,
            "profile": self.profile if spec.profile else None,
            "rating_mode": spec.rating_mode,
            "data_owner": _data_owner(indicator, method),
        }

    def fill(self, version: ScorecardVersion, specs: list[Line], policy: Policy) -> ScorecardVersion:
        """Bring a draft's lines to ``specs`` (drop the others, change or add them)."""
        existing = {line.indicator.code: line for line in version.lines.select_related("indicator")}
        changes, additions = {}, []
        for spec in specs:
            indicator = self.indicators[spec.code]
            fields = self._line_fields(spec, indicator)
            if spec.code in existing:
                changes[existing.pop(spec.code)] = fields
            else:
                additions.append((indicator, fields))
        return self.apply(version, list(existing.values()), changes, additions, policy)

    def apply(self, version, deletions, changes, additions, policy: Policy) -> ScorecardVersion:
        """Delete, add, then save the changed lines and the settings in one go, as the
        editor does; the perspectives weigh what their lines weigh."""
        for line in deletions:
            services.delete_line(by=self.hr, line=line)
        for indicator, fields in additions:
            services.save_line(by=self.hr, version=version, indicator=indicator, **fields)
        sums = {code: D(0) for code in self.perspectives}
        for line in version.lines.select_related("perspective"):
            sums[line.perspective.code] += changes.get(line, {}).get("weight", line.weight)
        settings = {"perspective_weights": {code: plain(total) for code, total in sums.items()}, **policy.fields()}
        lines = {line.pk: fields for line, fields in changes.items()}
        return services.save_card(by=self.hr, version=version, settings=settings, lines=lines)

    def link_up(self, version: ScorecardVersion, upper: Scorecard, specs: list[Line] = ()) -> None:
        """Each line feeds the upper card's line of the same indicator (or the one its spec
        names), by its aggregation; links with the wrong feed are made again."""
        upper_codes = set(latest_version(upper).lines.values_list("indicator__code", flat=True))
        named = {spec.code: spec.upper for spec in specs if spec.upper}
        for line in version.lines.select_related("indicator").prefetch_related("up_links"):
            code = named.get(line.indicator.code, line.indicator.code)
            if code not in upper_codes:
                continue
            feed = services.feed_for(line.aggregation)
            links = [link for link in line.up_links.all() if link.upper_scorecard_id == upper.pk]
            if any(link.upper_indicator_id == self.indicators[code].pk and link.feed == feed for link in links):
                continue
            for link in links:
                if link.upper_indicator_id == self.indicators[code].pk:
                    services.unlink_line(by=self.hr, link=link)
            services.link_line(by=self.hr, line=line, upper_scorecard=upper, upper_indicator=self.indicators[code], feed=feed)

    def approve(self, card: Scorecard) -> None:
        version = latest_version(card)
        try:
            services.submit_version(by=self.hr, version=version)
        except ValidationError as exc:  # the demo data is wrong: say which card and why
            raise RuntimeError(f"Demo card {card} is not valid: {'; '.join(exc.messages)}") from exc
        services.approve_version(by=self.gm if card.level == Level.COMPANY else self.hr, version=version)
        self.created += 1

    # -- the levels

    def company(self) -> Scorecard:
        card = Scorecard.objects.filter(year=YEAR, owner_key=owner_key(Level.COMPANY)).first()
        if card is not None:
            return card
        card = services.create_scorecard(by=self.hr, year=YEAR, level=Level.COMPANY)
        self.fill(latest_version(card), COMPANY_LINES, COMPANY_POLICY)
        self.approve(card)
        return card

    def department(self, department: Department, company: Scorecard) -> Scorecard | None:
        card = Scorecard.objects.filter(year=YEAR, owner_key=owner_key(Level.DEPARTMENT, department_id=department.pk)).first()
        specs = DEPARTMENT_LINES.get(department.code)
        if card is not None or specs is None:
            return card
        try:
            card = services.generate_department_card(by=self.hr, year=YEAR, department=department)
        except ValidationError:  # no measure of the matrix for it: built line by line
            card = services.create_scorecard(by=self.hr, year=YEAR, level=Level.DEPARTMENT, department=department)
        version = self.fill(latest_version(card), specs, DEPARTMENT_POLICIES.get(department.code, Policy()))
        self.link_up(version, company)
        self.approve(card)
        return card

    def team(self, team: Team, department_card: Scorecard) -> Scorecard | None:
        card = Scorecard.objects.filter(year=YEAR, owner_key=owner_key(Level.TEAM, team_id=team.pk)).first()
        specs = TEAM_LINES.get(team.code)
        if card is not None or specs is None:
            return card
        card = services.create_scorecard(by=self.hr, year=YEAR, level=Level.TEAM, team=team)
        version = self.fill(latest_version(card), specs, TEAM_POLICIES.get(team.code, Policy()))
        self.link_up(version, department_card, specs)
        self.approve(card)
        return card

    def post(self, post: Post, department_card: Scorecard, *, head: bool) -> Scorecard:
        card = Scorecard.objects.filter(year=YEAR, owner_key=owner_key(Level.POST, post_id=post.pk)).first()
        if card is not None:
            return card
        card = services.generate_post_card(by=self.hr, year=YEAR, post=post)
        version = latest_version(card)
        lines = list(version.lines.select_related("indicator"))
        spec = POSTS.get(post.code) or PostSpec(own=HEAD_OWN if head else OTHER_OWN)
        if post.code in POSTS:
            keep = {code: value if isinstance(value, tuple) else (value, None) for code, value in spec.keep.items()}
        else:  # every department line, scaled to what the post's own lines leave
            room = D(100) - sum((D(own.weight) for own in spec.own), D(0))
            weighted = [line for line in lines if line.indicator.type != "NNI"]
            shares = _shares([line.weight for line in weighted], room)
            keep = {line.indicator.code: (plain(share), None) for line, share in zip(weighted, shares, strict=True)}
        own = {line.code: line for line in spec.own}
        deletions, changes = [], {}
        for line in lines:
            code = line.indicator.code
            if code in own:
                changes[line] = self._line_fields(own.pop(code), line.indicator)
            elif code in keep:
                weight, target = keep[code]
                changes[line] = {"weight": D(weight)} if target is None else {"weight": D(weight), "target": D(target)}
            elif line.indicator.type != "NNI":
                deletions.append(line)
        additions = [(self.indicators[code], self._line_fields(line, self.indicators[code])) for code, line in own.items()]
        department_version = latest_version(department_card)
        policy = Policy(department_version.veto_mode, department_version.veto_ceiling, department_version.veto_deduction,
                        front_line=spec.front_line or department_version.front_line)
        version = self.apply(version, deletions, changes, additions, policy)
        self.link_up(version, department_card, spec.own)
        self.approve(card)
        return card


def _aggregation(indicator: Indicator) -> str:
    """Rates, scores, ratios and durations average over the months; amounts and counts add up."""
    return Aggregation.AVERAGE if indicator.unit.strip() in RATE_LIKE_UNITS or not indicator.unit.strip() else Aggregation.SUM


def _data_owner(indicator: Indicator, method: str) -> str:
    if indicator.type in ("PCI",) or method == "description":
        return DataOwner.RATERS
    if indicator.type in ("WAI", "NNI") or indicator.perspective.code == L:
        return DataOwner.HR
    if indicator.perspective.code == F:
        return DataOwner.FINANCE
    return DataOwner.DEPARTMENT






def _shares(weights: list[Decimal], total: Decimal) -> list[Decimal]:
    """``weights`` scaled to add up to ``total``, rounded to 0.01 by the largest remainder."""
    whole = sum(weights, D(0))
    exact = [weight * total / whole for weight in weights]
    cent = D("0.01")
    floors = [value.quantize(cent, rounding=ROUND_FLOOR) for value in exact]
    missing = int((total - sum(floors, D(0))) / cent)
    for index in sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))[:missing]:
        floors[index] += cent
    return floors


@transaction.atomic
def load_demo() -> str:
    ensure_perspectives()
    hr, gm = User.objects.filter(username="hr").first(), User.objects.filter(username="gm").first()
    if hr is None or gm is None:
        raise RuntimeError("Load the organisation demo first: the users hr and gm are missing.")
    if not StrategyPlan.objects.filter(year=YEAR).exists():
        raise RuntimeError(f"Load the strategy demo first: there is no {YEAR} plan.")
    if not Indicator.objects.filter(code="F-001").exists():
        raise RuntimeError("Load the indicators demo first: the KPI library is missing.")

    loader = _Loader(hr, gm)
    loader.ensure_indicators()
    loader.ensure_profile()
    company = loader.company()
    departments = {}
    for department in Department.objects.filter(is_active=True).order_by("sort_order", "code"):
        card = loader.department(department, company)
        if card is not None:
            departments[department.pk] = card
    for team in Team.objects.filter(is_active=True, department__is_active=True).order_by("code"):
        if team.department_id in departments:
            loader.team(team, departments[team.department_id])
    heads = set(Department.objects.filter(head__isnull=False).values_list("head__post_id", flat=True))
    posts = Post.objects.filter(is_active=True, holders__is_active=True).distinct().order_by("department__sort_order", "code")
    for post in posts:
        if post.department_id in departments:
            loader.post(post, departments[post.department_id], head=post.pk in heads)

    cards = Scorecard.objects.filter(year=YEAR)
    approved = cards.filter(versions__status=VersionStatus.APPROVED).distinct()
    by_level = {level: approved.filter(level=level).count() for level in Level.values}
    lines = ScorecardLine.objects.filter(version__scorecard__year=YEAR).count()
    links = CascadeLink.objects.filter(line__version__scorecard__year=YEAR).count()
    new = f" ({loader.created} new)" if loader.created else ""
    return (
        f"Scorecards {YEAR}: {approved.count()} approved{new}: {by_level['company']} company, "
        f"{by_level['department']} department, {by_level['team']} team, {by_level['post']} post; "
        f"{lines} lines, {links} cascade links; seasonal profile “sales”."
    )
