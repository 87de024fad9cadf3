"""API shapes of the monthly appraisal. Reads show what the selectors give (a score only to
those who may see it); writes are plain inputs handed to a service, which holds every rule
(nothing here sets a status, a revision or a signature). Decimals travel as strings."""


from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bsc_site.numbers import plain
from organisation.api.fields import VisibleRelatedField
from organisation.selectors import departments_visible_to

from .. import services, workflow
from ..models import EntryStatus, Form, FormKind, FormStatus, Inspection, Period, PeriodStatus, Relation, SignatureRole
from ..selectors import forms_visible_to

# ---------------------------------------------------------------------------------------
# Choice fields with one named enum component each


class NamedChoiceField(serializers.ChoiceField):
    """A choice set under its own enum component (``enum_name``), whatever the field is
    called: form states appear as ``status``, ``from_status`` and ``to_status`` and stay one
    enum, and another app's ``status`` never collides with them."""

    choices_class = None
    enum_name = ""

    def __init__(self, **kwargs):
        super().__init__(choices=self.choices_class.choices, **kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(serializers.ChoiceField(choices=field.choices_class.choices))
        schema.pop("x-spec-enum-id", None)
        schema["description"] = "\n".join(f"* `{value}` - {label}" for value, label in field.choices_class.choices)
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA, schema=schema, object=field.enum_name)
        auto_schema.registry.register_on_missing(component)
        return component.ref


class FormStatusField(NamedChoiceField):
    choices_class = FormStatus
    enum_name = "AppraisalFormStatusEnum"


class FormKindField(NamedChoiceField):
    choices_class = FormKind
    enum_name = "AppraisalFormKindEnum"


class PeriodStatusField(NamedChoiceField):
    choices_class = PeriodStatus
    enum_name = "AppraisalPeriodStatusEnum"


class SignatureRoleField(NamedChoiceField):
    choices_class = SignatureRole
    enum_name = "SignatureRoleEnum"


class EntryStatusField(NamedChoiceField):
    choices_class = EntryStatus
    enum_name = "InspectionEntryStatusEnum"


class _StepActions:
    choices = [(action.value, action.value.replace("_", " ")) for action in workflow.Action]


class StepActionField(NamedChoiceField):
    choices_class = _StepActions
    enum_name = "AppraisalStepEnum"


def _decimal(**kwargs):
    """A number stored as text, shown as it is stored (no digit limit on the way out)."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)




def _name(user) -> str:
    """A user's name as the forms show it: their employee name, or the account name."""
    if user is None:
        return ""
    try:
        return user.employee.display_name
    except ObjectDoesNotExist:
        return user.get_username()




# ---------------------------------------------------------------------------------------
# Periods


class PeriodSerializer(serializers.ModelSerializer):
    status = PeriodStatusField(read_only=True)
    label = serializers.SerializerMethodField(help_text="YYYY-MM")

    class Meta:
        model = Period
        fields = ["id", "year", "month", "label", "deadline", "status", "opened_by", "opened_at"]
        read_only_fields = fields

    def get_label(self, period) -> str:
        return str(period)


class PeriodDetailSerializer(PeriodSerializer):
    forms = serializers.SerializerMethodField(help_text="Forms of the month the caller may see.")
    form_counts = serializers.SerializerMethodField(help_text="Those forms by status (every status, 0 included).")
    late = serializers.SerializerMethodField(help_text="Those forms flagged late.")

    class Meta(PeriodSerializer.Meta):
        fields = [*PeriodSerializer.Meta.fields, "forms", "form_counts", "late"]
        read_only_fields = fields

    def _counts(self, period) -> dict:
        cache = self.context.setdefault("_period_counts", {})
        if period.pk not in cache:
            forms = forms_visible_to(self.context["request"].user).filter(period=period).order_by()
            counts = {value: 0 for value, _label in FormStatus.choices}
            late = 0
            for row in forms.values("status", "is_late").annotate(n=Count("pk")):
                counts[row["status"]] += row["n"]
                late += row["n"] if row["is_late"] else 0
            cache[period.pk] = (counts, late)
        return cache[period.pk]

    def get_forms(self, period) -> int:
        return sum(self._counts(period)[0].values())

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_form_counts(self, period):
        return self._counts(period)[0]

    def get_late(self, period) -> int:
        return self._counts(period)[1]


class PeriodOpenSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)


class FlagLateResultSerializer(serializers.Serializer):
    flagged = serializers.IntegerField(help_text="Forms newly flagged late.")


# ---------------------------------------------------------------------------------------
# Forms


class FormSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.__str__", read_only=True)
    employee_number = serializers.CharField(source="employee.employee_number", read_only=True)
    employee_name = serializers.CharField(source="employee.display_name", read_only=True)
    department_name = serializers.CharField(source="department.display_name", read_only=True)
    post_name = serializers.CharField(source="post.display_name", read_only=True)
    kind = FormKindField(read_only=True)
    status = FormStatusField(read_only=True)
    share = serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True)
    score_visible = serializers.SerializerMethodField(
        help_text="Whether the caller sees the score: the person appraised once it is published, others with the form always."
    )
    total = serializers.SerializerMethodField(help_text="The calculated score; null until calculated or while hidden from the caller.")

    class Meta:
        model = Form
        fields = [
            "id", "period", "period_label", "employee", "employee_number", "employee_name", "kind", "department",
            "department_name", "post", "post_name", "status", "revision", "share", "is_late", "score_visible", "total", "created_at",
        ]
        read_only_fields = fields

    def _visible(self, form) -> bool:
        return services.score_visible(self.context["request"].user, form)

    def get_score_visible(self, form) -> bool:
        return self._visible(form)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_total(self, form):
        return None if form.total is None or not self._visible(form) else format(form.total, "f")


class FormLineSerializer(serializers.Serializer):
    """A line of the frozen card with this month's target and what was entered."""

    key = serializers.CharField()
    indicator_code = serializers.CharField()
    indicator_type = serializers.CharField()
    name = serializers.CharField(help_text="In the caller's language.")
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    unit = serializers.CharField()
    perspective = serializers.CharField()
    weight = _decimal(help_text="The line's percentage of the total.")
    method = serializers.CharField()
    direction = serializers.CharField()
    target = _decimal(allow_null=True, help_text="This month's target.")
    target_low = _decimal(allow_null=True)
    target_high = _decimal(allow_null=True)
    annual_target = _decimal(allow_null=True)
    data_owner = serializers.CharField(help_text="Who supplies the actual: hr, finance, department, employee or raters.")
    rating_mode = serializers.CharField()
    formula_inputs = serializers.ListField(child=serializers.CharField(), help_text="Named inputs the actual is computed from.")
    actual = _decimal(allow_null=True)
    inputs = serializers.DictField(child=_decimal())
    ratings = serializers.ListField(child=serializers.IntegerField())
    not_applicable = serializers.BooleanField()
    self_assessment = serializers.CharField()
    remark = serializers.CharField()
    entered_by = serializers.IntegerField(allow_null=True)
    entered_at = serializers.DateTimeField(allow_null=True)
    can_enter = serializers.ListField(
        child=serializers.ChoiceField(choices=[("value", "value"), ("self", "self")]),
        help_text="What the caller may enter now: value (actual, inputs, ratings, N/A, remark), self (self-assessment).",
    )


class SignatureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = SignatureRoleField()
    user = serializers.IntegerField(source="user_id")
    user_name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField()
    valid = serializers.BooleanField(help_text="Not voided, and the form still has the content signed.")


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="A workflow step, or values_changed.")
    from_status = FormStatusField()
    to_status = FormStatusField()
    by = serializers.IntegerField(source="by_id")
    by_name = serializers.CharField()
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class BreakdownLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    indicator_code = serializers.CharField()
    indicator_type = serializers.CharField()
    perspective = serializers.CharField()
    weight = _decimal()
    actual = _decimal(allow_null=True)
    achievement = _decimal(allow_null=True)
    score = _decimal(allow_null=True, help_text="Null: not scored (not applicable).")
    contribution = _decimal(help_text="Points the line adds to the total.")
    not_applicable = serializers.BooleanField()
    failed = serializers.BooleanField(allow_null=True, help_text="NNI lines only.")


class BreakdownPerspectiveSerializer(serializers.Serializer):
    code = serializers.CharField()
    weight = _decimal()
    subtotal = _decimal()
    deduction = _decimal()
    subtotal_after = _decimal()


class BreakdownInspectionItemSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The inspection's date.")
    missing = serializers.IntegerField()
    points = _decimal()


class BreakdownInspectionSerializer(serializers.Serializer):
    points_per_missing = _decimal()
    requested = _decimal()
    applied = _decimal(help_text="No more than the internal-process perspective contributed.")
    items = BreakdownInspectionItemSerializer(many=True)


class BreakdownVetoSerializer(serializers.Serializer):
    failed = serializers.ListField(child=serializers.CharField())
    mode = serializers.CharField()
    ceiling = _decimal(allow_null=True)
    deduction = _decimal(allow_null=True)
    total_before = _decimal()
    total_after = _decimal()


class BreakdownFrontLineSerializer(serializers.Serializer):
    financial_score = _decimal(allow_null=True)
    bsc_total = _decimal()


class BreakdownSerializer(serializers.Serializer):
    """The stored calculation (calculation.Breakdown.to_dict), figures rounded to two places."""

    engine_version = serializers.CharField()
    policy = serializers.CharField()
    lines = BreakdownLineSerializer(many=True)
    perspectives = BreakdownPerspectiveSerializer(many=True)
    subtotal = _decimal()
    inspection = BreakdownInspectionSerializer(allow_null=True)
    veto = BreakdownVetoSerializer(allow_null=True)
    front_line = BreakdownFrontLineSerializer(allow_null=True)
    total = _decimal()


class FormDetailSerializer(FormSerializer):
    """A form with its lines, values, signatures, history, the steps the caller may take
    and, for those who may see it, the breakdown."""

    scorecard_version = serializers.IntegerField(source="scorecard_version_id", read_only=True)
    lines = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField(help_text="The form's history, oldest first.")
    available_steps = serializers.SerializerMethodField(help_text="The steps the caller may take now (POST them to step/).")
    breakdown = serializers.SerializerMethodField()

    class Meta(FormSerializer.Meta):
        fields = [
            *FormSerializer.Meta.fields, "scorecard_version", "engine_version", "calculated_by", "calculated_at",
            "approved_by", "approved_at", "lines", "signatures", "transitions", "available_steps", "breakdown",
        ]
        read_only_fields = fields

    @extend_schema_field(FormLineSerializer(many=True))
    def get_lines(self, form):
        user = self.context["request"].user
        values = {value.line_key: value for value in form.values.all()}
        chinese = (get_language() or "").startswith("zh")
        editable = workflow.values_editable(form.status)
        rows = []
        for line in form.snapshot["calculation"]["lines"]:
            key = line["key"]
            info = form.snapshot["lines"].get(key, {})
            value = values.get(key)
            name_en, name_zh = info.get("name_en") or "", info.get("name_zh") or ""
            rows.append({
                "key": key, "indicator_code": line["indicator_code"], "indicator_type": line["indicator_type"],
                "name": (name_zh if chinese else name_en) or name_en or name_zh or key, "name_en": name_en, "name_zh": name_zh,
                "unit": info.get("unit") or "", "perspective": line["perspective"], "weight": line["effective_weight"],
                "method": line["method"], "direction": line["direction"], "target": line["target"],
                "target_low": line["target_low"], "target_high": line["target_high"], "annual_target": info.get("annual_target"),
                "data_owner": info.get("data_owner") or "", "rating_mode": info.get("rating_mode") or "",
                "formula_inputs": info.get("inputs") or [],
                "actual": plain(value.actual) if value else None,
                "inputs": dict(value.inputs or {}) if value else {},
                "ratings": list(value.ratings or []) if value else [],
                "not_applicable": value.not_applicable if value else False,
                "self_assessment": value.self_assessment if value else "",
                "remark": value.remark if value else "",
                "entered_by": value.entered_by_id if value else None,
                "entered_at": serializers.DateTimeField().to_representation(value.entered_at) if value else None,
                "can_enter": sorted(services.who_enters(form, user, key)) if editable else [],
            })
        return rows

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, form):
        signatures = list(form.signatures.all())
        valid = services.signatures_valid(form) if any(s.voided_at is None for s in signatures) else {}
        for signature in signatures:
            signature.user_name = _name(signature.user)
            signature.valid = signature.voided_at is None and valid.get(signature.role, False)
        return SignatureSerializer(signatures, many=True).data

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, form):
        transitions = list(form.transitions.all())
        for transition in transitions:
            transition.by_name = _name(transition.by)
        return TransitionSerializer(transitions, many=True).data

    @extend_schema_field(serializers.ListField(child=StepActionField()))
    def get_available_steps(self, form):
        user = self.context["request"].user
        return [step.action.value for step in services.steps_for(user, form)]

    @extend_schema_field(BreakdownSerializer(allow_null=True))
    def get_breakdown(self, form):
        return form.breakdown if form.breakdown is not None and self._visible(form) else None


class FormBreakdownSerializer(serializers.Serializer):
    """A form's score explained, for those who may see it."""

    form = serializers.IntegerField()
    status = FormStatusField()
    score_visible = serializers.BooleanField()
    calculated = serializers.BooleanField(help_text="Whether HR has calculated the form (the score may still be hidden).")
    engine_version = serializers.CharField(help_text="The calculation engine that produced the breakdown.")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    breakdown = BreakdownSerializer(allow_null=True)
    rederives = serializers.BooleanField(
        allow_null=True, help_text="Whether the engine gives exactly the stored breakdown again from the stored snapshot and values."
    )


def breakdown_of(user, form: Form) -> dict:
    visible = services.score_visible(user, form)
    shown = visible and form.breakdown is not None
    return {
        "form": form.pk, "status": form.status, "score_visible": visible, "calculated": form.breakdown is not None,
        "engine_version": form.engine_version if shown else "", "total": form.total if shown else None,
        "breakdown": form.breakdown if shown else None, "rederives": services.rederive(form) if shown else None,
    }


class StepSerializer(serializers.Serializer):
    action = StepActionField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to send a form back.")
    revision = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="The revision the caller saw; a form changed since is refused with 409 (code stale).",
    )


class LineValueSerializer(serializers.Serializer):
    """What to enter on one line; a field left out stays as it is."""

    actual = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True, required=False)
    inputs = serializers.DictField(
        child=_decimal(allow_null=True), required=False, help_text="Formula inputs by name, for lines computed by a formula."
    )
    ratings = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, help_text="Rating levels.")
    not_applicable = serializers.BooleanField(required=False)
    remark = serializers.CharField(allow_blank=True, max_length=2000, required=False)
    self_assessment = serializers.CharField(allow_blank=True, max_length=4000, required=False)


class FormValuesSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, help_text="The revision the caller saw; a form changed since is refused with 409 (code stale).")
    values = serializers.DictField(child=LineValueSerializer(), help_text="Line key (indicator code) -> its fields.")


# ---------------------------------------------------------------------------------------
# Bulk values


MAX_ID = 2**31 - 1  # the largest id a database integer column holds


class EmployeeRefField(serializers.Field):
    """An employee by id (a JSON number) or by employee number (a JSON string)."""

    default_error_messages = {"invalid": gettext_lazy("Give the employee's id (a number) or employee number (a string).")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or (isinstance(data, str) and not data.strip()):
            self.fail("invalid")
        if isinstance(data, int) and not 1 <= data <= MAX_ID:
            self.fail("invalid")
        return data.strip()[:20] if isinstance(data, str) else data

    def to_representation(self, value):
        return value


class EmployeeRefFieldSchema(OpenApiSerializerFieldExtension):
    target_class = EmployeeRefField

    def map_serializer_field(self, auto_schema, direction):
        return {"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "Employee id (number) or employee number (string)."}


VALUE_ROW_FIELDS = ("actual", "inputs", "ratings", "not_applicable", "remark")


class ValueRowSerializer(serializers.Serializer):
    """One line of one person's form in a month; the fields sent replace what is there."""

    period = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    employee = EmployeeRefField()
    line = serializers.CharField(max_length=40, help_text="The line's key: its indicator code.")
    kind = FormKindField(required=False, help_text="Only when both of a department head's forms have the line.")
    actual = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True, required=False)
    inputs = serializers.DictField(child=_decimal(allow_null=True), required=False)
    ratings = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False)
    not_applicable = serializers.BooleanField(required=False)
    remark = serializers.CharField(allow_blank=True, max_length=2000, required=False)

    def validate(self, attrs):
        if not any(name in attrs for name in VALUE_ROW_FIELDS):
            raise serializers.ValidationError(_("Send an actual, formula inputs, ratings or not_applicable."))
        return attrs


class BulkFormSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField()
    employee = serializers.IntegerField()
    kind = FormKindField()
    status = FormStatusField()
    revision = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows received.")
    forms = BulkFormSerializer(many=True, help_text="The forms the rows are on, as they are now.")


# ---------------------------------------------------------------------------------------
# Inspections


class InspectionSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.display_name", read_only=True)
    inspector_name = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField(help_text="People on the record.")
    missing = serializers.SerializerMethodField(help_text="People missing from the department's record.")
    violations = serializers.SerializerMethodField(help_text="People on the record with violations.")

    class Meta:
        model = Inspection
        fields = ["id", "date", "department", "department_name", "inspector", "inspector_name", "note", "created_at", "people", "missing", "violations"]
        read_only_fields = fields

    def get_inspector_name(self, inspection) -> str:
        return _name(inspection.inspector)

    def get_people(self, inspection) -> int:
        return len(inspection.entries.all())

    def get_missing(self, inspection) -> int:
        return sum(1 for entry in inspection.entries.all() if entry.status == EntryStatus.MISSING)

    def get_violations(self, inspection) -> int:
        return sum(1 for entry in inspection.entries.all() if entry.status == EntryStatus.VIOLATION)


class InspectionEntrySerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="employee_id")
    employee_number = serializers.CharField(source="employee.employee_number")
    employee_name = serializers.CharField(source="employee.display_name")
    status = EntryStatusField()
    violations = serializers.CharField()


class InspectionDetailSerializer(InspectionSerializer):
    entries = InspectionEntrySerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "entries"]
        read_only_fields = fields


class InspectionEntryInputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(min_value=1)
    status = EntryStatusField()
    violations = serializers.CharField(allow_blank=True, required=False, default="", help_text="Required with status violation.")


class InspectionRecordSerializer(serializers.Serializer):
    """A department's record on a day; it replaces any earlier record of that day. Everyone
    of the department left out of ``entries`` is missing from the record."""

    date = serializers.DateField()
    department = VisibleRelatedField(departments_visible_to)
    note = serializers.CharField(allow_blank=True, required=False, default="")
    entries = InspectionEntryInputSerializer(many=True, required=False, default=list)

    def validate_entries(self, entries):
        seen = set()
        for entry in entries:
            if entry["employee"] in seen:
                raise serializers.ValidationError(_("Each person appears once on the record."))
            seen.add(entry["employee"])
        return entries


# ---------------------------------------------------------------------------------------
# 180° / 360° groups of a form


class GroupSerializer(serializers.Serializer):
    relations = serializers.ListField(child=serializers.ChoiceField(choices=Relation.choices))
    count = serializers.IntegerField()
    mean_level = serializers.DecimalField(max_digits=4, decimal_places=2)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)


class LineGroupsSerializer(serializers.Serializer):
    line = serializers.CharField()
    groups = GroupSerializer(many=True)
    left_out = serializers.IntegerField(help_text="Anonymous answers too few to show or count.")


class FormRatingsSerializer(serializers.Serializer):
    closed = serializers.BooleanField(help_text="Groups are shown once the month's ratings are closed.")
    lines = LineGroupsSerializer(many=True)


def form_ratings(form: Form) -> dict:
    from .. import ratings as ratings_service

    if form.period.ratings_closed_at is None:
        return {"closed": False, "lines": []}
    return {
        "closed": True,
        "lines": [
            {"line": key, "left_out": summary.left_out, "groups": [
                {"relations": list(group.relations), "count": group.count, "mean_level": group.mean_level, "weight": group.weight}
                for group in summary.groups
            ]}
            for key, summary in sorted(ratings_service.summaries(form).items())
        ],
    }
