from rest_framework import serializers

from organisation.api.fields import VisibleRelatedField
from organisation.selectors import departments_visible_to, posts_visible_to
from strategy.api.serializers import perspectives
from strategy.selectors import measures_visible_to

from ..models import Indicator


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
            "unit", "direction", "formula", "scoring_method", "scoring_params", "status", "measures",
        ]


class EvaluateRequestSerializer(serializers.Serializer):
    inputs = serializers.DictField(child=serializers.DecimalField(max_digits=24, decimal_places=8), required=False, help_text="Named inputs of the indicator's formula.")
    actual = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target_low = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    target_high = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True)
    ratings = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Levels chosen by raters (description method).")


class EvaluateResponseSerializer(serializers.Serializer):
    actual = serializers.DecimalField(max_digits=24, decimal_places=8, allow_null=True, coerce_to_string=True)
    achievement = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True, coerce_to_string=True)
    score = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
