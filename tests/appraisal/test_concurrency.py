"""Two people acting on one form at the same moment, on the PostgreSQL of scripts/test: the
row lock makes one win and the other get a clear conflict, with one history row."""

import threading

import pytest
from django.db import connection, connections

from appraisal import services
from appraisal.models import Form, FormKind, FormStatus, Transition
from organisation.models import Role
from tests.appraisal.factories import all_values, approved_cards
from tests.organisation.factories import UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run the calls in threads released at once; each returns its result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_simultaneous_approvals_give_one_transition(world):
    assert connection.vendor == "postgresql", "row locks are tested on the PostgreSQL of scripts/test"
    approved_cards(world)
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
    services.take_step(by=world.hr.user, form=form, action="calculate")
    second_gm = UserFactory(username="deputy_gm")
    grant(second_gm, Role.GENERAL_MANAGER)

    results = run_together(
        lambda: services.take_step(by=world.gm.user, form=Form.objects.get(pk=form.pk), action="approve"),
        lambda: services.take_step(by=second_gm, form=Form.objects.get(pk=form.pk), action="approve"),
    )

    won = [result for result in results if isinstance(result, Form)]
    lost = [result for result in results if isinstance(result, services.Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "cannot be done to a form that is approved" in lost[0].messages[0]
    assert Form.objects.get(pk=form.pk).status == FormStatus.APPROVED
    assert Transition.objects.filter(form=form, action="approve").count() == 1


def test_two_simultaneous_saves_from_the_same_page_keep_one(world):
    assert connection.vendor == "postgresql", "row locks are tested on the PostgreSQL of scripts/test"
    approved_cards(world)
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    key = next(iter(form.snapshot["lines"]))

    results = run_together(
        lambda: services.save_values(by=world.hr.user, form=form, values={key: {"actual": "1"}}, revision=1),
        lambda: services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "2"}}, revision=1),
    )

    assert sum(isinstance(result, Form) for result in results) == 1
    assert sum(isinstance(result, services.StaleForm) for result in results) == 1
    assert Form.objects.get(pk=form.pk).revision == 2
