from datetime import date

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from organisation.models import Assignment, Department, Employee, Post, Team, User

PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    name_zh = factory.Sequence(lambda n: f"部门{n}")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name_en = factory.Sequence(lambda n: f"Post {n}")
    name_zh = factory.Sequence(lambda n: f"岗位{n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name_en = factory.Sequence(lambda n: f"Team {n}")


class EmployeeFactory(DjangoModelFactory):
    """An active employee with a current assignment matching their department and post."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    name_en = factory.Sequence(lambda n: f"Person {n}")
    name_zh = factory.Sequence(lambda n: f"员工{n}")
    department = factory.SubFactory(DepartmentFactory)
    post = factory.SubFactory(PostFactory, department=factory.SelfAttribute("..department"))
    hire_date = date(2020, 1, 1)

    @factory.post_generation
    def assignment(obj, create, extracted, **kwargs):
        if create:
            Assignment.objects.create(
                employee=obj, department=obj.department, post=obj.post, team=obj.team, start_date=obj.hire_date
            )


def grant(user, *roles):
    """Give a user roles that are held by group membership (HR, GM, ...)."""
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    for attr in ("_bsc_roles", "_bsc_headed"):
        user.__dict__.pop(attr, None)
    return user


def make_head(department, **kwargs):
    head = EmployeeFactory(department=department, **kwargs)
    department.head = head
    department.save()
    return head
