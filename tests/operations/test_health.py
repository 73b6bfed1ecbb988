"""/healthz and /readyz: JSON, cheap, no session, and a 503 naming the check that failed."""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext

from operations.readiness import WORKER_HEARTBEAT_KEY, migrations_on_disk
from operations.tasks import worker_heartbeat

REFUSING_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def worker_beating(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    worker_heartbeat.delay()  # in process (eager), as a worker would run it


def test_healthz_answers_without_host_check_https_redirect_or_session(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["party.example.com"]
    # No db fixture: any query would raise here.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ok_when_everything_answers_and_only_reads(client, worker_beating):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "redis", "worker", "migrations"}
    assert body["checks"]["worker"]["ok"] is True
    assert len(queries) <= 2
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries)
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_readyz_names_an_unapplied_migration(client, worker_beating):
    app, name = sorted(migrations_on_disk())[0]
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == {"ok": False, "detail": f"1 not applied: {app}.{name}"}


@pytest.mark.django_db
def test_readyz_fails_on_a_worker_that_stopped_beating(client, worker_beating):
    cache.set(WORKER_HEARTBEAT_KEY, time.time() - 600, timeout=None)
    body = client.get("/readyz").json()
    assert body["failed"] == ["worker"]
    assert body["checks"]["worker"]["detail"] == "last heartbeat 600 s ago"
    cache.delete(WORKER_HEARTBEAT_KEY)
    body = client.get("/readyz").json()
    assert body["checks"]["worker"] == {"ok": False, "detail": "no heartbeat from any worker"}


@pytest.mark.django_db
def test_readyz_with_redis_down_names_redis_and_the_worker(client, settings):
    settings.CELERY_BROKER_URL = REFUSING_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REFUSING_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    cache.close()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis", "worker"]
    assert body["checks"]["redis"] == {"ok": False, "detail": "unreachable (ConnectionError)"}
    assert body["checks"]["database"] == {"ok": True}
    assert "127.0.0.1:1" not in response.content.decode()


READYZ_WITH_THE_DATABASE_DOWN = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test import Client

    response = Client(raise_request_exception=False).get("/readyz")
    print(response.status_code)
    print(response.content.decode())
    """
)


def test_readyz_with_the_database_down_is_503_naming_the_database_without_secrets():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "branchtrack.settings",
        # Port 9 (discard) on localhost: connection refused at once, a real failure.
        "DATABASE_URL": "postgres://postgres:s3cret-password@127.0.0.1:9/branchtrack",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", READYZ_WITH_THE_DATABASE_DOWN],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    answer = json.loads(body)
    assert answer["failed"] == ["database", "migrations"]
    assert answer["checks"]["database"] == {"ok": False, "detail": "unreachable (OperationalError)"}
    assert answer["checks"]["migrations"] == {"ok": False, "detail": "database unreachable"}
    assert "s3cret" not in body and "127.0.0.1" not in body


def test_a_starting_worker_beats_at_once(settings):
    from operations.tasks import heartbeat_when_the_worker_starts

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    cache.delete(WORKER_HEARTBEAT_KEY)
    heartbeat_when_the_worker_starts()
    assert time.time() - cache.get(WORKER_HEARTBEAT_KEY) < 5
