"""Configuration comes from the environment, and production settings pass Django's checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT)), **env}
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "hsb.council.example",
    "DATABASE_URL": "sqlite:////tmp/hsb-deploy-check.sqlite3",
}


def test_production_settings_pass_the_deployment_checklist_with_no_warning() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_the_environment_turns_it_on() -> None:
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **PRODUCTION
    )

    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_app_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", ALLOWED_HOSTS="hsb.council.example")

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_a_malformed_debug_value_is_refused_rather_than_guessed() -> None:
    result = run_manage("check", **PRODUCTION, DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_the_embedded_database_defaults_to_a_git_ignored_folder() -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
    )

    assert result.stdout.strip().splitlines()[-1] == str(ROOT / "var" / "hsb_portal.sqlite3")
    assert "/var/" in (ROOT / ".gitignore").read_text()


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgres://hsb@db.internal:5432/hsb", "django.db.backends.postgresql"),
        ("sqlite:////tmp/elsewhere.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_database_url_chooses_the_database(url: str, engine: str) -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
        DATABASE_URL=url,
    )

    assert result.stdout.strip().splitlines()[-1] == engine
