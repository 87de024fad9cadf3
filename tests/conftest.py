import pytest
from django.core.cache import cache
from django.utils import translation

from bsc_site.celery import app as celery_app

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests talk plain http to the test client and the live server.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    # Password hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    # A request in an earlier test may have left another language active in this thread.
    translation.activate("en")
    # Most tests run tasks in-process; tests/test_celery.py uses a real worker.
    celery_app.conf.task_always_eager = True
    yield


@pytest.fixture
def login(client):
    """Sign a user in on the test client, as the log-in page would."""

    def sign_in(user, on=None):
        target = on or client
        target.force_login(user, backend=MODEL_BACKEND)
        return target

    return sign_in


@pytest.fixture
def world(db):
    from tests.organisation.world import build_world
    from tests.strategy.factories import ensure_perspectives

    # The four perspectives come from a migration; a transactional test before this one
    # may have flushed them, and scorecards need them.
    ensure_perspectives()
    return build_world()
