"""scorecards/version_diff.py: settings and lines changed between two snapshots."""

import pytest

from scorecards.version_diff import Change, Snapshot, diff_versions

SETTINGS = {"effective_from": "January", "convention": "Of total", "veto_mode": "Zero"}
REV = {"weight": "40%", "target": "1000 万元", "method": "Percentage"}
CSAT = {"weight": "30%", "target": "90 %", "method": "0-1"}
COST = {"weight": "30%", "target": "500 万元", "method": "Percentage"}


def snapshot(settings=None, **lines):
    return Snapshot(settings=dict(SETTINGS if settings is None else settings), lines=lines)


def test_identical_snapshots_have_no_changes():
    diff = diff_versions(snapshot(REV=REV, CSAT=CSAT), snapshot(REV=dict(REV), CSAT=dict(CSAT)))
    assert not diff.has_changes and not diff
    assert diff.settings == () and diff.added == () and diff.removed == () and dict(diff.changed) == {}


def test_changed_settings_come_in_the_older_snapshots_field_order():
    newer = {**SETTINGS, "veto_mode": "Capped", "effective_from": "April"}
    diff = diff_versions(snapshot(), snapshot(newer))
    assert diff.settings == (Change("effective_from", "January", "April"), Change("veto_mode", "Zero", "Capped"))


def test_a_setting_on_one_side_only_has_none_on_the_other():
    diff = diff_versions(snapshot({"a": "1", "b": "2"}), snapshot({"b": "2", "c": "3"}))
    assert diff.settings == (Change("a", "1", None), Change("c", None, "3"))


def test_added_and_removed_lines_are_listed_by_code():
    diff = diff_versions(snapshot(REV=REV, CSAT=CSAT), snapshot(COST=COST, REV=REV))
    assert diff.added == ("COST",)
    assert diff.removed == ("CSAT",)
    assert dict(diff.changed) == {}


def test_changed_lines_list_each_changed_field():
    newer_rev = {**REV, "weight": "50%", "target": "1200 万元"}
    diff = diff_versions(snapshot(REV=REV, CSAT=CSAT), snapshot(REV=newer_rev, CSAT=CSAT))
    assert dict(diff.changed) == {"REV": (Change("weight", "40%", "50%"), Change("target", "1000 万元", "1200 万元"))}
    assert diff.has_changes


def test_added_and_changed_lines_follow_the_newer_order_removed_the_older():
    older = snapshot(A={"w": "1"}, B={"w": "1"}, C={"w": "1"}, D={"w": "1"})
    newer = snapshot(Z={"w": "1"}, D={"w": "2"}, B={"w": "2"}, Y={"w": "1"})
    diff = diff_versions(older, newer)
    assert diff.added == ("Z", "Y")
    assert diff.removed == ("A", "C")
    assert list(diff.changed) == ["D", "B"]


def test_a_line_field_present_on_one_side_only_is_a_change():
    diff = diff_versions(snapshot(REV=REV), snapshot(REV={**REV, "profile": "Seasonal"}))
    assert diff.changed["REV"] == (Change("profile", None, "Seasonal"),)


def test_the_diff_does_not_change_with_the_callers_dicts():
    lines = {"REV": dict(REV)}
    older = Snapshot(settings=dict(SETTINGS), lines=lines)
    lines["REV"]["weight"] = "99%"
    assert older.lines["REV"]["weight"] == "40%"


def test_values_must_be_display_text():
    with pytest.raises(TypeError):
        Snapshot(settings={"weight": 40})
    with pytest.raises(TypeError):
        Snapshot(lines={"REV": {"weight": None}})
    with pytest.raises(TypeError):
        diff_versions({}, snapshot())
