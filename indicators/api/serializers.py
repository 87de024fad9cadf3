from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisation.api.fields import VisibleRelatedField
from organisation.selectors import departments_visible_to, posts_visible_to
from strategy.api.serializers import perspectives
from strategy.selectors import measures_visible_to

from organisation.models import User

from ..models import Indicator, PanelGroup, WeightingRound


class IndicatorSerializer(serializers.ModelSerializer):
    perspective = VisibleRelatedField(perspectives)
    owner_department = VisibleRelatedField(departments_visible_to, allow_null=True, required=False)
    owner_post = VisibleRelatedField(posts_visible_to, allow_null=True, required=False)
    measures = VisibleRelatedField(measures_visible_to, many=True, required=False)
    display_name = serializers.CharField(read_only=True)
    scoring_params = serializers.JSONField(required=False, help_text="Parameters of the scoring method; defaults when omitted.")

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name_zh", "name_en", "display_name", "type", "perspective", "category", "definition_zh",
            "definition_en", "purpose", "owner_department", "owner_post", "data_source_zh", "data_source_en", "cycle",
            "unit", "direction", "formula_inputs", "formula", "scoring_method", "scoring_params", "status", "measures",
        ]


class EvaluateRequestSerializer(serializers.Serializer):
    inputs = serializers.DictField(child=serializers.DecimalField(max_digits=24, decimal_places=8), required=False, help_text="Named inputs of the indicator's formula.")
    actual = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target_low = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target_high = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    ratings = serializers.ListField(
        child=serializers.JSONField(), required=False, max_length=1000,
        help_text="Levels chosen by raters (description method): a level, or [level, weight] for a weighted rater or survey answer.",
    )

    def validate_ratings(self, ratings):
        parsed = []
        for rating in ratings:
            if isinstance(rating, int) and not isinstance(rating, bool):
                parsed.append(rating)
            elif isinstance(rating, list) and len(rating) == 2 and isinstance(rating[0], int):
                try:
                    parsed.append((rating[0], Decimal(str(rating[1]))))
                except InvalidOperation:
                    raise serializers.ValidationError("A weight must be a number.") from None
            else:
                raise serializers.ValidationError("Each rating is a level or [level, weight].")
        return parsed


class EvaluateResponseSerializer(serializers.Serializer):
    # Decimal strings as computed: no re-quantising, so no size can overflow a field.
    actual = serializers.CharField(allow_null=True, help_text="Decimal as a string; null for rated indicators without one.")
    achievement = serializers.CharField(allow_null=True, help_text="Percent, 2 places; null when the method has none.")
    score = serializers.CharField(help_text="Out of 100 (up to the cap), 2 places.")


class InvitationSerializer(serializers.Serializer):
    expert = serializers.IntegerField(source="expert_id", read_only=True)
    panel_group = serializers.CharField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)


class RoundSerializer(serializers.ModelSerializer):
    invitations = serializers.SerializerMethodField()

    class Meta:
        model = WeightingRound
        fields = ["id", "name", "method", "items", "status", "created_by", "created_at", "closed_at", "result", "invitations"]
        read_only_fields = ["status", "created_by", "created_at", "closed_at", "result", "invitations"]

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, round):
        # Experts see their own invitation only; HR sees all.
        request = self.context["request"]
        invitations = round.invitations.all()
        if not request.user.has_perm("indicators.run_weighting"):
            invitations = invitations.filter(expert=request.user)
        return InvitationSerializer(invitations, many=True).data


class InviteSerializer(serializers.Serializer):
    experts = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    panel_group = serializers.ChoiceField(choices=PanelGroup.choices)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.DictField(
        child=serializers.CharField(),
        help_text="Points per item key (points method), or 'i,j' -> how much item i matters more than item j (AHP, 1/9..9).",
    )
