"""Any number of app servers and workers (issue 17, item 6): nothing a request needs is kept in
one process's memory or on its disk. Sessions are in the database; the cache (rate limits) is
Redis when REDIS_URL is set and the database otherwise, in the production settings as a server
reads them from its environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SHOW = (
    "from django.conf import settings; print(settings.CACHES['default']['BACKEND']);"
    "print(settings.SESSION_ENGINE); print(settings.CELERY_TASK_ALWAYS_EAGER);"
    "print(settings.CELERY_BROKER_URL or '-')"
)


def production_settings(**env: str) -> list[str]:
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SECRET_KEY": secrets.token_urlsafe(50), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


@pytest.mark.parametrize(
    ("env", "cache", "eager", "broker"),
    [
        ({}, "django.core.cache.backends.db.DatabaseCache", "True", "-"),
        (
            {"REDIS_URL": "redis://cache.internal:6379/0"},
            "django.core.cache.backends.redis.RedisCache",
            "False",
            "redis://cache.internal:6379/0",
        ),
        (
            {"CELERY_BROKER_URL": "redis://broker.internal:6379/1"},
            "django.core.cache.backends.db.DatabaseCache",
            "False",
            "redis://broker.internal:6379/1",
        ),
    ],
)
def test_shared_state_lives_in_the_database_or_redis(env, cache, eager, broker) -> None:
    backend, sessions, always_eager, broker_url = production_settings(**env)

    assert backend == cache
    assert sessions == "django.contrib.sessions.backends.db"
    # With no broker, tasks run in the process that asks for them; otherwise on the workers.
    assert (always_eager, broker_url) == (eager, broker)
