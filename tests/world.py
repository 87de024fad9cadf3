"""The organisation world of tests/organisation/world.py plus a draft strategy plan:
what the access matrix exercises every route with."""

from indicators import rounds
from tests.indicators.factories import IndicatorFactory
from tests.organisation.world import build_world
from tests.strategy.factories import CellFactory, LinkFactory, MeasureFactory, ObjectiveFactory, PlanFactory, ensure_perspectives, perspective


def build_full_world():
    world = build_world()
    ensure_perspectives()
    world.plan = PlanFactory(year=2026)
    world.objective = ObjectiveFactory(plan=world.plan, code="F1", perspective=perspective("financial"))
    driver = ObjectiveFactory(plan=world.plan, code="C1", perspective=perspective("customer"))
    world.link = LinkFactory(source=driver, target=world.objective)
    world.measure = MeasureFactory(objective=world.objective, code="M1")
    world.cell = CellFactory(measure=world.measure, department=world.dept_a, role="lead")
    world.perspective = perspective("financial")
    world.indicator = IndicatorFactory(perspective=world.perspective)
    world.indicator.measures.add(world.measure)
    world.round = rounds.open_round(
        by=world.hr.user, name="Perspectives", method="points",
        items=[{"key": "financial", "label": "Financial"}, {"key": "customer", "label": "Customer"}],
    )
    rounds.invite_experts(by=world.hr.user, round=world.round, experts=[world.gm.user], panel_group="senior_manager")
    return add_appraisal(add_scorecards(world))


def add_scorecards(world):
    """Scorecards the access matrix targets: the company card, department A's card (own to
    emp_a and head_a), post A's card (emp_a's own post) and department B's card (other);
    each with a draft version 1 holding one line per perspective, linked upwards."""
    from scorecards import services
    from scorecards.models import Level
    from tests.scorecards.factories import indicator, valid_card

    hr = world.hr.user
    world.company_card, company_version = valid_card(hr, level=Level.COMPANY)
    shared = company_version.lines.first().indicator
    world.dept_card, dept_version = valid_card(
        hr, level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"W-A-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    world.post_card, post_version = valid_card(hr, level=Level.POST, post=world.post_a)
    world.other_card, other_version = valid_card(hr, level=Level.DEPARTMENT, department=world.dept_b)
    world.cascade_link = services.link_line(
        by=hr, line=dept_version.lines.get(indicator=shared), upper_scorecard=world.company_card, upper_indicator=shared
    )
    world.profile = services.save_profile(by=hr, code="even", name_en="Even", shares=["8.33"] * 11 + ["8.37"])
    world.proposal = services.propose_change(by=world.head_a.user, scorecard=world.dept_card, text="Add a quality line")
    return world


def add_appraisal(world):
    """March 2026 with a draft form for emp_a (self), emp_a2 (peer), emp_a1 (sub, in A1)
    and emp_b (other), all made from one approved card (what matters is who sees them)."""
    from datetime import date

    from appraisal.models import Form, Period
    from appraisal.services import snapshot_of

    from scorecards import services as card_services
    from scorecards.models import Level
    from tests.scorecards.factories import valid_card

    # The forms' own approved card (post A1's), apart from the four cards the scorecard
    # routes are tried on: those must stay deletable drafts.
    _card, version = valid_card(world.hr.user, level=Level.POST, post=world.post_a1)
    card_services.submit_version(by=world.hr.user, version=version)
    card_services.approve_version(by=world.hr.user, version=version)
    snapshot, info = snapshot_of(version, 3)
    world.period = Period.objects.create(year=2026, month=3, deadline=date(2026, 3, 25), opened_by=world.hr.user, status="collecting")
    world.forms = {
        target: Form.objects.create(
            period=world.period, employee=employee, department=employee.department, post=employee.post,
            scorecard_version=version, snapshot={"calculation": snapshot, "lines": info},
        )
        for target, employee in (("self", world.emp_a), ("peer", world.emp_a2), ("sub", world.emp_a1), ("other", world.emp_b))
    }
    from django.core.files.base import ContentFile

    from appraisal.models import Evidence, FormValue

    value = FormValue.objects.create(form=world.forms["self"], line_key=next(iter(info)))
    from appraisal.models import Inspection

    world.inspections = {
        target: Inspection.objects.create(date=date(2026, 3, 5), department=department, inspector=world.hr.user)
        for target, department in (("own", world.dept_a), ("other", world.dept_b))
    }
    world.evidence = Evidence.objects.create(value=value, file=ContentFile(b"a note", name="note.txt"), name="note.txt", uploaded_by=world.emp_a.user)
    from appraisal.models import RatingRequest

    key = next(iter(info))
    world.rating_requests = {
        "mine": RatingRequest.objects.create(form=world.forms["peer"], line_key=key, rater=world.emp_a, relation="peer", assigned_by=world.hr.user),
        "other": RatingRequest.objects.create(form=world.forms["other"], line_key=key, rater=world.committee, relation="peer", assigned_by=world.hr.user),
    }
    from results.models import Appeal

    world.appeal = Appeal.objects.create(form=world.forms["self"], reason="The target was raised after the month began", deadline=date(2026, 4, 7))
    from results.models import ImprovementPlan, Interview, PlanItem

    world.interview = Interview.objects.create(form=world.forms["self"], held_on=date(2026, 4, 2), held_by=world.head_a.user)
    world.plan = ImprovementPlan.objects.create(employee=world.emp_a, form=world.forms["self"], created_by=world.head_a.user)
    world.plan_item = PlanItem.objects.create(plan=world.plan, problem="Late quotes", action="Answer within a day", owner=world.emp_a, due=date(2026, 5, 31))
    return world
