"""The indicator library: list with filters, detail with the formula tester, edit with
the scoring method's own parameters, Excel import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bsc_site.pages import posted, require, xlsx_download, xlsx_import_page

from . import formulas, scoring, services
from .forms import EvaluateForm, IndicatorFilterForm, IndicatorForm
from .indicator_excel import export_indicators, import_indicators, indicator_template
from .selectors import indicators_visible_to, search_indicators
from .smart import smart_checklist

PER_PAGE = 50


def _filtered(request):
    form = IndicatorFilterForm(request.GET or None)
    indicators = indicators_visible_to(request.user)
    if form.is_bound:
        form.is_valid()
        # An invalid value drops that one filter (the form shows why), never all of them.
        data = form.cleaned_data
        indicators = search_indicators(
            indicators, text=data.get("q", "").strip(), perspective=data.get("perspective"), type=data.get("type", ""),
            owner=data.get("owner"), status=data.get("status", ""),
        )
    return form, indicators


@login_required
def indicator_list(request):
    require(request, "indicators.view_library")
    form, indicators = _filtered(request)
    page = Paginator(indicators, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": form, "page": page, "query": query.urlencode(), "can_edit": request.user.has_perm("indicators.edit_library")}
    return render(request, "indicators/indicator_list.html", context)


@login_required
def indicator_export(request):
    require(request, "indicators.view_library")
    _form, indicators = _filtered(request)
    return xlsx_download(export_indicators(indicators), "indicator-library.xlsx")


def _effective_params(indicator) -> dict:
    """Stored parameters with the method's defaults filled in, for display."""
    try:
        return scoring.params_from_dict(indicator.scoring_method, indicator.scoring_params or None).to_dict()
    except scoring.ScoringError:
        return indicator.scoring_params


def _formula_names(indicator) -> list[str]:
    """The tester's input fields: the declared inputs, else the formula's own names."""
    if not indicator.formula:
        return []
    try:
        return services.input_names(indicator.formula_inputs) or sorted(formulas.parse(indicator.formula).names)
    except formulas.FormulaError:
        return []


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request, pk):
    """The indicator, and the formula tester (POST only computes; nothing is saved)."""
    require(request, "indicators.view_library")
    indicator = get_object_or_404(indicators_visible_to(request.user).prefetch_related("measures__objective"), pk=pk)
    names = _formula_names(indicator)
    form = EvaluateForm(posted(request), names=names)
    evaluation = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.evaluate_indicator(
                indicator, inputs=form.inputs() or None, actual=data["actual"], target=data["target"],
                target_low=data["target_low"], target_high=data["target_high"], ratings=data["ratings"],
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    context = {
        "indicator": indicator,
        "params": _effective_params(indicator),
        "tester": form,
        "input_fields": [form[f"input_{n}"] for n in names],
        "evaluation": evaluation,
        "smart": smart_checklist(indicator, len(indicator.measures.all())),
        "can_edit": request.user.has_perm("indicators.edit_library"),
    }
    return render(request, "indicators/indicator_detail.html", context)


def _save(request, form, indicator=None) -> object | None:
    if not form.is_valid():
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k in services.INDICATOR_FIELDS}
    try:
        return services.save_indicator(by=request.user, indicator=indicator, measures=form.cleaned_data["measures"], **data)
    except ValidationError as exc:
        for field, errors in exc.error_dict.items():
            if field == "scoring_params":
                for error in errors:
                    form.add_error(form.param_field_for(error.code) or "scoring_method", error.message)
            else:
                form.add_error(field if field in form.fields else None, errors)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request):
    require(request, "indicators.edit_library")
    form = IndicatorForm(posted(request))
    if request.method == "POST" and (indicator := _save(request, form)):
        messages.success(request, _("Indicator created."))
        return redirect("indicator-detail", pk=indicator.pk)
    return render(request, "indicators/indicator_form.html", {"form": form, "title": _("New indicator"), "back": reverse("indicator-list")})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_update(request, pk):
    require(request, "indicators.view_library")
    indicator = get_object_or_404(indicators_visible_to(request.user), pk=pk)
    require(request, "indicators.edit_library")
    form = IndicatorForm(posted(request), instance=indicator)
    if request.method == "POST" and _save(request, form, indicator):
        messages.success(request, _("Indicator saved."))
        return redirect("indicator-detail", pk=pk)
    title = _("Edit %(indicator)s") % {"indicator": indicator}
    return render(request, "indicators/indicator_form.html", {"form": form, "title": title, "back": reverse("indicator-detail", args=[pk])})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_import(request):
    require(request, "indicators.edit_library")

    def done(result):
        messages.success(request, _("%(created)s indicators created, %(updated)s updated.") % {"created": result.created, "updated": result.updated})
        return redirect("indicator-list")

    return xlsx_import_page(request, "indicators/indicator_import.html", lambda data: import_indicators(by=request.user, data=data), done)


@login_required
def indicator_import_template(request):
    require(request, "indicators.edit_library")
    return xlsx_download(indicator_template(), "indicator-import-template.xlsx")

