from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..selectors import (
    departments_visible_to,
    employees_visible_to,
    posts_visible_to,
    teams_visible_to,
)
from . import filters, serializers
from .permissions import CanManageOrganisation


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Read for every signed-in user; writes for HR and administrators, through a service.
    Nothing is deleted: departments, teams and posts are deactivated instead."""

    permission_classes = viewsets.GenericViewSet.permission_classes + [CanManageOrganisation]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "name_zh", "name_en"]
    ordering = ["code"]
    save_service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).save_service(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        field = serializer.Meta.model._meta.model_name
        serializer.instance = type(self).save_service(
            by=self.request.user, **{field: serializer.instance}, **serializer.validated_data
        )


class DepartmentViewSet(OrganisationViewSet):
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["code", "name_zh", "name_en", "sort_order"]
    ordering = ["sort_order", "code"]
    save_service = services.save_department

    def get_queryset(self):
        return departments_visible_to(self.request.user)

    @extend_schema(request=serializers.DepartmentHeadSerializer, responses=serializers.DepartmentSerializer)
    @action(detail=True, methods=["post"], url_path="set-head")
    def set_head(self, request, pk=None):
        department = self.get_object()
        body = serializers.DepartmentHeadSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        department = services.set_department_head(by=request.user, department=department, head=body.validated_data["head"])
        return Response(serializers.DepartmentSerializer(department, context=self.get_serializer_context()).data)


class TeamViewSet(OrganisationViewSet):
    serializer_class = serializers.TeamSerializer
    filterset_class = filters.TeamFilter
    save_service = services.save_team

    def get_queryset(self):
        return teams_visible_to(self.request.user)


class PostViewSet(OrganisationViewSet):
    serializer_class = serializers.PostSerializer
    filterset_class = filters.PostFilter
    save_service = services.save_post

    def get_queryset(self):
        return posts_visible_to(self.request.user)


class EmployeeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Employees the caller may see. Moves and departures are explicit actions so the
    history of where someone worked stays intact."""

    permission_classes = viewsets.GenericViewSet.permission_classes + [CanManageOrganisation]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_class = filters.EmployeeFilter
    search_fields = ["employee_number", "name_zh", "name_en", "user__username"]
    ordering_fields = ["employee_number", "name_zh", "name_en", "hire_date"]
    ordering = ["employee_number"]

    def get_queryset(self):
        return employees_visible_to(self.request.user)

    def get_serializer_class(self):
        return {
            "create": serializers.EmployeeCreateSerializer,
            "update": serializers.EmployeeUpdateSerializer,
            "partial_update": serializers.EmployeeUpdateSerializer,
            "move": serializers.EmployeeMoveSerializer,
            "deactivate": serializers.EmployeeDeactivateSerializer,
        }.get(self.action, serializers.EmployeeSerializer)

    def _answer(self, employee, code=status.HTTP_200_OK):
        return Response(serializers.EmployeeSerializer(employee, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={201: serializers.EmployeeSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        employee = services.create_employee(by=request.user, **body.validated_data)
        return self._answer(employee, status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.EmployeeSerializer)
    def update(self, request, *args, **kwargs):
        employee = self.get_object()
        body = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        return self._answer(services.update_employee(by=request.user, employee=employee, **body.validated_data))

    @extend_schema(responses=serializers.EmployeeSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        employee = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.move_employee(by=request.user, employee=employee, **body.validated_data))

    @extend_schema(responses=serializers.EmployeeSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        employee = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.deactivate_employee(by=request.user, employee=employee, **body.validated_data))


class MeView(APIView):
    """The caller: account, roles, the departments they head and their employee record."""

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        return Response(serializers.MeSerializer(request.user).data)


__all__ = ["DepartmentViewSet", "TeamViewSet", "PostViewSet", "EmployeeViewSet", "MeView"]
