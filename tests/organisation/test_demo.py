import pytest
from django.core.management import call_command

from organisation.models import ApiToken, Department, Employee, Role, Team, User
from organisation.roles import roles_of

pytestmark = pytest.mark.django_db


def counts():
    return (Department.objects.count(), Team.objects.count(), Employee.objects.count(), User.objects.count(), ApiToken.objects.count())


def test_the_demo_company_has_the_seed_departments_people_and_every_role(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert {"GMO", "HR", "FIN", "SAL", "PRD", "QA", "PUR", "RD"} <= set(Department.objects.values_list("code", flat=True))
    assert 40 <= Employee.objects.count() <= 60
    assert Team.objects.get(code="SAL-HALL").department.code == "SAL"
    assert Department.objects.filter(head__isnull=True).count() == 0
    assert Department.objects.get(code="PRD1").parent.code == "PRD"
    expected = {
        "admin": Role.ADMINISTRATOR, "gm": Role.GENERAL_MANAGER, "hr": Role.HR, "head.sales": Role.DEPARTMENT_HEAD,
        "committee": Role.COMMITTEE, "employee": Role.EMPLOYEE, "integrator": Role.INTEGRATOR,
    }
    for username, role in expected.items():
        assert role in roles_of(User.objects.get(username=username)), username
        assert f"user: {username} " in out
    assert "Authorization: Bearer bsc_" in out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in Employee.objects.first().name_zh)

    # Loading it again (the whole demo is slow to build: checked here, not built twice more).
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert "Authorization: Bearer" not in capsys.readouterr().out.split("Demo company loaded")[-1]
