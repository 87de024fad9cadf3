"""The audit trail as people read it: who changed what, with names instead of ids."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

# Services record these reasons in English; pages show them in the reader's language.
REASONS = {
    "create department": _("create department"),
    "update department": _("update department"),
    "set department head": _("set department head"),
    "head left the company": _("head left the company"),
    "head moved to another department": _("head moved to another department"),
    "create team": _("create team"),
    "update team": _("update team"),
    "create post": _("create post"),
    "update post": _("update post"),
    "create employee": _("create employee"),
    "update employee": _("update employee"),
    "move employee": _("move employee"),
    "deactivate employee": _("deactivate employee"),
    "import employees": _("import employees"),
    "update company settings": _("update company settings"),
    "leader moved to another department": _("leader moved to another department"),
    "leader left the company": _("leader left the company"),
}
ACCOUNT_FIELDS = {"username", "email", "is_active"}


def reason_label(reason: str | None) -> str:
    return str(REASONS.get(reason, reason or "—"))


def _describe(model, field_name, value, names):
    field = model._meta.get_field(field_name)
    if value is None or value == "":
        return "—"
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"#{value}")
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return str(value)


def _diffs(records, model, fields=None):
    """(record, changes) pairs, newest first; `changes` is None for a creation."""
    pairs = []
    for newer, older in zip(records, records[1:] + [None]):
        if older is None:
            pairs.append((newer, None))
            continue
        changes = [c for c in newer.diff_against(older).changes if fields is None or c.field in fields]
        if changes:
            pairs.append((newer, changes))
    return pairs


def change_log(employee, limit: int = 50) -> list[dict]:
    """The employee record's history merged with their account's (e-mail, log-in)."""
    model = type(employee)
    own = list(employee.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    account = list(employee.user.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    pairs = [(model, r, c) for r, c in _diffs(own, model)]
    # The account's creation is the employee's creation; only its later edits matter.
    pairs += [(type(employee.user), r, c) for r, c in _diffs(account, type(employee.user), ACCOUNT_FIELDS) if c is not None]

    wanted: dict[type, set] = {}
    for owner, _record, changes in pairs:
        for change in changes or []:
            field = owner._meta.get_field(change.field)
            if isinstance(field, models.ForeignKey):
                wanted.setdefault(field.related_model, set()).update(v for v in (change.old, change.new) if v is not None)
    names = {
        (related, obj.pk): str(obj) for related, ids in wanted.items() for obj in related._base_manager.filter(pk__in=ids)
    }

    rows = []
    for owner, record, changes in pairs:
        if changes is None:
            lines = [pgettext("history entry", "created")]
        else:
            lines = [
                f"{owner._meta.get_field(c.field).verbose_name}: "
                f"{_describe(owner, c.field, c.old, names)} → {_describe(owner, c.field, c.new, names)}"
                for c in changes
            ]
        rows.append({"when": record.history_date, "who": record.history_user, "action": reason_label(record.history_change_reason), "lines": lines})
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows[:limit]
