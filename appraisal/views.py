"""Appraisal pages: the months (HR opens one and follows it), a form (values, signatures,
the workflow buttons, the score breakdown and the history), and each role's list of forms
waiting for them."""

from collections import Counter
from types import SimpleNamespace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bsc_site.numbers import plain
from bsc_site.pages import act, require
from organisation.models import Department
from organisation.roles import headed_department_ids
from strategy.models import Perspective

from . import ratings, services, workflow
from .distribution import spread
from .excel_views import sees_all_results
from .form_excel import may_import_actuals
from .forms import InspectionPickForm, OpenPeriodForm
from .evidence import content_type
from .models import EntryStatus, Evidence, Form, FormStatus, FormValue, Inspection, PeriodStatus, RatingRequest, Relation
from .selectors import forms_to_approve, forms_to_sign, forms_visible_to, inspections_visible_to, periods_visible_to


def _act(request, call, success: str) -> bool:
    """pages.act, where a refusal by segregation of duties is said, not a 403 page."""
    try:
        return act(request, call, success)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You cannot take this step on this form."))
        return False


def home_panel(request) -> dict | None:
    """The home page's appraisal panel: what waits for this person, and their latest form."""
    if not request.user.has_perm("appraisal.view_appraisal"):
        return None
    mine = forms_visible_to(request.user).filter(employee__user=request.user).order_by("-period__year", "-period__month", "kind").first()
    return {
        "waiting": sum(queue.count() for queue in _queues(request.user)), "mine": mine,
        "unread": request.user.notifications.filter(read_at__isnull=True).count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def period_list(request):
    require(request, "appraisal.view_appraisal")
    can_open = request.user.has_perm("appraisal.manage_periods")
    today = timezone.localdate()
    form = OpenPeriodForm(request.POST if request.method == "POST" else None, initial={"year": today.year, "month": today.month})
    if request.method == "POST":
        require(request, "appraisal.manage_periods")
        if form.is_valid():
            opened = {}
            if _act(
                request,
                lambda: opened.setdefault("p", services.open_period(by=request.user, year=form.cleaned_data["year"], month=form.cleaned_data["month"])),
                _("Month opened: every person has a form."),
            ):
                return redirect("period-detail", pk=opened["p"].pk)
    periods = periods_visible_to(request.user).annotate(form_count=Count("forms"))
    mine = forms_visible_to(request.user).filter(employee__user=request.user).order_by("-period__year", "-period__month")[:12]
    context = {
        "periods": periods, "form": form, "can_open": can_open, "mine": mine, "waiting": _waiting_for(request.user),
        "unread": request.user.notifications.filter(read_at__isnull=True).count(),
        "signs": bool(headed_department_ids(request.user)) or forms_to_sign(request.user).exists(),
        "rates": RatingRequest.objects.filter(rater__user=request.user).exists(),
        "rates_open": RatingRequest.objects.filter(rater__user=request.user, level__isnull=True, form__period__ratings_closed_at__isnull=True).count(),
    }
    return render(request, "appraisal/period_list.html", context)


def _queues(user) -> list:
    """The querysets of forms waiting for this user's step: heads sign, HR calculates,
    the GM (or the committee) approves."""
    queues = [forms_to_sign(user)]
    if user.has_perm("appraisal.manage_periods"):
        queues.append(forms_visible_to(user).exclude(employee__user=user).filter(status=FormStatus.SUBMITTED))
    queues.append(forms_to_approve(user))
    return queues


def _waiting_for(user) -> list[Form]:
    return [form for queue in _queues(user) for form in queue[:200]][:200]


# A value row counts as filled when it holds something to score (evidence alone does not).
FILLED = Q(values__actual__isnull=False) | Q(values__not_applicable=True) | ~Q(values__inputs={}) | ~Q(values__ratings=[])


@login_required
def period_detail(request, pk):
    require(request, "appraisal.view_appraisal")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    forms = list(
        forms_visible_to(request.user).filter(period=period).select_related("department", "employee")
        .annotate(value_count=Count("values", filter=FILLED))
    )
    states = [value for value, _label in FormStatus.choices]
    by_department: dict = {}
    for form in forms:
        row = by_department.setdefault(form.department, Counter())
        row[form.status] += 1
        row["late"] += form.is_late
        form.missing = max(0, len(form.snapshot["lines"]) - form.value_count)
        row["missing"] += form.missing
    inspections = Counter(
        Inspection.objects.filter(date__year=period.year, date__month=period.month).values_list("department", flat=True)
    )
    rows = [
        {"department": department, "counts": [(state, counts[state]) for state in states], "late": counts["late"], "missing": counts["missing"],
         "inspections": inspections.get(department.pk, 0)}
        for department, counts in sorted(by_department.items(), key=lambda item: (item[0].sort_order, item[0].code))
    ]
    shown, chosen = _filtered(request, forms)
    for form in shown:
        form.score = form.total if services.score_visible(request.user, form) else None
    context = {
        "period": period, "rows": rows, "states": FormStatus.choices, "forms": shown, "chosen": chosen, "form_count": len(forms),
        "can_manage": request.user.has_perm("appraisal.manage_periods"),
        "can_import": may_import_actuals(request.user, period),
        "can_rate": request.user.has_perm("appraisal.manage_periods") or bool(headed_department_ids(request.user)),
        "can_export": sees_all_results.test(request.user) or bool(headed_department_ids(request.user)),
        "minimum": services.get_company().inspections_per_month, "past_deadline": timezone.localdate() > period.deadline,
        "next_state": workflow.PERIOD_NEXT.get(workflow.PeriodState(period.status)),
        "next_label": dict(PeriodStatus.choices).get(workflow.PERIOD_NEXT.get(workflow.PeriodState(period.status)), ""),
    }
    return render(request, "appraisal/period_detail.html", context)


def _filtered(request, forms: list[Form]) -> tuple[list[Form], dict]:
    """The dashboard's form list narrowed by ?department=, ?status=, ?missing=1, ?late=1."""
    chosen = {name: request.GET.get(name, "") for name in ("department", "status", "missing", "late")}
    shown = forms
    if chosen["department"].isdigit():
        shown = [form for form in shown if form.department_id == int(chosen["department"])]
    if chosen["status"]:
        shown = [form for form in shown if form.status == chosen["status"]]
    if chosen["missing"]:
        shown = [form for form in shown if form.missing]
    if chosen["late"]:
        shown = [form for form in shown if form.is_late]
    return shown, {name: value for name, value in chosen.items() if value}


@login_required
@require_POST
def period_flag_late(request, pk):
    require(request, "appraisal.manage_periods")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    flagged = {}
    _act(
        request,
        lambda: flagged.setdefault("n", services.flag_late(by=request.user, period=period)),
        _("Late forms flagged."),
    )
    return redirect("period-detail", pk=period.pk)




STEP_LABELS = {
    workflow.Action.SIGN_AS_EMPLOYEE: gettext_lazy("Sign"),
    workflow.Action.SIGN_AS_HEAD: gettext_lazy("Sign as department head"),
    workflow.Action.SUBMIT_OWN: gettext_lazy("Submit to HR"),
    workflow.Action.RETURN_TO_DRAFT: gettext_lazy("Send back to draft"),
    workflow.Action.CALCULATE: gettext_lazy("Calculate"),
    workflow.Action.RETURN_TO_HR: gettext_lazy("Send back to HR"),
    workflow.Action.APPROVE: gettext_lazy("Approve"),
    workflow.Action.PUBLISH: gettext_lazy("Publish"),
    workflow.Action.REOPEN: gettext_lazy("Reopen for the appeal"),
}


def _shown(value: FormValue | None, posted: dict | None) -> dict:
    """What a line's fields show: what was just posted (a refused save keeps the typing),
    else what is saved."""
    saved = {
        "actual": plain(value.actual) if value and value.actual is not None else "",
        "inputs": dict(value.inputs or {}) if value else {},
        "ratings": ", ".join(str(level) for level in (value.ratings or [])) if value else "",
        "remark": value.remark if value else "",
        "not_applicable": bool(value and value.not_applicable),
        "self_assessment": value.self_assessment if value else "",
    }
    if not posted:
        return saved
    shown = {**saved, **{name: posted[name] for name in ("actual", "remark", "not_applicable", "self_assessment") if name in posted}}
    if "inputs" in posted:
        shown["inputs"] = {**saved["inputs"], **posted["inputs"]}
    if "ratings" in posted:
        shown["ratings"] = ", ".join(posted["ratings"])
    return shown


def _lines(form: Form, user, breakdown, posted: dict | None = None, errors: dict | None = None) -> list[dict]:
    values = {value.line_key: value for value in form.values.prefetch_related("evidence")}
    rated = set(form.rating_requests.values_list("line_key", flat=True))
    groups = ratings.summaries(form) if rated and form.period.ratings_closed_at else {}
    chinese = (get_language() or "").startswith("zh")
    results = {line["key"]: line for line in (breakdown or {}).get("lines", [])}
    rows = []
    for line in form.snapshot["calculation"]["lines"]:
        key = line["key"]
        info = form.snapshot["lines"].get(key, {})
        rights = services.who_enters(form, user, key) if workflow.values_editable(form.status) else set()
        rows.append({
            "key": key, "line": line, "info": info, "value": values.get(key),
            "name": (info.get("name_zh") if chinese else info.get("name_en")) or info.get("name_en") or info.get("name_zh") or key,
            "can_value": "value" in rights, "can_self": "self" in rights, "result": results.get(key),
            "can_na": "value" in rights and form.employee.user_id != user.pk,
            "shown": _shown(values.get(key), (posted or {}).get(key)), "errors": (errors or {}).get(key, []),
            "rated": key in rated, "groups": groups.get(key),
        })
        if key in rated:  # the raters' answers give the value
            rows[-1]["can_value"] = rows[-1]["can_na"] = False
    return rows


# Panels apps above the appraisal add to a form's page (results: open improvement items).
_form_panels: list = []


def register_form_panel(template: str, context) -> None:
    """``context(request, form)`` returns the panel's context, or None to leave it out."""
    if (template, context) not in _form_panels:
        _form_panels.append((template, context))


def _panels(request, form: Form) -> list:
    return [(template, data) for template, context in _form_panels if (data := context(request, form)) is not None]


def _last_return(form: Form, transitions) -> object | None:
    """The comment of a send-back the form is still answering (shown at the top)."""
    returns = {workflow.Action.RETURN_TO_DRAFT.value, workflow.Action.RETURN_TO_HR.value}
    last = transitions[-1] if transitions else None
    return last if last is not None and last.action in returns and last.comment else None


@login_required
@require_http_methods(["GET", "POST"])
def form_detail(request, pk):
    require(request, "appraisal.view_appraisal")
    form = get_object_or_404(forms_visible_to(request.user), pk=pk)
    posted, errors = None, {}
    if request.method == "POST":
        posted = _posted_values(request, form)
        try:
            services.save_values(by=request.user, form=form, values=posted, revision=request.POST.get("revision"))
        except services.StaleForm as exc:
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            messages.error(request, _("Nothing was saved: fix the lines marked below.") if errors else "; ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You cannot enter these values."))
        else:
            messages.success(request, _("Saved."))
            return redirect("form-detail", pk=form.pk)
        form.refresh_from_db()
    breakdown = form.breakdown if services.score_visible(request.user, form) else None
    lines = _lines(form, request.user, breakdown, posted, errors)
    perspectives = list(Perspective.objects.all())
    groups = [(p, [row for row in lines if row["line"]["perspective"] == p.code]) for p in perspectives]
    transitions = list(form.transitions.select_related("by__employee"))
    context = {
        "form": form, "groups": [(p, rows) for p, rows in groups if rows], "breakdown": breakdown,
        "steps": [(step, STEP_LABELS[step.action]) for step in services.steps_for(request.user, form)],
        "editable": any(row["can_value"] or row["can_self"] for row in lines),
        "signatures": list(form.signatures.select_related("user__employee")), "valid": services.signatures_valid(form),
        "transitions": transitions, "returned": _last_return(form, transitions),
        "changes": list(
            FormValue.history.filter(form_id=form.pk).select_related("entered_by__employee").order_by("-history_date", "-history_id")[:200]
        ),
        "perspective_names": {p.code: p.display_name for p in perspectives},
        "missing": services.missing_lines(form) if request.method == "GET" else [],
        "relation_labels": dict(Relation.choices),
        "panels": _panels(request, form),
    }
    return render(request, "appraisal/form_detail.html", context)


def _posted_values(request, form: Form) -> dict:
    values = {}
    for key in form.snapshot["lines"]:
        fields = {}
        prefix = f"v-{key}-"
        if prefix + "actual-present" in request.POST:  # the row had value fields
            if prefix + "actual" in request.POST:
                fields["actual"] = request.POST[prefix + "actual"]
            inputs = {name: request.POST[f"{prefix}in-{name}"] for name in form.snapshot["lines"][key].get("inputs", []) if f"{prefix}in-{name}" in request.POST}
            if inputs:
                fields["inputs"] = inputs
            if prefix + "remark" in request.POST:
                fields["remark"] = request.POST[prefix + "remark"]
            if prefix + "ratings" in request.POST:
                text = request.POST[prefix + "ratings"].replace("，", ",")
                fields["ratings"] = [part.strip() for part in text.split(",") if part.strip()]
            if prefix + "na-present" in request.POST:
                fields["not_applicable"] = request.POST.get(prefix + "na") == "on"
        if prefix + "self" in request.POST:
            fields["self_assessment"] = request.POST[prefix + "self"]
        if fields:
            values[key] = fields
    return values


@login_required
@require_POST
def form_step(request, pk):
    require(request, "appraisal.view_appraisal")
    form = get_object_or_404(forms_visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    if action not in workflow.Action._value2member_map_:
        messages.error(request, _("Unknown step."))
        return redirect("form-detail", pk=form.pk)
    _act(
        request,
        lambda: services.take_step(by=request.user, form=form, action=action, comment=request.POST.get("comment", ""), revision=request.POST.get("revision")),
        _("Done: %(step)s.") % {"step": STEP_LABELS[workflow.Action(action)]},
    )
    return redirect("form-detail", pk=form.pk)



@login_required
def inspection_list(request):
    require(request, "appraisal.view_inspections")
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    inspections = list(
        inspections_visible_to(request.user).filter(date__year=year, date__month=month).select_related("inspector__employee").prefetch_related("entries")
    )
    for inspection in inspections:
        inspection.missing = sum(1 for entry in inspection.entries.all() if entry.status == EntryStatus.MISSING)
    counts = services.inspection_counts(year, month)
    minimum = services.get_company().inspections_per_month
    departments = Department.objects.filter(is_active=True)
    if not request.user.has_perm("appraisal.record_inspections"):
        departments = departments.filter(pk__in=headed_department_ids(request.user))
    rows = [(department, counts.get(department.pk, 0)) for department in departments]
    context = {
        "inspections": inspections, "rows": rows, "minimum": minimum, "month": f"{year}-{month:02d}",
        "pick": InspectionPickForm(initial={"date": today}) if request.user.has_perm("appraisal.record_inspections") else None,
    }
    return render(request, "appraisal/inspection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record(request):
    require(request, "appraisal.record_inspections")
    pick = InspectionPickForm(request.GET or None)
    if not pick.is_valid():
        messages.error(request, _("Choose the department and the date of the inspection."))
        return redirect("inspection-list")
    department, day = pick.cleaned_data["department"], pick.cleaned_data["date"]
    people = services.department_people(department, day)
    existing = {}
    inspection = Inspection.objects.filter(department=department, date=day).first()
    if inspection:
        existing = {entry.employee_id: entry for entry in inspection.entries.all()}
    if request.method == "POST":
        entries = {}
        for person in people:
            status = request.POST.get(f"status-{person.pk}", "")
            if status:
                entries[person.pk] = (status, request.POST.get(f"violations-{person.pk}", ""))
            # A refused save shows what was chosen, not what is stored.
            existing[person.pk] = SimpleNamespace(status=status, violations=request.POST.get(f"violations-{person.pk}", ""))
        if _act(
            request,
            lambda: services.record_inspection(by=request.user, day=day, department=department, entries=entries, note=request.POST.get("note", "")),
            _("Inspection recorded."),
        ):
            return redirect(f"{reverse('inspection-list')}?month={day:%Y-%m}")
    rows = [(person, existing.get(person.pk)) for person in people]
    context = {"department": department, "day": day, "rows": rows, "statuses": EntryStatus.choices, "inspection": inspection}
    return render(request, "appraisal/inspection_record.html", context)


def _bulk(request, forms, action: str, reviewed: bool = True) -> None:
    """``reviewed``: the page showed each form with its revision, and a form changed since
    is refused (the signer or approver saw something else)."""
    revisions = {form.pk: request.POST.get(f"revision-{form.pk}", "") for form in forms} if reviewed else None
    result = services.take_steps(by=request.user, forms=forms, action=action, comment=request.POST.get("comment", ""), revisions=revisions)
    if result.done:
        messages.success(request, _("%(n)s forms done: %(step)s.") % {"n": len(result.done), "step": STEP_LABELS[workflow.Action(action)]})
    for form, reason in result.refused:
        messages.error(request, f"{form.employee.display_name}: {reason}")


@login_required
@require_http_methods(["GET", "POST"])
def to_sign(request):
    """A department head's forms to sign, with each one's values, signed in a batch after
    review or sent back one by one from the form."""
    require(request, "appraisal.view_appraisal")
    forms = list(
        forms_to_sign(request.user).prefetch_related("values").order_by("period", "department__sort_order", "employee__employee_number")
    )
    if request.method == "POST":
        chosen = [form for form in forms if str(form.pk) in request.POST.getlist("form")]
        if not chosen:
            messages.error(request, _("Choose the forms you have reviewed."))
        else:
            _bulk(request, chosen, workflow.Action.SIGN_AS_HEAD)
        return redirect("to-sign")
    for form in forms:
        values = {value.line_key: value for value in form.values.all()}
        infos = form.snapshot["lines"]
        form.rows = [
            {"key": line["key"], "info": infos.get(line["key"], {}), "target": line.get("target"), "value": values.get(line["key"])}
            for line in form.snapshot["calculation"]["lines"]
        ]
    return render(request, "appraisal/to_sign.html", {"forms": forms})


@login_required
@require_http_methods(["GET", "POST"])
def approvals(request):
    """The general manager's queue: calculated forms per department with the spread of the
    scores and the outliers, approved in a batch after review."""
    require(request, "appraisal.approve")
    forms = list(forms_to_approve(request.user).order_by("period", "department__sort_order", "-total"))
    if request.method == "POST":
        chosen = [form for form in forms if str(form.pk) in request.POST.getlist("form")]
        if not chosen:
            messages.error(request, _("Choose the forms you have reviewed."))
        else:
            _bulk(request, chosen, workflow.Action.APPROVE)
        return redirect("approvals")
    previous = _previous_totals(forms)
    groups: dict = {}
    for form in forms:
        form.previous = previous.get((form.period_id, form.employee_id, form.kind))
        groups.setdefault((form.period, form.department), []).append(form)
    queue = []
    for (period, department), members in groups.items():
        figures = spread([form.total for form in members if form.total is not None])
        for form in members:
            form.outlier = figures is not None and form.total is not None and figures.is_outlier(form.total)
        queue.append({"period": period, "department": department, "forms": members, "spread": figures})
    return render(request, "appraisal/approvals.html", {"queue": queue})


def _previous_totals(forms) -> dict:
    """(period id, employee id, kind) -> the same person's total of the month before."""
    if not forms:
        return {}
    months = {form.period_id: (form.period.year, form.period.month) for form in forms}
    earlier = {pk: (year - 1, 12) if month == 1 else (year, month - 1) for pk, (year, month) in months.items()}
    wanted = Q()
    for year, month in set(earlier.values()):
        wanted |= Q(period__year=year, period__month=month)
    rows = Form.objects.filter(wanted, employee_id__in={form.employee_id for form in forms}, total__isnull=False).values_list(
        "period__year", "period__month", "employee_id", "kind", "total"
    )
    found = {(year, month, employee, kind): total for year, month, employee, kind, total in rows}
    return {
        (form.period_id, form.employee_id, form.kind): found.get((*earlier[form.period_id], form.employee_id, form.kind))
        for form in forms
    }


@login_required
@require_http_methods(["GET", "POST"])
def period_grid(request, pk):
    """HR's data entry for one indicator across everyone's forms of the month."""
    require(request, "appraisal.manage_periods")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    forms = list(
        forms_visible_to(request.user).filter(period=period).exclude(status__in=[FormStatus.APPROVED, FormStatus.PUBLISHED])
        .exclude(employee__user=request.user).prefetch_related("values").order_by("department__sort_order", "employee__employee_number")
    )
    names = {}
    for form in forms:
        for key, info in form.snapshot["lines"].items():
            names.setdefault(key, info)
    codes = sorted(names)
    code = request.GET.get("indicator") or (codes[0] if codes else "")
    rows = [form for form in forms if code in form.snapshot["lines"]]
    errors = {}
    if request.method == "POST" and code:
        entries = []
        for form in rows:
            name = f"actual-{form.pk}"
            if name in request.POST:
                fields = {"actual": request.POST[name], "not_applicable": request.POST.get(f"na-{form.pk}") == "on"}
                entries.append((form, request.POST.get(f"revision-{form.pk}"), {code: fields}))
        signed = {form.pk for form in rows if form.status in workflow.signed_states()}
        try:
            changed = services.save_grid(by=request.user, entries=entries)
        except ValidationError as exc:
            errors = exc.message_dict
            messages.error(request, _("Nothing was saved: fix the rows marked below."))
        else:
            messages.success(request, _("%(n)s forms changed.") % {"n": changed})
            resent = Form.objects.filter(pk__in=signed, status=FormStatus.DRAFT).count()
            if resent:
                messages.warning(request, _("%(n)s of them had been signed: they went back to their people for signing again.") % {"n": resent})
            return redirect(f"{reverse('period-grid', args=[period.pk])}?indicator={code}")
    for form in rows:
        form.value = next((value for value in form.values.all() if value.line_key == code), None)
        form.info = form.snapshot["lines"][code]
        form.target = next((line["target"] for line in form.snapshot["calculation"]["lines"] if line["key"] == code), None)
        form.errors = errors.get(str(form.pk), [])
        form.posted = request.POST.get(f"actual-{form.pk}") if errors else None
    choices = [(key, names[key]) for key in codes]
    context = {"period": period, "choices": choices, "code": code, "rows": rows, "info": names.get(code, {}),
               "method": next((line["method"] for form in rows[:1] for line in form.snapshot["calculation"]["lines"] if line["key"] == code), "")}
    return render(request, "appraisal/grid.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    require(request, "appraisal.view_appraisal")
    mine = request.user.notifications.all()
    if request.method == "POST":
        for notification in mine.filter(read_at__isnull=True):
            services.mark_read(by=request.user, notification=notification)
        return redirect("notifications")
    return render(request, "appraisal/notifications.html", {"notifications": list(mine[:100])})


@login_required
@require_POST
def evidence_upload(request, pk):
    require(request, "appraisal.view_appraisal")
    form = get_object_or_404(forms_visible_to(request.user), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        _act(
            request,
            lambda: services.attach_evidence(by=request.user, form=form, line_key=request.POST.get("line", ""), upload=upload),
            _("Evidence attached."),
        )
    return redirect("form-detail", pk=form.pk)


@login_required
def evidence_download(request, pk):
    """An attachment, to whoever sees its form; always downloaded, never shown inline."""
    require(request, "appraisal.view_appraisal")
    evidence = get_object_or_404(Evidence.objects.filter(value__form__in=forms_visible_to(request.user)), pk=pk)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=content_type(evidence.name))
    return response


@login_required
@require_POST
def period_advance(request, pk):
    require(request, "appraisal.manage_periods")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    _act(request, lambda: services.advance_period(by=request.user, period=period), _("The month moved on."))
    return redirect("period-detail", pk=period.pk)


@login_required
@require_POST
def period_calculate(request, pk):
    """HR calculates every form of the month that is with HR (never their own)."""
    require(request, "appraisal.manage_periods")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    waiting = forms_visible_to(request.user).filter(period=period, status=FormStatus.SUBMITTED)
    # A score the general manager sent back is looked at and calculated one by one.
    returned = waiting.filter(pk__in=_returned_to_hr(period))
    forms = list(waiting.exclude(employee__user=request.user).exclude(pk__in=returned.values("pk")))
    if not forms:
        messages.info(request, _("No form is waiting for HR's calculation."))
    else:
        _bulk(request, forms, workflow.Action.CALCULATE, reviewed=False)
    for form in returned:
        messages.warning(request, _("%(person)s: sent back by the general manager; open the form, check it and calculate it there.") % {"person": form.employee.display_name})
    if waiting.filter(employee__user=request.user).exists():
        messages.info(request, _("Your own form is left for another HR colleague to calculate."))
    return redirect("period-detail", pk=period.pk)


def _returned_to_hr(period):
    """Ids of the period's forms whose last step was the general manager sending them back."""
    from django.db.models import OuterRef, Subquery

    from .models import Transition

    last = Transition.objects.filter(form=OuterRef("pk")).order_by("-at", "-pk").values("action")[:1]
    return Form.objects.filter(period=period).annotate(last=Subquery(last)).filter(last=workflow.Action.RETURN_TO_HR.value).values("pk")
