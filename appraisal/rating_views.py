"""Pages of the 180° / 360° ratings: a rater's "my ratings", and the month's raters page
where HR (or a head, for the forms they sign) assigns raters, reminds and closes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bsc_site.pages import posted_id, require
from organisation.models import Employee
from organisation.roles import headed_department_ids

from . import rating_groups, ratings, workflow
from .models import Form, RatingRequest, Relation
from .selectors import forms_visible_to, periods_visible_to
from .views import _act


def _is_open(request: RatingRequest) -> bool:
    return request.form.period.ratings_closed_at is None and request.form.status == workflow.State.DRAFT


@login_required
@require_http_methods(["GET", "POST"])
def my_ratings(request):
    """What the user is asked to rate; answers change until the month's ratings close."""
    require(request, "appraisal.view_appraisal")
    mine = list(ratings.requests_for_rater(request.user)[:300])
    errors: dict[int, str] = {}
    if request.method == "POST":
        chosen = [item for item in mine if _is_open(item) and request.POST.get(f"level-{item.pk}")]
        try:
            with transaction.atomic():
                for item in chosen:
                    try:
                        ratings.answer(by=request.user, request=item, level=request.POST[f"level-{item.pk}"], comment=request.POST.get(f"comment-{item.pk}", ""))
                    except ValidationError as exc:
                        errors[item.pk] = "; ".join(exc.messages)
                if errors:
                    raise ValidationError("")
        except ValidationError:
            messages.error(request, _("Nothing was saved: fix the ratings marked below."))
        else:
            messages.success(request, _("%(n)s ratings saved.") % {"n": len(chosen)} if chosen else _("Choose a level for the lines you rate."))
            return redirect("my-ratings")
    for item in mine:
        item.open = _is_open(item)
        item.error = errors.get(item.pk, "")
        item.info = item.form.snapshot["lines"].get(item.line_key, {})
        if request.method == "POST" and item.open:
            item.level = request.POST.get(f"level-{item.pk}") or item.level
            item.comment = request.POST.get(f"comment-{item.pk}", item.comment)
    context = {"open": [item for item in mine if item.open], "done": [item for item in mine if not item.open], "levels": LEVELS}
    return render(request, "appraisal/my_ratings.html", context)


LEVELS = [(7, "7"), (6, "6"), (5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")]


@login_required
@require_http_methods(["GET", "POST"])
def period_raters(request, pk):
    require(request, "appraisal.view_appraisal")
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    forms = [form for form in forms_visible_to(request.user).filter(period=period).select_related("department__head")
             if ratings.rated_keys(form) and ratings.may_assign(request.user, form)]
    is_hr = request.user.has_perm("appraisal.manage_periods")
    if not (is_hr or forms or headed_department_ids(request.user)):
        raise PermissionDenied
    if request.method == "POST":
        _raters_action(request, period, {form.pk: form for form in forms})
        return redirect("period-raters", pk=period.pk)
    _, hr_sees = ratings.rules_of(period)
    order = {relation.value: index for index, relation in enumerate(rating_groups.SHOWN_ORDER)}
    requests = sorted(
        RatingRequest.objects.filter(form__in=forms).select_related("rater"),
        key=lambda item: (order.get(item.relation, 9), item.rater.employee_number),
    )
    by_line: dict = {}
    for item in requests:
        by_line.setdefault((item.form_id, item.line_key), []).append(item)
    rows = []
    for form in forms:
        for key in ratings.rated_keys(form):
            info = form.snapshot["lines"][key]
            rows.append({
                "form": form, "key": key, "info": info, "requests": by_line.get((form.pk, key), []),
                "relations": list(ratings.weights_of(form, key)),
            })
    context = {
        "period": period, "rows": rows, "is_hr": is_hr, "show_levels": is_hr and hr_sees,
        "closed": period.ratings_closed_at is not None, "relation_labels": dict(Relation.choices),
    }
    return render(request, "appraisal/period_raters.html", context)


def _raters_action(request, period, forms: dict[int, Form]) -> None:
    action = request.POST.get("action", "")
    if action == "usual":
        _act(request, lambda: ratings.assign_usual(by=request.user, period=period), _("The usual raters are assigned."))
    elif action == "remind":
        try:
            told = ratings.remind(by=request.user, period=period)
        except PermissionDenied:
            messages.error(request, _("Only HR reminds the raters."))
        else:
            messages.success(request, _("%(n)s raters reminded.") % {"n": told})
    elif action == "close":
        _act(request, lambda: ratings.close_ratings(by=request.user, period=period), _("Ratings closed: forms show their groups and may be signed."))
    elif action == "add":
        form = forms.get(posted_id(request.POST.get("form")))
        rater = Employee.objects.filter(employee_number=request.POST.get("rater", "").strip()).first()
        if form is None:
            messages.error(request, _("Choose a form you may assign raters to."))
        elif rater is None:
            messages.error(request, _("No employee has the number %(number)s.") % {"number": request.POST.get("rater", "")})
        else:
            _act(
                request,
                lambda: ratings.assign(by=request.user, form=form, line_key=request.POST.get("line", ""), rater=rater, relation=request.POST.get("relation", "")),
                _("Rater added."),
            )
    elif action == "remove":
        item = RatingRequest.objects.filter(pk=posted_id(request.POST.get("request")), form__in=list(forms.values())).first()
        if item is None:
            messages.error(request, _("Choose a rater you may remove."))
        else:
            _act(request, lambda: ratings.unassign(by=request.user, request=item), _("Rater removed."))
    else:
        messages.error(request, _("Unknown step."))
