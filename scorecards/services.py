"""Changes to scorecards: cards and their versions, lines, phasing, cascade links, the
approval workflow, new versions, generation from the task division matrix, copying a year,
weighting results and change proposals.

Every function checks the caller's permission, works in one transaction and either saves
everything or raises ``ValidationError`` (keyed by field) and saves nothing. Problems a
draft may still have (weights not adding up, a missing target) are allowed in a draft and
block its submission; problems that make a card wrong (a type not allowed at the level, a
duplicate indicator, too many lines) are never saved.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bsc_site.numbers import plain
from indicators import scoring
from indicators.models import Indicator, IndicatorStatus
from indicators.services import translated
from organisation.services import get_company
from strategy.models import Perspective, StrategyPlan

from . import card_rules, phasing
from .models import (
    LEVEL_ORDER,
    Aggregation,
    CascadeLink,
    ChangeProposal,
    Feed,
    Level,
    PhasingMethod,
    ProposalStatus,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    SeasonalProfile,
    VersionStatus,
    owner_key,
)
from .selectors import latest_version, upper_card_keys

VERSION_FIELDS = (
    "effective_from", "convention", "perspective_weights", "veto_mode", "veto_ceiling", "veto_deduction",
    "front_line", "inspection_deduction", "note",
)
LINE_FIELDS = (
    "perspective", "weight", "target", "target_low", "target_high", "method", "params", "data_owner", "rating_mode", "rater_weights",
    "aggregation", "phasing", "profile", "phasing_start", "month_targets", "sort_order",
)
RATED_TYPES = {"PCI", "WAI"}  # indicator types a rating mode (superior, 180°, 360°) applies to
# Units whose monthly values are levels or rates, not amounts: the year is their average.
RATE_UNITS = {"%", "‰", "％", "分", "points", "score", "次/人", "天", "days", "倍", "times", "ratio"}
RANGE = "target_range"
RANGE_METHODS = {"percentage", "zero_one", "interval"}

# Months of a year already opened for appraisal, by whoever runs the monthly cycle (the
# appraisal app registers itself). A new version may not take effect in such a month: the
# forms of that month were made from the version in force when it opened.
_opened_month_sources: list[Callable[[int], Iterable[int]]] = []


def register_opened_months(source: Callable[[int], Iterable[int]]) -> None:
    if source not in _opened_month_sources:
        _opened_month_sources.append(source)


def opened_months(year: int) -> set[int]:
    return {month for source in _opened_month_sources for month in source(year)}


def indicator_use(indicator: Indicator) -> str | None:
    """Where an indicator is on a submitted or approved card (the library asks before its
    type, direction or unit change): None when it is only on drafts or nowhere."""
    line = (
        ScorecardLine.objects.filter(indicator=indicator).exclude(version__status=VersionStatus.DRAFT)
        .select_related("version__scorecard__department", "version__scorecard__team", "version__scorecard__post")
        .order_by("-version__scorecard__year").first()
    )
    if line is None:
        return None
    card = line.version.scorecard
    return _("the %(year)s scorecard of %(owner)s") % {"year": card.year, "owner": card.owner_name}


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _lock_version(version: ScorecardVersion, *, draft: bool = True) -> ScorecardVersion:
    version = ScorecardVersion.objects.select_for_update(of=("self",)).select_related("scorecard").get(pk=version.pk)
    if draft and version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s and cannot change; make a new version instead.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    return version


def _month_name(month: int) -> str:
    from django.utils.dates import MONTHS

    return str(MONTHS[month])


def level_name(level: str) -> str:
    return str(Level(level).label)


# ---------------------------------------------------------------------------------------
# Checking a card


def default_aggregation(indicator: Indicator) -> str:
    """Rates and percentages average over the months; amounts and counts add up."""
    return Aggregation.AVERAGE if indicator.unit.strip() in RATE_UNITS else Aggregation.SUM


def _needs_range(line: ScorecardLine) -> bool:
    """A target-range indicator scored against its target needs the range, not a target."""
    if line.indicator.direction != RANGE or line.method not in RANGE_METHODS:
        return False
    return not (line.method == "interval" and (line.params or {}).get("basis") == "actual")


def _needs_target(line: ScorecardLine) -> bool:
    if _needs_range(line):
        return False
    basis = (line.params or {}).get("basis") if line.method == scoring.Method.INTERVAL else None
    try:
        return card_rules.method_needs_target(line.method, basis)
    except card_rules.CardError:
        return True


def rule_card(version: ScorecardVersion, lines: Iterable[ScorecardLine]) -> card_rules.Card:
    """The version and its lines as a card_rules.Card; a line's key is its id."""
    return card_rules.Card(
        level=version.scorecard.level,
        convention=version.convention,
        perspective_weights={code: Decimal(str(weight)) for code, weight in version.perspective_weights.items()},
        lines=[
            card_rules.CardLine(
                key=str(line.pk),
                indicator_code=line.indicator.code,
                indicator_type=line.indicator.type,
                perspective=line.perspective.code,
                weight=line.weight if line.weight is not None else Decimal(0),
                target=line.target,
                method=line.method,
                needs_target=_needs_target(line),
            )
            for line in lines
        ],
        max_lines=get_company().max_scorecard_lines,
    )


def card_problems(version: ScorecardVersion, lines: Iterable[ScorecardLine] | None = None) -> list[card_rules.Problem]:
    """Everything wrong with a version: the card rules, then the rules of single lines
    (PCI rating modes, monthly targets that do not reconcile)."""
    if lines is None:
        lines = version.lines.select_related("indicator", "perspective").prefetch_related("up_links__upper_indicator")
    lines = list(lines)
    problems = card_rules.check_card(rule_card(version, lines))
    upper_lines = _upper_lines(lines)
    for line in lines:
        key = str(line.pk)
        if _needs_range(line) and (line.target_low is None or line.target_high is None):
            problems.append(
                card_rules.Problem("target_low", key, gettext_noop("Enter the target range (from and to) this indicator is scored in."), incomplete=True)
            )
        if line.indicator.type == "PCI" and not line.rating_mode:
            problems.append(card_rules.Problem("rating_mode", key, gettext_noop("Choose how this competency line is rated."), incomplete=True))
        difference = phasing_difference(line)
        if difference:
            problems.append(
                card_rules.Problem(
                    "month_targets", key,
                    gettext_noop("The monthly targets are %(diff)s away from the annual target."),
                    {"diff": plain(difference)}, incomplete=True,
                )
            )
        if line.indicator.status != IndicatorStatus.ACTIVE:
            problems.append(
                card_rules.Problem("indicator", key, gettext_noop("%(code)s is retired in the library; replace it."), {"code": line.indicator.code}, incomplete=True)
            )
        for link in line.up_links.all():
            if (link.upper_scorecard_id, link.upper_indicator_id) not in upper_lines:
                problems.append(
                    card_rules.Problem(
                        "links", key, gettext_noop("It contributes to %(code)s, which is no longer on the card above; change the link."),
                        {"code": link.upper_indicator.code}, incomplete=True,
                    )
                )
        if line.target is not None and not line.month_targets:
            problems.append(card_rules.Problem("month_targets", key, gettext_noop("The annual target is not phased into months."), incomplete=True))
    return problems


def _upper_lines(lines) -> set[tuple[int, int]]:
    """(card id, indicator id) of the lines on the newest versions of the cards the given
    lines link to."""
    card_ids = {link.upper_scorecard_id for line in lines for link in line.up_links.all()}
    if not card_ids:
        return set()
    newest = ScorecardVersion.objects.filter(scorecard_id__in=card_ids).values("scorecard_id").annotate(number=Max("number"))
    wanted = Q()
    for row in newest:
        wanted |= Q(version__scorecard_id=row["scorecard_id"], version__number=row["number"])
    return set(ScorecardLine.objects.filter(wanted).values_list("version__scorecard_id", "indicator_id"))


def problem_message(problem: card_rules.Problem) -> str:
    params = dict(problem.params)
    if "level" in params:
        params["level"] = level_name(params["level"])
    if "perspective" in params:
        params["perspective"] = _perspective_name(params["perspective"])
    return _(problem.template) % params if params else _(problem.template)


def _perspective_name(code: str) -> str:
    perspective = Perspective.objects.filter(code=code).first()
    return perspective.display_name if perspective else code




def _refuse_invalid(version: ScorecardVersion) -> None:
    """Raise for the problems a card may never be saved with."""
    lines = list(version.lines.select_related("indicator", "perspective"))
    errors: dict[str, list[str]] = {}
    for problem in card_rules.check_card(rule_card(version, lines)):
        if problem.incomplete:
            continue
        field = problem.field if problem.line_key is None else problem.field
        if field not in {"indicator", "weight", "perspective", "target", "method", "perspective_weights"}:
            field = NON_FIELD_ERRORS
        errors.setdefault(field, []).append(problem_message(problem))
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------
# Phasing


def phasing_difference(line: ScorecardLine) -> Decimal | None:
    """How far the monthly targets are from the annual target (None when not comparable)."""
    if line.target is None or len(line.month_targets) != phasing.MONTHS:
        return None
    try:
        difference = phasing.reconcile(line.target, line.month_values(), line.aggregation)
    except (phasing.PhasingError, InvalidOperation, TypeError):
        return None
    return difference or None


def line_quarters(line: ScorecardLine) -> list[Decimal]:
    if len(line.month_targets) != phasing.MONTHS:
        return []
    return list(phasing.quarters(line.month_values(), line.aggregation))


def _phasing_error(exc: phasing.PhasingError) -> ValidationError:
    field = {"annual": "target", "start": "phasing_start", "profile": "profile", "months": "month_targets"}.get(exc.field, "phasing")
    return ValidationError({field: _(exc.template) % exc.params if exc.params else _(exc.template)})


def _month_values(values) -> list[str]:
    if not isinstance(values, (list, tuple)) or len(values) != phasing.MONTHS:
        raise ValidationError({"month_targets": _("Enter twelve monthly targets.")})
    months = []
    for index, value in enumerate(values, start=1):
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= phasing.MAX_MAGNITUDE:
            raise ValidationError({"month_targets": _("%(month)s: enter a number.") % {"month": _month_name(index)}})
        months.append(plain(number.quantize(Decimal("0.01")) if number.as_tuple().exponent < -2 else number))
    return months


def phase_line(line: ScorecardLine) -> None:
    """Work out the monthly targets of an even or profile phasing (manual months stay)."""
    if line.phasing == PhasingMethod.MANUAL:
        if line.month_targets:
            line.month_targets = _month_values(line.month_targets)
        return
    if line.phasing == PhasingMethod.PROFILE and line.profile is None:
        raise ValidationError({"profile": _("Choose a seasonal profile.")})
    if line.phasing == PhasingMethod.PROFILE and line.aggregation == Aggregation.AVERAGE:
        raise ValidationError(
            {"phasing": _("A rate or a percentage repeats every month; a seasonal profile shapes amounts that add up. Use even or manual phasing.")}
        )
    if line.target is None:
        line.month_targets = []
        return
    start = None
    if line.aggregation == Aggregation.LAST:
        # No starting level: every month holds the year-end target (a flat path).
        start = line.phasing_start if line.phasing_start is not None else line.target
    try:
        months = phasing.phase(
            line.target, line.aggregation, line.phasing,
            profile=line.profile.share_values() if line.phasing == PhasingMethod.PROFILE else None,
            start=start,
        )
    except phasing.PhasingError as exc:
        raise _phasing_error(exc) from exc
    line.month_targets = [plain(month) for month in months]


# ---------------------------------------------------------------------------------------
# Cards and versions


def _default_weights() -> dict[str, str]:
    codes = list(Perspective.objects.order_by("sort_order").values_list("code", flat=True))
    shares = card_rules._round_to_total([Decimal(100) / len(codes)] * len(codes)) if codes else []
    return {code: plain(share) for code, share in zip(codes, shares, strict=True)}


def _check_owner(level: str, department, team, post) -> None:
    owner = {Level.DEPARTMENT: department, Level.TEAM: team, Level.POST: post}.get(level)
    given = [thing for thing in (department, team, post) if thing is not None]
    if level == Level.COMPANY:
        if given:
            raise ValidationError({"level": _("A company scorecard has no department, team or post.")})
        return
    field = {Level.DEPARTMENT: "department", Level.TEAM: "team", Level.POST: "post"}[level]
    if owner is None or len(given) != 1:
        raise ValidationError({field: _("Choose the %(level)s this scorecard is for.") % {"level": level_name(level).lower()}})
    if not owner.is_active:
        raise ValidationError({field: _("%(owner)s is no longer active.") % {"owner": owner.display_name}})


@transaction.atomic
def create_scorecard(*, by, year: int, level: str, department=None, team=None, post=None, effective_from: int = 1) -> Scorecard:
    """A new card with an empty draft version 1 (perspectives weighed equally)."""
    _require(by, "scorecards.edit_scorecards")
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level.")})
    _check_owner(level, department, team, post)
    card = Scorecard(year=year, level=level, department=department, team=team, post=post)
    key = owner_key(level, getattr(department, "pk", None), getattr(team, "pk", None), getattr(post, "pk", None))
    if Scorecard.objects.filter(year=year, owner_key=key).exists():
        raise ValidationError({NON_FIELD_ERRORS: _("%(owner)s already has a scorecard for %(year)s.") % {"owner": card.owner_name, "year": year}})
    card.full_clean(exclude=["owner_key"])
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError:  # made by someone else a moment ago
        raise ValidationError(
            {NON_FIELD_ERRORS: _("%(owner)s already has a scorecard for %(year)s.") % {"owner": card.owner_name, "year": year}}
        ) from None
    version = ScorecardVersion(
        scorecard=card, number=1, effective_from=effective_from, perspective_weights=_default_weights(),
        inspection_deduction=(level == Level.DEPARTMENT), created_by=by,
    )
    version.full_clean()
    version._change_reason = "create scorecard"
    version.save()
    return card


@transaction.atomic
def delete_scorecard(*, by, scorecard: Scorecard) -> None:
    """A card never approved may be thrown away; an approved one is history."""
    _require(by, "scorecards.edit_scorecards")
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.versions.exclude(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("This scorecard has been submitted or approved; it stays as history."))
    links = CascadeLink.objects.filter(upper_scorecard=scorecard)
    fixed = links.exclude(line__version__status=VersionStatus.DRAFT).select_related("line__version__scorecard").first()
    if fixed is not None:
        raise ValidationError(
            _("The approved card of %(owner)s contributes to this one; it stays while cards below rely on it.")
            % {"owner": fixed.line.version.scorecard.owner_name}
        )
    links.delete()  # only drafts' links: they are being edited anyway
    try:
        with transaction.atomic():
            scorecard.delete()
    except ProtectedError:
        raise ValidationError(_("Appraisal forms were made from this scorecard; it stays as history.")) from None


def _check_weights(value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError({"perspective_weights": _("Give a weight for each perspective.")})
    codes = set(Perspective.objects.values_list("code", flat=True))
    unknown = sorted(set(value) - codes)
    if unknown:
        raise ValidationError({"perspective_weights": _("Unknown perspective “%(perspective)s”.") % {"perspective": unknown[0]}})
    weights = {}
    for code in Perspective.objects.order_by("sort_order").values_list("code", flat=True):
        raw = value.get(code, "0")
        try:
            weight = Decimal(str(raw if raw not in (None, "") else "0").strip())
        except InvalidOperation:
            weight = None
        if weight is None or not weight.is_finite() or weight < 0 or weight > 100 or weight.as_tuple().exponent < -2:
            raise ValidationError(
                {"perspective_weights": _("The weight of %(perspective)s must be a number from 0 to 100 with at most two decimals.")
                 % {"perspective": _perspective_name(code)}}
            )
        weights[code] = plain(weight)
    return weights


def _check_policies(version: ScorecardVersion) -> None:
    if version.veto_mode == "cap" and version.veto_ceiling is None:
        raise ValidationError({"veto_ceiling": _("Enter the ceiling a vetoed card is capped at.")})
    if version.veto_mode == "deduct" and version.veto_deduction is None:
        raise ValidationError({"veto_deduction": _("Enter the points a veto takes off.")})
    if version.inspection_deduction and version.scorecard.level != Level.DEPARTMENT:
        raise ValidationError(
            {"inspection_deduction": _("The daily-inspection deduction applies to department heads' cards, that is department cards.")}
        )
    if version.front_line and version.scorecard.level == Level.COMPANY:
        raise ValidationError({"front_line": _("The sales front-line rule applies to sales departments, groups and posts, not the company.")})


@transaction.atomic
def update_version(*, by, version: ScorecardVersion, **fields) -> ScorecardVersion:
    """Change a draft's settings: weights, convention, policies, effective month, note."""
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(version)
    stored_weights = dict(version.perspective_weights)
    for name in VERSION_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    if "perspective_weights" in fields:
        given = fields["perspective_weights"]
        # Perspectives left out keep their weight (a partial change from the API).
        merged = {**stored_weights, **given} if isinstance(given, dict) else given
        version.perspective_weights = _check_weights(merged)
    version.full_clean()
    _check_policies(version)
    _check_effective_month(version)
    version._change_reason = "update version"
    version.save()
    _refuse_invalid(version)
    return version


def _check_effective_month(version: ScorecardVersion) -> None:
    previous = (
        version.scorecard.versions.filter(status=VersionStatus.APPROVED, number__lt=version.number).order_by("-number").first()
    )
    if previous is not None and version.effective_from <= previous.effective_from:
        raise ValidationError(
            {"effective_from": _("Version %(number)s is in force from %(month)s; a new version must start in a later month.")
             % {"number": previous.number, "month": _month_name(previous.effective_from)}}
        )
    opened = opened_months(version.scorecard.year)
    if previous is not None and opened and version.effective_from <= max(opened):
        raise ValidationError(
            {"effective_from": _("The appraisal of %(month)s %(year)s is already open with the version in force; choose a later month.")
             % {"month": _month_name(max(opened)), "year": version.scorecard.year}}
        )


@transaction.atomic
def delete_version(*, by, version: ScorecardVersion) -> None:
    """Throw away a draft version (the first one goes with its card: delete_scorecard)."""
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(version)
    if version.number == 1:
        raise ValidationError(_("This is the card's only version; delete the scorecard instead."))
    version.delete()


@transaction.atomic
def submit_version(*, by, version: ScorecardVersion) -> ScorecardVersion:
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(version)
    problems = card_problems(version)
    if problems:
        raise ValidationError([problem_message(problem) for problem in problems])
    version.status, version.submitted_by, version.submitted_at = VersionStatus.SUBMITTED, by, timezone.now()
    version.returned_note = ""
    version._change_reason = "submit version"
    version.save()
    return version


@transaction.atomic
def approve_version(*, by, version: ScorecardVersion) -> ScorecardVersion:
    """HR approves department, team and post cards; the general manager the company card."""
    _require(by, "scorecards.approve_scorecard", version.scorecard)
    version = _lock_version(version, draft=False)
    if version.status != VersionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be approved."))
    _check_effective_month(version)
    problems = card_problems(version)
    if problems:  # e.g. the company's line limit was lowered after submission
        raise ValidationError([problem_message(problem) for problem in problems])
    version.status, version.approved_by, version.approved_at = VersionStatus.APPROVED, by, timezone.now()
    version._change_reason = "approve version"
    version.save()
    return version


@transaction.atomic
def return_version(*, by, version: ScorecardVersion, note: str = "") -> ScorecardVersion:
    """The approver sends a submitted version back to draft, saying why."""
    _require(by, "scorecards.approve_scorecard", version.scorecard)
    version = _lock_version(version, draft=False)
    if version.status != VersionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be sent back."))
    if not note.strip():
        raise ValidationError({"note": _("Say what should change.")})
    version.status, version.submitted_by, version.submitted_at = VersionStatus.DRAFT, None, None
    version.returned_note = note.strip()
    version._change_reason = "return version"
    version.save()
    return version


def _copy_lines(source: ScorecardVersion, target: ScorecardVersion, *, upper_by_key: dict[str, Scorecard] | None = None) -> None:
    """Copy the lines and their links; with ``upper_by_key`` (another year's cards by
    owner key) links are pointed at that year's cards and dropped when there is none."""
    for line in source.lines.select_related("profile").prefetch_related("up_links__upper_scorecard"):
        links = list(line.up_links.all())
        old_pk = line.pk
        line.pk = None
        line.id = None
        line.version = target
        line._change_reason = f"copied from line {old_pk}"
        line.save()
        for link in links:
            upper = link.upper_scorecard if upper_by_key is None else upper_by_key.get(link.upper_scorecard.owner_key)
            if upper is not None:
                CascadeLink.objects.create(
                    line=line, upper_scorecard=upper, upper_indicator_id=link.upper_indicator_id, feed=link.feed, share=link.share
                )


COPIED_SETTINGS = (
    "convention", "perspective_weights", "veto_mode", "veto_ceiling", "veto_deduction", "front_line", "inspection_deduction",
)


def settings_of(version: ScorecardVersion) -> dict:
    """What a copy of a version starts from (new versions, generated cards, next years)."""
    settings = {name: getattr(version, name) for name in COPIED_SETTINGS}
    settings["perspective_weights"] = dict(version.perspective_weights)
    return settings


@transaction.atomic
def new_version(*, by, scorecard: Scorecard, effective_from: int, note: str = "") -> ScorecardVersion:
    """A draft copy of the newest approved version, to take effect from a later month."""
    _require(by, "scorecards.edit_scorecards")
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    latest = latest_version(scorecard)
    if latest.status != VersionStatus.APPROVED:
        raise ValidationError(
            _("Version %(number)s is still %(status)s; finish it before starting another.")
            % {"number": latest.number, "status": latest.get_status_display().lower()}
        )
    if not note.strip():
        raise ValidationError({"note": _("Say why the card changes; the reason is kept with the version.")})
    version = ScorecardVersion(
        scorecard=scorecard, number=latest.number + 1, status=VersionStatus.DRAFT, effective_from=effective_from,
        **settings_of(latest), note=note.strip(), created_by=by,
    )
    version.full_clean()
    _check_effective_month(version)
    version._change_reason = "new version"
    version.save()
    _copy_lines(latest, version)
    return version


# ---------------------------------------------------------------------------------------
# Lines


def _check_indicator(version: ScorecardVersion, indicator: Indicator, line: ScorecardLine | None) -> None:
    if version.lines.filter(indicator=indicator).exists():
        raise ValidationError({"indicator": _("The indicator %(code)s is already on this scorecard.") % {"code": indicator.code}})
    if indicator.status != IndicatorStatus.ACTIVE and (line is None or line.indicator_id != indicator.pk):
        raise ValidationError({"indicator": _("%(code)s is retired in the library and cannot be added.") % {"code": indicator.code}})


def _check_line(line: ScorecardLine) -> None:
    indicator = line.indicator
    if line.method not in scoring.Method._value2member_map_:
        raise ValidationError({"method": _("Choose a scoring method.")})
    try:
        params = scoring.validate_params(line.method, line.params or {}, direction=indicator.direction)
    except scoring.ScoringError as exc:
        raise ValidationError({"params": translated(exc)}) from exc
    line.params = params.to_dict()
    if line.target_low is not None and line.target_high is not None and line.target_low > line.target_high:
        raise ValidationError({"target_high": _("The upper end of the range cannot be below the lower end.")})
    # A PCI line without a rating mode is an incomplete draft (card_problems asks for it).
    if indicator.type not in RATED_TYPES and line.rating_mode:
        raise ValidationError({"rating_mode": _("Only competency (PCI) and attitude (WAI) lines have a rating mode.")})
    weights = line.rater_weights or {} if line.rating_mode in card_rules.RATER_RELATIONS else {}
    if not isinstance(weights, dict):
        raise ValidationError({"rater_weights": _("Rater weights are numbers from 0 to 100.")})
    problems = card_rules.rater_weight_problems(line.rating_mode, weights)
    if problems:
        raise ValidationError({"rater_weights": [_(problem) for problem in problems]})
    line.rater_weights = {relation: plain(Decimal(str(value))) for relation, value in weights.items()}
    if line.phasing != PhasingMethod.PROFILE:
        line.profile = None
    if line.aggregation != Aggregation.LAST:
        line.phasing_start = None


@transaction.atomic
def save_line(*, by, version: ScorecardVersion, indicator: Indicator | None = None, line: ScorecardLine | None = None, **fields) -> ScorecardLine:
    """Add a line for ``indicator`` (defaults from the library) or change ``line``."""
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(version)
    if line is None:
        if indicator is None:
            raise ValidationError({"indicator": _("Choose an indicator.")})
        _check_indicator(version, indicator, None)
        last = version.lines.aggregate(last=Max("sort_order"))["last"]
        line = ScorecardLine(
            version=version, indicator=indicator, perspective=indicator.perspective, method=indicator.scoring_method,
            params=dict(indicator.scoring_params or {}), aggregation=default_aggregation(indicator),
            sort_order=(last or 0) + 1,
        )
        reason = "add line"
    else:
        line = ScorecardLine.objects.select_for_update(of=("self",)).select_related("indicator", "profile").get(pk=line.pk, version=version)
        reason = "update line"
    _save_line_fields(line, fields, reason)
    _refuse_invalid(version)
    return line


@transaction.atomic
def delete_line(*, by, line: ScorecardLine) -> None:
    _require(by, "scorecards.edit_scorecards")
    _lock_version(line.version)
    line.delete()


@transaction.atomic
def save_card(*, by, version: ScorecardVersion, settings: dict, lines: dict[int, dict]) -> ScorecardVersion:
    """The editor's save: the version's settings and every line's fields at once. Errors
    come back keyed ``line-<id>-<field>`` for lines and by name for settings; nothing is
    saved unless everything is."""
    _require(by, "scorecards.edit_scorecards")
    errors: dict[str, list] = {}
    try:
        with transaction.atomic():
            version = update_version(by=by, version=version, **settings) if settings else _lock_version(version)
    except ValidationError as exc:
        _collect(errors, exc, "")
    known = {line.pk: line for line in version.lines.select_related("indicator", "perspective", "profile")}
    for pk, values in lines.items():
        if pk not in known:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("A line was removed meanwhile; reload the page."))
            continue
        try:
            with transaction.atomic():
                _save_line_fields(known[pk], values)
        except ValidationError as exc:
            _collect(errors, exc, f"line-{pk}-")
    if not errors:
        try:
            with transaction.atomic():
                _refuse_invalid(version)
        except ValidationError as exc:
            _collect(errors, exc, "")
    if errors:
        raise ValidationError(errors)
    return version


def _save_line_fields(line: ScorecardLine, values: dict, reason: str = "update line") -> None:
    """Set a line's fields, check them, phase its target and save it (not the card checks)."""
    if "method" in values and values["method"] != line.method and "params" not in values:
        # Another method's parameters mean nothing to the new one: start from its defaults.
        known = values["method"] in scoring.Method._value2member_map_
        values = {**values, "params": scoring.default_params(values["method"]).to_dict() if known else {}}
    for name in LINE_FIELDS:
        if name in values:
            setattr(line, name, values[name])
    if line.weight is None:
        line.weight = Decimal(0)
    _check_line(line)
    phase_line(line)
    line.full_clean(exclude=["version", "indicator"] if line.pk is None else None)
    _follow_aggregation(line)
    line._change_reason = reason
    line.save()


def _follow_aggregation(line: ScorecardLine) -> None:
    """When a line's months change from summing to averaging (or back), links that fed the
    upper line the old way follow; a feed chosen otherwise is left alone."""
    if line.pk is None:
        return
    old = ScorecardLine.objects.filter(pk=line.pk).values_list("aggregation", flat=True).first()
    if old and old != line.aggregation:
        line.up_links.filter(feed=feed_for(old)).update(feed=feed_for(line.aggregation))


def _collect(errors: dict, exc: ValidationError, prefix: str) -> None:
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            key = NON_FIELD_ERRORS if field == NON_FIELD_ERRORS and not prefix else f"{prefix}{field}"
            errors.setdefault(key, []).extend(message for error in field_errors for message in error.messages)
    else:
        errors.setdefault(f"{prefix}{NON_FIELD_ERRORS}" if prefix else NON_FIELD_ERRORS, []).extend(exc.messages)


# ---------------------------------------------------------------------------------------
# Cascade links


def _upper_line_exists(upper: Scorecard, indicator: Indicator) -> bool:
    latest = latest_version(upper)
    return latest is not None and latest.lines.filter(indicator=indicator).exists()


@transaction.atomic
def link_line(*, by, line: ScorecardLine, upper_scorecard: Scorecard, upper_indicator: Indicator, feed: str = Feed.SUM, share=None) -> CascadeLink:
    """Say that a line contributes to a line of the card above it, and how its actual feeds
    the upper actual."""
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(line.version)
    card = version.scorecard
    if upper_scorecard.year != card.year or upper_scorecard.owner_key not in upper_card_keys(card):
        raise ValidationError({"upper_scorecard": _("A line contributes to the card directly above it, of the same year.")})
    if not _upper_line_exists(upper_scorecard, upper_indicator):
        raise ValidationError(
            {"upper_indicator": _("%(code)s is not on %(card)s.") % {"code": upper_indicator.code, "card": upper_scorecard.owner_name}}
        )
    if feed == Feed.WEIGHTED_AVERAGE and share is None:
        raise ValidationError({"share": _("A weighted average needs this contribution's share.")})
    if CascadeLink.objects.filter(line=line, upper_scorecard=upper_scorecard, upper_indicator=upper_indicator).exists():
        raise ValidationError({"upper_indicator": _("This line already contributes to that line.")})
    link = CascadeLink(line=line, upper_scorecard=upper_scorecard, upper_indicator=upper_indicator, feed=feed, share=share)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def unlink_line(*, by, link: CascadeLink) -> None:
    _require(by, "scorecards.edit_scorecards")
    _lock_version(link.line.version)
    link.delete()


def feed_for(aggregation: str) -> str:
    return {Aggregation.SUM: Feed.SUM, Aggregation.AVERAGE: Feed.AVERAGE, Aggregation.LAST: Feed.LAST}[aggregation]


# ---------------------------------------------------------------------------------------
# Generating drafts


def _even_weights(version: ScorecardVersion, lines: list[ScorecardLine]) -> None:
    """Perspectives with weighted lines share 100% evenly, their lines share it evenly."""
    weighted = [line for line in lines if line.indicator.type != "NNI"]
    codes = [code for code in Perspective.objects.order_by("sort_order").values_list("code", flat=True)]
    used = [code for code in codes if any(line.perspective.code == code for line in weighted)]
    shares = dict(zip(used, card_rules._round_to_total([Decimal(100) / len(used)] * len(used)), strict=True)) if used else {}
    version.perspective_weights = {code: plain(shares.get(code, Decimal(0))) for code in codes}
    for code in used:
        group = [line for line in weighted if line.perspective.code == code]
        parts = card_rules._round_to_total([shares[code] / len(group)] * len(group), shares[code])
        for line, part in zip(group, parts, strict=True):
            line.weight = part
    for line in lines:
        if line.indicator.type == "NNI":
            line.weight = Decimal(0)


def _new_card_with_lines(by, *, year, level, indicators_and_sources, department=None, team=None, post=None, settings_from=None):
    card = create_scorecard(by=by, year=year, level=level, department=department, team=team, post=post)
    version = card.versions.get()
    allowed = card_rules.ALLOWED_TYPES[card_rules.Level(level)]
    lines = []
    for order, (indicator, source) in enumerate(indicators_and_sources, start=1):
        if indicator.type not in allowed or indicator.status != IndicatorStatus.ACTIVE:
            continue
        if source is not None:
            line = ScorecardLine(
                version=version, indicator=indicator, perspective=source.perspective, weight=source.weight, target=source.target,
                target_low=source.target_low, target_high=source.target_high,
                method=source.method, params=source.params, data_owner=source.data_owner, rating_mode=source.rating_mode,
                aggregation=source.aggregation, phasing=source.phasing, profile=source.profile, phasing_start=source.phasing_start,
                month_targets=list(source.month_targets), sort_order=order,
            )
        else:
            line = ScorecardLine(
                version=version, indicator=indicator, perspective=indicator.perspective, method=indicator.scoring_method,
                params=dict(indicator.scoring_params or {}), aggregation=default_aggregation(indicator), sort_order=order,
            )
        lines.append(line)
    limit = get_company().max_scorecard_lines
    if len(lines) > limit:
        lines = lines[:limit]
    if settings_from is not None:
        # A post card takes its department's settings, but the inspection deduction is
        # the department head's alone.
        for name, value in settings_of(settings_from).items():
            if name != "inspection_deduction":
                setattr(version, name, value)
    else:
        _even_weights(version, lines)
    version.save()
    for line in lines:
        line._change_reason = "generated"
        line.save()
    return card, version, lines


@transaction.atomic
def generate_department_card(*, by, year: int, department) -> Scorecard:
    """A draft department card from the task division matrix: the indicators of the
    measures the department leads or supports in the year's strategy, weighed evenly, each
    linked to the company card's line for the same indicator when there is one."""
    _require(by, "scorecards.edit_scorecards")
    plan = StrategyPlan.objects.filter(year=year).first()
    if plan is None:
        raise ValidationError(_("There is no %(year)s strategy plan to generate from.") % {"year": year})
    indicators = list(
        Indicator.objects.filter(
            measures__objective__plan=plan, measures__assignments__department=department, status=IndicatorStatus.ACTIVE,
            type__in=card_rules.ALLOWED_TYPES[card_rules.Level.DEPARTMENT],
        ).distinct().select_related("perspective").order_by("perspective__sort_order", "code")
    )
    if not indicators:
        raise ValidationError(
            _("No measure %(department)s leads or supports in the %(year)s plan has an indicator a department card may use.")
            % {"department": department.display_name, "year": year}
        )
    card, version, lines = _new_card_with_lines(
        by, year=year, level=Level.DEPARTMENT, department=department, indicators_and_sources=[(i, None) for i in indicators]
    )
    company = Scorecard.objects.filter(year=year, level=Level.COMPANY).first()
    if company is not None:
        company_version = latest_version(company)
        on_company = set(company_version.lines.values_list("indicator_id", flat=True))
        for line in lines:
            if line.indicator_id in on_company:
                CascadeLink.objects.create(line=line, upper_scorecard=company, upper_indicator=line.indicator, feed=feed_for(line.aggregation))
    return card


@transaction.atomic
def generate_post_card(*, by, year: int, post) -> Scorecard:
    """A draft post card from its department's card: the same lines (weights, targets and
    methods), each contributing to the department line it came from."""
    _require(by, "scorecards.edit_scorecards")
    department_card = Scorecard.objects.filter(year=year, owner_key=owner_key(Level.DEPARTMENT, department_id=post.department_id)).first()
    if department_card is None:
        raise ValidationError(
            _("%(department)s has no %(year)s scorecard to start the post's card from.") % {"department": post.department.display_name, "year": year}
        )
    source_version = latest_version(department_card)
    sources = list(source_version.lines.select_related("indicator", "perspective", "profile"))
    card, version, lines = _new_card_with_lines(
        by, year=year, level=Level.POST, post=post, indicators_and_sources=[(s.indicator, s) for s in sources], settings_from=source_version
    )
    for line in lines:
        CascadeLink.objects.create(line=line, upper_scorecard=department_card, upper_indicator=line.indicator, feed=feed_for(line.aggregation))
    return card




@transaction.atomic
def copy_year(*, by, from_year: int, to_year: int) -> tuple[list[Scorecard], list[Scorecard]]:
    """Copy every card of a year into another as draft version 1 (the newest approved
    version, else the newest). Cards whose owner is inactive or already has a card in the
    target year are skipped. Returns (created, skipped)."""
    _require(by, "scorecards.edit_scorecards")
    if from_year == to_year:
        raise ValidationError({"to_year": _("Choose another year to copy to.")})
    sources = sorted(
        Scorecard.objects.filter(year=from_year).select_related("department", "team", "post"),
        key=lambda card: (LEVEL_ORDER[card.level], card.owner_key),
    )
    if not sources:
        raise ValidationError({"from_year": _("There are no %(year)s scorecards to copy.") % {"year": from_year}})
    existing = {card.owner_key: card for card in Scorecard.objects.filter(year=to_year)}
    created, skipped = [], []
    for source in sources:
        owner = source.owner
        if source.owner_key in existing or (owner is not None and not owner.is_active):
            skipped.append(source)
            continue
        version_from = source.versions.filter(status=VersionStatus.APPROVED).order_by("-number").first() or latest_version(source)
        card = Scorecard(year=to_year, level=source.level, department=source.department, team=source.team, post=source.post)
        card.save()
        version = ScorecardVersion(
            scorecard=card, number=1, **settings_of(version_from),
            note=_("Copied from %(year)s, version %(number)s.") % {"year": from_year, "number": version_from.number}, created_by=by,
        )
        version._change_reason = "copy year"
        version.save()
        existing[card.owner_key] = card
        _copy_lines(version_from, version, upper_by_key=existing)
        created.append(card)
    return created, skipped


# ---------------------------------------------------------------------------------------
# Weighting results


@transaction.atomic
def apply_weighting_round(*, by, version: ScorecardVersion, round, target: str, perspective: str | None = None) -> ScorecardVersion:
    """Take weights from a closed expert round. Perspective rounds weigh perspective codes;
    line rounds weigh indicator codes (of one perspective, or of the whole card). Under
    "% of the whole card", a one-perspective round's shares are scaled to the perspective."""
    _require(by, "scorecards.edit_scorecards")
    version = _lock_version(version)
    if round.status != "closed" or not round.result:
        raise ValidationError({"round": _("Choose a closed round with a result.")})
    result = {key: Decimal(str(value)) for key, value in round.result.items()}
    lines = list(version.lines.select_related("indicator", "perspective"))
    card = rule_card(version, lines)
    by_code = {line.indicator.code: line for line in lines}
    try:
        if target == "perspectives":
            card = card_rules.apply_weighting_result(card, result, "perspectives")
            version.perspective_weights = {code: plain(weight) for code, weight in card.perspective_weights.items()}
            version._change_reason = f"weights from round {round.pk}"
            version.save()
            return version
        unknown = [code for code in result if code not in by_code]
        if unknown:
            raise ValidationError({"round": _("%(code)s is not on this scorecard.") % {"code": unknown[0]}})
        keyed = {str(by_code[code].pk): weight for code, weight in result.items()}
        if perspective and version.convention == "of_total":
            scale = version.weight_of(perspective)
            parts = card_rules._round_to_total([weight * scale / 100 for weight in keyed.values()], scale)
            keyed = dict(zip(keyed, parts, strict=True))
        card = card_rules.apply_weighting_result(card, keyed, "lines", perspective=perspective)
    except card_rules.CardError as exc:
        raise ValidationError({"round": _(exc.template) % exc.params if exc.params else _(exc.template)}) from exc
    new = {line.key: line.weight for line in card.lines}
    for line in lines:
        if line.weight != new[str(line.pk)]:
            line.weight = new[str(line.pk)]
            line._change_reason = f"weight from round {round.pk}"
            line.save(update_fields=["weight"])
    return version


# ---------------------------------------------------------------------------------------
# Proposals and profiles


@transaction.atomic
def propose_change(*, by, scorecard: Scorecard, text: str) -> ChangeProposal:
    _require(by, "scorecards.propose_change", scorecard)
    if not text.strip():
        raise ValidationError({"text": _("Describe the change you propose.")})
    return ChangeProposal.objects.create(scorecard=scorecard, proposed_by=by, text=text.strip())


@transaction.atomic
def answer_proposal(*, by, proposal: ChangeProposal, status: str, answer: str = "") -> ChangeProposal:
    _require(by, "scorecards.answer_proposal", proposal.scorecard)
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal has already been answered."))
    if status not in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED):
        raise ValidationError({"status": _("Accept or decline the proposal.")})
    if status == ProposalStatus.DECLINED and not answer.strip():
        raise ValidationError({"answer": _("Say why the proposal is declined.")})
    proposal.status, proposal.answer, proposal.answered_by, proposal.answered_at = status, answer.strip(), by, timezone.now()
    proposal.save()
    return proposal


def _check_shares(shares) -> list[str]:
    if not isinstance(shares, (list, tuple)) or len(shares) != phasing.MONTHS:
        raise ValidationError({"shares": _("Enter twelve monthly shares.")})
    values = []
    for index, share in enumerate(shares, start=1):
        try:
            value = Decimal(str(share).strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise ValidationError({"shares": _("%(month)s: enter a number.") % {"month": _month_name(index)}})
        values.append(value)
    try:
        phasing.validate_profile(values)
    except phasing.PhasingError as exc:
        raise ValidationError({"shares": _(exc.template) % exc.params if exc.params else _(exc.template)}) from exc
    return [plain(value) for value in values]


@transaction.atomic
def save_profile(*, by, profile: SeasonalProfile | None = None, **fields) -> SeasonalProfile:
    """Create or change a seasonal profile. Draft lines phased by it are phased again;
    submitted and approved versions keep the months they were approved with."""
    _require(by, "scorecards.edit_scorecards")
    profile = SeasonalProfile() if profile is None else SeasonalProfile.objects.select_for_update().get(pk=profile.pk)
    for name in ("code", "name_zh", "name_en"):
        if name in fields:
            setattr(profile, name, fields[name])
    if "shares" in fields:
        profile.shares = _check_shares(fields["shares"])
    profile.full_clean()
    profile.save()
    for line in profile.lines.filter(version__status=VersionStatus.DRAFT).select_related("profile"):
        phase_line(line)
        line._change_reason = "profile changed"
        line.save(update_fields=["month_targets"])
    return profile


@transaction.atomic
def delete_profile(*, by, profile: SeasonalProfile) -> None:
    _require(by, "scorecards.edit_scorecards")
    if profile.lines.exists():
        raise ValidationError(_("Lines are phased by this profile; change them first."))
    profile.delete()
