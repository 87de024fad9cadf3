"""Scorecards over the API: cards, versions, lines, cascade links, seasonal profiles and
change proposals.

Reads are scoped by the selectors (a card the caller may not see is a 404). Writes go
through scorecards.services with ``by=request.user``; HR and administrators shape cards,
the approver of a card approves or returns it, a department head proposes changes. No
token writes here (``write_scope`` is None): integrators only read.
"""

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organisation.models import Department, Post, Team
from organisation.selectors import departments_visible_to, posts_visible_to, teams_visible_to

from .. import services
from ..models import CascadeLink, Scorecard, ScorecardLine, ScorecardVersion
from ..selectors import (
    links_visible_to,
    lines_visible_to,
    profiles_visible_to,
    proposals_visible_to,
    scorecards_visible_to,
    versions_visible_to,
)
from . import serializers


class CanEditScorecards(permissions.BasePermission):
    """Reads for everyone signed in; writes need `scorecards.edit_scorecards` (HR and
    administrators), checked before the object is looked up. A view's ``write_perm`` names
    another permission for an action, or None when only the object can tell (approving
    the company card or another card; proposing a change to a card one heads): the
    service then checks it on the object."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        perm = getattr(view, "write_perm", {}).get(getattr(view, "action", None), "scorecards.edit_scorecards")
        return perm is None or request.user.has_perm(perm)


class ScorecardApiViewSet(viewsets.GenericViewSet):
    permission_classes = viewsets.GenericViewSet.permission_classes + [CanEditScorecards]
    write_scope = None  # no token writes scorecards
    write_perm: dict[str, str | None] = {}

    def context(self):
        return self.get_serializer_context()

    def body(self, serializer_class, *, partial=False):
        """The request's fields, checked by ``serializer_class`` (400 with field errors)."""
        body = serializer_class(data=self.request.data, partial=partial, context=self.context())
        body.is_valid(raise_exception=True)
        return body.validated_data


def _visible(selector, model):
    # Filter choices come from what the caller may see, like every other foreign key.
    return lambda request: selector(request.user) if request else model.objects.none()


# ---------------------------------------------------------------------------------------
# Scorecards


class ScorecardFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        queryset=_visible(departments_visible_to, Department), method="of_department",
        label="The department's own card and the cards of its teams and posts.",
    )
    team = django_filters.ModelChoiceFilter(queryset=_visible(teams_visible_to, Team))
    post = django_filters.ModelChoiceFilter(queryset=_visible(posts_visible_to, Post))

    class Meta:
        model = Scorecard
        fields = ["year", "level", "department", "team", "post"]

    def of_department(self, queryset, name, value):
        return queryset.filter(Q(department=value) | Q(team__department=value) | Q(post__department=value))


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardApiViewSet):
    """Scorecards of the company, departments, teams and posts by year, as far as the
    caller may see them: everyone the company card; a department head the cards of the
    departments they head (with their teams and posts); an employee the cards of their
    department, team and post; HR, the general manager, the committee and integrators all.
    HR and administrators create, generate, copy and delete cards and start new versions."""

    serializer_class = serializers.ScorecardSerializer
    filterset_class = ScorecardFilter
    http_method_names = ["get", "post", "delete", "head", "options"]
    ordering_fields = ["year", "level"]
    ordering = ["year", "level", "owner_key"]

    def get_queryset(self):
        versions = ScorecardVersion.objects.order_by("number")
        return scorecards_visible_to(self.request.user).prefetch_related(Prefetch("versions", queryset=versions))

    def _answer(self, card, code=status.HTTP_201_CREATED):
        card = self.get_queryset().get(pk=card.pk)
        return Response(serializers.ScorecardSerializer(card, context=self.context()).data, status=code)

    @extend_schema(request=serializers.ScorecardCreateSerializer, responses={201: serializers.ScorecardSerializer})
    def create(self, request, *args, **kwargs):
        """A new card with an empty draft version 1."""
        return self._answer(services.create_scorecard(by=request.user, **self.body(serializers.ScorecardCreateSerializer)))

    def destroy(self, request, *args, **kwargs):
        """Throw away a card that was never submitted."""
        services.delete_scorecard(by=request.user, scorecard=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=serializers.NewVersionSerializer, responses={201: serializers.ScorecardVersionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request, pk=None):
        """A draft copy of the newest approved version, in force from a later month."""
        card = self.get_object()
        version = services.new_version(by=request.user, scorecard=card, **self.body(serializers.NewVersionSerializer))
        version = versions_visible_to(request.user).get(pk=version.pk)
        return Response(serializers.ScorecardVersionDetailSerializer(version, context=self.context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.GenerateDepartmentSerializer, responses={201: serializers.ScorecardSerializer})
    @action(detail=False, methods=["post"], url_path="generate-department", url_name="generate-department")
    def generate_department(self, request):
        """A draft department card from the year's task division matrix."""
        return self._answer(services.generate_department_card(by=request.user, **self.body(serializers.GenerateDepartmentSerializer)))

    @extend_schema(request=serializers.GeneratePostSerializer, responses={201: serializers.ScorecardSerializer})
    @action(detail=False, methods=["post"], url_path="generate-post", url_name="generate-post")
    def generate_post(self, request):
        """A draft post card from its department's card of the year."""
        return self._answer(services.generate_post_card(by=request.user, **self.body(serializers.GeneratePostSerializer)))

    @extend_schema(request=serializers.CopyYearSerializer, responses=serializers.CopyYearResultSerializer)
    @action(detail=False, methods=["post"], url_path="copy-year", url_name="copy-year")
    def copy_year(self, request):
        """Copy every card of a year into another as draft version 1."""
        created, skipped = services.copy_year(by=request.user, **self.body(serializers.CopyYearSerializer))
        result = {"created": len(created), "skipped": len(skipped), "scorecards": [card.pk for card in created]}
        return Response(serializers.CopyYearResultSerializer(result).data)


# ---------------------------------------------------------------------------------------
# Versions


class VersionFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=_visible(scorecards_visible_to, Scorecard))

    class Meta:
        model = ScorecardVersion
        fields = ["scorecard", "status"]


class ScorecardVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardApiViewSet):
    """Versions of the cards the caller may see. A retrieved version carries its lines,
    its problems (a draft with problems cannot be submitted) and each line's weight in the
    total. HR and administrators change and delete drafts, submit them and apply weighting
    rounds; the general manager approves or returns the company card's versions, HR the
    others'. A new version starts from the card (`scorecards/{id}/new-version/`)."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = VersionFilter
    ordering_fields = ["number", "effective_from"]
    ordering = ["scorecard", "number"]
    write_perm = {"approve": None, "return_version": None}

    def get_queryset(self):
        return versions_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ScorecardVersionSerializer
        return serializers.ScorecardVersionDetailSerializer

    def _answer(self, version):
        version = self.get_queryset().get(pk=version.pk)
        return Response(serializers.ScorecardVersionDetailSerializer(version, context=self.context()).data)

    @extend_schema(request=serializers.VersionSettingsSerializer, responses=serializers.ScorecardVersionDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a draft's settings: effective month, weights, policies, note."""
        version = self.get_object()
        settings = self.body(serializers.VersionSettingsSerializer, partial=True)
        return self._answer(services.update_version(by=request.user, version=version, **settings))

    def destroy(self, request, *args, **kwargs):
        """Throw away a draft version (version 1 goes with its card)."""
        services.delete_version(by=request.user, version=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializers.ScorecardVersionDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft without problems for approval."""
        return self._answer(services.submit_version(by=request.user, version=self.get_object()))

    @extend_schema(request=None, responses=serializers.ScorecardVersionDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The general manager approves the company card, HR the other cards."""
        return self._answer(services.approve_version(by=request.user, version=self.get_object()))

    @extend_schema(request=serializers.ReturnSerializer, responses=serializers.ScorecardVersionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_version(self, request, pk=None):
        """The approver sends a submitted version back to draft, saying why."""
        version = self.get_object()
        note = self.body(serializers.ReturnSerializer)["note"]
        return self._answer(services.return_version(by=request.user, version=version, note=note))

    @extend_schema(request=serializers.ApplyWeightingSerializer, responses=serializers.ScorecardVersionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="apply-weighting", url_name="apply-weighting")
    def apply_weighting(self, request, pk=None):
        """Take a draft's perspective or line weights from a closed expert round."""
        version = self.get_object()
        data = self.body(serializers.ApplyWeightingSerializer)
        perspective = data["perspective"].code if data["perspective"] is not None else None
        version = services.apply_weighting_round(
            by=request.user, version=version, round=data["round"], target=data["target"], perspective=perspective
        )
        return self._answer(version)


# ---------------------------------------------------------------------------------------
# Lines and cascade links


class LineFilter(django_filters.FilterSet):
    version = django_filters.ModelChoiceFilter(queryset=_visible(versions_visible_to, ScorecardVersion))

    class Meta:
        model = ScorecardLine
        fields = ["version"]


class ScorecardLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardApiViewSet):
    """Lines of the versions the caller may see, with their monthly targets, quarters and
    upward links. HR and administrators add, change and remove lines of drafts; a new
    line takes its perspective, method and parameters from the indicator library."""

    serializer_class = serializers.ScorecardLineSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = LineFilter
    ordering_fields = ["sort_order", "weight"]

    def get_queryset(self):
        return lines_visible_to(self.request.user)

    def _answer(self, line, code=status.HTTP_200_OK):
        line = self.get_queryset().get(pk=line.pk)
        return Response(serializers.ScorecardLineSerializer(line, context=self.context()).data, status=code)

    @extend_schema(request=serializers.LineCreateSerializer, responses={201: serializers.ScorecardLineSerializer})
    def create(self, request, *args, **kwargs):
        data = dict(self.body(serializers.LineCreateSerializer))
        version = data.pop("version")
        line = services.save_line(by=request.user, version=version, **data)
        return self._answer(line, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.LineUpdateSerializer, responses=serializers.ScorecardLineSerializer)
    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        fields = self.body(serializers.LineUpdateSerializer, partial=True)
        return self._answer(services.save_line(by=request.user, version=line.version, line=line, **fields))

    def destroy(self, request, *args, **kwargs):
        services.delete_line(by=request.user, line=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CascadeLinkFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(queryset=_visible(lines_visible_to, ScorecardLine))
    upper_scorecard = django_filters.ModelChoiceFilter(queryset=_visible(scorecards_visible_to, Scorecard))

    class Meta:
        model = CascadeLink
        fields = ["line", "upper_scorecard"]


class CascadeLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardApiViewSet):
    """A line contributes to a line of the card directly above it (department -> company,
    team or post -> department). HR and administrators link and unlink lines of drafts;
    to change a link, delete it and create another."""

    serializer_class = serializers.CascadeLinkSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_class = CascadeLinkFilter
    ordering_fields = ["id"]
    ordering = ["pk"]

    def get_queryset(self):
        return links_visible_to(self.request.user)

    @extend_schema(responses={201: serializers.CascadeLinkSerializer})
    def create(self, request, *args, **kwargs):
        link = services.link_line(by=request.user, **self.body(serializers.CascadeLinkSerializer))
        link = self.get_queryset().get(pk=link.pk)
        return Response(serializers.CascadeLinkSerializer(link, context=self.context()).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.unlink_line(by=request.user, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------
# Seasonal profiles and change proposals


class SeasonalProfileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScorecardApiViewSet
):
    """Seasonal profiles: twelve monthly shares adding up to 100, for phasing targets.
    Everyone signed in reads them; HR and administrators keep them. Changing a profile
    phases its draft lines again; a profile in use cannot be deleted."""

    serializer_class = serializers.SeasonalProfileSerializer
    ordering_fields = ["code"]
    ordering = ["code"]
    search_fields = ["code", "name_zh", "name_en"]

    def get_queryset(self):
        return profiles_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.save_profile(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_profile(by=self.request.user, profile=serializer.instance, **serializer.validated_data)

    def destroy(self, request, *args, **kwargs):
        services.delete_profile(by=request.user, profile=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardApiViewSet):
    """A department head proposes a change to a card of a department they head; HR and
    administrators accept or decline it (`answer`). Proposals are read with their card."""

    serializer_class = serializers.ChangeProposalSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["scorecard", "status"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]
    write_perm = {"create": None, "answer": "scorecards.answer_proposal"}

    def get_queryset(self):
        return proposals_visible_to(self.request.user)

    @extend_schema(responses={201: serializers.ChangeProposalSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(serializers.ChangeProposalSerializer)
        proposal = services.propose_change(by=request.user, scorecard=data["scorecard"], text=data["text"])
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ProposalAnswerSerializer, responses=serializers.ChangeProposalSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Accept or decline an open proposal (a declined one says why)."""
        proposal = self.get_object()
        data = self.body(serializers.ProposalAnswerSerializer)
        proposal = services.answer_proposal(by=request.user, proposal=proposal, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)


__all__ = [
    "ScorecardViewSet", "ScorecardVersionViewSet", "ScorecardLineViewSet", "CascadeLinkViewSet", "SeasonalProfileViewSet",
    "ChangeProposalViewSet",
]
