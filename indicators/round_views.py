"""Pages of expert weighting rounds: HR opens, invites and closes; experts answer."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bsc_site.pages import apply_form, form_page, posted, require
from organisation.models import User

from . import rounds
from .models import PanelGroup, RoundStatus, WeightingMethod

SAATY = [("9", "9"), ("7", "7"), ("5", "5"), ("3", "3"), ("1", "1"), ("1/3", "1/3"), ("1/5", "1/5"), ("1/7", "1/7"), ("1/9", "1/9")]


class RoundForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
    method = forms.ChoiceField(label=gettext_lazy("method"), choices=WeightingMethod.choices)
    items = forms.CharField(
        label=gettext_lazy("items"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One item per line: key | label, e.g. financial | Financial perspective"),
    )


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        # Log-in names such as HD0012 say nothing to HR: show the person's name too.
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class InviteForm(forms.Form):
    experts = ExpertChoiceField(
        label=gettext_lazy("experts"), queryset=User.objects.filter(is_active=True).order_by("first_name", "username"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    panel_group = forms.ChoiceField(label=gettext_lazy("panel group"), choices=PanelGroup.choices)


def answer_form(round, data=None):
    """100 points over the items, or a judgement for every pair (AHP)."""
    form = forms.Form(data)
    items = round.items
    if round.method == WeightingMethod.POINTS:
        for item in items:
            form.fields[item["key"]] = forms.DecimalField(label=item["label"], min_value=0, max_value=100, decimal_places=2)
    else:
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                label = _("%(a)s compared with %(b)s") % {"a": items[i]["label"], "b": items[j]["label"]}
                form.fields[f"{i},{j}"] = forms.ChoiceField(
                    label=label, choices=SAATY, initial="1",
                    help_text=_("9: the first matters far more … 1: equal … 1/9: the second matters far more"),
                )
    return form


def _answer_values(round, cleaned: dict) -> dict:
    if round.method == WeightingMethod.POINTS:
        return {key: str(value) for key, value in cleaned.items()}
    values = {}
    for key, value in cleaned.items():
        top, _sep, bottom = value.partition("/")
        values[key] = str(Decimal(top) / Decimal(bottom)) if bottom else top
    return values


@login_required
def round_list(request):
    return render(request, "indicators/round_list.html", {
        "rounds": rounds.rounds_visible_to(request.user),
        "can_run": request.user.has_perm("indicators.run_weighting"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    require(request, "indicators.run_weighting")
    form = RoundForm(posted(request))
    saved = {}
    if request.method == "POST" and apply_form(form, lambda d: saved.setdefault("round", rounds.open_round(
        by=request.user, name=d["name"], method=d["method"], items=rounds.parse_items(d["items"])
    ))):
        messages.success(request, _("Weighting round opened. Invite the experts."))
        return redirect("round-detail", pk=saved["round"].pk)
    return form_page(request, form, title=_("New weighting round"), back=reverse("round-list"))


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    round = get_object_or_404(rounds.rounds_visible_to(request.user), pk=pk)
    invitation = round.invitations.filter(expert=request.user).first()
    form = None
    if invitation and round.status == RoundStatus.OPEN:
        form = answer_form(round, posted(request))
        if not form.is_bound and invitation.answer:
            form.initial = dict(invitation.answer)
        if request.method == "POST" and apply_form(
            form, lambda d: rounds.submit_answer(by=request.user, invitation=invitation, answer=_answer_values(round, d))
        ):
            messages.success(request, _("Your answer is saved. You may change it until the round closes."))
            return redirect("round-detail", pk=pk)
    elif request.method == "POST":
        require(request, "indicators.answer_weighting", invitation)
    can_run = request.user.has_perm("indicators.run_weighting")
    context = {
        "round": round,
        "invitation": invitation,
        "answer_form": form,
        "can_run": can_run,
        "invite_form": InviteForm() if can_run and round.status == RoundStatus.OPEN else None,
        "invitations": round.invitations.select_related("expert") if can_run else None,
        "summary": rounds.summarise(round) if can_run or round.status == RoundStatus.CLOSED else None,
    }
    return render(request, "indicators/round_detail.html", context)


@login_required
@require_POST
def round_invite(request, pk):
    round = get_object_or_404(rounds.rounds_visible_to(request.user), pk=pk)
    require(request, "indicators.run_weighting")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            added = rounds.invite_experts(by=request.user, round=round, experts=form.cleaned_data["experts"], panel_group=form.cleaned_data["panel_group"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)s experts invited.") % {"n": added})
    else:
        messages.error(request, _("Choose the experts and their panel group."))
    return redirect("round-detail", pk=pk)


@login_required
@require_POST
def round_close(request, pk):
    round = get_object_or_404(rounds.rounds_visible_to(request.user), pk=pk)
    require(request, "indicators.run_weighting")
    try:
        rounds.close_round(by=request.user, round=round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Round closed; its weights are ready to apply to a scorecard."))
    return redirect("round-detail", pk=pk)
