from drf_spectacular.utils import extend_schema
from django.core.exceptions import PermissionDenied
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organisation.models import ApiScope

from .. import rounds, services
from ..selectors import indicators_visible_to
from . import serializers


class CanEditLibrary(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", None) == "evaluate":
            return True
        return request.user.has_perm("indicators.edit_library")


class IndicatorViewSet(viewsets.ModelViewSet):
    """The indicator library. Read: everyone signed in (tokens with `read`); create and
    edit: HR and administrators; indicators are retired, never deleted. `evaluate`
    scores given data without saving anything: any signed-in user or read token."""

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


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Expert weighting rounds. HR and administrators open, invite and close rounds and
    see all of them; an invited expert sees their rounds and answers their own
    invitation. No token may write here."""

    serializer_class = serializers.RoundSerializer

    def get_queryset(self):
        return rounds.rounds_visible_to(self.request.user)

    def check_run(self):
        if not self.request.user.has_perm("indicators.run_weighting"):
            raise PermissionDenied

    def create(self, request, *args, **kwargs):
        self.check_run()  # before validation: a refused caller learns nothing from field errors
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = rounds.open_round(by=self.request.user, name=data["name"], method=data["method"], items=data["items"])

    @extend_schema(request=serializers.InviteSerializer, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        round = self.get_object()
        self.check_run()
        body = serializers.InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rounds.invite_experts(by=request.user, round=round, **body.validated_data)
        return Response(self.get_serializer(round).data)

    @extend_schema(request=serializers.AnswerSerializer, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        round = self.get_object()
        invitation = round.invitations.filter(expert=request.user).first()
        if invitation is None:
            raise PermissionDenied
        body = serializers.AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rounds.submit_answer(by=request.user, invitation=invitation, answer=body.validated_data["answer"])
        return Response(self.get_serializer(round).data)

    @extend_schema(request=None, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        round = self.get_object()
        self.check_run()
        round = rounds.close_round(by=request.user, round=round)
        return Response(self.get_serializer(round).data)
