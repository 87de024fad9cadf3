"""180° / 360° ratings over the API (appraisal.ratings does the work).

``rating-requests``: a rater lists and answers their own; HR lists every request of the
months and a head those of the forms they sign, with who rates whom and whether they have
answered, never the answer (unless the month lets HR see answers, HR only). HR or the head
assigns and removes raters. Month actions (HR): assign the usual raters, remind, close.
``appraisal-forms/{id}/ratings``: the groups a form shows once the ratings are closed.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from organisation.models import Employee
from organisation.roles import headed_department_ids
from organisation.rules import is_active_user

from .. import ratings
from ..models import RatingRequest, Relation
from ..selectors import forms_visible_to, periods_visible_to
from .serializers import MAX_ID
from .viewsets import AppraisalApiViewSet, service_answers


class RatingRequestSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="form.period_id", read_only=True)
    ratee_number = serializers.CharField(source="form.employee.employee_number", read_only=True)
    ratee_name = serializers.CharField(source="form.employee.display_name", read_only=True)
    line = serializers.CharField(source="line_key", read_only=True)
    rater_number = serializers.CharField(source="rater.employee_number", read_only=True)
    rater_name = serializers.CharField(source="rater.display_name", read_only=True)
    answered = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField(help_text="The answer: to the rater, and to HR only where the month allows it.")
    comment = serializers.SerializerMethodField()
    open = serializers.SerializerMethodField(help_text="Whether the answer may still change.")

    class Meta:
        model = RatingRequest
        fields = [
            "id", "form", "period", "ratee_number", "ratee_name", "line", "relation", "rater", "rater_number", "rater_name",
            "answered", "level", "comment", "open",
        ]
        read_only_fields = fields

    def _shows_answer(self, item) -> bool:
        user = self.context["request"].user
        if item.rater.user_id == user.pk:
            return True
        return user.has_perm("appraisal.manage_periods") and ratings.rules_of(item.form.period)[1]

    def get_answered(self, item) -> bool:
        return item.level is not None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_level(self, item):
        return item.level if self._shows_answer(item) else None

    def get_comment(self, item) -> str:
        return item.comment if self._shows_answer(item) else ""

    def get_open(self, item) -> bool:
        return item.form.period.ratings_closed_at is None and item.form.status == "draft"


class AssignSerializer(serializers.Serializer):
    form = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    line = serializers.CharField(max_length=40)
    rater = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The rater's employee id.")
    relation = serializers.ChoiceField(choices=Relation.choices)


class RatingAnswerSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=7, help_text="7 very good … 1 very poor.")
    comment = serializers.CharField(allow_blank=True, max_length=2000, required=False, default="")


class MonthSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MonthResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Requests added (usual), raters reminded (remind), or 0 (close).")
    ratings_closed_at = serializers.DateTimeField(allow_null=True)


class RatingRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, AppraisalApiViewSet):
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_fields = {"form": ["exact"], "form__period": ["exact"], "relation": ["exact"]}
    ordering = ["pk"]

    def get_queryset(self):
        user = self.request.user
        if not is_active_user(user):
            return RatingRequest.objects.none()
        scope = Q(rater__user=user)
        if user.has_perm("appraisal.manage_periods"):
            scope |= ~Q(form__employee__user=user)
        headed = headed_department_ids(user)
        if headed:
            scope |= Q(form__department_id__in=headed) & ~Q(form__employee__user=user)
        return RatingRequest.objects.filter(scope).select_related("form__period", "form__employee", "rater")

    def get_serializer_class(self):
        return RatingRequestSerializer

    @extend_schema(request=AssignSerializer, responses={201: RatingRequestSerializer})
    def create(self, request, *args, **kwargs):
        """Assign a rater (HR, or a head for a form they sign)."""
        data = self.body(AssignSerializer)
        form = get_object_or_404(forms_visible_to(request.user), pk=data["form"])
        rater = get_object_or_404(Employee.objects.all(), pk=data["rater"])
        with service_answers():
            item = ratings.assign(by=request.user, form=form, line_key=data["line"], rater=rater, relation=data["relation"])
        item = self.get_queryset().get(pk=item.pk)
        return Response(RatingRequestSerializer(item, context=self.context()).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Remove a rater (and their answer) while the ratings are open."""
        item = self.get_object()
        with service_answers():
            ratings.unassign(by=request.user, request=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RatingAnswerSerializer, responses=RatingRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The rater answers (or changes their answer) until the month's ratings close."""
        item = self.get_object()
        data = self.body(RatingAnswerSerializer)
        with service_answers():
            ratings.answer(by=request.user, request=item, level=data["level"], comment=data["comment"])
        return Response(RatingRequestSerializer(self.get_queryset().get(pk=item.pk), context=self.context()).data)

    def _month(self, call):
        data = self.body(MonthSerializer)
        period = get_object_or_404(periods_visible_to(self.request.user), pk=data["period"])
        with service_answers():
            count = call(period) or 0
        period.refresh_from_db()
        return Response(MonthResultSerializer({"count": count, "ratings_closed_at": period.ratings_closed_at}).data)

    @extend_schema(request=MonthSerializer, responses=MonthResultSerializer)
    @action(detail=False, methods=["post"], url_path="assign-usual", url_name="assign-usual")
    def assign_usual(self, request):
        """HR: the usual raters for every rated line of the month's draft forms."""
        return self._month(lambda period: ratings.assign_usual(by=request.user, period=period))

    @extend_schema(request=MonthSerializer, responses=MonthResultSerializer)
    @action(detail=False, methods=["post"])
    def remind(self, request):
        """HR: one reminder to each rater with answers still to give."""
        return self._month(lambda period: ratings.remind(by=request.user, period=period))

    @extend_schema(request=MonthSerializer, responses=MonthResultSerializer)
    @action(detail=False, methods=["post"])
    def close(self, request):
        """HR: close the month's ratings; forms then show their groups and may be signed."""
        return self._month(lambda period: ratings.close_ratings(by=request.user, period=period) and 0)
