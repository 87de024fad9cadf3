"""What changed between two versions of a scorecard, as a pure function.

Each version is given as a ``Snapshot``: its settings (field -> display text) and its
lines keyed by indicator code (field -> display text). The caller decides the fields and
formats the values (weights, targets with units, labels of choices, ...); this module
only compares texts, so two values that display the same are the same.

Order is stable and follows the input: settings and line fields in the older snapshot's
order, then fields only the newer one has; added and changed lines in the newer
snapshot's order, removed lines in the older one's. A field missing on one side has
``None`` there.

No database and no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["Change", "Snapshot", "VersionDiff", "diff_versions"]


def _texts(values: Mapping[str, str], name: str) -> Mapping[str, str]:
    if not isinstance(values, Mapping):
        raise TypeError(f"{name} must be a mapping of field to display text.")
    for key, value in values.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{name} must map str to str, not {type(key).__name__} to {type(value).__name__}.")
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Snapshot:
    settings: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", _texts(self.settings, "settings"))
        if not isinstance(self.lines, Mapping):
            raise TypeError("lines must be a mapping of indicator code to fields.")
        lines = {}
        for code, fields in self.lines.items():
            if not isinstance(code, str):
                raise TypeError(f"line keys must be indicator codes (str), not {type(code).__name__}.")
            lines[code] = _texts(fields, f"line {code}")
        object.__setattr__(self, "lines", MappingProxyType(lines))


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class VersionDiff:
    settings: tuple[Change, ...]
    added: tuple[str, ...]  # indicator codes only the newer version has
    removed: tuple[str, ...]  # indicator codes only the older version has
    changed: Mapping[str, tuple[Change, ...]]  # code -> its changed fields, for lines on both

    @property
    def has_changes(self) -> bool:
        return bool(self.settings or self.added or self.removed or self.changed)

    def __bool__(self) -> bool:
        return self.has_changes


def _changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[Change, ...]:
    names = list(old) + [name for name in new if name not in old]
    return tuple(Change(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name))


def diff_versions(older: Snapshot, newer: Snapshot) -> VersionDiff:
    """What changed from ``older`` to ``newer``."""
    for name, snapshot in (("older", older), ("newer", newer)):
        if not isinstance(snapshot, Snapshot):
            raise TypeError(f"{name} must be a Snapshot, not {type(snapshot).__name__}.")
    changed = {}
    for code, fields in newer.lines.items():
        if code in older.lines:
            changes = _changes(older.lines[code], fields)
            if changes:
                changed[code] = changes
    return VersionDiff(
        settings=_changes(older.settings, newer.settings),
        added=tuple(code for code in newer.lines if code not in older.lines),
        removed=tuple(code for code in older.lines if code not in newer.lines),
        changed=MappingProxyType(changed),
    )
