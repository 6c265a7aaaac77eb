"""The deployment contract: the platform/ trap, docker-compose.yml, production settings."""

from __future__ import annotations

import importlib
import os
import platform
import secrets
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "bot")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_platform_is_not_a_python_package():
    assert not (ROOT / "platform" / "__init__.py").exists(), "a package named platform shadows the standard library"
    assert Path(platform.__file__).resolve().parent == Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert callable(platform.system)


def test_compose_has_the_services_of_the_architecture():
    services = compose()["services"]
    for name in ("postgres", "redis", "web", "worker", "bot"):
        assert name in services, name
    assert services["postgres"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    dockerfile = services["web"]["build"]["dockerfile"]
    assert (ROOT / dockerfile).is_file()


def check_command(command: list[str]) -> None:
    """Fail unless ``command`` runs something this project has."""
    from django.core.management import get_commands

    program = command[0]
    if program == "python" and command[1] == "manage.py":
        assert command[2] in get_commands(), f"no management command {command[2]!r}"
    elif program == "uvicorn":
        module, _, attribute = command[1].partition(":")
        assert hasattr(importlib.import_module(module), attribute), command[1]
    elif program == "celery":
        app = command[command.index("-A") + 1]
        assert importlib.import_module(app).app.main == app
        assert command[command.index("-A") + 2] == "worker"
    else:
        pytest.fail(f"unknown program in {command}")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_compose_command_exists_in_the_project(service):
    check_command(compose()["services"][service]["command"])


def test_procfile_and_dockerfile_run_the_same_commands_as_compose():
    services = compose()["services"]
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "platform/Procfile").read_text().splitlines() if line and line[0] != "#"
    )
    assert shlex.split(procfile["web"]) == services["web"]["command"]
    assert shlex.split(procfile["worker"]) == services["worker"]["command"]
    assert shlex.split(procfile["bot"]) == services["bot"]["command"]
    assert shlex.split(procfile["release"]) == services["migrate"]["command"]
    cmd = next(line for line in (ROOT / "platform/Dockerfile").read_text().splitlines() if line.startswith("CMD"))
    assert yaml.safe_load(cmd[3:]) == services["web"]["command"]


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://consult:consult@postgres:5432/consult",
        "REDIS_URL": "redis://redis:6379/0",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "consult.example.org",
        "HTTPS": "true",
    }
    env.pop("WHITENOISE_USE_FINDERS", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_services_profile_refuses_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "",
        "DATABASE_URL": "postgres://x@localhost/x",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_healthz_answers_whatever_the_host(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert (response.status_code, response.content) == (200, b"ok")
