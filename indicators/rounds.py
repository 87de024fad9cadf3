"""Expert weighting rounds: HR opens a round over some items, invited experts answer
(100 points, or AHP pairwise judgements), HR closes it and the result is their mean."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.rules import is_active_user

from . import weighting
from .models import ExpertInvitation, RoundStatus, WeightingMethod, WeightingRound


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _weighting_error(exc: weighting.WeightingError) -> ValidationError:
    message = _(exc.template) % exc.params if exc.params else _(exc.template)
    return ValidationError({"answer": message})


def rounds_visible_to(user) -> QuerySet[WeightingRound]:
    """HR sees every round; an expert the rounds they are invited to."""
    if not is_active_user(user):
        return WeightingRound.objects.none()
    rounds = WeightingRound.objects.select_related("created_by").order_by("-created_at")
    if user.has_perm("indicators.run_weighting"):
        return rounds
    return rounds.filter(invitations__expert=user).distinct()


def parse_items(text: str) -> list[dict]:
    """'key | label' per line (the key may be omitted: it is then the label)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        key, _sep, label = (part.strip() for part in line.partition("|"))
        items.append({"key": key, "label": label or key})
    return items


@transaction.atomic
def open_round(*, by, name: str, method: str, items: list[dict]) -> WeightingRound:
    _require(by, "indicators.run_weighting")
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("key"), str) and isinstance(item.get("label", ""), str) for item in items
    ):
        raise ValidationError({"items": _("Items are a list of {key, label} pairs of text.")})
    items = [{"key": item["key"].strip(), "label": (item.get("label") or item["key"]).strip()} for item in items]
    keys = [item["key"] for item in items]
    if len(items) < 2:
        raise ValidationError({"items": _("A round weighs at least two items.")})
    if any(not key for key in keys) or len(set(keys)) != len(keys):
        raise ValidationError({"items": _("Every item needs its own key.")})
    if method == WeightingMethod.AHP and len(items) > weighting.MAX_PAIRWISE_ITEMS:
        raise ValidationError({"items": _("Pairwise comparison takes at most %(n)s items.") % {"n": weighting.MAX_PAIRWISE_ITEMS}})
    round_ = WeightingRound(name=name.strip(), method=method, items=items, created_by=by)
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def invite_experts(*, by, round: WeightingRound, experts, panel_group: str) -> int:
    _require(by, "indicators.run_weighting")
    round = WeightingRound.objects.select_for_update().get(pk=round.pk)
    if round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is closed."))
    added = 0
    for expert in experts:
        if not expert.is_active:
            raise ValidationError({"experts": _("%(user)s is not an active user.") % {"user": expert}})
        _invitation, created = ExpertInvitation.objects.get_or_create(round=round, expert=expert, defaults={"panel_group": panel_group})
        added += created
    return added


def _points(round: WeightingRound, answer: dict) -> dict:
    keys = [item["key"] for item in round.items]
    try:
        points = {key: Decimal(str(answer.get(key, "0") or "0")) for key in keys}
    except InvalidOperation:
        raise ValidationError({"answer": _("Give every item a number of points.")}) from None
    unknown = set(answer) - set(keys)
    if unknown:
        raise ValidationError({"answer": _("Unknown items: %(items)s.") % {"items": ", ".join(sorted(unknown))}})
    try:
        weighting.validate_allocation(points, keys)
    except weighting.WeightingError as exc:
        raise _weighting_error(exc) from exc
    return {key: str(value) for key, value in points.items()}


def _pairwise(round: WeightingRound, answer: dict) -> tuple[dict, weighting.AhpResult]:
    """`answer` maps "i,j" (0-based, i < j) to how much more item i matters than item j."""
    n = len(round.items)
    upper = {}
    try:
        for i in range(n):
            for j in range(i + 1, n):
                upper[(i, j)] = Decimal(str(answer[f"{i},{j}"]))
    except (KeyError, InvalidOperation):
        raise ValidationError({"answer": _("Compare every pair of items.")}) from None
    try:
        result = weighting.ahp(weighting.pairwise_from_upper(upper, n))
    except weighting.WeightingError as exc:
        raise _weighting_error(exc) from exc
    if not result.consistent:
        raise ValidationError(
            {"answer": _("Your comparisons contradict each other (consistency ratio %(cr)s, it must be below 0.10). Please revise them.") % {"cr": result.consistency_ratio}}
        )
    return {f"{i},{j}": str(v) for (i, j), v in upper.items()}, result


@transaction.atomic
def submit_answer(*, by, invitation: ExpertInvitation, answer: dict) -> ExpertInvitation:
    invitation = ExpertInvitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    if invitation.expert_id != by.pk:
        raise PermissionDenied
    if invitation.round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is closed."))
    if invitation.round.method == WeightingMethod.POINTS:
        invitation.answer = _points(invitation.round, answer)
    else:
        invitation.answer, _result = _pairwise(invitation.round, answer)
    invitation.submitted_at = timezone.now()
    invitation.save()
    return invitation


@dataclass
class RoundSummary:
    submitted: int
    invited: int
    items: list[dict]  # key, label, mean, minimum, maximum, stdev, spread
    outliers: list


def summarise(round: WeightingRound) -> RoundSummary | None:
    """The mean of the submitted answers with each item's spread; None before any answer."""
    invitations = list(round.invitations.select_related("expert"))
    answered = [i for i in invitations if i.submitted_at]
    keys = [item["key"] for item in round.items]
    labels = {item["key"]: item["label"] for item in round.items}
    if not answered:
        return None
    if round.method == WeightingMethod.POINTS:
        allocations = {i.expert.get_username(): {k: Decimal(v) for k, v in i.answer.items()} for i in answered}
        summary = weighting.combine_allocations(allocations, keys)
        means = {key: summary[key].mean for key in keys}
    else:
        results = [_ahp_of(i.answer, len(keys)) for i in answered]
        # Each expert's AHP weights read as their allocation, for the spread.
        allocations = {i.expert.get_username(): dict(zip(keys, r.weights)) for i, r in zip(answered, results)}
        summary = weighting.combine_allocations(allocations, keys)
        means = dict(zip(keys, weighting.combine_ahp(results)))
    items = [
        {"key": key, "label": labels[key], "mean": means[key], "minimum": summary[key].minimum, "maximum": summary[key].maximum,
         "stdev": summary[key].stdev, "spread": summary[key].spread}
        for key in keys
    ]
    return RoundSummary(len(answered), len(invitations), items, weighting.outliers(allocations, keys))


def _ahp_of(answer: dict, n: int) -> weighting.AhpResult:
    upper = {tuple(int(x) for x in key.split(",")): Decimal(value) for key, value in answer.items()}
    return weighting.ahp(weighting.pairwise_from_upper(upper, n))


@transaction.atomic
def close_round(*, by, round: WeightingRound) -> WeightingRound:
    _require(by, "indicators.run_weighting")
    round = WeightingRound.objects.select_for_update().get(pk=round.pk)
    if round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is already closed."))
    summary = summarise(round)
    if summary is None:
        raise ValidationError(_("No expert has answered yet."))
    round.result = {item["key"]: str(item["mean"]) for item in summary.items}
    round.status, round.closed_at = RoundStatus.CLOSED, timezone.now()
    round.save()
    return round
