"""Appeal pages: filing one from a published form, the list, and one appeal with its
comments and the committee's decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appraisal.selectors import forms_visible_to
from bsc_site.pages import act, require
from organisation.rules import is_committee_member

from . import appeals
from .models import Appeal


@login_required
@require_http_methods(["GET", "POST"])
def appeal_file(request, pk):
    require(request, "appraisal.view_appraisal")
    form = get_object_or_404(forms_visible_to(request.user).filter(employee__user=request.user), pk=pk)
    filed = {}
    if request.method == "POST" and act(
        request,
        lambda: filed.setdefault("appeal", appeals.file(
            by=request.user, form=form, reason=request.POST.get("reason", ""), lines=request.POST.getlist("lines"))),
        _("Appeal filed: the performance committee is told."),
    ):
        return redirect("appeal-detail", pk=filed["appeal"].pk)
    context = {
        "form": form, "end": appeals.window_end(form), "lines": form.snapshot["lines"],
        "reason": request.POST.get("reason", ""), "chosen": request.POST.getlist("lines"),
    }
    return render(request, "results/appeal_file.html", context)


@login_required
def appeal_list(request):
    require(request, "appraisal.view_appraisal")
    return render(request, "results/appeals.html", {"appeals": appeals.appeals_visible_to(request.user)[:300]})


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request, pk):
    require(request, "appraisal.view_appraisal")
    appeal = get_object_or_404(appeals.appeals_visible_to(request.user), pk=pk)
    if not appeals.may_see(request.user, appeal):
        raise PermissionDenied
    if request.method == "POST":
        action, text = request.POST.get("action", ""), request.POST.get("text", "")
        steps = {
            "ask": (lambda: appeals.ask_comments(by=request.user, appeal=appeal, question=text), _("Comments asked of the head and HR.")),
            "comment": (lambda: appeals.comment(by=request.user, appeal=appeal, text=text), _("Comment added.")),
            "uphold": (lambda: appeals.decide(by=request.user, appeal=appeal, upheld=True, decision=text), _("Appeal upheld: the form is back with HR.")),
            "reject": (lambda: appeals.decide(by=request.user, appeal=appeal, upheld=False, decision=text), _("Appeal rejected.")),
        }
        if action not in steps:
            messages.error(request, _("Unknown step."))
        else:
            try:
                act(request, *steps[action])
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("You cannot take this step on this appeal."))
        return redirect("appeal-detail", pk=appeal.pk)
    form = appeal.form
    context = {
        "appeal": appeal, "form": form, "comments": appeal.comments.select_related("by__employee"),
        "open": appeal.status in appeals.OPEN,
        "decides": is_committee_member(request.user) and form.employee.user_id != request.user.pk,
        "comments_allowed": form.employee.user_id != request.user.pk,
        "line_names": [(key, form.snapshot["lines"].get(key, {})) for key in appeal.lines],
        "history": Appeal.history.filter(id=appeal.pk).order_by("history_date"),
    }
    return render(request, "results/appeal.html", context)
