"""The demo company's appraisal months: three past months of 2026 published and the current
month in collection, with the daily inspections of each. Running it again changes nothing.

Everything goes through the services, by the people the procedure names (seed 000): HR
opens the month and records the daily inspections; department data comes from the heads
(HR when nobody but the person heads the department), finance and HR data from HR; the
employee adds a self-assessment and signs, the head signs; each head fills in their own
form and submits it to HR, who supplies the rest; HR calculates, the general manager
approves and HR publishes. The general manager does not approve their own form: it stays
calculated. A month that is already open is left alone, so a second run writes nothing.

The months follow the date (``demo_months``): for a day in November 2026, August,
September and October are published and November is in collection. Actuals lie around the
targets, drawn from a seeded generator, so every run gives the same figures. The past
months hold one veto (a major safety incident in workshop 1), inspections with people
missing from the record (their heads lose the points) and one department inspected only
three times in a month.

A top-level department head's own post form (the HR, finance, sales, production, quality,
purchasing and R&D managers') is signed as head by their line manager, the general
manager. The general manager's own forms have nobody above: their post form stays signed by
the GM alone and their department form calculated (nobody approves their own score). HR
moves each past month on to published with the service the HR page uses.
"""

import calendar
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from organisation.models import Department, Employee, User
from scorecards.models import Scorecard
from strategy.demo import YEAR

from . import services
from .models import EntryStatus, Form, FormKind, FormStatus, Notification, Period, PeriodStatus

D = Decimal
SEED = "heda-2026"
PAST_MONTHS = 3
# The earliest current month that leaves three published months after January.
FIRST_CURRENT = 1 + 1 + PAST_MONTHS

# Who rates a description line: one superior, a 180-degree panel or a 360-degree panel.
RATERS = {"": 1, "superior": 1, "180": 3, "360": 5}
PLACES = {"万元": 1, "days": 1, "score": 1, "ratio": 2, "hours": 1}
COUNT_UNITS = {"count", "findings"}

SELF_ASSESSMENTS = [
    "本月按计划完成主要工作。 / Finished the main work of the month on plan.",
    "客户跟进比上月及时,仍有两单拖期。 / Followed customers up faster than last month; two orders still late.",
    "参加了两次内部培训,已用于日常工作。 / Took two internal courses and use them in daily work.",
    "设备故障影响了两天产量,已提出改进建议。 / A machine breakdown cost two days of output; I proposed a fix.",
    "与其他部门配合顺畅,数据按时提交。 / Worked smoothly with other departments; data handed in on time.",
    "个别指标未达标,原因已分析,下月改进。 / Missed one target; analysed why and will improve next month.",
]
VIOLATIONS = [
    "未按规定佩戴劳保用品 / No protective gloves at the press",
    "工位5S不达标 / Workplace not kept to 5S",
    "交接班记录未填写 / Shift handover not recorded",
    "迟到10分钟 / Ten minutes late",
    "样品摆放不规范 / Samples displayed out of place",
]
RETURN_COMMENT = "客户跟进及时率与CRM导出不符,请核对后重新签字。 / The follow-up rate does not match the CRM export; please check it and sign again."

# The current month, by department: the stage each person's form has reached, in order of
# employee number (cycled). Heads' own post forms (``HEAD_POST_STAGES``, cycled in department
# order) and their department forms (``HEAD_STAGES``) are listed apart.
CURRENT_STAGES = {
    "GMO": ["employee_signed", "filled"],
    "HR": ["submitted", "calculated", "calculated"],
    "FIN": ["calculated", "submitted", "submitted", "employee_signed"],
    # five sales representatives ("employee" first), then the four hall consultants
    "SAL": ["returned", "employee_signed", "submitted", "filled", "employee_signed",
            "employee_signed", "partial", "filled", "submitted"],
    "PRD1": ["employee_signed", "employee_signed", "filled", "partial", "employee_signed"],
    "PRD2": ["partial", "filled", "partial", "filled", "partial"],
    "QA": ["submitted", "submitted", "employee_signed"],
    "PUR": ["filled", "partial", "employee_signed"],
    "RD": ["employee_signed", "filled", "submitted", "partial"],
}
HEAD_POST_STAGES = ["partial", "filled", "employee_signed"]
HEAD_STAGES = {
    "GMO": "partial", "HR": "submitted", "FIN": "calculated", "SAL": "submitted", "PRD": "partial",
    "PRD1": "submitted", "PRD2": "partial", "QA": "calculated", "PUR": "filled", "RD": "partial",
}
# Past months: the veto case (month index, post, holder index) and the department inspected
# only three times in the last of them.
VETO = (1, "PRD1-OPR", 2)
SHORT_DEPARTMENT = "PUR"


def demo_months(today: date) -> tuple[list[int], int]:
    """The published months and the month in collection for ``today``: the current month
    and the three before it, kept within the plan year and after January (a day before May
    2026 gives February to April and May; a day after 2026 September to November and
    December)."""
    if today.year < YEAR:
        current = FIRST_CURRENT
    elif today.year > YEAR:
        current = 12
    else:
        current = max(today.month, FIRST_CURRENT)
    return list(range(current - PAST_MONTHS, current)), current


# ---------------------------------------------------------------------------------------
# The people


class _Cast:
    """The users who act, one instance each (their roles are cached on the instance)."""

    def __init__(self):
        users = User.objects.filter(username__in=("hr", "hr.head", "gm", "committee"))
        named = {user.username: user for user in users}
        missing = {"hr", "hr.head", "gm", "committee"} - set(named)
        if missing:
            raise RuntimeError(f"Load the organisation demo first: the users {', '.join(sorted(missing))} are missing.")
        self.hr, self.hr_head, self.gm, self.committee = named["hr"], named["hr.head"], named["gm"], named["committee"]
        self.users = {user.pk: user for user in User.objects.filter(employee__isnull=False)}
        self.users.update({user.pk: user for user in users})
        self.departments = {department.pk: department for department in Department.objects.select_related("head")}
        self.employee_users = dict(Employee.objects.values_list("pk", "user_id"))

    def user(self, pk: int) -> User:
        return self.users[pk]

    def hr_for(self, form: Form) -> User:
        """HR, never on a form they are appraised on (the HR manager then)."""
        return self.hr_head if form.employee.user_id == self.hr.pk else self.hr

    def head_for(self, form: Form) -> User | None:
        """Whoever signs as head: the nearest head up the department tree who is not the
        person appraised; None for a top-level department's own head."""
        department = self.departments[form.department_id]
        while department is not None:
            if department.head is not None and department.head.user_id != form.employee.user_id:
                return self.users[department.head.user_id]
            department = self.departments.get(department.parent_id)
        return None

    def signer_for(self, form: Form) -> User | None:
        """Whoever signs as head: the nearest head up the tree, else the line manager."""
        head = self.head_for(form)
        if head is not None:
            return head
        manager = self.employee_users.get(form.employee.line_manager_id)
        if form.employee.user_id == self.gm.pk and manager is None:
            return self.committee  # nobody is above the general manager
        return self.users.get(manager) if manager and manager != form.employee.user_id else None

    def approver_for(self, form: Form) -> User:
        """The general manager; the committee for the general manager's own forms."""
        return self.committee if form.employee.user_id == self.gm.pk else self.gm

    def enterer(self, form: Form, info: dict) -> User:
        """Who supplies a line: the head for the department's data and ratings (the head
        themselves on their own department form), HR for finance and HR data, where no one
        else heads the department and instead of the general manager."""
        owner = info.get("data_owner")
        own = self.users[form.employee.user_id]
        chosen = None
        if owner == "employee" or (form.kind == FormKind.HEAD and owner == "department"):
            chosen = own
        elif owner in ("department", "raters"):
            chosen = self.head_for(form)
        # The general manager enters no data (they approve the scores): HR does it for them.
        if chosen is None or (chosen == self.gm and not (owner == "employee" and chosen == own)):
            return self.hr_for(form)
        return chosen


# ---------------------------------------------------------------------------------------
# Values


def _text(value: Decimal, places: int) -> str:
    return str(value.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _occurrences(rng: random.Random) -> int:
    return rng.choices([0, 1, 2], weights=[70, 24, 6])[0]


def line_value(line: dict, info: dict, rng: random.Random, quality: float) -> dict:
    """A plausible value for one line: an actual around this month's target (better for a
    better ``quality``), occurrences for a deduction line, none for a veto line, and a
    level from each rater for a description line."""
    method, kind = line["method"], line["indicator_type"]
    if kind == "NNI":
        return {"actual": "0"}
    if method == "description":
        centre = 5.3 + (quality - 1) * 15
        return {"ratings": [max(3, min(7, round(rng.gauss(centre, 0.7)))) for _ in range(RATERS.get(info.get("rating_mode") or "", 1))]}
    if method in ("deduction", "zero_one") and line.get("target") in (None, "0"):
        return {"actual": str(_occurrences(rng))}
    if line.get("target") in (None, ""):
        return {"not_applicable": True, "remark": "本月无目标 / No target this month"}
    target = D(line["target"])
    lower = line["direction"] == "lower_better"
    ratio = rng.uniform(0.93, 1.1) / quality if lower else rng.uniform(0.9, 1.08) * quality
    actual = target * D(str(round(ratio, 4)))
    unit = info.get("unit", "")
    if unit in COUNT_UNITS:
        if target < 1:  # a few a year: one now and then
            return {"actual": "1" if D(str(rng.random())) < target * 2 else "0"}
        return {"actual": _text(actual, 0)}
    if unit == "%" and not lower and target <= 100:
        actual = min(actual, D(100))
    places = PLACES.get(unit, 2 if target < 10 else 1)
    return {"actual": _text(actual, places)}


def form_values(form: Form, rng: random.Random) -> dict[str, dict]:
    quality = min(1.1, max(0.9, rng.gauss(1.0, 0.04)))
    calc = form.snapshot["calculation"]
    return {line["key"]: line_value(line, form.snapshot["lines"][line["key"]], rng, quality) for line in calc["lines"]}


def self_assessment(form: Form, rng: random.Random) -> dict[str, dict]:
    """The employee comments on their heaviest line and one other."""
    lines = [line for line in form.snapshot["calculation"]["lines"] if line["indicator_type"] != "NNI"]
    heaviest = max(lines, key=lambda line: D(line["effective_weight"]))
    other = rng.choice(lines)
    picked = [heaviest["key"]] + ([other["key"]] if other is not heaviest else [])
    return {key: {"self_assessment": rng.choice(SELF_ASSESSMENTS)} for key in picked}


# ---------------------------------------------------------------------------------------
# One month


class _Builder:
    def __init__(self, cast: _Cast, today: date):
        self.cast = cast
        self.today = min(today, timezone.localdate())  # the services refuse inspections in the future

    # -- inspections

    def inspection_days(self, rng: random.Random, month: int, count: int) -> list[date]:
        """One weekday a week, and now and then a fifth at the month's end."""
        last = calendar.monthrange(YEAR, month)[1]
        weeks = [(1, 7), (8, 14), (15, 21), (22, 28)] + ([(29, last)] if last >= 29 else [])
        days = []
        for low, high in weeks[:count]:
            weekdays = [day for day in range(low, high + 1) if date(YEAR, month, day).weekday() < 5]
            if weekdays:
                days.append(date(YEAR, month, rng.choice(weekdays)))
        return days

    def inspect(self, month: int, *, short: str | None) -> None:
        """Every department's daily inspections of the month up to today; ``short`` is
        inspected three times. Now and then someone is left off the record."""
        rng = random.Random(f"{SEED}-inspections-{month}")
        departments = [d for d in self.cast.departments.values() if d.is_active]
        for department in sorted(departments, key=lambda d: (d.sort_order, d.code)):
            count = 3 if department.code == short else (5 if rng.random() < 0.3 else 4)
            for day in self.inspection_days(rng, month, count):
                if day > self.today:
                    continue
                people = services.department_people(department, day)
                missing = set()
                roll = rng.random()
                if people and roll < 0.15:
                    missing = set(rng.sample([person.pk for person in people], min(len(people), 2 if roll < 0.03 else 1)))
                entries = {}
                for person in people:
                    if person.pk in missing:
                        continue
                    if rng.random() < 0.06:
                        entries[person.pk] = (EntryStatus.VIOLATION, rng.choice(VIOLATIONS))
                    else:
                        entries[person.pk] = (EntryStatus.OK, "")
                note = f"记录缺{len(missing)}人 / {len(missing)} missing from the record" if missing else ""
                services.record_inspection(by=self.cast.hr, day=day, department=department, entries=entries, note=note)

    # -- the forms

    def forms(self, period: Period) -> list[Form]:
        return list(
            period.forms.select_related("employee", "department", "post")
            .order_by("department__sort_order", "kind", "employee__employee_number")
        )

    def enter(self, form: Form, values: dict[str, dict]) -> Form:
        """Each supplier enters their lines (the department's data before HR's)."""
        by_user: dict[int, dict] = {}
        for key, fields in values.items():
            user = self.cast.enterer(form, form.snapshot["lines"][key])
            by_user.setdefault(user.pk, {})[key] = fields
        hr = {self.cast.hr.pk, self.cast.hr_head.pk}
        order = sorted(by_user, key=lambda pk: pk in hr)  # HR last
        for pk in order:
            form = services.save_values(by=self.cast.user(pk), form=form, values=by_user[pk])
        return form

    def step(self, form: Form, action: str, by: User, comment: str = "") -> Form:
        return services.take_step(by=by, form=form, action=action, comment=comment)

    def employee_form(self, form: Form, values: dict, rng: random.Random, stage: str) -> Form:
        """An employee's form up to ``stage``: partial, filled, employee_signed, returned,
        submitted, calculated, approved or published (as far as someone may take it)."""
        own = self.cast.user(form.employee.user_id)
        if stage == "partial":
            keys = sorted(values)
            picked = set(rng.sample(keys, max(1, len(keys) // 2)))
            return self.enter(form, {key: value for key, value in values.items() if key in picked})
        form = self.enter(form, values)
        form = services.save_values(by=own, form=form, values=self_assessment(form, rng))
        if stage == "filled":
            return form
        form = self.step(form, "sign_as_employee", own)
        head = self.cast.signer_for(form)
        if stage == "employee_signed" or head is None:
            return form
        if stage == "returned":
            return self.step(form, "return_to_draft", head, RETURN_COMMENT)
        form = self.step(form, "sign_as_head", head)
        return self.finish(form, stage)

    def head_form(self, form: Form, values: dict, rng: random.Random, stage: str) -> Form:
        """A head's own department form: the head fills in the department's data and
        submits it; HR supplies the rest (after submission), calculates and so on."""
        own = self.cast.user(form.employee.user_id)
        mine = {key: value for key, value in values.items() if self.cast.enterer(form, form.snapshot["lines"][key]) == own}
        if stage == "partial":
            keys = sorted(mine)
            return self.enter(form, {key: mine[key] for key in rng.sample(keys, max(1, len(keys) // 2))}) if keys else form
        form = self.enter(form, mine)
        if stage == "filled":
            return form
        form = self.step(form, "submit_own", own)
        form = self.enter(form, {key: value for key, value in values.items() if key not in mine})
        return self.finish(form, stage)

    def finish(self, form: Form, stage: str) -> Form:
        """From HR onwards: calculate, approve, publish."""
        if stage == "submitted":
            return form
        form = self.step(form, "calculate", self.cast.hr_for(form))
        if stage == "calculated":
            return form
        form = self.step(form, "approve", self.cast.approver_for(form))
        if stage == "approved":
            return form
        return self.step(form, "publish", self.cast.hr_for(form))

    # -- the months

    def values(self, month: int, forms: list[Form]) -> dict[int, dict]:
        values = {
            form.pk: form_values(form, random.Random(f"{SEED}-{month}-{form.employee.employee_number}-{form.kind}"))
            for form in forms
        }
        self.sales_revenue(forms, values)
        return values

    def past(self, month: int, index: int, *, last: bool) -> Period:
        """A month taken as far as anyone may: published, and the period marked so."""
        period = services.open_period(by=self.cast.hr, year=YEAR, month=month)
        self.inspect(month, short=SHORT_DEPARTMENT if last else None)
        forms = self.forms(period)
        values = self.values(month, forms)
        veto_month, veto_post, veto_holder = VETO
        if index == veto_month:
            holders = [form for form in forms if form.post.code == veto_post and form.kind == FormKind.EMPLOYEE]
            victim = holders[veto_holder] if len(holders) > veto_holder else None
            if victim is not None and "HD-N01" in values[victim.pk]:
                values[victim.pk]["HD-N01"] = {
                    "actual": "1",
                    "remark": f"{YEAR}-{month:02d}-14 冲床夹伤致重伤,事故报告 AQ-{YEAR}-{month:02d}-03 / "
                              f"Serious hand injury at the press on {YEAR}-{month:02d}-14, incident report AQ-{YEAR}-{month:02d}-03",
                }
        calculated = []
        for form in forms:
            rng = random.Random(f"{SEED}-{month}-{form.pk}-steps")
            build = self.head_form if form.kind == FormKind.HEAD else self.employee_form
            calculated.append(build(form, values[form.pk], rng, "calculated"))
        # The general manager reviews the month as a whole before approving: where the
        # grades break the distribution guidance, they record why they approve anyway.
        for reason in _approval_reasons:
            reason(period, self.cast.gm)
        for form in calculated:
            form = self.step(form, "approve", self.cast.approver_for(form))
            self.step(form, "publish", self.cast.hr_for(form))
        while period.status != PeriodStatus.PUBLISHED:
            period = services.advance_period(by=self.cast.hr, period=period)
        _date_the_steps(period)
        return period

    def current(self, month: int) -> Period:
        """The month in collection: forms at every stage before the general manager."""
        period = services.open_period(by=self.cast.hr, year=YEAR, month=month)
        self.inspect(month, short=None)
        forms = self.forms(period)
        values = self.values(month, forms)
        heads = {department.head_id for department in self.cast.departments.values() if department.head_id}
        position: dict[str, int] = {}
        head_position = 0
        for form in forms:
            rng = random.Random(f"{SEED}-{month}-{form.pk}-steps")
            code = form.department.code
            if form.kind == FormKind.HEAD:
                self.head_form(form, values[form.pk], rng, HEAD_STAGES.get(code, "partial"))
                continue
            if form.employee_id in heads:
                stage = HEAD_POST_STAGES[head_position % len(HEAD_POST_STAGES)]
                head_position += 1
            else:
                stages = CURRENT_STAGES.get(code, ["filled"])
                stage = stages[position.get(code, 0) % len(stages)]
                position[code] = position.get(code, 0) + 1
            self.employee_form(form, values[form.pk], rng, stage)
        if self.today > period.deadline:
            services.flag_late(by=self.cast.hr, period=period, today=self.today)
        return period

    @staticmethod
    def sales_revenue(forms: list[Form], values: dict[int, dict]) -> None:
        """The sales department's revenue is what its representatives and the exhibition
        hall sold."""
        sold = D(0)
        for form in forms:
            if form.kind == FormKind.EMPLOYEE and form.department.code == "SAL":
                for key in ("HD-F01", "HD-F02"):
                    if key in values[form.pk] and form.post.code in ("SAL-REP", "SAL-HAL"):
                        sold += D(values[form.pk][key]["actual"])
        if not sold:
            return
        for form in forms:
            if form.department.code == "SAL" and "HD-F01" in values[form.pk] and form.post.code not in ("SAL-REP", "SAL-HAL"):
                values[form.pk]["HD-F01"] = {"actual": _text(sold, 1)}


# ---------------------------------------------------------------------------------------
# Loading


# Apps above the appraisal (results) record the general manager's reasons before a past
# month is approved (registered from their demo module).
_approval_reasons: list = []


def register_approval_reasons(reasons) -> None:
    if reasons not in _approval_reasons:
        _approval_reasons.append(reasons)


# When each step of a past month happened: the days of its month (the month after for the
# steps after the deadline), so a past form's history reads like a real month's.
STEP_DAYS = {
    "values_changed": (0, 18), "sign_as_employee": (0, 20), "submit_own": (0, 21), "sign_as_head": (0, 22),
    "return_to_draft": (0, 21), "calculate": (0, 26), "approve": (0, 27), "publish": (0, 28),
}


def _date_the_steps(period: Period) -> None:
    from datetime import datetime, time

    from django.utils import timezone

    from .models import FormValue, Signature, Transition

    def moment(action: str, minute: int):
        months, day = STEP_DAYS.get(action, (0, 24))
        return timezone.make_aware(datetime.combine(date(period.year, period.month + months, min(day, 28)), time(9, minute % 60)))

    for index, transition in enumerate(Transition.objects.filter(form__period=period).order_by("pk")):
        transition.at = moment(transition.action, index)
        transition.save(update_fields=["at"])
    roles = {"employee": "sign_as_employee", "head": "sign_as_head"}
    for index, signature in enumerate(Signature.objects.filter(form__period=period).order_by("pk")):
        signature.signed_at = moment(roles[signature.role], index)
        signature.save(update_fields=["signed_at"])
    FormValue.history.filter(form_id__in=period.forms.values("pk")).update(history_date=moment("values_changed", 0))


def _mark_read(cast: _Cast, after: int) -> None:
    """What was handed on in the past months has been dealt with: read."""
    for notification in Notification.objects.filter(pk__gt=after, read_at__isnull=True):
        services.mark_read(by=cast.user(notification.user_id), notification=notification)


def _summary(past: list[int], current: int, created: int) -> str:
    periods = {period.month: period for period in Period.objects.filter(year=YEAR, month__in=[*past, current])}
    forms = Form.objects.filter(period__year=YEAR)
    parts = []
    published = [month for month in past if month in periods and periods[month].status == PeriodStatus.PUBLISHED]
    if published:
        done = forms.filter(period__month__in=published)
        parts.append(
            f"{', '.join(calendar.month_name[month] for month in published)} published: "
            f"{done.filter(status=FormStatus.PUBLISHED).count()} of {done.count()} forms "
            "(the general manager's own signed and approved by the performance committee)"
        )
    for month in [month for month in [*past, current] if month in periods and month not in published]:
        mine = forms.filter(period__month=month)
        counts = {status: mine.filter(status=status).count() for status in FormStatus.values}
        state = "in collection" if periods[month].status == PeriodStatus.COLLECTING else periods[month].status
        parts.append(
            f"{calendar.month_name[month]} {state}: {mine.count()} forms ({counts['draft']} draft, "
            f"{counts['employee_signed']} signed by the employee, {counts['submitted']} with HR, "
            f"{counts['calculated']} calculated, {counts['approved'] + counts['published']} approved or published, "
            f"{mine.filter(is_late=True).count()} late)"
        )
    months = sorted(periods)
    inspections = sum(sum(services.inspection_counts(YEAR, month).values()) for month in months)
    breakdowns = forms.filter(period__month__in=months, breakdown__isnull=False).values_list("breakdown", flat=True)
    vetoed = sum(1 for breakdown in breakdowns if (breakdown.get("veto") or {}).get("failed"))
    new = f" ({created} new)" if created else ""
    vetoes = f"{vetoed} vetoed form" + ("" if vetoed == 1 else "s")
    return f"Appraisal {YEAR}{new}: " + "; ".join(parts) + f"; {inspections} daily inspections; {vetoes}."


@transaction.atomic
def load_demo(today: date | None = None) -> str:
    """Build the demo months for ``today`` (default: today in the site's time zone) that are
    not open yet, and say in one line what the demo months hold."""
    today = today or timezone.localdate()
    past, current = demo_months(today)
    if not Scorecard.objects.filter(year=YEAR).exists():
        raise RuntimeError(f"Load the scorecards demo first: there are no {YEAR} cards.")
    opened = set(Period.objects.filter(year=YEAR, month__in=[*past, current]).values_list("month", flat=True))
    todo = [month for month in [*past, current] if month not in opened]
    if todo:
        cast = _Cast()
        builder = _Builder(cast, today)
        # The months' hand-offs stay in the app as notifications; they are not e-mailed.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        transaction.on_commit(quiet.enable)
        before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        for index, month in enumerate(past):
            if month in todo:
                builder.past(month, index, last=index == len(past) - 1)
        _mark_read(cast, before)
        if current in todo:
            builder.current(current)
        transaction.on_commit(quiet.disable)
    return _summary(past, current, len(todo))
