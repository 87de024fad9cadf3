from rest_framework import serializers

from organisation.api.fields import VisibleRelatedField
from organisation.selectors import departments_visible_to

from ..models import Measure, Objective, ObjectiveLink, Perspective, StrategyPlan, TaskAssignment
from ..selectors import measures_visible_to, objectives_visible_to, plans_visible_to


def perspectives(user):
    return Perspective.objects.all()


class PerspectiveSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Perspective
        fields = ["id", "code", "name_zh", "name_en", "display_name", "sort_order"]
        read_only_fields = ["id", "code", "display_name", "sort_order"]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategyPlan
        fields = ["id", "year", "vision", "mission", "values", "status", "approved_by", "approved_at"]
        read_only_fields = ["status", "approved_by", "approved_at"]


class ObjectiveSerializer(serializers.ModelSerializer):
    plan = VisibleRelatedField(plans_visible_to)
    perspective = VisibleRelatedField(perspectives)
    owner_department = VisibleRelatedField(departments_visible_to, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "plan", "perspective", "code", "name_zh", "name_en", "display_name", "description", "owner_department", "sort_order"]


class LinkSerializer(serializers.ModelSerializer):
    source = VisibleRelatedField(objectives_visible_to)
    target = VisibleRelatedField(objectives_visible_to)
    against_direction = serializers.BooleanField(read_only=True)
    warning = serializers.SerializerMethodField()

    class Meta:
        model = ObjectiveLink
        fields = ["id", "source", "target", "against_direction", "warning"]

    def get_warning(self, link) -> str | None:
        return self.context.get("warning")


class MeasureSerializer(serializers.ModelSerializer):
    objective = VisibleRelatedField(objectives_visible_to)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "objective", "code", "name_zh", "name_en", "display_name", "description", "sort_order"]


class MatrixCellSerializer(serializers.ModelSerializer):
    measure = VisibleRelatedField(measures_visible_to)
    department = VisibleRelatedField(departments_visible_to)

    class Meta:
        model = TaskAssignment
        fields = ["id", "measure", "department", "role"]
        validators = []  # one cell per measure and department: writing an existing cell updates it
