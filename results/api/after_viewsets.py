"""After publication over the API: feedback interviews, appeals and improvement plans.

Reads are scoped like the pages (the person, their head, HR / the GM / administrators for
interviews and plans; the committee and HR for every appeal). Writes go through
results.interviews, results.appeals and results.plans with ``by=request.user``, which
decide who may do what (a refusal keeps its reason); no token writes here.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.api.serializers import MAX_ID
from appraisal.api.viewsets import AppraisalApiViewSet, service_answers
from appraisal.selectors import forms_visible_to
from organisation.models import Employee
from organisation.roles import headed_department_ids
from organisation.rules import is_active_user

from .. import appeals, interviews, plans
from ..models import Appeal, AppealComment, ImprovementPlan, Interview, PlanItem

# ---------------------------------------------------------------------------------------
# Interviews


class InterviewSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="missing, written, half_signed or signed (both, on the current content).")

    class Meta:
        model = Interview
        fields = ["id", "form", "held_on", *interviews.FIELDS, "held_by", "revision", "state"]
        read_only_fields = fields

    def get_state(self, interview) -> str:
        return interviews.state(interview)


class InterviewWriteSerializer(serializers.Serializer):
    form = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    held_on = serializers.DateField()
    revision = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="The revision the caller saw, when changing one.")
    results = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    causes = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    strengths = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    improvements = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    training = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    support = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    actions = serializers.CharField(allow_blank=True, required=False, max_length=4000)


class InterviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """Feedback interviews. POST writes (or changes) one for a published form (its head);
    ``sign`` signs it (the person or the head); a change voids both signatures."""

    serializer_class = InterviewSerializer
    filterset_fields = {"form": ["exact"], "form__period": ["exact"]}
    ordering = ["pk"]

    def get_queryset(self):
        user = self.request.user
        if not is_active_user(user):
            return Interview.objects.none()
        records = Interview.objects.filter(form__in=forms_visible_to(user)).prefetch_related("signatures")
        if user.has_perm("results.view_pay"):
            return records
        return records.filter(Q(form__employee__user=user) | Q(form__department_id__in=headed_department_ids(user)))

    @extend_schema(request=InterviewWriteSerializer, responses={200: InterviewSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(InterviewWriteSerializer)
        form = get_object_or_404(forms_visible_to(request.user), pk=data.pop("form"))
        with service_answers():
            record = interviews.save(by=request.user, form=form, **data)
        return Response(InterviewSerializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=None, responses=InterviewSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        record = self.get_object()
        with service_answers():
            interviews.sign(by=request.user, interview=record)
        return Response(InterviewSerializer(self.get_queryset().get(pk=record.pk)).data)


# ---------------------------------------------------------------------------------------
# Appeals


class AppealCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealComment
        fields = ["by", "text", "at"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    comments = AppealCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "form", "lines", "reason", "status", "filed_at", "deadline", "decision", "decided_by", "decided_at", "comments"]
        read_only_fields = fields


class AppealFileSerializer(serializers.Serializer):
    form = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=4000)
    lines = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class DecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=4000)


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """Appeals against published scores: the person files one within the window; the
    committee asks (``ask``), the head, HR and the committee comment (``comment``), the
    committee decides (``decide``: upheld reopens the form for correction)."""

    serializer_class = AppealSerializer
    filterset_fields = {"status": ["exact"], "form": ["exact"]}
    ordering = ["-filed_at", "-pk"]

    def get_queryset(self):
        if not is_active_user(self.request.user):
            return Appeal.objects.none()
        return appeals.appeals_visible_to(self.request.user).prefetch_related("comments")

    @extend_schema(request=AppealFileSerializer, responses={201: AppealSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(AppealFileSerializer)
        form = get_object_or_404(forms_visible_to(request.user), pk=data["form"])
        with service_answers():
            appeal = appeals.file(by=request.user, form=form, reason=data["reason"], lines=data["lines"])
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data, status=status.HTTP_201_CREATED)

    def _answer(self, appeal):
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data)

    @extend_schema(request=TextSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def ask(self, request, pk=None):
        appeal = self.get_object()
        data = self.body(TextSerializer)
        with service_answers():
            appeals.ask_comments(by=request.user, appeal=appeal, question=data["text"])
        return self._answer(appeal)

    @extend_schema(request=TextSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        appeal = self.get_object()
        data = self.body(TextSerializer)
        with service_answers():
            appeals.comment(by=request.user, appeal=appeal, text=data["text"])
        return self._answer(appeal)

    @extend_schema(request=DecisionSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        appeal = self.get_object()
        data = self.body(DecisionSerializer)
        with service_answers():
            appeals.decide(by=request.user, appeal=appeal, upheld=data["upheld"], decision=data["decision"])
        return self._answer(appeal)


# ---------------------------------------------------------------------------------------
# Improvement plans


class ImprovementItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanItem
        fields = ["id", "line_key", "problem", "action", "owner", "due", "stage", "check_result"]
        read_only_fields = fields


class ImprovementPlanSerializer(serializers.ModelSerializer):
    items = ImprovementItemSerializer(many=True, read_only=True)

    class Meta:
        model = ImprovementPlan
        fields = ["id", "employee", "form", "created_by", "created_at", "items"]
        read_only_fields = fields


class NewImprovementItemSerializer(serializers.Serializer):
    problem = serializers.CharField(max_length=2000)
    action = serializers.CharField(max_length=2000)
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The owner's employee id.")
    due = serializers.DateField()
    line = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class NewImprovementPlanSerializer(serializers.Serializer):
    form = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    items = NewImprovementItemSerializer(many=True)


class NextStageSerializer(serializers.Serializer):
    check_result = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ImprovementPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """Improvement plans (PDCA): made from a form by its head or HR; each item moves plan
    -> do -> check -> act -> done (``POST plan-items/{id}/next/``; leaving "check" needs
    the result of the check)."""

    serializer_class = ImprovementPlanSerializer
    filterset_fields = {"employee": ["exact"]}
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        if not is_active_user(self.request.user):
            return ImprovementPlan.objects.none()
        return plans.plans_visible_to(self.request.user)

    @extend_schema(request=NewImprovementPlanSerializer, responses={201: ImprovementPlanSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(NewImprovementPlanSerializer)
        form = get_object_or_404(forms_visible_to(request.user), pk=data["form"])
        owners = {employee.pk: employee for employee in Employee.objects.filter(pk__in=[item["owner"] for item in data["items"]])}
        items = [
            {"problem": item["problem"], "action": item["action"], "owner": owners.get(item["owner"]), "due": item["due"], "line_key": item["line"]}
            for item in data["items"]
        ]
        with service_answers():
            plan = plans.make(by=request.user, form=form, items=items)
        return Response(ImprovementPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED)


class ImprovementItemViewSet(mixins.RetrieveModelMixin, AppraisalApiViewSet):
    serializer_class = ImprovementItemSerializer

    def get_queryset(self):
        if not is_active_user(self.request.user):
            return PlanItem.objects.none()
        return PlanItem.objects.filter(plan__in=plans.plans_visible_to(self.request.user)).select_related("plan__employee", "owner")

    @extend_schema(request=NextStageSerializer, responses=ImprovementItemSerializer)
    @action(detail=True, methods=["post"], url_path="next", url_name="next")
    def next_stage(self, request, pk=None):
        item = self.get_object()
        data = self.body(NextStageSerializer)
        with service_answers():
            item = plans.move_on(by=request.user, item=item, check_result=data["check_result"])
        return Response(ImprovementItemSerializer(item).data)
