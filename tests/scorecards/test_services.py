"""Scorecard services: validation, lines, phasing, workflow and who may do it, versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organisation.services import get_company
from scorecards import selectors, services
from scorecards.models import CascadeLink, Level, ScorecardLine, VersionStatus
from tests.scorecards.factories import indicator, valid_card, weights

D = Decimal
pytestmark = pytest.mark.django_db


def hr_user(world):
    return world.hr.user


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- creating cards ------------------------------------------------------------------


def test_create_card_gives_a_draft_version_with_equal_perspective_weights(world):
    card, _ = valid_card(hr_user(world), level=Level.DEPARTMENT, department=world.dept_a)
    version = card.versions.get()
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert version.inspection_deduction is True  # department heads' cards
    assert card.owner_key == f"department:{world.dept_a.pk}"


def test_one_card_per_owner_and_year(world):
    services.create_scorecard(by=hr_user(world), year=2026, level=Level.POST, post=world.post_a)
    with pytest.raises(ValidationError, match="already has a scorecard for 2026"):
        services.create_scorecard(by=hr_user(world), year=2026, level=Level.POST, post=world.post_a)
    services.create_scorecard(by=hr_user(world), year=2027, level=Level.POST, post=world.post_a)


def test_owner_must_match_the_level(world):
    with pytest.raises(ValidationError) as exc:
        services.create_scorecard(by=hr_user(world), year=2026, level=Level.POST, department=world.dept_a)
    assert "post" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.create_scorecard(by=hr_user(world), year=2026, level=Level.COMPANY, department=world.dept_a)
    assert "level" in errors_of(exc)


@pytest.mark.parametrize("actor", ["emp_a", "head_a", "gm", "committee"])
def test_only_hr_and_administrators_create_cards(world, actor):
    user = getattr(world, actor).user
    with pytest.raises(PermissionDenied):
        services.create_scorecard(by=user, year=2026, level=Level.COMPANY)


def test_administrator_creates_cards(world):
    assert services.create_scorecard(by=world.admin, year=2026, level=Level.COMPANY).pk


# --- lines and validation ------------------------------------------------------------


def test_a_new_line_takes_its_defaults_from_the_library(world):
    card = services.create_scorecard(by=hr_user(world), year=2026, level=Level.COMPANY)
    version = card.versions.get()
    rate = indicator("C-1", "customer", unit="%", method="zero_one")
    line = services.save_line(by=hr_user(world), version=version, indicator=rate)
    assert line.perspective.code == "customer"
    assert line.method == "zero_one"
    assert line.aggregation == "average"  # a rate averages over the months
    assert line.weight == 0 and line.target is None


@pytest.mark.parametrize(
    "level, kind, allowed",
    [
        (Level.COMPANY, "KPI", True), (Level.COMPANY, "NNI", True), (Level.COMPANY, "PRI", False),
        (Level.COMPANY, "PCI", False), (Level.COMPANY, "WAI", False),
        (Level.DEPARTMENT, "PRI", True), (Level.DEPARTMENT, "PCI", False), (Level.DEPARTMENT, "WAI", False),
        (Level.TEAM, "PRI", True), (Level.TEAM, "WAI", False),
        (Level.POST, "PCI", True), (Level.POST, "WAI", True), (Level.POST, "NNI", True),
    ],
)
def test_indicator_types_are_refused_by_level(world, level, kind, allowed):
    owner = {Level.DEPARTMENT: {"department": world.dept_a}, Level.TEAM: {"team": world.team_a}, Level.POST: {"post": world.post_a}}
    card = services.create_scorecard(by=hr_user(world), year=2026, level=level, **owner.get(level, {}))
    version = card.versions.get()
    item = indicator(f"X-{kind}", type=kind)
    if allowed:
        services.save_line(by=hr_user(world), version=version, indicator=item)
        assert version.lines.count() == 1
    else:
        with pytest.raises(ValidationError) as exc:
            services.save_line(by=hr_user(world), version=version, indicator=item)
        assert f"A {kind} indicator cannot be used on a" in str(errors_of(exc)["indicator"])
        assert version.lines.count() == 0  # nothing half-saved


def test_the_same_indicator_cannot_be_on_a_card_twice(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.first()
    with pytest.raises(ValidationError):
        services.save_line(by=hr_user(world), version=version, indicator=line.indicator)
    assert version.lines.count() == 4


def test_the_company_line_limit_is_enforced(world):
    company = get_company()
    company.max_scorecard_lines = 2
    company.save()
    card = services.create_scorecard(by=hr_user(world), year=2026, level=Level.COMPANY)
    version = card.versions.get()
    services.save_line(by=hr_user(world), version=version, indicator=indicator("L-1"))
    services.save_line(by=hr_user(world), version=version, indicator=indicator("L-2"))
    with pytest.raises(ValidationError, match="at most 2 lines"):
        services.save_line(by=hr_user(world), version=version, indicator=indicator("L-3"))
    assert version.lines.count() == 2


def test_pci_lines_need_a_rating_mode_and_others_refuse_one(world):
    card = services.create_scorecard(by=hr_user(world), year=2026, level=Level.POST, post=world.post_a)
    version = card.versions.get()
    pci = services.save_line(by=hr_user(world), version=version, indicator=indicator("P-1", "learning_growth", type="PCI", method="description"))
    assert any(p.field == "rating_mode" for p in services.card_problems(version))
    services.save_line(by=hr_user(world), version=version, line=pci, rating_mode="360")
    assert not any(p.field == "rating_mode" for p in services.card_problems(version))
    kpi = services.save_line(by=hr_user(world), version=version, indicator=indicator("K-9"))
    with pytest.raises(ValidationError) as exc:
        services.save_line(by=hr_user(world), version=version, line=kpi, rating_mode="360")
    assert "rating_mode" in errors_of(exc)


def test_bad_scoring_parameters_are_refused_on_the_line(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.first()
    with pytest.raises(ValidationError) as exc:
        services.save_line(by=hr_user(world), version=version, line=line, params={"cap": "-5"})
    assert "params" in errors_of(exc)
    line.refresh_from_db()
    assert line.params != {"cap": "-5"}


def test_a_valid_card_has_no_problems_and_an_incomplete_one_says_why(world):
    card, version = valid_card(hr_user(world))
    assert services.card_problems(version) == []
    line = version.lines.first()
    services.save_line(by=hr_user(world), version=version, line=line, weight=D("20"), target=None)
    messages = [services.problem_message(p) for p in services.card_problems(version)]
    assert "A target is required by the percentage method." in messages
    assert any("add up to 95%, not 100%" in m for m in messages)


def test_perspective_weights_must_be_numbers_with_two_decimals(world):
    card, version = valid_card(hr_user(world))
    with pytest.raises(ValidationError) as exc:
        services.update_version(by=hr_user(world), version=version, perspective_weights=weights(financial="abc"))
    assert "perspective_weights" in errors_of(exc)
    with pytest.raises(ValidationError):
        services.update_version(by=hr_user(world), version=version, perspective_weights=weights(financial="25.001"))


def test_within_perspective_convention(world):
    card, version = valid_card(hr_user(world))
    version = services.update_version(by=hr_user(world), version=version, convention="within_perspective")
    assert services.card_problems(version)  # 25% of each perspective is not 100% of it
    for line in version.lines.all():
        services.save_line(by=hr_user(world), version=version, line=line, weight=D("100"))
    assert services.card_problems(version) == []


def test_veto_policy_needs_its_parameter(world):
    card, version = valid_card(hr_user(world))
    with pytest.raises(ValidationError) as exc:
        services.update_version(by=hr_user(world), version=version, veto_mode="cap")
    assert "veto_ceiling" in errors_of(exc)
    services.update_version(by=hr_user(world), version=version, veto_mode="cap", veto_ceiling=D("59.99"))


def test_inspection_deduction_only_on_department_cards_and_front_line_not_on_the_company(world):
    card, version = valid_card(hr_user(world))
    with pytest.raises(ValidationError) as exc:
        services.update_version(by=hr_user(world), version=version, inspection_deduction=True)
    assert "inspection_deduction" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.update_version(by=hr_user(world), version=version, front_line=True)
    assert "front_line" in errors_of(exc)
    team_card = services.create_scorecard(by=hr_user(world), year=2026, level=Level.TEAM, team=world.team_a)
    services.update_version(by=hr_user(world), version=team_card.versions.get(), front_line=True)


def test_nni_veto_lines_carry_no_weight(world):
    card, version = valid_card(hr_user(world))
    veto = services.save_line(by=hr_user(world), version=version, indicator=indicator("N-1", "internal_process", type="NNI", method="zero_one"), target=D("0"))
    assert services.card_problems(version) == []
    with pytest.raises(ValidationError, match="carries no weight"):
        services.save_line(by=hr_user(world), version=version, line=veto, weight=D("5"))


# --- the editor's save ---------------------------------------------------------------


def test_save_card_is_all_or_nothing_and_keys_errors_by_line(world):
    card, version = valid_card(hr_user(world))
    first, second = list(version.lines.all())[:2]
    with pytest.raises(ValidationError) as exc:
        services.save_card(
            by=hr_user(world), version=version, settings={"note": "new note"},
            lines={first.pk: {"weight": D("30")}, second.pk: {"params": {"cap": "-1"}}},
        )
    assert f"line-{second.pk}-params" in errors_of(exc)
    first.refresh_from_db()
    version.refresh_from_db()
    assert first.weight == D("25") and version.note == ""
    services.save_card(by=hr_user(world), version=version, settings={"note": "ok"}, lines={first.pk: {"weight": D("30")}})
    first.refresh_from_db()
    assert first.weight == D("30")


# --- phasing -------------------------------------------------------------------------


def test_even_phasing_of_a_sum_splits_the_target(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.first()
    line = services.save_line(by=hr_user(world), version=version, line=line, target=D("1000"))
    assert line.month_values()[:8] == [D("83.33")] * 8
    assert line.month_values()[8:] == [D("83.34")] * 4
    assert services.phasing_difference(line) is None
    assert services.line_quarters(line) == [D("249.99"), D("249.99"), D("250.00"), D("250.02")]


def test_rates_repeat_and_year_end_levels_are_flat_without_a_start(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.first()
    rate = services.save_line(by=hr_user(world), version=version, line=line, aggregation="average", target=D("95"))
    assert rate.month_values() == [D("95")] * 12
    level = services.save_line(by=hr_user(world), version=version, line=line, aggregation="last", target=D("120"))
    assert level.month_values() == [D("120")] * 12
    path = services.save_line(by=hr_user(world), version=version, line=line, phasing_start=D("0"))
    assert path.month_values()[0] == D("10") and path.month_values()[-1] == D("120")


def test_profile_phasing_and_a_profile_change_rephases_drafts(world):
    shares = ["5", "5", "6", "7", "8", "9", "10", "10", "9", "9", "10", "12"]
    profile = services.save_profile(by=hr_user(world), code="sales", name_en="Sales", shares=shares)
    card, version = valid_card(hr_user(world))
    line = services.save_line(by=hr_user(world), version=version, line=version.lines.first(), target=D("1200"), phasing="profile", profile=profile)
    assert line.month_values()[0] == D("60") and line.month_values()[-1] == D("144")
    services.save_profile(by=hr_user(world), profile=profile, shares=["10"] * 10 + ["0", "0"])
    line.refresh_from_db()
    assert line.month_values()[0] == D("120")


def test_a_profile_must_add_up_to_100(world):
    with pytest.raises(ValidationError) as exc:
        services.save_profile(by=hr_user(world), code="bad", name_en="Bad", shares=["8"] * 12)
    assert "shares" in errors_of(exc)


def test_manual_months_that_do_not_reconcile_block_submission(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.first()
    months = ["100"] * 11 + ["0"]
    line = services.save_line(by=hr_user(world), version=version, line=line, target=D("1200"), phasing="manual", month_targets=months)
    assert services.phasing_difference(line) == D("-100")
    with pytest.raises(ValidationError, match="100 away from the annual target"):
        services.submit_version(by=hr_user(world), version=version)
    services.save_line(by=hr_user(world), version=version, line=line, month_targets=["100"] * 12)
    services.submit_version(by=hr_user(world), version=version)


def test_manual_months_must_be_twelve_numbers(world):
    card, version = valid_card(hr_user(world))
    with pytest.raises(ValidationError) as exc:
        services.save_line(by=hr_user(world), version=version, line=version.lines.first(), phasing="manual", month_targets=["1"] * 11)
    assert "month_targets" in errors_of(exc)


# --- workflow ------------------------------------------------------------------------


def test_company_card_is_approved_by_the_general_manager_only(world):
    card, version = valid_card(hr_user(world))
    services.submit_version(by=hr_user(world), version=version)
    with pytest.raises(PermissionDenied):
        services.approve_version(by=hr_user(world), version=version)
    services.approve_version(by=world.gm.user, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.approved_by == world.gm.user


def test_department_and_post_cards_are_approved_by_hr_not_the_gm(world):
    card, version = valid_card(hr_user(world), level=Level.POST, post=world.post_a)
    services.submit_version(by=hr_user(world), version=version)
    with pytest.raises(PermissionDenied):
        services.approve_version(by=world.gm.user, version=version)
    with pytest.raises(PermissionDenied):
        services.approve_version(by=world.head_a.user, version=version)
    services.approve_version(by=hr_user(world), version=version)


def test_an_incomplete_card_cannot_be_submitted(world):
    card = services.create_scorecard(by=hr_user(world), year=2026, level=Level.COMPANY)
    with pytest.raises(ValidationError, match="add up to 0%"):
        services.submit_version(by=hr_user(world), version=card.versions.get())


def test_submitted_and_approved_versions_are_read_only(world):
    card, version = valid_card(hr_user(world))
    services.submit_version(by=hr_user(world), version=version)
    with pytest.raises(ValidationError, match="cannot change"):
        services.save_line(by=hr_user(world), version=version, line=version.lines.first(), weight=D("1"))
    services.approve_version(by=world.gm.user, version=version)
    with pytest.raises(ValidationError, match="cannot change"):
        services.update_version(by=hr_user(world), version=version, note="x")
    with pytest.raises(ValidationError):
        services.delete_line(by=hr_user(world), line=version.lines.first())


def test_returning_a_version_needs_a_reason_and_reopens_the_draft(world):
    card, version = valid_card(hr_user(world))
    services.submit_version(by=hr_user(world), version=version)
    with pytest.raises(ValidationError):
        services.return_version(by=world.gm.user, version=version, note=" ")
    services.return_version(by=world.gm.user, version=version, note="Raise the revenue target")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.returned_note == "Raise the revenue target"


def test_a_card_that_was_submitted_cannot_be_deleted(world):
    card, version = valid_card(hr_user(world))
    services.submit_version(by=hr_user(world), version=version)
    with pytest.raises(ValidationError):
        services.delete_scorecard(by=hr_user(world), scorecard=card)


# --- versions ------------------------------------------------------------------------


def approved_company_card(world):
    card, version = valid_card(hr_user(world))
    services.submit_version(by=hr_user(world), version=version)
    services.approve_version(by=world.gm.user, version=version)
    return card, version


def test_a_change_after_approval_is_a_new_version_from_a_later_month(world):
    card, v1 = approved_company_card(world)
    with pytest.raises(ValidationError) as exc:
        services.new_version(by=hr_user(world), scorecard=card, effective_from=4, note="")
    assert "note" in errors_of(exc)
    v2 = services.new_version(by=hr_user(world), scorecard=card, effective_from=4, note="Market changed")
    assert v2.number == 2 and v2.lines.count() == 4
    line = v2.lines.first()
    services.save_line(by=hr_user(world), version=v2, line=line, target=D("150"))
    services.submit_version(by=hr_user(world), version=v2)
    services.approve_version(by=world.gm.user, version=v2)
    # The first version is untouched and still in force before April.
    assert v1.lines.get(indicator=line.indicator).target == D("100")
    assert selectors.version_for_month(card, 3) == v1
    assert selectors.version_for_month(card, 4) == v2
    assert selectors.version_for_month(card, 12) == v2


def test_a_new_version_cannot_start_in_the_same_or_an_earlier_month(world):
    card, v1 = approved_company_card(world)
    with pytest.raises(ValidationError) as exc:
        services.new_version(by=hr_user(world), scorecard=card, effective_from=1, note="x")
    assert "effective_from" in errors_of(exc)


def test_an_opened_month_keeps_the_version_it_snapshotted(world):
    card, v1 = approved_company_card(world)
    opened = {3}
    source = lambda year: opened if year == 2026 else set()  # noqa: E731
    services.register_opened_months(source)
    try:
        snapshot = selectors.version_for_month(card, 3)  # what March's forms were made from
        with pytest.raises(ValidationError, match="already open"):
            services.new_version(by=hr_user(world), scorecard=card, effective_from=3, note="x")
        v2 = services.new_version(by=hr_user(world), scorecard=card, effective_from=4, note="from April")
        services.save_line(by=hr_user(world), version=v2, line=v2.lines.first(), target=D("999"))
        services.submit_version(by=hr_user(world), version=v2)
        opened.add(4)  # April opened while v2 waited for approval
        with pytest.raises(ValidationError, match="already open"):
            services.approve_version(by=world.gm.user, version=v2)
        assert selectors.version_for_month(card, 3) == snapshot == v1
        assert [line.target for line in v1.lines.all()] == [D("100")] * 4
    finally:
        services._opened_month_sources.remove(source)


def test_only_one_open_version_at_a_time(world):
    card, v1 = approved_company_card(world)
    services.new_version(by=hr_user(world), scorecard=card, effective_from=4, note="x")
    with pytest.raises(ValidationError, match="still draft"):
        services.new_version(by=hr_user(world), scorecard=card, effective_from=5, note="y")


# --- cascading -----------------------------------------------------------------------


def test_links_go_to_the_card_directly_above(world):
    company, company_version = valid_card(hr_user(world))
    shared = company_version.lines.first().indicator
    department, dept_version = valid_card(
        hr_user(world), level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"D-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    line = dept_version.lines.get(indicator=shared)
    link = services.link_line(by=hr_user(world), line=line, upper_scorecard=company, upper_indicator=shared, feed="sum")
    assert link.pk
    other = dept_version.lines.exclude(indicator=shared).first()
    with pytest.raises(ValidationError) as exc:
        services.link_line(by=hr_user(world), line=other, upper_scorecard=company, upper_indicator=other.indicator)
    assert "upper_indicator" in errors_of(exc)
    post, post_version = valid_card(hr_user(world), level=Level.POST, post=world.post_b)
    with pytest.raises(ValidationError) as exc:  # post B's department is B, not A
        services.link_line(by=hr_user(world), line=post_version.lines.first(), upper_scorecard=department, upper_indicator=shared)
    assert "upper_scorecard" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.link_line(by=hr_user(world), line=line, upper_scorecard=company, upper_indicator=shared, feed="weighted_average")
    assert "share" in errors_of(exc)


def test_new_versions_keep_their_links(world):
    company, company_version = valid_card(hr_user(world))
    shared = company_version.lines.first().indicator
    department, dept_version = valid_card(
        hr_user(world), level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"E-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    services.link_line(by=hr_user(world), line=dept_version.lines.get(indicator=shared), upper_scorecard=company, upper_indicator=shared)
    services.submit_version(by=hr_user(world), version=dept_version)
    services.approve_version(by=hr_user(world), version=dept_version)
    v2 = services.new_version(by=hr_user(world), scorecard=department, effective_from=6, note="mid-year")
    assert CascadeLink.objects.filter(line__version=v2, upper_scorecard=company, upper_indicator=shared).count() == 1


def test_copy_year_copies_cards_and_repoints_links(world):
    company, company_version = valid_card(hr_user(world))
    shared = company_version.lines.first().indicator
    department, dept_version = valid_card(
        hr_user(world), level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"F-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    services.link_line(by=hr_user(world), line=dept_version.lines.get(indicator=shared), upper_scorecard=company, upper_indicator=shared)
    created, skipped = services.copy_year(by=hr_user(world), from_year=2026, to_year=2027)
    assert [card.level for card in created] == ["company", "department"] and skipped == []
    new_company = created[0]
    link = CascadeLink.objects.get(line__version__scorecard=created[1])
    assert link.upper_scorecard == new_company
    created_again, skipped_again = services.copy_year(by=hr_user(world), from_year=2026, to_year=2027)
    assert created_again == [] and len(skipped_again) == 2
    assert ScorecardLine.objects.filter(version__scorecard__year=2027).count() == 8


def test_a_target_range_indicator_needs_its_range_instead_of_a_target(world):
    card, version = valid_card(hr_user(world))
    line = version.lines.order_by("pk").first()
    line.indicator.direction = "target_range"
    line.indicator.save()
    line = services.save_line(by=hr_user(world), version=version, line=line, target=None)
    problems = services.card_problems(version)
    assert [p.field for p in problems] == ["target_low"]
    with pytest.raises(ValidationError) as exc:
        services.save_line(by=hr_user(world), version=version, line=line, target_low=D("2"), target_high=D("1"))
    assert "target_high" in errors_of(exc)
    services.save_line(by=hr_user(world), version=version, line=line, target_low=D("1"), target_high=D("2"))
    assert services.card_problems(version) == []


def test_links_follow_a_change_from_sum_to_average(world):
    company, company_version = valid_card(hr_user(world))
    shared = company_version.lines.first().indicator
    department, dept_version = valid_card(
        hr_user(world), level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"G-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    line = dept_version.lines.get(indicator=shared)
    link = services.link_line(by=hr_user(world), line=line, upper_scorecard=company, upper_indicator=shared, feed="sum")
    services.save_line(by=hr_user(world), version=dept_version, line=line, aggregation="average")
    link.refresh_from_db()
    assert link.feed == "average"


# --- generating drafts and weighting rounds --------------------------------------------


def closed_round(world, answer):
    from indicators import rounds

    items = [{"key": key, "label": key} for key in answer]
    round = rounds.open_round(by=world.hr.user, name="Weights", method="points", items=items)
    rounds.invite_experts(by=world.hr.user, round=round, experts=[world.gm.user], panel_group="senior_manager")
    rounds.submit_answer(by=world.gm.user, invitation=round.invitations.get(), answer=answer)
    return rounds.close_round(by=world.hr.user, round=round)


def test_a_one_perspective_round_is_scaled_to_the_perspective_under_of_total(world):
    card, version = valid_card(hr_user(world))
    first = version.lines.get(perspective__code="financial")
    second = services.save_line(by=hr_user(world), version=version, indicator=indicator("F-2"), weight=D("1"), target=D("1"))
    round = closed_round(world, {first.indicator.code: "60", second.indicator.code: "40"})
    services.apply_weighting_round(by=hr_user(world), version=version, round=round, target="lines", perspective="financial")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.weight, second.weight) == (D("15"), D("10"))  # 60% and 40% of the perspective's 25%
    assert services.card_problems(version) == []


def test_a_round_naming_an_indicator_not_on_the_card_is_refused(world):
    card, version = valid_card(hr_user(world))
    round = closed_round(world, {"NOT-ON-CARD": "50", "OTHER": "50"})
    with pytest.raises(ValidationError) as exc:
        services.apply_weighting_round(by=hr_user(world), version=version, round=round, target="lines")
    assert "round" in errors_of(exc)


def matrix(world):
    """A 2026 plan where department A leads one measure and supports another; a third
    measure is department B's. Each measure has indicators, one of a type departments may
    not use (PCI)."""
    from tests.strategy.factories import CellFactory, MeasureFactory, ObjectiveFactory, PlanFactory, perspective

    plan = PlanFactory(year=2026)
    made = {}
    for code, persp, department, role, kinds in (
        ("M1", "financial", world.dept_a, "lead", ("KPI", "PCI")),
        ("M2", "customer", world.dept_a, "support", ("KPI", "NNI")),
        ("M3", "internal_process", world.dept_b, "lead", ("KPI",)),
    ):
        objective = ObjectiveFactory(plan=plan, code=f"O{code}", perspective=perspective(persp))
        measure = MeasureFactory(objective=objective, code=code)
        CellFactory(measure=measure, department=department, role=role)
        for kind in kinds:
            item = indicator(f"{code}-{kind}", persp, type=kind, method="zero_one" if kind == "NNI" else "percentage")
            item.measures.add(measure)
            made[f"{code}-{kind}"] = item
    return made


def test_a_department_card_is_generated_from_the_measures_it_leads_or_supports(world):
    made = matrix(world)
    company, company_version = valid_card(hr_user(world), indicators=[made["M1-KPI"]] + [
        indicator(f"CO-{code}", code) for code in ("customer", "internal_process", "learning_growth")
    ])
    card = services.generate_department_card(by=hr_user(world), year=2026, department=world.dept_a)
    version = card.versions.get()
    codes = sorted(version.lines.values_list("indicator__code", flat=True))
    assert codes == ["M1-KPI", "M2-KPI", "M2-NNI"]  # no PCI on a department card, no M3 (B's)
    assert version.perspective_weights == {"financial": "50", "customer": "50", "internal_process": "0", "learning_growth": "0"}
    weights = dict(version.lines.values_list("indicator__code", "weight"))
    assert weights == {"M1-KPI": D("50"), "M2-KPI": D("50"), "M2-NNI": D("0")}
    link = CascadeLink.objects.get(line__version=version)
    assert (link.upper_scorecard, link.upper_indicator.code, link.feed) == (company, "M1-KPI", "sum")
    # What is left for HR: the targets.
    assert {p.field for p in services.card_problems(version)} == {"target"}


def test_generating_needs_a_plan_and_indicators(world):
    with pytest.raises(ValidationError, match="no 2026 strategy plan"):
        services.generate_department_card(by=hr_user(world), year=2026, department=world.dept_a)
    matrix(world)
    with pytest.raises(ValidationError, match="has an indicator a department card may use"):
        services.generate_department_card(by=hr_user(world), year=2026, department=world.dept_a1)


def test_a_post_card_starts_from_its_department_card_and_links_each_line(world):
    department, dept_version = valid_card(hr_user(world), level=Level.DEPARTMENT, department=world.dept_a)
    services.update_version(by=hr_user(world), version=dept_version, veto_mode="deduct", veto_deduction=D("10"))
    card = services.generate_post_card(by=hr_user(world), year=2026, post=world.post_a)
    version = card.versions.get()
    assert version.veto_mode == "deduct" and version.veto_deduction == D("10")
    assert version.lines.count() == 4
    assert CascadeLink.objects.filter(line__version=version, upper_scorecard=department).count() == 4
    assert services.card_problems(version) == []
    with pytest.raises(ValidationError, match="has no 2026 scorecard"):
        services.generate_post_card(by=hr_user(world), year=2026, post=world.post_b)


# --- integrity of approved cards (review findings) --------------------------------------


def approved_department_linked_to_a_draft_company(world):
    company, company_version = valid_card(hr_user(world))
    shared = company_version.lines.first().indicator
    department, dept_version = valid_card(
        hr_user(world), level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"H-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    services.link_line(by=hr_user(world), line=dept_version.lines.get(indicator=shared), upper_scorecard=company, upper_indicator=shared)
    services.submit_version(by=hr_user(world), version=dept_version)
    services.approve_version(by=hr_user(world), version=dept_version)
    return company, dept_version, shared


def test_an_upper_card_stays_while_an_approved_card_links_to_it(world):
    company, dept_version, shared = approved_department_linked_to_a_draft_company(world)
    with pytest.raises(ValidationError, match="contributes to this one"):
        services.delete_scorecard(by=hr_user(world), scorecard=company)
    assert CascadeLink.objects.filter(line__version=dept_version).count() == 1


def test_the_library_keeps_the_meaning_of_an_indicator_on_an_approved_card(world):
    from indicators.services import save_indicator

    company, dept_version, shared = approved_department_linked_to_a_draft_company(world)
    with pytest.raises(ValidationError) as exc:
        save_indicator(by=hr_user(world), indicator=shared, type="NNI")
    assert "is used on the 2026 scorecard of Alpha" in str(errors_of(exc)["type"])
    save_indicator(by=hr_user(world), indicator=shared, name_en="Renamed")  # the name may change
    only_on_drafts = indicator("DRAFT-ONLY")
    card, version = valid_card(hr_user(world), level=Level.POST, post=world.post_b, indicators=[only_on_drafts] + [
        indicator(f"PB-{code}", code) for code in ("customer", "internal_process", "learning_growth")
    ])
    save_indicator(by=hr_user(world), indicator=only_on_drafts, unit="%")


def test_a_rate_is_not_phased_by_a_seasonal_profile(world):
    profile = services.save_profile(by=hr_user(world), code="s", name_en="S", shares=["5"] * 8 + ["15"] * 4)
    card, version = valid_card(hr_user(world))
    with pytest.raises(ValidationError) as exc:
        services.save_line(by=hr_user(world), version=version, line=version.lines.first(), aggregation="average", phasing="profile", profile=profile)
    assert "phasing" in errors_of(exc)


def test_no_new_version_before_the_last_opened_month(world):
    card, v1 = approved_company_card(world)
    source = lambda year: {5}  # noqa: E731
    services.register_opened_months(source)
    try:
        with pytest.raises(ValidationError, match="May 2026 is already open"):
            services.new_version(by=hr_user(world), scorecard=card, effective_from=4, note="x")
        services.new_version(by=hr_user(world), scorecard=card, effective_from=6, note="x")
    finally:
        services._opened_month_sources.remove(source)


def test_a_partial_change_of_perspective_weights_keeps_the_others(world):
    card, version = valid_card(hr_user(world))
    version = services.update_version(by=hr_user(world), version=version, perspective_weights={"financial": "30"})
    assert version.perspective_weights == {"financial": "30", "customer": "25", "internal_process": "25", "learning_growth": "25"}


def test_retired_indicators_and_broken_links_are_problems(world):
    from indicators.models import IndicatorStatus

    company, dept_version, shared = approved_department_linked_to_a_draft_company(world)
    department = dept_version.scorecard
    v2 = services.new_version(by=hr_user(world), scorecard=department, effective_from=4, note="x")
    company_line = company.versions.get().lines.get(indicator=shared)
    services.delete_line(by=hr_user(world), line=company_line)
    retired = v2.lines.exclude(indicator=shared).first().indicator
    retired.status = IndicatorStatus.RETIRED
    retired.save()
    messages = [services.problem_message(p) for p in services.card_problems(v2)]
    assert f"{retired.code} is retired in the library; replace it." in messages
    assert f"It contributes to {shared.code}, which is no longer on the card above; change the link." in messages
