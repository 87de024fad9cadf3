"""A task runs through a real Celery worker process consuming from the test Redis."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bsc_site.celery import app as celery_app
from organisation.tasks import count_active_employees
from tests.organisation.factories import EmployeeFactory

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql", "the worker test needs the PostgreSQL of scripts/test"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker():
    """A `celery worker` process on the test database and Redis; stopped afterwards."""
    assert settings.REDIS_URL, "REDIS_URL must point at the test Redis (scripts/test starts one)"
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bsc_site", "worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_real_worker_and_reads_the_database(worker):
    EmployeeFactory.create_batch(3)
    celery_app.conf.task_always_eager = False
    result = count_active_employees.delay()
    # The worker needs a few seconds to start; get() waits on the result in Redis.
    assert result.get(timeout=60) == 3
    assert worker.poll() is None, "the worker should still be running"


def test_tasks_run_in_process_when_no_broker_is_configured(db):
    celery_app.conf.task_always_eager = True
    EmployeeFactory.create_batch(2)
    assert count_active_employees.delay().get() == 2
