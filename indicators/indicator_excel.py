"""The library in Excel: template, all-or-nothing import (create or update by code) and
export of a filtered list."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bsc_site.xlsx import CellError, Column, read_table, write_workbook
from organisation.models import Department, Post
from strategy.models import Perspective

from .models import Cycle, Direction, Indicator, IndicatorStatus, IndicatorType, ScoringMethod
from .library import default_method
from .services import check_frozen_fields, check_indicator

COLUMNS = [
    Column("code", ("Code / 编码", "指标编码", "编号", "code"), required=True),
    Column("name_zh", ("Name (Chinese) / 指标名称", "中文名称", "名称", "name_zh")),
    Column("name_en", ("Name (English) / 英文名称", "English name", "name_en")),
    Column("type", ("Type / 类型", "指标类型", "type")),
    Column("perspective", ("Perspective / 维度", "perspective")),
    Column("category", ("Category / 类别", "category")),
    Column("definition_zh", ("Definition (Chinese) / 定义", "指标定义", "计算公式说明", "definition_zh")),
    Column("definition_en", ("Definition (English) / 英文定义", "definition_en")),
    Column("purpose", ("Purpose / 设定目的", "目的", "purpose")),
    Column("owner", ("Owner (department or post code) / 责任部门或岗位编码", "责任部门", "owner")),
    Column("data_source_zh", ("Data source (Chinese) / 数据来源", "data_source_zh")),
    Column("data_source_en", ("Data source (English) / 英文数据来源", "data_source_en")),
    Column("cycle", ("Cycle / 考核周期", "周期", "cycle")),
    Column("unit", ("Unit / 单位", "unit")),
    Column("direction", ("Direction / 方向", "direction")),
    Column("formula_inputs", ("Formula inputs / 公式输入项", "formula_inputs")),
    Column("formula", ("Formula / 计算公式", "formula")),
    Column("scoring_method", ("Scoring method / 计分方法", "scoring_method")),
    Column("status", ("Status / 状态", "status")),
]
HEADER = {c.key: c.headers[0] for c in COLUMNS}
CHOICES = {"type": IndicatorType, "cycle": Cycle, "direction": Direction, "scoring_method": ScoringMethod, "status": IndicatorStatus}


@dataclass
class IndicatorImport:
    created: int = 0
    updated: int = 0
    errors: list[CellError] = field(default_factory=list)


def _choice_lookup(choices) -> dict[str, str]:
    """Accept the stored value or its label in either language."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


def import_indicators(*, by, data: bytes) -> IndicatorImport:
    # Checked first: the list of problems itself tells what exists.
    if not by.has_perm("indicators.edit_library"):
        raise PermissionDenied
    table = read_table(data, COLUMNS)
    result = IndicatorImport(errors=list(table.errors))
    reported = {(e.row, e.column) for e in result.errors}

    def error(row, key, message):
        if (row, HEADER.get(key, "")) not in reported:
            reported.add((row, HEADER.get(key, "")))
            result.errors.append(CellError(row, HEADER.get(key, ""), message, table.sheet))

    perspectives = {}
    for p in Perspective.objects.all():
        for name in (p.code, p.name_en, p.name_zh):
            perspectives[name.strip().lower()] = p
    lookups = {key: _choice_lookup(choices) for key, choices in CHOICES.items()}
    existing = {i.code: i for i in Indicator.objects.all()}
    departments = {d.code.lower(): d for d in Department.objects.filter(is_active=True)}
    posts = {p.code.lower(): p for p in Post.objects.filter(is_active=True)}
    seen: dict[str, int] = {}
    ready = []
    for row, values in table.rows:
        code = values.get("code") or ""
        if not code:
            error(row, "code", _("is required"))
            continue
        if code in seen:
            error(row, "code", _("%(value)s is also on row %(row)s") % {"value": code, "row": seen[code]})
            continue
        seen[code] = row
        indicator = existing.get(code) or Indicator(code=code)
        original_method = indicator.scoring_method if indicator.pk else None
        for key in ("name_zh", "name_en", "category", "definition_zh", "definition_en", "purpose", "data_source_zh", "data_source_en", "unit", "formula_inputs", "formula"):
            if values.get(key) is not None:
                setattr(indicator, key, values[key])
        owner = (values.get("owner") or "").strip().lower()
        if owner:
            if owner in departments:
                indicator.owner_department, indicator.owner_post = departments[owner], None
            elif owner in posts:
                indicator.owner_department, indicator.owner_post = None, posts[owner]
            else:
                error(row, "owner", _("no active department or post has the code %(value)s") % {"value": values["owner"]})
        text = (values.get("perspective") or "").strip().lower()
        if text:
            if text in perspectives:
                indicator.perspective = perspectives[text]
            else:
                error(row, "perspective", _("unknown perspective %(value)s") % {"value": values["perspective"]})
        elif indicator.pk is None:
            error(row, "perspective", _("is required for a new indicator"))
        for key, lookup in lookups.items():
            text = (values.get(key) or "").strip().lower()
            if not text:
                continue
            if text in lookup:
                setattr(indicator, key, lookup[text])
            else:
                error(row, key, _("%(value)s is not one of: %(choices)s") % {"value": values[key], "choices": ", ".join(CHOICES[key].values)})
        if indicator.pk is None and not values.get("scoring_method"):
            indicator.scoring_method = default_method(indicator.direction)
        if original_method is not None and indicator.scoring_method != original_method:
            # Parameters are the method's own: a new method starts from its defaults.
            indicator.scoring_params = {}
        ready.append((row, indicator))

    for row, indicator in ready:
        if any(e.row == row for e in result.errors):
            continue
        try:
            check_indicator(indicator)
            check_frozen_fields(indicator)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    column = {"scoring_params": "scoring_method", "owner_department": "code", "owner_post": "code"}.get(key, key)
                    error(row, column if column in HEADER else "code", message)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    with transaction.atomic():
        for _row, indicator in ready:
            created = indicator.pk is None
            indicator._change_reason = "import indicators"
            indicator.save()
            result.created += created
            result.updated += not created
    return result


def _row(indicator: Indicator) -> list:
    return [
        indicator.code, indicator.name_zh, indicator.name_en, indicator.type, indicator.perspective.code, indicator.category,
        indicator.definition_zh, indicator.definition_en, indicator.purpose, _owner_code(indicator),
        indicator.data_source_zh, indicator.data_source_en,
        indicator.cycle, indicator.unit, indicator.direction, indicator.formula_inputs, indicator.formula, indicator.scoring_method, indicator.status,
    ]


def _owner_code(indicator: Indicator) -> str:
    owner = indicator.owner_department or indicator.owner_post
    return owner.code if owner else ""


def export_indicators(indicators) -> bytes:
    header = [c.headers[0] for c in COLUMNS]
    return write_workbook([(_("Indicators"), header, [_row(i) for i in indicators])])


def indicator_template() -> bytes:
    header = [c.headers[0] for c in COLUMNS]
    notes = [
        ["Code / 编码", "Required. An existing code updates that indicator; a new code creates one."],
        ["Perspective / 维度", "financial, customer, internal_process, learning_growth (or the name); required for new indicators."],
        ["Type / 类型", ", ".join(IndicatorType.values)],
        ["Owner / 责任部门或岗位", "A department code or a post code; empty leaves the owner as it is."],
        ["Direction / 方向", ", ".join(Direction.values)],
        ["Scoring method / 计分方法", ", ".join(ScoringMethod.values) + ". Parameters start at their defaults; edit them in the library."],
        ["Formula / 计算公式", "Named inputs, e.g. planned_cost / actual_cost * 100. Write percentages as * 100, not %."],
        ["All or nothing / 全部或不导入", "If any row has a problem nothing is saved and every problem is listed."],
    ]
    return write_workbook([("Indicators 指标", header, []), ("Instructions 说明", ["Topic / 主题", "Note / 说明"], notes)], text_columns=(1,))
