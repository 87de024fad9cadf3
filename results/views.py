"""Result pages: the months with their grades, ranks and pay, the forced-distribution
check with the general manager's reasons, the year per person, feedback interviews, the
grade bands and the pay bases."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from appraisal.selectors import forms_visible_to, periods_visible_to
from bsc_site.pages import act, posted_id, require, xlsx_download, year_of
from organisation.models import Department, Employee, Post
from organisation.roles import headed_department_ids

from . import interviews, payroll, plans, services
from .grading import Limit
from .models import DistributionRule, FormResult, GradeBand, Interview, LimitKind, PayBase, PlanItem, PlanStage


@login_required
def results_home(request):
    require(request, "results.view_results")
    periods = periods_visible_to(request.user).filter(forms__status__in=services.SCORED).distinct()
    context = {"periods": periods, "bands": GradeBand.objects.prefetch_related("rules"), "settings": services.get_settings()}
    return render(request, "results/home.html", context)


def _scope(request, forms):
    """Everything for HR, the GM and administrators; a head their departments."""
    if request.user.has_perm("results.view_pay"):
        return forms
    return forms.filter(department_id__in=headed_department_ids(request.user)).exclude(employee__user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def period_results(request, pk):
    require(request, "results.view_results")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    if request.method == "POST":
        require(request, "appraisal.approve")
        department = Department.objects.filter(pk=posted_id(request.POST.get("department"))).first()
        act(
            request,
            lambda: services.waive(by=request.user, period=period, department=department, reason=request.POST.get("reason", "")),
            _("Reason recorded: the scores may be approved."),
        )
        return redirect("period-results", pk=period.pk)
    forms = list(
        _scope(request, forms_visible_to(request.user).filter(period=period, status__in=services.SCORED, total__isnull=False))
        .select_related("employee", "department", "post").order_by("department__sort_order", "-total")
    )
    results = {result.form_id: result for result in FormResult.objects.filter(form__in=forms)}
    band_list = services.bands()
    for form in forms:
        form.outcome = results.get(form.pk)
        form.provisional = None if form.outcome or not band_list else services.grading.grade_for(form.total, band_list)
    seen = None if request.user.has_perm("results.view_pay") else headed_department_ids(request.user)
    checks = services.distribution_checks(period, department_ids=None if seen is None else set(seen))
    for check in checks:
        check.named = [(breach, [check.forms[key] for key in breach.candidates]) for breach in check.breaches]
    context = {
        "period": period, "forms": forms, "checks": checks, "shows_pay": request.user.has_perm("results.view_pay"),
        "can_waive": request.user.has_perm("appraisal.approve"), "published": period.status in ("published", "closed"),
        "limit_labels": dict(LimitKind.choices), "currency": services.get_settings().currency,
    }
    return render(request, "results/period.html", context)


@login_required
@require_GET
def payroll_export(request, pk):
    require(request, "results.view_pay")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    return xlsx_download(payroll.workbook(period), f"payroll-{period}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def grade_settings(request):
    require(request, "results.view_results")
    settings = services.get_settings()
    bands = list(GradeBand.objects.prefetch_related("rules"))
    if request.method == "POST":
        require(request, "results.manage_results")
        codes = request.POST.getlist("code")
        rows = [
            {"code": code, "lower_bound": lower, "coefficient": coefficient}
            for code, lower, coefficient in zip(codes, request.POST.getlist("lower_bound"), request.POST.getlist("coefficient"), strict=False)
            if code.strip() or lower.strip()
        ]
        distribution = []
        for code in codes:
            for limit in Limit:
                percent = request.POST.get(f"rule-{code.strip()}-{limit.value}", "").strip()
                if code.strip() and percent:
                    distribution.append({"grade": code, "limit": limit.value, "percent": percent})
        if act(
            request,
            lambda: services.save_grades(
                by=request.user, rows=rows, distribution=distribution,
                distribution_on=request.POST.get("distribution_on") == "on", currency=request.POST.get("currency", ""),
                min_people=request.POST.get("min_people"), plan_grade=request.POST.get("plan_grade"), plan_times=request.POST.get("plan_times"),
            ),
            _("Grades saved."),
        ):
            return redirect("grade-settings")
        bands = [_Posted(row) for row in rows]
    rules = {(rule.band.code, rule.limit): rule.percent for rule in DistributionRule.objects.select_related("band")}
    rows = [
        {"band": band, "at_most": rules.get((band.code, Limit.AT_MOST.value)), "at_least": rules.get((band.code, Limit.AT_LEAST.value))}
        for band in bands
    ]
    rows += [{"band": None, "at_most": None, "at_least": None} for _blank in range(2)]
    context = {"rows": rows, "settings": settings, "can_edit": request.user.has_perm("results.manage_results")}
    return render(request, "results/grades.html", context)


class _Posted:
    """A band row as typed, shown again after a refused save."""

    def __init__(self, row):
        self.code, self.lower_bound, self.coefficient = row["code"], row["lower_bound"], row["coefficient"]


@login_required
@require_http_methods(["GET", "POST"])
def pay_bases(request):
    require(request, "results.view_pay")
    if request.method == "POST":
        require(request, "results.manage_results")
        target = request.POST.get("target", "")
        amount = request.POST.get("amount", "").strip().replace(",", "") or None
        if target.startswith("post-") and target[5:].isdigit():
            post, employee = get_object_or_404(Post, pk=int(target[5:])), None
        else:
            employee = Employee.objects.filter(employee_number=request.POST.get("employee", "").strip()).first()
            post = None
            if employee is None:
                messages.error(request, _("No employee has the number %(number)s.") % {"number": request.POST.get("employee", "")})
                return redirect("pay-bases")
        act(request, lambda: services.set_pay_base(by=request.user, amount=amount, post=post, employee=employee), _("Pay base saved."))
        return redirect("pay-bases")
    bases = {base.post_id: base for base in PayBase.objects.filter(post__isnull=False)}
    posts = list(Post.objects.filter(is_active=True).select_related("department").order_by("department__sort_order", "code"))
    for post in posts:
        post.base = bases.get(post.pk)
    people = PayBase.objects.filter(employee__isnull=False).select_related("employee__post").order_by("employee__employee_number")
    context = {"posts": posts, "people": people, "can_edit": request.user.has_perm("results.manage_results"), "currency": services.get_settings().currency}
    return render(request, "results/pay_bases.html", context)


@login_required
def year_view(request):
    """Twelve months per person: scores, grades, the mean, grade counts and the trend, and
    who the plan rule (e.g. two E in a year) sends to an improvement plan."""
    require(request, "results.view_results")
    year = year_of(request)
    forms = _scope(request, forms_visible_to(request.user))
    departments = Department.objects.filter(is_active=True)
    if not request.user.has_perm("results.view_pay"):
        departments = departments.filter(pk__in=headed_department_ids(request.user))
    chosen = request.GET.get("department", "")
    if chosen.isdigit() and len(chosen) < 12:
        forms = forms.filter(department_id=int(chosen))
    rows = services.year_rows(year, forms)
    only_plans = request.GET.get("plans") == "1"
    if only_plans:
        rows = [row for row in rows if row.needs_plan]
    settings = services.get_settings()
    context = {
        "year": year, "rows": rows, "months": range(1, 13), "departments": departments, "chosen": chosen, "only_plans": only_plans,
        "settings": settings,
    }
    return render(request, "results/year.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def interview(request, pk):
    """A published form's feedback interview: the head writes it, both sign."""
    form = get_object_or_404(forms_visible_to(request.user).select_related("department", "employee__user"), pk=pk)
    if not interviews.may_see(request.user, form):
        raise PermissionDenied
    record = Interview.objects.filter(form=form).prefetch_related("signatures__user__employee").first()
    posted = None
    if request.method == "POST":
        if request.POST.get("action") == "sign" and record is not None:
            act(request, lambda: interviews.sign(by=request.user, interview=record), _("Signed."))
            return redirect("interview", pk=form.pk)
        posted = {name: request.POST.get(name, "") for name in interviews.FIELDS}
        try:
            held_on = date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            held_on = None
        if act(
            request,
            lambda: interviews.save(by=request.user, form=form, held_on=held_on, revision=request.POST.get("revision"), **posted),
            _("Interview saved; both sign it again if it was signed."),
        ):
            return redirect("interview", pk=form.pk)
    context = {
        "form": form, "interview": record, "posted": posted or {}, "fields": [(name, Interview._meta.get_field(name).verbose_name) for name in interviews.FIELDS],
        "can_write": interviews.may_hold(request.user, form) and form.status == "published",
        "can_sign": record is not None and (form.employee.user_id == request.user.pk or interviews.may_hold(request.user, form)),
        "state": interviews.state(record), "today": timezone.localdate(),
    }
    return render(request, "results/interview.html", context)


@login_required
def period_interviews(request, pk):
    """Whose feedback interviews of a published month are missing or unsigned."""
    require(request, "results.view_results")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    forms = list(
        _scope(request, forms_visible_to(request.user).filter(period=period, kind="employee", status="published"))
        .select_related("employee", "department").prefetch_related("interview__signatures").order_by("department__sort_order", "employee__employee_number")
    )
    for form in forms:
        form.interview_state = interviews.state(getattr(form, "interview", None))
    counts = {name: sum(1 for form in forms if form.interview_state == name) for name in ("missing", "written", "half_signed", "signed")}
    return render(request, "results/interviews.html", {"period": period, "forms": forms, "counts": counts})


def form_panel(request, form):
    """On a form's page: the person's open improvement items, and a way to make a plan."""
    items = list(plans.open_items(form.employee)) if plans.plans_visible_to(request.user).filter(employee=form.employee).exists() else []
    can_make = plans.may_make(request.user, form) and form.breakdown is not None
    if not items and not can_make:
        return None
    return {"items": items, "can_make": can_make, "form": form}


@login_required
@require_http_methods(["GET", "POST"])
def plan_make(request, pk):
    """An improvement plan from a form: items suggested for its low lines."""
    form = get_object_or_404(forms_visible_to(request.user), pk=pk)
    if not plans.may_make(request.user, form):
        raise PermissionDenied
    suggested = plans.suggestions(form)
    rows = []
    count = max(len(suggested), 1) + 1
    if request.method == "POST":
        items = []
        for index in range(min(posted_id(request.POST.get("count")), 30)):
            problem = request.POST.get(f"problem-{index}", "")
            action = request.POST.get(f"action-{index}", "")
            if not problem.strip() and not action.strip():
                continue
            owner = Employee.objects.filter(employee_number=request.POST.get(f"owner-{index}", "").strip()).first()
            try:
                due = date.fromisoformat(request.POST.get(f"due-{index}", ""))
            except ValueError:
                due = None
            items.append({"problem": problem, "action": action, "owner": owner, "due": due, "line_key": request.POST.get(f"line-{index}", "")})
        made = {}
        if act(request, lambda: made.setdefault("plan", plans.make(by=request.user, form=form, items=items)), _("Improvement plan made.")):
            return redirect("improvement-plans")
        count = min(posted_id(request.POST.get("count")), 30) or count
    for index in range(min(count, 30)):
        line = suggested[index] if index < len(suggested) else None
        rows.append({
            "index": index, "line": line["key"] if line else request.POST.get(f"line-{index}", ""),
            "score": line["score"] if line else None,
            "problem": request.POST.get(f"problem-{index}", "") if request.method == "POST" else "",
            "action": request.POST.get(f"action-{index}", ""), "owner": request.POST.get(f"owner-{index}", form.employee.employee_number),
            "due": request.POST.get(f"due-{index}", ""),
        })
    return render(request, "results/plan_make.html", {"form": form, "rows": rows, "count": len(rows), "threshold": services.get_settings().plan_below})


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    require(request, "appraisal.view_appraisal")
    visible = plans.plans_visible_to(request.user)
    if request.method == "POST":
        item = PlanItem.objects.filter(plan__in=visible, pk=posted_id(request.POST.get("item"))).first()
        if item is None:
            messages.error(request, _("Choose an item you may move on."))
        else:
            try:
                act(request, lambda: plans.move_on(by=request.user, item=item, check_result=request.POST.get("check_result", "")), _("Item moved on."))
            except PermissionDenied:
                messages.error(request, _("Only the item's owner, the head or HR moves it on."))
        return redirect("improvement-plans")
    return render(request, "results/plans.html", {"plans": visible[:200], "stages": dict(PlanStage.choices)})
