from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..models import Perspective
from ..selectors import assignments_visible_to, links_visible_to, measures_visible_to, objectives_visible_to, plans_visible_to
from . import serializers


class CanEditStrategy(permissions.BasePermission):
    """Reads for everyone signed in; writes for HR and administrators (approval: the GM)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        perm = getattr(view, "write_perm", {}).get(getattr(view, "action", None), "strategy.edit_strategy")
        return request.user.has_perm(perm)


class StrategyViewSet(viewsets.ModelViewSet):
    permission_classes = viewsets.ModelViewSet.permission_classes + [CanEditStrategy]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class PerspectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The four perspectives. HR may rename them or change their order; there are always
    exactly four, so none is created or deleted."""

    permission_classes = viewsets.GenericViewSet.permission_classes + [CanEditStrategy]
    serializer_class = serializers.PerspectiveSerializer
    queryset = Perspective.objects.all()
    pagination_class = None

    def perform_update(self, serializer):
        serializer.instance = services.rename_perspective(by=self.request.user, perspective=serializer.instance, **serializer.validated_data)


class PlanViewSet(StrategyViewSet):
    """Strategy plans by year. Everyone signed in reads them; HR and administrators
    create, edit and delete drafts; only the general manager approves or reopens a plan
    (`approve`, `reopen`). An approved plan and everything in it is frozen."""

    serializer_class = serializers.PlanSerializer
    filterset_fields = ["year", "status"]
    ordering_fields = ["year"]
    ordering = ["-year"]
    write_perm = {"approve": "strategy.approve_plan", "reopen": "strategy.approve_plan"}

    def get_queryset(self):
        return plans_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.save_plan(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_plan(by=self.request.user, plan=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_plan(by=self.request.user, plan=instance)

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """General manager only: approve a draft plan (it then freezes)."""
        plan = services.approve_plan(by=request.user, plan=self.get_object())
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """General manager only: return an approved plan to draft so it can change."""
        plan = services.reopen_plan(by=request.user, plan=self.get_object())
        return Response(self.get_serializer(plan).data)


class ObjectiveViewSet(StrategyViewSet):
    """Strategic objectives in the four perspectives. Read: everyone signed in; write:
    HR and administrators, in draft plans only."""

    serializer_class = serializers.ObjectiveSerializer
    filterset_fields = ["plan", "perspective", "owner_department"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "sort_order"]

    def get_queryset(self):
        return objectives_visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.save_objective(by=self.request.user, plan=data.pop("plan"), **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("plan", None)  # an objective stays in its plan
        obj = serializer.instance
        serializer.instance = services.save_objective(by=self.request.user, plan=obj.plan, objective=obj, **data)

    def perform_destroy(self, instance):
        services.delete_objective(by=self.request.user, objective=instance)


class LinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Cause-and-effect links, from driver (source) to outcome (target). Read: everyone
    signed in; create/delete: HR and administrators, in draft plans. A link that closes a
    loop is refused; one against learning → process → customer → financial is saved
    with a `warning`. To change a link, delete it and create another."""

    permission_classes = viewsets.GenericViewSet.permission_classes + [CanEditStrategy]
    serializer_class = serializers.LinkSerializer
    filterset_fields = ["source", "target", "source__plan"]

    def get_queryset(self):
        return links_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        link, warning = services.link_objectives(by=request.user, **body.validated_data)
        return Response(self.get_serializer(link, context={**self.get_serializer_context(), "warning": warning}).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.unlink_objectives(by=self.request.user, link=instance)


class MeasureViewSet(StrategyViewSet):
    """Strategic measures of objectives. Read: everyone signed in; write: HR and
    administrators, in draft plans only."""

    serializer_class = serializers.MeasureSerializer
    filterset_fields = ["objective", "objective__plan"]
    search_fields = ["code", "name_zh", "name_en"]

    def get_queryset(self):
        return measures_visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.save_measure(by=self.request.user, objective=data.pop("objective"), **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("objective", None)
        measure = serializer.instance
        serializer.instance = services.save_measure(by=self.request.user, objective=measure.objective, measure=measure, **data)

    def perform_destroy(self, instance):
        services.delete_measure(by=self.request.user, measure=instance)


class MatrixCellViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Cells of the task division matrix: a department leads or supports a measure.
    Read: everyone signed in; POST sets a cell (creating or changing it), DELETE empties
    it: HR and administrators, in draft plans only."""

    permission_classes = viewsets.GenericViewSet.permission_classes + [CanEditStrategy]
    serializer_class = serializers.MatrixCellSerializer
    filterset_fields = ["measure", "department", "role", "measure__objective__plan"]

    def get_queryset(self):
        return assignments_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure, department = body.validated_data["measure"], body.validated_data["department"]
        services.set_matrix(by=request.user, plan=measure.objective.plan, cells={(measure.pk, department.pk): body.validated_data["role"]})
        cell = get_object_or_404(self.get_queryset(), measure=measure, department=department)
        return Response(self.get_serializer(cell).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.set_matrix(by=self.request.user, plan=instance.measure.objective.plan, cells={(instance.measure_id, instance.department_id): None})


