"""The monthly appraisal over the API: periods, forms (with their workflow steps, values
and breakdowns), bulk values and daily inspections.

Reads are scoped by the selectors (a form the caller may not see is a 404). Writes go
through appraisal.services with ``by=request.user``, which decides who may take each step
on each form and who enters each line. HR opens months, flags late forms and records
inspections (checked before the body is read). Tokens: a token with ``write_actuals`` may
enter values (a form's ``values`` and the bulk ``appraisal-values``); no token takes a
workflow step, opens a month or records an inspection.

A step or a save that lost a race answers 409 in the one error body: code ``stale`` when
the form changed since the caller's ``revision``, ``conflict`` when the form's state no
longer allows the step.
"""

from contextlib import contextmanager
from datetime import date

import django_filters
from django import forms as django_forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organisation.models import ApiScope, Department, Employee
from organisation.selectors import departments_visible_to, employees_visible_to

from .. import services
from ..models import Form, FormKind, FormStatus, Inspection, InspectionEntry, Period, Signature, Transition
from ..selectors import forms_visible_to, inspections_visible_to, periods_visible_to
from . import serializers


class AppraisalWrites(permissions.BasePermission):
    """Reads for everyone signed in (what they see is scoped by the selectors). A write
    needs the view's ``write_perm`` for its action (default ``default_write_perm``),
    checked before the object is looked up; None: only the object can tell, and the
    service checks it there."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        perm = view.write_perm.get(getattr(view, "action", None), view.default_write_perm)
        return perm is None or request.user.has_perm(perm)


class Refused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Someone else changed this form first. Reload it and try again.")


@contextmanager
def service_answers():
    """A lost race is a 409 (stale revision, or a state that no longer allows the step);
    a refusal keeps the service's reason (e.g. nobody signs their own form as head)."""
    try:
        yield
    except services.StaleForm as exc:
        raise Refused(" ".join(exc.messages), code="stale") from None
    except services.Conflict as exc:
        raise Refused(" ".join(exc.messages), code="conflict") from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None


class AppraisalApiViewSet(viewsets.GenericViewSet):
    permission_classes = viewsets.GenericViewSet.permission_classes + [AppraisalWrites]
    write_perm: dict[str, str | None] = {}
    default_write_perm: str | None = None
    token_writes: frozenset[str] = frozenset()  # actions a token with write_actuals may call

    @property
    def write_scope(self):
        return ApiScope.WRITE_ACTUALS if getattr(self, "action", None) in self.token_writes else None

    def context(self):
        return self.get_serializer_context()

    def body(self, serializer_class, **kwargs):
        """The request's fields, checked by ``serializer_class`` (400 with field errors)."""
        body = serializer_class(data=self.request.data, context=self.context(), **kwargs)
        body.is_valid(raise_exception=True)
        return body.validated_data


def _visible(selector, model):
    # Filter choices come from what the caller may see, like every other foreign key.
    return lambda request: selector(request.user) if request else model.objects.none()


# ---------------------------------------------------------------------------------------
# Periods


class PeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """The appraisal months, newest first. A retrieved month counts the forms the caller
    may see by status. HR opens a month (a form per person from the approved scorecard in
    force) and, after the deadline, flags the forms not yet with HR as late."""

    http_method_names = ["get", "post", "head", "options"]
    default_write_perm = "appraisal.manage_periods"
    filterset_fields = {"year": ["exact"], "status": ["exact"]}
    ordering_fields = ["year", "month"]
    ordering = ["-year", "-month"]

    def get_queryset(self):
        return periods_visible_to(self.request.user)

    def get_serializer_class(self):
        return serializers.PeriodSerializer if self.action == "list" else serializers.PeriodDetailSerializer

    @extend_schema(request=serializers.PeriodOpenSerializer, responses={201: serializers.PeriodDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Open a month: every person employed in it gets a form (all or nothing)."""
        data = self.body(serializers.PeriodOpenSerializer)
        with service_answers():
            period = services.open_period(by=request.user, year=data["year"], month=data["month"])
        period = self.get_queryset().get(pk=period.pk)
        return Response(serializers.PeriodDetailSerializer(period, context=self.context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.FlagLateResultSerializer)
    @action(detail=True, methods=["post"], url_path="flag-late", url_name="flag-late")
    def flag_late(self, request, pk=None):
        """After the deadline, flag the forms HR has not collected yet."""
        period = self.get_object()
        with service_answers():
            flagged = services.flag_late(by=request.user, period=period)
        return Response(serializers.FlagLateResultSerializer({"flagged": flagged}).data)


# ---------------------------------------------------------------------------------------
# Forms


class FormFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=_visible(periods_visible_to, Period))
    department = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to, Department))
    employee = django_filters.ModelChoiceFilter(queryset=_visible(employees_visible_to, Employee))
    status = django_filters.ChoiceFilter(choices=FormStatus.choices)
    kind = django_filters.ChoiceFilter(choices=FormKind.choices)

    class Meta:
        model = Form
        fields = ["period", "department", "employee", "status", "kind"]


class FormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """Appraisal forms the caller may see: their own, those of the departments they head,
    and for HR, the general manager, the committee, administrators and integrators all.
    The score (total and breakdown) is shown to the person appraised once published, to
    the others as soon as HR has calculated it.

    ``step`` takes a workflow step (sign, submit, return, calculate, approve, publish) as
    the one transition table allows it to the caller on this form; ``values`` enters
    values, each line by whoever supplies it; ``breakdown`` explains the score."""

    http_method_names = ["get", "post", "put", "head", "options"]
    filterset_class = FormFilter
    search_fields = ["employee__employee_number", "employee__name_zh", "employee__name_en"]
    ordering_fields = ["status", "revision"]
    token_writes = frozenset({"values"})

    def get_queryset(self):
        forms = forms_visible_to(self.request.user)
        if self.action == "list":
            return forms
        return forms.prefetch_related(
            "values",
            Prefetch("signatures", queryset=Signature.objects.select_related("user__employee")),
            Prefetch("transitions", queryset=Transition.objects.select_related("by__employee")),
        )

    def get_serializer_class(self):
        return serializers.FormSerializer if self.action == "list" else serializers.FormDetailSerializer

    def _answer(self, form):
        form = self.get_queryset().get(pk=form.pk)
        return Response(serializers.FormDetailSerializer(form, context=self.context()).data)

    @extend_schema(request=serializers.StepSerializer, responses=serializers.FormDetailSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """Take a workflow step. 409 (code stale) when the form changed since ``revision``,
        409 (code conflict) when its state does not allow the step; 403 when the caller
        may not take it on this form."""
        form = self.get_object()
        data = self.body(serializers.StepSerializer)
        with service_answers():
            form = services.take_step(
                by=request.user, form=form, action=data["action"], comment=data["comment"], revision=data["revision"]
            )
        return self._answer(form)

    @extend_schema(request=serializers.FormValuesSerializer, responses=serializers.FormDetailSerializer)
    @action(detail=True, methods=["post", "put"])
    def values(self, request, pk=None):
        """Enter values (line key -> fields; a field left out stays as it is). A change to a
        signed or calculated form voids its signatures and score. All or nothing: errors
        come back under ``values`` by line key."""
        form = self.get_object()
        data = self.body(serializers.FormValuesSerializer)
        with service_answers():
            try:
                form = services.save_values(by=request.user, form=form, values=data["values"], revision=data["revision"])
            except (services.StaleForm, services.Conflict):
                raise
            except DjangoValidationError as exc:
                if hasattr(exc, "error_dict"):
                    raise exceptions.ValidationError({"values": exc.message_dict}) from None
                raise
        return self._answer(form)

    @extend_schema(request=None, responses=serializers.FormBreakdownSerializer)
    @action(detail=True, methods=["get"])
    def breakdown(self, request, pk=None):
        """The stored score explained line by line, and whether the engine re-derives it
        exactly; empty while not calculated, or hidden from the person appraised until
        the form is published."""
        form = self.get_object()
        return Response(serializers.FormBreakdownSerializer(serializers.breakdown_of(request.user, form)).data)


    @extend_schema(request=None, responses=serializers.FormRatingsSerializer)
    @action(detail=True, methods=["get"])
    def ratings(self, request, pk=None):
        """The 180° / 360° groups of the form's rated lines, once the month's ratings are
        closed (small anonymous groups merged upwards; never a single answer)."""
        return Response(serializers.FormRatingsSerializer(serializers.form_ratings(self.get_object())).data)


# ---------------------------------------------------------------------------------------
# Bulk values


class ValueViewSet(AppraisalApiViewSet):
    """Bulk upsert of line values, idempotent by period + employee + line: the same list
    sent twice changes nothing and answers the same. All or nothing: any bad row and
    nothing is saved; the 400 lists each bad row by its index. Integrator tokens with
    ``write_actuals`` and HR enter any line; others the lines they supply on the forms
    they see (appraisal.services.who_enters)."""

    serializer_class = serializers.ValueRowSerializer  # one row (for OPTIONS)
    token_writes = frozenset({"create"})

    @extend_schema(request=serializers.ValueRowSerializer(many=True), responses={200: serializers.BulkResultSerializer})
    def create(self, request, *args, **kwargs):
        rows = request.data
        if not isinstance(rows, list) or not rows:
            raise exceptions.ValidationError({"rows": [_("Send a list of rows.")]})
        forms = upsert_values(request.user, rows, self.context())
        result = {
            "rows": len(rows),
            "forms": [
                {"id": f.pk, "period": f.period_id, "employee": f.employee_id, "kind": f.kind, "status": f.status, "revision": f.revision}
                for f in sorted(forms, key=lambda f: f.pk)
            ],
        }
        return Response(serializers.BulkResultSerializer(result).data)


def _row_errors(errors: dict[int, list[str] | dict]):
    return exceptions.ValidationError({str(index): detail for index, detail in sorted(errors.items())})


def _resolve(user, rows: list[dict]) -> dict[tuple, Form]:
    """The forms the rows name, by (period id, employee id) and (period id, number)."""
    periods = {row["period"] for row in rows}
    ids = {row["employee"] for row in rows if isinstance(row["employee"], int)}
    numbers = {row["employee"] for row in rows if isinstance(row["employee"], str)}
    forms = forms_visible_to(user).filter(period_id__in=periods).filter(Q(employee_id__in=ids) | Q(employee__employee_number__in=numbers))
    found: dict[tuple, list[Form]] = {}
    for form in forms:
        found.setdefault((form.period_id, form.employee_id), []).append(form)
        found.setdefault((form.period_id, form.employee.employee_number), []).append(form)
    return found


def upsert_values(user, data: list, context) -> list[Form]:
    """Check every row, then save them form by form inside one transaction; any error
    rolls everything back and lists the bad rows by index."""
    errors: dict[int, list[str] | dict] = {}
    rows: dict[int, dict] = {}
    for index, item in enumerate(data):
        row = serializers.ValueRowSerializer(data=item, context=context) if isinstance(item, dict) else None
        if row is None:
            errors[index] = [_("Each row is an object.")]
        elif not row.is_valid():
            errors[index] = row.errors
        else:
            rows[index] = row.validated_data
    found = _resolve(user, list(rows.values())) if rows else {}
    planned: dict[int, tuple[Form, dict[str, dict], dict[str, int]]] = {}
    seen: dict[tuple[int, str], int] = {}
    for index, row in rows.items():
        candidates = [form for form in found.get((row["period"], row["employee"]), []) if "kind" not in row or form.kind == row["kind"]]
        on_line = [form for form in candidates if row["line"] in form.snapshot["lines"]]
        if not candidates:
            errors[index] = {"employee": [_("This person has no form in this period that you may see.")]}
            continue
        if not on_line:
            errors[index] = {"line": [_("This line is not on the person's form.")]}
            continue
        if len(on_line) > 1:
            errors[index] = {"kind": [_("Both of this person's forms have this line: say which with kind.")]}
            continue
        form = on_line[0]
        if (form.pk, row["line"]) in seen:
            errors[index] = {"line": [_("This line is already in row %(row)s.") % {"row": seen[form.pk, row["line"]]}]}
            continue
        seen[form.pk, row["line"]] = index
        if "value" not in services.who_enters(form, user, row["line"]):
            errors[index] = {"line": [_("You may not enter this line.")]}
            continue
        fields = {name: row[name] for name in serializers.VALUE_ROW_FIELDS if name in row}
        _form, values, indexes = planned.setdefault(form.pk, (form, {}, {}))
        values[row["line"]] = fields
        indexes[row["line"]] = index
    if errors:
        raise _row_errors(errors)
    saved = []
    with transaction.atomic():
        for form, values, indexes in planned.values():
            try:
                saved.append(services.save_values(by=user, form=form, values=values))
            except DjangoPermissionDenied as exc:
                for index in indexes.values():
                    errors[index] = [str(exc) or _("You may not enter this line.")]
            except DjangoValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for key, messages in exc.message_dict.items():
                        errors[indexes.get(key, min(indexes.values()))] = messages
                else:  # the form no longer takes values
                    for index in indexes.values():
                        errors[index] = exc.messages
        if errors:
            raise _row_errors(errors)  # rolls back the rows already saved
    return saved


# ---------------------------------------------------------------------------------------
# Inspections


class MonthField(django_forms.CharField):
    default_error_messages = {"invalid": gettext_lazy("Give the month as YYYY-MM.")}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise django_forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return queryset.filter(date__year=value.year, date__month=value.month)


class InspectionFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to, Department))
    month = MonthFilter(label="YYYY-MM")

    class Meta:
        model = Inspection
        fields = ["department", "month"]


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AppraisalApiViewSet):
    """Daily BSC inspections: for each person of a department that day, on the record
    (with or without violations) or missing. HR records them (a second record of the same
    department and day replaces the first); department heads read their departments'; HR,
    the general manager, the committee, administrators and integrators read all."""

    http_method_names = ["get", "post", "head", "options"]
    default_write_perm = "appraisal.record_inspections"
    filterset_class = InspectionFilter
    ordering_fields = ["date"]

    def get_queryset(self):
        inspections = inspections_visible_to(self.request.user).select_related("inspector__employee")
        if self.action == "list":
            return inspections.prefetch_related("entries")
        entries = InspectionEntry.objects.select_related("employee").order_by("employee__employee_number")
        return inspections.prefetch_related(Prefetch("entries", queryset=entries))

    def get_serializer_class(self):
        return serializers.InspectionSerializer if self.action == "list" else serializers.InspectionDetailSerializer

    @extend_schema(request=serializers.InspectionRecordSerializer, responses={201: serializers.InspectionDetailSerializer, 200: serializers.InspectionDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Record a department's inspection of a day: 201 when new, 200 when it replaces
        the day's earlier record."""
        data = self.body(serializers.InspectionRecordSerializer)
        department, day = data["department"], data["date"]
        existed = Inspection.objects.filter(date=day, department=department).exists()
        entries = {entry["employee"]: (entry["status"], entry["violations"]) for entry in data["entries"]}
        with service_answers():
            inspection = services.record_inspection(by=request.user, day=day, department=department, entries=entries, note=data["note"])
        inspection = self.get_queryset().get(pk=inspection.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(serializers.InspectionDetailSerializer(inspection, context=self.context()).data, status=code)


__all__ = ["PeriodViewSet", "FormViewSet", "ValueViewSet", "InspectionViewSet"]
