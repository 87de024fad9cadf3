"""docker-compose.yml cannot run here (no Docker engine), so read it and check it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "bsc_site" / "settings.py").read_text()
SETTINGS_VARS = set(re.findall(r'env\.\w+\("([A-Z_]+)"', SETTINGS_SOURCE))
COMPOSE_ONLY_VARS = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}


def command_of(service) -> str:
    command = COMPOSE["services"][service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_the_five_services():
    assert set(COMPOSE["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_database_is_postgresql_15_or_later_and_redis_7():
    db_image = COMPOSE["services"]["db"]["image"]
    assert db_image.startswith("postgres:") and int(db_image.split(":")[1].split("-")[0].split(".")[0]) >= 15
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")


def test_web_migrates_then_serves_with_gunicorn():
    command = command_of("web")
    assert command.index("migrate") < command.index("gunicorn")
    assert "bsc_site.wsgi:application" in command


def test_worker_and_beat_run_the_project_celery_app():
    assert "celery -A bsc_site worker" in command_of("worker")
    assert "celery -A bsc_site beat" in command_of("beat")


def test_every_long_running_service_has_a_healthcheck():
    for name in ("db", "redis", "web", "worker"):
        assert COMPOSE["services"][name].get("healthcheck", {}).get("test"), name


def test_app_services_wait_for_healthy_database_and_redis():
    for name in ("web", "worker", "beat"):
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_environment_variables_refer_to_settings_that_exist():
    for name in ("web", "worker", "beat"):
        for variable in COMPOSE["services"][name].get("environment", {}):
            assert variable in SETTINGS_VARS, f"{name} sets {variable}, which the settings do not read"


def test_env_example_lists_every_setting_and_nothing_unknown():
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#") and "=" in line}
    assert SETTINGS_VARS <= listed, f"missing from .env.example: {SETTINGS_VARS - listed}"
    assert listed <= SETTINGS_VARS | COMPOSE_ONLY_VARS, f"unknown in .env.example: {listed - SETTINGS_VARS - COMPOSE_ONLY_VARS}"


def test_env_example_holds_no_real_secret():
    values = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line and not line.startswith("#") and "=" in line
    )
    assert values["SECRET_KEY"] == "change-me"
    assert values["DEBUG"] == "false"
