"""The checks behind /readyz: can this process serve real requests right now?

Each check is cheap (one round trip at most) and reports only what failed, never a connection string
or an exception message (they may hold host names or passwords): the class name says enough.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache as once

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# The worker writes this cache key (operations.tasks.worker_heartbeat), beat every HEARTBEAT_SECONDS.
WORKER_HEARTBEAT_KEY = "operations:worker-heartbeat"
HEARTBEAT_SECONDS = 30


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str = ""

    def as_json(self) -> dict:
        return {"ok": self.ok, **({"detail": self.detail} if self.detail else {})}


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the kind is reported
        return CheckResult(False, f"unreachable ({type(error).__name__})")
    return CheckResult(True)


def redis_configured() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def check_redis() -> CheckResult:
    if not redis_configured():
        return CheckResult(True, "not configured (in-process cache and tasks)")
    try:
        cache.get(WORKER_HEARTBEAT_KEY)
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, f"unreachable ({type(error).__name__})")
    return CheckResult(True)


def workers_configured() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def check_worker(*, now: float | None = None) -> CheckResult:
    if not workers_configured():
        return CheckResult(True, "not configured (tasks run in the web process)")
    try:
        beat = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, f"heartbeat unreadable ({type(error).__name__})")
    if beat is None:
        return CheckResult(False, "no heartbeat from any worker")
    age = (now if now is not None else time.time()) - float(beat)
    if age > settings.OPS_WORKER_HEARTBEAT_MAX_AGE:
        return CheckResult(False, f"last heartbeat {int(age)} s ago")
    return CheckResult(True, f"last heartbeat {max(int(age), 0)} s ago")


@once
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    # Read from disk once per process: the code (and so its migrations) does not change under it.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def check_migrations() -> CheckResult:
    try:
        # One SELECT (applied_migrations() would first ask whether the table exists).
        applied = set(MigrationRecorder(connection).migration_qs.values_list("app", "name"))
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, f"unknown ({type(error).__name__})")
    missing = sorted(f"{app}.{name}" for app, name in migrations_on_disk() - applied)
    if missing:
        return CheckResult(False, f"{len(missing)} not applied: {', '.join(missing[:5])}")
    return CheckResult(True)


def readiness() -> dict[str, CheckResult]:
    database = check_database()
    return {
        "database": database,
        "redis": check_redis(),
        "worker": check_worker(),
        # Without the database there is nothing to compare: say so once, under database.
        "migrations": check_migrations() if database.ok else CheckResult(False, "database unreachable"),
    }
