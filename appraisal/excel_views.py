"""The appraisal's Excel pages: the bulk actuals import of a month (its template is made
for the person downloading it), a form printed as the paper form, and a month's results
table. The work is in form_excel; these check who may ask and send the file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bsc_site.forms import XlsxUploadForm
from bsc_site.pages import posted, require, xlsx_download
from bsc_site.xlsx import SpreadsheetError
from organisation.roles import headed_department_ids
from organisation.rules import is_administrator, is_general_manager, is_hr

from . import form_excel, services
from .selectors import forms_visible_to, periods_visible_to

sees_all_results = is_hr | is_general_manager | is_administrator


def _importable_period(request, pk):
    """The period, if the user enters some value on its forms (404 for an unknown period,
    403 for someone with nothing to enter)."""
    require(request, "appraisal.view_appraisal")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    if not form_excel.may_import_actuals(request.user, period):
        raise PermissionDenied
    return period


@login_required
@require_http_methods(["GET", "POST"])
def actuals_import(request, pk):
    """Upload the month's actuals (the pattern of bsc_site.pages.xlsx_import_page, with the
    month on the page): all or nothing, every problem listed with its cell."""
    period = _importable_period(request, pk)
    form = XlsxUploadForm(*posted(request, files=True))
    context = {"form": form, "period": period}
    if request.method == "POST" and form.is_valid():
        try:
            result = form_excel.import_actuals(by=request.user, period=period, data=form.cleaned_data["file"].read())
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            if not result.errors:
                messages.success(
                    request,
                    _("Import done: %(changed)s values changed on %(forms)s forms, %(unchanged)s unchanged.")
                    % {"changed": result.changed, "forms": result.forms, "unchanged": result.unchanged},
                )
                return redirect("period-actuals-import", pk=period.pk)
            context["errors"] = result.errors
    return render(request, "appraisal/actuals_import.html", context)


@login_required
@require_GET
def actuals_template_download(request, pk):
    period = _importable_period(request, pk)
    return xlsx_download(form_excel.actuals_template(by=request.user, period=period), f"actuals-{period}.xlsx")


@login_required
@require_GET
def form_export(request, pk):
    """A form as the paper form; scores only for those who may see them (the person
    appraised once the result is published)."""
    require(request, "appraisal.view_appraisal")
    form = get_object_or_404(forms_visible_to(request.user), pk=pk)
    data = form_excel.export_form(form, scores=services.score_visible(request.user, form))
    return xlsx_download(data, f"form-{form.period}-{form.employee.employee_number}-{form.kind}.xlsx")


@login_required
@require_GET
def results_export(request, pk):
    """A month's results: HR, the general manager and administrators get every form; a
    department head the forms of the departments they head (their own total only once
    published)."""
    require(request, "appraisal.view_appraisal")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    forms = forms_visible_to(request.user).filter(period=period)
    if not sees_all_results.test(request.user):
        headed = headed_department_ids(request.user)
        if not headed:
            raise PermissionDenied
        forms = forms.filter(department_id__in=headed)
    data = form_excel.export_results(period=period, forms=forms, show_total=lambda form: services.score_visible(request.user, form))
    return xlsx_download(data, f"results-{period}.xlsx")
