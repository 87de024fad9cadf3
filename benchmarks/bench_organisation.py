"""Organisation benchmarks: bulk import and employee lists at the size of a large company.

Run: .venv/bin/python benchmarks/bench_organisation.py [--employees 3000] [--import-rows 1000]
Uses a throw-away SQLite database unless DATABASE_URL is set. Prints figures; asserts nothing.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bsc_site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def build_company(employees: int):
    from django.contrib.auth.models import Group

    from organisation.models import Assignment, Department, Employee, Post, Role, User

    departments = [Department.objects.create(code=f"D{i:02d}", name_en=f"Department {i}", name_zh=f"部门{i}") for i in range(20)]
    posts = [Post.objects.create(code=f"P{i:02d}", department=d, name_en=f"Post {i}") for i, d in enumerate(departments)]
    users = User.objects.bulk_create([User(username=f"u{i:05d}") for i in range(employees)])
    people = Employee.objects.bulk_create(
        Employee(user=u, employee_number=f"{i:05d}", name_en=f"Person {i}", name_zh=f"员工{i}",
                 department=departments[i % 20], post=posts[i % 20], hire_date=date(2020, 1, 1))
        for i, u in enumerate(users)
    )
    Assignment.objects.bulk_create(
        Assignment(employee=e, department_id=e.department_id, post_id=e.post_id, start_date=e.hire_date) for e in people
    )
    hr = User.objects.create(username="bench-hr")
    hr.groups.add(Group.objects.create(name=Role.HR))
    return hr, departments, posts


def import_file(rows: int, departments, posts) -> bytes:
    from bsc_site.xlsx import write_workbook
    from organisation.employee_import import COLUMNS

    header = [c.headers[0] for c in COLUMNS]
    keys = [c.key for c in COLUMNS]
    data = []
    for i in range(rows):
        values = {"employee_number": f"N{i:06d}", "name_zh": f"新员工{i}", "name_en": f"New {i}",
                  "department": departments[i % 20].code, "post": posts[i % 20].code, "hire_date": "2024-03-01"}
        data.append([values.get(k, "") for k in keys])
    return write_workbook([("Employees", header, data)])


def timed(label, func, repeat=1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<52} {best * 1000:9.1f} ms")
    return result, best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--import-rows", type=int, default=1000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from organisation.employee_import import import_employees

    hr, departments, posts = build_company(args.employees)
    print(f"company: {args.employees} employees in 20 departments ({connection.vendor})")

    client = Client()
    client.force_login(hr, backend="django.contrib.auth.backends.ModelBackend")
    queries = []
    # execute_wrapper counts every statement, even across the request's signal handlers.
    with connection.execute_wrapper(lambda execute, sql, params, many, context: queries.append(sql) or execute(sql, params, many, context)):
        response = client.get("/api/v1/employees/?page_size=100")
    assert response.status_code == 200 and len(response.json()["results"]) == 100, response.status_code
    timed("API employee list, 100 per page (best of 10)", lambda: client.get("/api/v1/employees/?page_size=100"), 10)
    print(f"{'  queries per API list call':<52} {len(queries):9d}")
    timed("employee list page, 50 per page (best of 10)", lambda: client.get("/org/employees/"), 10)
    timed("department tree page (best of 10)", lambda: client.get("/org/departments/"), 10)

    data = import_file(args.import_rows, departments, posts)
    print(f"{'import file size':<52} {len(data) / 1024:9.1f} KiB")
    tracemalloc.start()
    result, seconds = timed(f"import {args.import_rows} employees (all-or-nothing)", lambda: import_employees(by=hr, data=data))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not result.errors, result.errors[:3]
    print(f"{'  peak Python memory during import':<52} {peak / 1024 / 1024:9.1f} MiB")
    print(f"{'  rows per second':<52} {len(result.created) / seconds:9.0f}")


if __name__ == "__main__":
    main()
