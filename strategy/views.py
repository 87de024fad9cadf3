"""Strategy pages: plans, objectives and their links, measures, the task division matrix
and the strategy map. Everyone signed in reads; HR edits drafts; the GM approves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bsc_site.pages import act, apply_form, form_page, posted, require, xlsx_download
from bsc_site.xlsx import write_workbook

from . import services
from .forms import LinkForm, MeasureForm, ObjectiveForm, PlanForm
from .models import Perspective, PlanStatus, TaskRole
from .selectors import (
    current_plan,
    links_visible_to,
    measures_visible_to,
    objectives_visible_to,
    plans_visible_to,
    task_matrix,
)
from .strategy_map import MapLink, MapObjective, render_svg


def _plan(request, pk):
    require(request, "strategy.view_strategy")
    return get_object_or_404(plans_visible_to(request.user), pk=pk)


def _show_error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)




@login_required
def plan_list(request):
    require(request, "strategy.view_strategy")
    plans = plans_visible_to(request.user).order_by("-year")
    return render(request, "strategy/plan_list.html", {"plans": plans, "current": current_plan(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    require(request, "strategy.edit_strategy")
    form = PlanForm(posted(request))
    saved = {}
    if request.method == "POST" and apply_form(form, lambda d: saved.setdefault("plan", services.save_plan(by=request.user, **d))):
        messages.success(request, _("Strategy plan created."))
        return redirect("plan-detail", pk=saved["plan"].pk)
    return form_page(request, form, title=_("New strategy plan"), back=reverse("plan-list"))


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    objectives = list(objectives_visible_to(request.user).filter(plan=plan).prefetch_related("measures"))
    bands = [(p, [o for o in objectives if o.perspective_id == p.pk]) for p in Perspective.objects.all()]
    context = {
        "plan": plan,
        "bands": bands,
        "matrix_problems": task_matrix(plan).problem_measures(),
        "can_edit": request.user.has_perm("strategy.edit_strategy") and plan.status == PlanStatus.DRAFT,
        "can_approve": request.user.has_perm("strategy.approve_plan", plan),
    }
    return render(request, "strategy/plan_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_update(request, pk):
    plan = _plan(request, pk)
    require(request, "strategy.edit_strategy")
    form = PlanForm(posted(request), instance=plan)
    if request.method == "POST" and apply_form(form, lambda d: services.save_plan(by=request.user, plan=plan, **d)):
        messages.success(request, _("Strategy plan saved."))
        return redirect("plan-detail", pk=pk)
    return form_page(request, form, title=_("Edit %(plan)s") % {"plan": plan}, back=reverse("plan-detail", args=[pk]))


@login_required
@require_POST
def plan_approve(request, pk):
    plan = _plan(request, pk)
    require(request, "strategy.approve_plan", plan)
    act(request, lambda: services.approve_plan(by=request.user, plan=plan), _("Strategy plan approved."))
    return redirect("plan-detail", pk=pk)


@login_required
@require_POST
def plan_reopen(request, pk):
    plan = _plan(request, pk)
    require(request, "strategy.approve_plan", plan)
    act(request, lambda: services.reopen_plan(by=request.user, plan=plan), _("Strategy plan reopened as a draft."))
    return redirect("plan-detail", pk=pk)


@login_required
def strategy_map(request, pk):
    plan = _plan(request, pk)
    objectives = objectives_visible_to(request.user).filter(plan=plan)
    links = links_visible_to(request.user).filter(source__plan=plan)
    svg = render_svg(
        [
            MapObjective(
                id=o.pk, code=o.code, title=o.display_name, perspective=o.perspective.code,
                url=reverse("objective-detail", args=[o.pk]), status=None, order=o.sort_order,
            )
            for o in objectives
        ],
        [MapLink(source=link.source_id, target=link.target_id, against_direction=link.against_direction) for link in links],
        {p.code: p.display_name for p in Perspective.objects.all()},
        title=str(plan),
    )
    return render(request, "strategy/strategy_map.html", {"plan": plan, "svg": svg})


# --- objectives and links ---


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request, pk):
    plan = _plan(request, pk)
    require(request, "strategy.edit_strategy")
    form = ObjectiveForm(posted(request), plan=plan, initial={"perspective": request.GET.get("perspective")})
    saved = {}
    if request.method == "POST" and apply_form(
        form, lambda d: saved.setdefault("o", services.save_objective(by=request.user, plan=plan, **d))
    ):
        messages.success(request, _("Objective created."))
        return redirect("objective-detail", pk=saved["o"].pk)
    return form_page(request, form, title=_("New objective"), back=reverse("plan-detail", args=[pk]))


@login_required
def objective_detail(request, pk):
    require(request, "strategy.view_strategy")
    objective = get_object_or_404(objectives_visible_to(request.user), pk=pk)
    links = links_visible_to(request.user)
    editable = request.user.has_perm("strategy.edit_strategy") and objective.plan.status == PlanStatus.DRAFT
    context = {
        "objective": objective,
        "drives": links.filter(source=objective),
        "driven_by": links.filter(target=objective),
        "measures": measures_visible_to(request.user).filter(objective=objective).prefetch_related("indicators"),
        "link_form": LinkForm(source=objective) if editable else None,
        "can_edit": editable,
    }
    return render(request, "strategy/objective_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def objective_update(request, pk):
    require(request, "strategy.view_strategy")
    objective = get_object_or_404(objectives_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    form = ObjectiveForm(posted(request), instance=objective, plan=objective.plan)
    if request.method == "POST" and apply_form(
        form, lambda d: services.save_objective(by=request.user, plan=objective.plan, objective=objective, **d)
    ):
        messages.success(request, _("Objective saved."))
        return redirect("objective-detail", pk=pk)
    return form_page(request, form, title=_("Edit %(objective)s") % {"objective": objective}, back=reverse("objective-detail", args=[pk]))


@login_required
@require_POST
def objective_delete(request, pk):
    require(request, "strategy.view_strategy")
    objective = get_object_or_404(objectives_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    if act(request, lambda: services.delete_objective(by=request.user, objective=objective), _("Objective deleted.")):
        return redirect("plan-detail", pk=objective.plan_id)
    return redirect("objective-detail", pk=pk)


@login_required
@require_POST
def link_create(request, pk):
    require(request, "strategy.view_strategy")
    source = get_object_or_404(objectives_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    form = LinkForm(request.POST, source=source)
    if form.is_valid():
        try:
            _link, warning = services.link_objectives(by=request.user, source=source, target=form.cleaned_data["target"])
        except ValidationError as exc:
            _show_error(request, exc)
        else:
            if warning:
                messages.warning(request, warning)
            else:
                messages.success(request, _("Link added."))
    else:
        messages.error(request, _("Choose the objective this one drives."))
    return redirect("objective-detail", pk=pk)


@login_required
@require_POST
def link_delete(request, pk):
    require(request, "strategy.view_strategy")
    link = get_object_or_404(links_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    act(request, lambda: services.unlink_objectives(by=request.user, link=link), _("Link removed."))
    return redirect("objective-detail", pk=link.source_id)


# --- measures ---


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, pk):
    require(request, "strategy.view_strategy")
    objective = get_object_or_404(objectives_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    form = MeasureForm(posted(request), objective=objective)
    if request.method == "POST" and apply_form(
        form, lambda d: services.save_measure(by=request.user, objective=objective, **d)
    ):
        messages.success(request, _("Measure added."))
        return redirect("objective-detail", pk=pk)
    return form_page(request, form, title=_("New measure for %(objective)s") % {"objective": objective}, back=reverse("objective-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def measure_update(request, pk):
    require(request, "strategy.view_strategy")
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    form = MeasureForm(posted(request), instance=measure, objective=measure.objective)
    if request.method == "POST" and apply_form(
        form, lambda d: services.save_measure(by=request.user, objective=measure.objective, measure=measure, **d)
    ):
        messages.success(request, _("Measure saved."))
        return redirect("objective-detail", pk=measure.objective_id)
    return form_page(request, form, title=_("Edit %(measure)s") % {"measure": measure}, back=reverse("objective-detail", args=[measure.objective_id]))


@login_required
@require_POST
def measure_delete(request, pk):
    require(request, "strategy.view_strategy")
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    require(request, "strategy.edit_strategy")
    act(request, lambda: services.delete_measure(by=request.user, measure=measure), _("Measure deleted."))
    return redirect("objective-detail", pk=measure.objective_id)


# --- task division matrix ---


@login_required
@require_http_methods(["GET", "POST"])
def matrix_edit(request, pk):
    plan = _plan(request, pk)
    matrix = task_matrix(plan)
    editable = request.user.has_perm("strategy.edit_strategy") and plan.status == PlanStatus.DRAFT
    if request.method == "POST":
        require(request, "strategy.edit_strategy")
        # Only cells on the submitted form change: a measure or cell added meanwhile stays.
        cells = {}
        for measure in matrix.measures:
            for department in matrix.departments:
                name = f"cell-{measure.pk}-{department.pk}"
                if name in request.POST:
                    cells[(measure.pk, department.pk)] = request.POST[name] or None
        try:
            changed = services.set_matrix(by=request.user, plan=plan, cells=cells)
        except ValidationError as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Task division saved (%(n)s cells changed).") % {"n": changed})
            return redirect("matrix-edit", pk=pk)
    rows = [
        (measure, [(department, matrix.cells.get((measure.pk, department.pk), "")) for department in matrix.departments])
        for measure in matrix.measures
    ]
    context = {"plan": plan, "matrix": matrix, "rows": rows, "roles": TaskRole.choices, "editable": editable}
    return render(request, "strategy/matrix.html", context)


@login_required
def matrix_export(request, pk):
    plan = _plan(request, pk)
    matrix = task_matrix(plan)
    labels = dict(TaskRole.choices)
    header = [_("Objective"), _("Measure code"), _("Measure")] + [f"{d.code} {d.display_name}" for d in matrix.departments]
    rows = [
        [str(m.objective), m.code, m.display_name] + [str(labels.get(matrix.cells.get((m.pk, d.pk)), "")) for d in matrix.departments]
        for m in matrix.measures
    ]
    problems = [[m.code, m.display_name, _("no lead department") if leads == 0 else _("%(n)s lead departments") % {"n": leads}] for m, leads in matrix.problem_measures()]
    content = write_workbook([
        (_("Task division"), header, rows),
        (_("Problems"), [_("Measure code"), _("Measure"), _("Problem")], problems),
    ])
    return xlsx_download(content, f"task-division-{plan.year}.xlsx")
