"""Results over the API: the grade bands (read) and the payroll rows of a month (HR, the
general manager, administrators and integrator tokens with read scope)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets

from appraisal.models import Period
from appraisal.selectors import periods_visible_to
from organisation.rules import is_integrator

from ..models import FormResult, GradeBand


class GradeBandSerializer(serializers.ModelSerializer):
    rules = serializers.SerializerMethodField()

    class Meta:
        model = GradeBand
        fields = ["code", "lower_bound", "coefficient", "rules"]
        read_only_fields = fields

    def get_rules(self, band) -> list[dict]:
        return [{"limit": rule.limit, "percent": format(rule.percent, "f")} for rule in band.rules.all()]


class GradeBandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The grade bands, highest first, with their coefficients and distribution rules."""

    serializer_class = GradeBandSerializer
    pagination_class = None

    def get_queryset(self):
        return GradeBand.objects.prefetch_related("rules")


class PayrollRowSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="form.period.__str__")
    employee_number = serializers.CharField(source="form.employee.employee_number")
    employee_name = serializers.CharField(source="form.employee.display_name")
    department = serializers.CharField(source="form.department.code")
    post = serializers.CharField(source="form.post.code")
    kind = serializers.CharField(source="form.kind")
    score = serializers.DecimalField(source="form.total", max_digits=6, decimal_places=2)
    share = serializers.DecimalField(source="form.share", max_digits=5, decimal_places=4)

    class Meta:
        model = FormResult
        fields = [
            "period", "employee_number", "employee_name", "department", "post", "kind", "score", "grade", "coefficient",
            "department_rank", "company_rank", "base", "share", "pay", "currency",
        ]
        read_only_fields = fields


class PayrollFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(
        field_name="form__period", required=True,
        queryset=lambda request: periods_visible_to(request.user) if request else Period.objects.none(),
    )

    class Meta:
        model = FormResult
        fields = []


class SeesPay(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("results.view_pay") or is_integrator(request.user)


class PayrollViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The payroll rows of a published month (``?period=``): score, grade, coefficient,
    base, share of the month and performance pay per form. Pay is base x coefficient x
    share, rounded half up to cents."""

    serializer_class = PayrollRowSerializer
    filterset_class = PayrollFilter
    ordering = ["form__department__sort_order", "form__employee__employee_number", "form__kind"]

    def get_permissions(self):
        return [*super().get_permissions(), SeesPay()]

    def get_queryset(self):
        return FormResult.objects.select_related("form__period", "form__employee", "form__department", "form__post").order_by(*self.ordering)

    @extend_schema(description="Payroll rows of one month; `period` is required.")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
