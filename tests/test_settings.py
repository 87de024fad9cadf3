"""Settings variants, each loaded in a fresh interpreter with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTING_VARS = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "TIME_ZONE", "LANGUAGE_CODE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CSRF_TRUSTED_ORIGINS",
    # Set by scripts/test for Playwright; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k8Jd-2mQz_Lx7vN0pR4tW9yB3cF6hS1aE5gU8iO2kM7nP0qT4wZ",
    "ALLOWED_HOSTS": "bsc.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://bsc.example.com",
    "DATABASE_URL": "postgres://bsc:secret@db:5432/bsc",
    "REDIS_URL": "redis://redis:6379/0",
}


def run(env: dict, code: str = "", *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_VARS}
    command = [sys.executable, "manage.py", *args] if args else [sys.executable, "-c", code]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "bsc_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(env: dict, *names: str) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: str(getattr(s, n)) for n in {list(names)!r}}}))"
    )
    result = run(env, code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_variables():
    result = run(PRODUCTION, "", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(env, "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_development_generates_and_keeps_a_secret_key():
    first = settings_of({"DEBUG": "true"}, "SECRET_KEY")["SECRET_KEY"]
    second = settings_of({"DEBUG": "true"}, "SECRET_KEY")["SECRET_KEY"]
    assert len(first) >= 50
    assert first == second


def test_defaults_are_sqlite_and_in_process_celery():
    values = settings_of({"DEBUG": "true"}, "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "TIME_ZONE", "LANGUAGE_CODE")
    assert "sqlite3" in values["DATABASES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["LANGUAGE_CODE"] == "en"


def test_production_uses_postgresql_redis_and_secure_cookies():
    values = settings_of(
        PRODUCTION,
        "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CACHES", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG",
    )
    assert "postgresql" in values["DATABASES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"
    assert values["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert "RedisCache" in values["CACHES"]
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == values["SECURE_SSL_REDIRECT"] == "True"
    assert values["SECURE_HSTS_SECONDS"] == "31536000"
    assert values["DEBUG"] == "False"


def test_time_zone_and_language_come_from_the_environment():
    values = settings_of({"DEBUG": "true", "TIME_ZONE": "Europe/Berlin", "LANGUAGE_CODE": "zh-hans"}, "TIME_ZONE", "LANGUAGE_CODE")
    assert values == {"TIME_ZONE": "Europe/Berlin", "LANGUAGE_CODE": "zh-hans"}


def test_an_unknown_time_zone_is_refused_with_a_message():
    result = run({"DEBUG": "true", "TIME_ZONE": "Mars/Olympus"}, "import django; django.setup()")
    assert result.returncode != 0
    assert "TIME_ZONE 'Mars/Olympus' is not a known time zone" in result.stderr
