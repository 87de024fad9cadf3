from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organisation.models import ApiScope

from .. import services
from ..selectors import indicators_visible_to
from . import serializers


class CanEditLibrary(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", None) == "evaluate":
            return True
        return request.user.has_perm("indicators.edit_library")


class IndicatorViewSet(viewsets.ModelViewSet):
    """The indicator library. `evaluate` scores given data without saving anything."""

    serializer_class = serializers.IndicatorSerializer
    permission_classes = viewsets.ModelViewSet.permission_classes + [CanEditLibrary]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["perspective", "type", "owner_department", "owner_post", "status", "scoring_method", "direction"]
    search_fields = ["code", "name_zh", "name_en", "definition_zh", "definition_en", "category"]
    ordering_fields = ["code", "name_zh", "name_en"]
    ordering = ["code"]

    @property
    def write_scope(self):
        # Evaluating computes, it changes nothing: a read token may call it.
        return ApiScope.READ if self.action == "evaluate" else None

    def get_queryset(self):
        return indicators_visible_to(self.request.user).prefetch_related("measures")

    def perform_create(self, serializer):
        serializer.instance = services.save_indicator(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_indicator(by=self.request.user, indicator=serializer.instance, **serializer.validated_data)

    @extend_schema(request=serializers.EvaluateRequestSerializer, responses=serializers.EvaluateResponseSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        indicator = self.get_object()
        body = serializers.EvaluateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = services.evaluate_indicator(indicator, **body.validated_data)
        return Response(serializers.EvaluateResponseSerializer(evaluation).data)
