"""scorecards/alignment.py: coverage, the cascade tree and version differences, read from
cards built through the services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards import services
from scorecards.alignment import cascade_tree, coverage_for, version_diff_for
from scorecards.models import Level, VersionStatus
from tests.organisation.factories import DepartmentFactory, PostFactory
from tests.scorecards.factories import indicator, valid_card

D = Decimal
pytestmark = pytest.mark.django_db
PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


def hr(world):
    return world.hr.user


def company_card(world, year=2026):
    items = [indicator(f"C{year}-{code[:3]}", code, unit="万元") for code in PERSPECTIVES]
    return valid_card(hr(world), year=year, indicators=items)


def line_of(version, perspective="financial"):
    return version.lines.select_related("indicator").get(perspective__code=perspective)


def link(world, lower_version, upper_card, upper_version, *, perspective="financial", share=None, feed="sum"):
    upper_line = line_of(upper_version, perspective)
    return services.link_line(
        by=hr(world), line=line_of(lower_version, perspective), upper_scorecard=upper_card,
        upper_indicator=upper_line.indicator, feed=feed, share=share,
    )


def approve(world, version, by=None):
    services.submit_version(by=hr(world), version=version)
    return services.approve_version(by=by or hr(world), version=version)


def entry(result, code):
    return next(item for item in result.coverage.upper_lines if item.line.indicator_code == code)


# --- coverage ------------------------------------------------------------------------------


def test_company_coverage_weighs_the_departments_contributing_to_each_line(world):
    company, company_v = company_card(world)
    dept_a, dept_a_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    dept_b, dept_b_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_b)
    link(world, dept_a_v, company, company_v, share=D("60"), feed="weighted_average")
    link(world, dept_b_v, company, company_v)
    link(world, dept_b_v, company, company_v, perspective="customer")

    result = coverage_for(company)

    assert result.version == company_v
    assert [(item.scorecard, item.version) for item in result.lower] == [(dept_a, dept_a_v), (dept_b, dept_b_v)]
    revenue = entry(result, "C2026-fin")
    assert [(c.owner_label, c.share, c.weight) for c in revenue.contributions] == [("Alpha", D("60"), D("60.00")), ("Beta", None, D("40.00"))]
    assert [(c.owner_key, c.weight) for c in entry(result, "C2026-cus").contributions] == [(dept_b.owner_key, D("100.00"))]
    assert [line.indicator_code for line in result.coverage.uncovered] == ["C2026-int", "C2026-lea"]
    assert result.coverage.unlinked_cards == ()
    assert result.by_key[dept_b.owner_key].alignment.linked_weight == D("50.00")


def test_a_department_card_with_no_link_is_shown_as_unlinked(world):
    company, company_v = company_card(world)
    dept_a, _ = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    result = coverage_for(company)
    assert [card.owner_key for card in result.coverage.unlinked_cards] == [dept_a.owner_key]
    assert len(result.coverage.uncovered) == 4


def test_a_sub_department_counts_under_the_company_only_when_linked_to_it(world):
    company, company_v = company_card(world)
    sub, sub_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a1)
    assert coverage_for(company).lower == ()
    link(world, sub_v, company, company_v)
    assert [item.scorecard for item in coverage_for(company).lower] == [sub]


def test_coverage_reads_each_card_at_its_newest_version(world):
    company, company_v = company_card(world)
    dept_a, dept_a_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    link(world, dept_a_v, company, company_v)
    approve(world, dept_a_v)
    dept_a_v2 = services.new_version(by=hr(world), scorecard=dept_a, effective_from=4, note="April")
    services.unlink_line(by=hr(world), link=line_of(dept_a_v2).up_links.get())

    result = coverage_for(company)

    assert result.lower[0].version == dept_a_v2
    assert result.coverage.unlinked_cards[0].owner_key == dept_a.owner_key


def test_a_link_to_a_line_the_upper_cards_newest_version_dropped_is_broken(world):
    company, company_v = company_card(world)
    dept_a, dept_a_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    link(world, dept_a_v, company, company_v)
    approve(world, company_v, by=world.gm.user)
    company_v2 = services.new_version(by=hr(world), scorecard=company, effective_from=7, note="July")
    services.delete_line(by=hr(world), line=line_of(company_v2))

    result = coverage_for(company)

    assert result.version == company_v2
    [broken] = result.coverage.broken_links
    assert (broken.owner_key, broken.upper_indicator_code) == (dept_a.owner_key, "C2026-fin")
    assert len(result.coverage.upper_lines) == 3


def test_department_coverage_takes_its_teams_posts_and_sub_departments(world):
    company, company_v = company_card(world)
    dept_a, dept_a_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    team, team_v = valid_card(hr(world), level=Level.TEAM, team=world.team_a)
    post, post_v = valid_card(hr(world), level=Level.POST, post=world.post_a)
    sub, sub_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a1)
    valid_card(hr(world), level=Level.POST, post=world.post_b)  # department B's
    valid_card(hr(world), level=Level.POST, post=world.post_a1)  # below A1, not A
    link(world, team_v, dept_a, dept_a_v)
    link(world, post_v, dept_a, dept_a_v, share=D("50"))
    link(world, sub_v, company, company_v)  # to the company: does not cover A

    result = coverage_for(dept_a)

    assert [item.scorecard for item in result.lower] == [sub, team, post]
    top = result.coverage.upper_lines[0]
    assert [(c.owner_key, c.weight) for c in top.contributions] == [(team.owner_key, D("50.00")), (post.owner_key, D("50.00"))]
    assert [card.owner_key for card in result.coverage.unlinked_cards] == [sub.owner_key]


def test_cards_of_another_year_are_left_out(world):
    company, _ = company_card(world)
    valid_card(hr(world), year=2027, level=Level.DEPARTMENT, department=world.dept_a)
    assert coverage_for(company).lower == ()


def test_share_problems_come_back_translated(world):
    company, company_v = company_card(world)
    for department in (world.dept_a, world.dept_b):
        _, version = valid_card(hr(world), level=Level.DEPARTMENT, department=department)
        link(world, version, company, company_v, share=D("70"), feed="weighted_average")
    assert coverage_for(company).messages == (f"The shares given to C2026-fin {line_of(company_v).indicator.display_name} add up to 140%, more than 100%.",)


@pytest.mark.parametrize("level", [Level.TEAM, Level.POST])
def test_team_and_post_cards_have_no_coverage(world, level):
    owner = {Level.TEAM: {"team": world.team_a}, Level.POST: {"post": world.post_a}}[level]
    card, _ = valid_card(hr(world), level=level, **owner)
    with pytest.raises(ValueError):
        coverage_for(card)


def departments_linked_to(world, company, company_v, count):
    for _ in range(count):
        department = DepartmentFactory()
        _, version = valid_card(hr(world), level=Level.DEPARTMENT, department=department)
        link(world, version, company, company_v)


def queries(function, *args):
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_coverage_queries_do_not_grow_with_the_number_of_cards(world):
    company, company_v = company_card(world)
    departments_linked_to(world, company, company_v, 3)
    company.refresh_from_db()
    few = queries(coverage_for, company)
    departments_linked_to(world, company, company_v, 5)
    company.refresh_from_db()
    # the lower cards (with their owners); the newest versions; their lines (with
    # indicator and perspective); the lines' links to the card (with the upper indicator)
    assert queries(coverage_for, company) == few == 4


# --- the cascade tree ----------------------------------------------------------------------


def test_the_tree_runs_from_the_company_through_departments_to_teams_and_posts(world):
    company_card(world)
    valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    valid_card(hr(world), level=Level.POST, post=world.post_a1)

    tree = cascade_tree(2026)

    assert tree.level == Level.COMPANY and tree.has_card
    assert [node.owner for node in tree.children][:2] == [world.dept_a, world.dept_b]
    alpha = tree.children[0]
    assert [node.owner for node in alpha.children] == [world.team_a, world.post_a, world.dept_a1]
    assert [node.owner for node in alpha.children[2].children] == [world.post_a1]
    assert [(depth, node.label) for depth, node in tree.rows][:6] == [
        (0, "Company"), (1, "Alpha"), (2, world.team_a.display_name), (2, world.post_a.display_name),
        (2, "Alpha one"), (3, world.post_a1.display_name),
    ]


def test_owners_without_a_card_are_gaps(world):
    company_card(world)
    tree = cascade_tree(2026)
    beta = next(node for node in tree.children if node.owner == world.dept_b)
    assert beta.card is None and beta.version is None and beta.status is None
    assert (beta.line_count, beta.linked_line_count) == (0, 0)
    assert not cascade_tree(2030).has_card


def test_a_node_shows_its_newest_versions_status_and_linked_lines(world):
    company, company_v = company_card(world)
    dept_a, dept_a_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    link(world, dept_a_v, company, company_v)
    link(world, dept_a_v, company, company_v, perspective="customer")
    approve(world, dept_a_v)
    services.new_version(by=hr(world), scorecard=dept_a, effective_from=3, note="March")

    alpha = cascade_tree(2026).children[0]

    assert alpha.card == dept_a
    assert (alpha.version.number, alpha.status, alpha.status_label) == (2, VersionStatus.DRAFT, "Draft")
    assert (alpha.line_count, alpha.linked_line_count) == (4, 2)


def test_an_inactive_owner_shows_only_when_it_has_a_card(world):
    valid_card(hr(world), level=Level.POST, post=world.post_b)
    retired = PostFactory(department=world.dept_b, is_active=False)
    for post in (world.post_b, retired):
        post.is_active = False
        post.save()
    beta = next(node for node in cascade_tree(2026).children if node.owner == world.dept_b)
    assert [node.owner for node in beta.children if node.level == Level.POST] == [world.post_b]
    beta_2027 = next(node for node in cascade_tree(2027).children if node.owner == world.dept_b)
    assert [node.owner for node in beta_2027.children if node.level == Level.POST] == []


def test_tree_queries_do_not_grow_with_the_organisation(world):
    company, company_v = company_card(world)
    departments_linked_to(world, company, company_v, 3)
    few = queries(cascade_tree, 2026)
    departments_linked_to(world, company, company_v, 5)
    for _ in range(3):
        PostFactory(department=world.dept_b)
    # the company's name, departments, teams, posts, the year's cards, their newest versions
    # with line counts
    assert queries(cascade_tree, 2026) == few == 6


# --- differences between versions ------------------------------------------------------------


def changed_company_card(world):
    company, v1 = company_card(world)
    approve(world, v1, by=world.gm.user)
    v2 = services.new_version(by=hr(world), scorecard=company, effective_from=4, note="April")
    v2 = services.update_version(by=hr(world), version=v2, veto_mode="cap", veto_ceiling=D("60"))
    services.save_line(by=hr(world), version=v2, line=line_of(v2), weight=D("30"), target=D("120"))
    services.delete_line(by=hr(world), line=line_of(v2, "learning_growth"))
    services.save_line(by=hr(world), version=v2, indicator=indicator("C-NEW", "learning_growth", unit="%"), weight=D("25"), target=D("95"))
    return company, v1, v2


def test_the_diff_shows_settings_with_labels_and_display_values(world):
    _, v1, v2 = changed_company_card(world)
    result = version_diff_for(v1, v2)
    assert [(c.label, c.old, c.new) for c in result.settings] == [
        ("Effective from month", "January", "April"),
        ("Veto policy", "Total set to 0", "Total capped at a ceiling"),
        ("Veto ceiling", "—", "60"),
    ]


def test_the_diff_shows_changed_lines_with_units(world):
    _, v1, v2 = changed_company_card(world)
    [changed] = version_diff_for(v1, v2).changed
    assert changed.code == "C2026-fin"
    by_field = {c.field: (c.label, c.old, c.new) for c in changed.changes}
    assert set(by_field) == {"weight", "target", "month_targets"}
    assert by_field["weight"] == ("Weight (%)", "25%", "30%")
    assert by_field["target"] == ("Annual target", "100 万元", "120 万元")
    assert by_field["month_targets"][2].startswith("10, 10, 10")


def test_the_diff_lists_added_and_removed_lines_with_their_values(world):
    _, v1, v2 = changed_company_card(world)
    result = version_diff_for(v1, v2)
    [added], [removed] = result.added, result.removed
    assert added.code == "C-NEW" and removed.code == "C2026-lea"
    values = {value.field: value.value for value in added.values}
    assert values["target"] == "95 %"
    assert values["method"] == "Percentage" and values["data_owner"] == "The department"
    assert values["perspective"] == line_of(v1, "learning_growth").perspective.display_name
    assert values["up_links"] == "—"
    assert result.has_changes


def test_the_diff_shows_a_lines_links_upwards(world):
    company, company_v = company_card(world)
    dept_a, v1 = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    approve(world, v1)
    v2 = services.new_version(by=hr(world), scorecard=dept_a, effective_from=5, note="May")
    link(world, v2, company, company_v, share=D("40"), feed="weighted_average")
    [changed] = version_diff_for(v1, v2).changed
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("up_links", "—", "Company · C2026-fin (Weighted average, 40%)")]


def test_a_copied_version_has_no_differences_but_its_month(world):
    company, v1 = company_card(world)
    approve(world, v1, by=world.gm.user)
    v2 = services.new_version(by=hr(world), scorecard=company, effective_from=2, note="February")
    result = version_diff_for(v1, v2)
    assert [c.field for c in result.settings] == ["effective_from"]
    assert result.added == result.removed == result.changed == ()


def test_versions_of_two_cards_cannot_be_compared(world):
    _, company_v = company_card(world)
    _, dept_v = valid_card(hr(world), level=Level.DEPARTMENT, department=world.dept_a)
    with pytest.raises(ValueError):
        version_diff_for(company_v, dept_v)


def test_the_diff_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    company, v1, v2 = changed_company_card(world)
    v1.refresh_from_db()
    v2.refresh_from_db()
    # perspectives; both versions' lines (indicator, perspective, profile); their links
    # (upper card with its owner, upper indicator); the card
    with django_assert_max_num_queries(4):
        version_diff_for(v1, v2)
