"""API shapes of scorecards. Reads show what the selectors give; writes are plain inputs
handed to a service, which holds every rule (so nothing here sets a status, an owner or a
version number). Decimals travel as strings."""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import ScoringMethod
from indicators.rounds import rounds_visible_to
from indicators.selectors import indicators_visible_to
from organisation.api.fields import VisibleRelatedField
from organisation.selectors import departments_visible_to, posts_visible_to, teams_visible_to
from strategy.api.serializers import perspectives

from .. import card_rules, services
from ..models import (
    Aggregation,
    CascadeLink,
    ChangeProposal,
    DataOwner,
    Feed,
    Level,
    PhasingMethod,
    ProposalStatus,
    RatingMode,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    SeasonalProfile,
    VersionStatus,
    VetoMode,
    WeightConvention,
)
from ..selectors import (
    lines_visible_to,
    profiles_visible_to,
    scorecards_visible_to,
    versions_visible_to,
    with_line_details,
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


# Choice sets used under several field names have one enum component each
# (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
class ScoringMethodField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ScoringMethod.choices, **kwargs)


class VersionStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=VersionStatus.choices, **kwargs)


def amount(**kwargs):
    """A stored decimal shown with two places (no digit limit on the way out)."""
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


# ---------------------------------------------------------------------------------------
# Scorecards


class VersionSummarySerializer(serializers.ModelSerializer):
    status = VersionStatusField(read_only=True)

    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "status", "effective_from"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)
    owner_department = serializers.IntegerField(source="owner_department_id", read_only=True, allow_null=True)
    versions = VersionSummarySerializer(many=True, read_only=True)
    latest_version = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField(
        help_text="The approved version in force in each month, January first (null: none approved yet)."
    )

    class Meta:
        model = Scorecard
        fields = [
            "id", "year", "level", "department", "team", "post", "owner_name", "owner_department", "created_at",
            "versions", "latest_version", "in_force",
        ]
        read_only_fields = fields

    def get_latest_version(self, card) -> int | None:
        versions = list(card.versions.all())
        return versions[-1].pk if versions else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(allow_null=True)))
    def get_in_force(self, card):
        # Mirrors selectors.version_for_month over the prefetched versions (no query per card).
        approved = sorted((v for v in card.versions.all() if v.status == VersionStatus.APPROVED), key=lambda v: v.number)
        months = []
        for month in range(1, 13):
            in_force = [v for v in approved if v.effective_from <= month]
            months.append(in_force[-1].pk if in_force else None)
        return months


class ScorecardCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    level = serializers.ChoiceField(choices=Level.choices)
    department = VisibleRelatedField(departments_visible_to, allow_null=True, required=False, default=None)
    team = VisibleRelatedField(teams_visible_to, allow_null=True, required=False, default=None)
    post = VisibleRelatedField(posts_visible_to, allow_null=True, required=False, default=None)
    effective_from = serializers.IntegerField(min_value=1, max_value=12, required=False, default=1)


class NewVersionSerializer(serializers.Serializer):
    effective_from = serializers.IntegerField(min_value=1, max_value=12)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why the card changes (required).")


class GenerateDepartmentSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    department = VisibleRelatedField(departments_visible_to)


class GeneratePostSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    post = VisibleRelatedField(posts_visible_to)


class CopyYearSerializer(serializers.Serializer):
    from_year = serializers.IntegerField(min_value=2000, max_value=2100)
    to_year = serializers.IntegerField(min_value=2000, max_value=2100)


class CopyYearResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Cards copied.")
    skipped = serializers.IntegerField(help_text="Cards left out: the owner is inactive or already has a card that year.")
    scorecards = serializers.ListField(child=serializers.IntegerField(), help_text="The new cards.")


# ---------------------------------------------------------------------------------------
# Lines and cascade links


class CascadeLinkSerializer(serializers.ModelSerializer):
    line = VisibleRelatedField(lines_visible_to)
    upper_scorecard = VisibleRelatedField(scorecards_visible_to)
    upper_indicator = VisibleRelatedField(indicators_visible_to)
    upper_indicator_code = serializers.CharField(source="upper_indicator.code", read_only=True)
    feed = serializers.ChoiceField(choices=Feed.choices, required=False, default=Feed.SUM)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False, default=None)

    class Meta:
        model = CascadeLink
        fields = ["id", "line", "upper_scorecard", "upper_indicator", "upper_indicator_code", "feed", "share"]
        validators = []  # the service says when a link exists already, in the field's words


class ScorecardLineSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="version.scorecard_id", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.display_name", read_only=True)
    indicator_type = serializers.CharField(source="indicator.type", read_only=True)
    perspective_code = serializers.CharField(source="perspective.code", read_only=True)
    method = ScoringMethodField(read_only=True)
    weight = amount(read_only=True)
    target = amount(read_only=True, allow_null=True)
    target_low = amount(read_only=True, allow_null=True)
    target_high = amount(read_only=True, allow_null=True)
    phasing_start = amount(read_only=True, allow_null=True)
    month_targets = serializers.ListField(child=amount(), read_only=True)
    quarters = serializers.SerializerMethodField()
    phasing_difference = serializers.SerializerMethodField(
        help_text="How far the monthly targets are from the annual target; null when they reconcile."
    )
    up_links = CascadeLinkSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardLine
        fields = [
            "id", "version", "scorecard", "indicator", "indicator_code", "indicator_name", "indicator_type", "perspective",
            "perspective_code", "weight", "target", "target_low", "target_high", "method", "params", "data_owner", "rating_mode", "rater_weights",
            "aggregation", "phasing", "profile", "phasing_start", "month_targets", "quarters", "phasing_difference", "sort_order", "up_links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=amount()))
    def get_quarters(self, line):
        return [_text(quarter) for quarter in services.line_quarters(line)]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_phasing_difference(self, line):
        return _text(services.phasing_difference(line))


class LineUpdateSerializer(serializers.Serializer):
    """The fields of a line (services.LINE_FIELDS); what is left out stays as it is."""

    perspective = VisibleRelatedField(perspectives, required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    target = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True, required=False)
    target_low = serializers.DecimalField(
        max_digits=15, decimal_places=2, allow_null=True, required=False, help_text="Target-range indicators: the lowest value that meets it."
    )
    target_high = serializers.DecimalField(
        max_digits=15, decimal_places=2, allow_null=True, required=False, help_text="Target-range indicators: the highest value that meets it."
    )
    method = ScoringMethodField(required=False)
    params = serializers.JSONField(required=False, help_text="Scoring parameters; a new method without them takes its defaults.")
    data_owner = serializers.ChoiceField(choices=DataOwner.choices, required=False)
    rating_mode = serializers.ChoiceField(choices=RatingMode.choices, allow_blank=True, required=False)
    rater_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100), required=False,
        help_text="180° / 360° lines: percent by relation (superior, peer, subordinate, self), adding up to 100; {} for the usual weights.",
    )
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, required=False)
    phasing = serializers.ChoiceField(choices=PhasingMethod.choices, required=False)
    profile = VisibleRelatedField(profiles_visible_to, allow_null=True, required=False)
    phasing_start = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True, required=False)
    month_targets = serializers.ListField(
        child=serializers.DecimalField(max_digits=15, decimal_places=2), required=False,
        help_text="Twelve monthly targets (manual phasing); even and profile phasing work them out.",
    )
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class LineCreateSerializer(LineUpdateSerializer):
    version = VisibleRelatedField(versions_visible_to)
    indicator = VisibleRelatedField(indicators_visible_to)


# ---------------------------------------------------------------------------------------
# Versions


class ScorecardVersionSerializer(serializers.ModelSerializer):
    perspective_weights = serializers.DictField(child=amount(), read_only=True, help_text="Percent by perspective code.")
    veto_ceiling = amount(read_only=True, allow_null=True)
    veto_deduction = amount(read_only=True, allow_null=True)
    is_editable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ScorecardVersion
        fields = [
            "id", "scorecard", "number", "status", "effective_from", "convention", "perspective_weights", "veto_mode",
            "veto_ceiling", "veto_deduction", "front_line", "inspection_deduction", "note", "returned_note", "is_editable",
            "created_by", "created_at", "submitted_by", "submitted_at", "approved_by", "approved_at",
        ]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    line = serializers.IntegerField(allow_null=True, help_text="The line the problem is on; null for the card.")
    perspective = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    incomplete = serializers.BooleanField(help_text="True: a draft may be saved so, but not submitted.")


class ScorecardVersionDetailSerializer(ScorecardVersionSerializer):
    """A version with its lines, what is still wrong with it and each line's weight in the
    total. The lines are read once per version (see `_lines`)."""

    status = VersionStatusField(read_only=True)
    lines = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    effective_weights = serializers.SerializerMethodField(
        help_text="Each line's weight in the card's total (line id -> percent), unrounded."
    )

    class Meta(ScorecardVersionSerializer.Meta):
        fields = [*ScorecardVersionSerializer.Meta.fields, "lines", "problems", "effective_weights"]
        read_only_fields = fields

    def _lines(self, version) -> list[ScorecardLine]:
        cache = self.context.setdefault("_version_lines", {})
        if version.pk not in cache:
            cache[version.pk] = list(with_line_details(version.lines.all()))
        return cache[version.pk]

    @extend_schema_field(ScorecardLineSerializer(many=True))
    def get_lines(self, version):
        return ScorecardLineSerializer(self._lines(version), many=True, context=self.context).data

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, version):
        return [
            {
                "field": problem.field,
                "line": int(problem.line_key) if problem.line_key else None,
                "perspective": problem.perspective,
                "message": services.problem_message(problem),
                "incomplete": problem.incomplete,
            }
            for problem in services.card_problems(version, self._lines(version))
        ]

    @extend_schema_field(serializers.DictField(child=serializers.DecimalField(max_digits=None, decimal_places=None)))
    def get_effective_weights(self, version):
        try:
            weights = card_rules.unrounded_effective_weights(services.rule_card(version, self._lines(version)))
        except card_rules.CardError:
            return {}
        return {key: _text(weight) for key, weight in weights.items()}


class VersionSettingsSerializer(serializers.Serializer):
    """A draft's settings (services.VERSION_FIELDS); what is left out stays as it is."""

    effective_from = serializers.IntegerField(min_value=1, max_value=12, required=False)
    convention = serializers.ChoiceField(choices=WeightConvention.choices, required=False)
    perspective_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False,
        help_text="Percent by perspective code, e.g. {\"financial\": \"40.00\"}; they add up to 100.",
    )
    veto_mode = serializers.ChoiceField(choices=VetoMode.choices, required=False)
    veto_ceiling = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False)
    veto_deduction = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False)
    front_line = serializers.BooleanField(required=False)
    inspection_deduction = serializers.BooleanField(required=False)
    note = serializers.CharField(allow_blank=True, required=False)


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="What should change (required).")


class ApplyWeightingSerializer(serializers.Serializer):
    round = VisibleRelatedField(rounds_visible_to, help_text="A closed expert weighting round.")
    target = serializers.ChoiceField(choices=[("perspectives", "perspectives"), ("lines", "lines")])
    perspective = VisibleRelatedField(
        perspectives, allow_null=True, required=False, default=None,
        help_text="Line rounds: the perspective whose lines the round weighed (none: the whole card).",
    )


# ---------------------------------------------------------------------------------------
# Seasonal profiles and change proposals


class SeasonalProfileSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    shares = serializers.ListField(
        child=serializers.CharField(), help_text="Twelve monthly shares in percent, as decimal strings adding up to 100."
    )

    class Meta:
        model = SeasonalProfile
        fields = ["id", "code", "name_zh", "name_en", "display_name", "shares"]


class ChangeProposalSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(scorecards_visible_to)
    proposed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ChangeProposal
        fields = [
            "id", "scorecard", "text", "status", "proposed_by", "proposed_by_name", "created_at", "answer", "answered_by",
            "answered_at",
        ]
        read_only_fields = ["status", "proposed_by", "created_at", "answer", "answered_by", "answered_at"]
        extra_kwargs = {"text": {"required": False, "allow_blank": True, "default": ""}}

    def get_proposed_by_name(self, proposal) -> str:
        user = proposal.proposed_by
        try:
            return user.employee.display_name
        except ObjectDoesNotExist:  # an administrator without an employee record
            return user.get_username()


class ProposalAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(ProposalStatus.ACCEPTED, "accepted"), (ProposalStatus.DECLINED, "declined")])
    answer = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required when declining.")
