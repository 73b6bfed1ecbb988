"""Heavy reads on a PostgreSQL streaming replica, with read-your-writes for the user who just saved.

With REPLICA_DATABASE_URL set, settings add the database alias "replica" (REPLICA_DATABASE names it). Nothing goes
to the replica unless a selector asks: the dashboards' snapshots, the year-end export and the ranking
read inside `heavy_reads()` (or pass `heavy_read_alias()` to `.using()`); every other read, and every
write, stays on the primary. A replica lags its primary by a moment, so a user who wrote in the last
REPLICA_READ_YOUR_WRITES_SECONDS (a cookie stamped on each successful POST/PUT/PATCH/DELETE, by
`ReadYourWritesMiddleware`) reads everything from the primary, and so does the writing request itself:
someone who has just completed a visit sees it counted.

Without a replica every alias is the primary's ("default"): the demo and the test suite run unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
WROTE_COOKIE = "bt_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_heavy = ContextVar("branchtrack_heavy_reads", default=False)
_pinned = ContextVar("branchtrack_pinned_to_primary", default=False)


def replica_configured() -> bool:
    return bool(settings.REPLICA_DATABASE)


def heavy_read_alias() -> str:
    """Where a heavy read goes now: the replica, unless there is none or this user has just written."""
    if _pinned.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def heavy_reads() -> Iterator[str]:
    """Reads inside the block that name no database go to `heavy_read_alias()`; writes stay primary."""
    token = _heavy.set(True)
    try:
        yield heavy_read_alias()
    finally:
        _heavy.reset(token)


@contextmanager
def pinned_to_primary(pinned: bool = True) -> Iterator[None]:
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    """Reads inside `heavy_reads()` go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        return heavy_read_alias() if _heavy.get() else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


def wrote_recently(request) -> bool:
    try:
        stamp = float(request.COOKIES.get(WROTE_COOKIE, ""))
    except ValueError:
        return False
    # A stamp a moment ahead (rounded to the millisecond, or another host's clock) still counts.
    return -5 <= time.time() - stamp <= settings.REPLICA_READ_YOUR_WRITES_SECONDS


class ReadYourWritesMiddleware:
    """A writing request, and any request within N seconds of the user's last write, reads the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        with pinned_to_primary(writes or wrote_recently(request)):
            response = self.get_response(request)
        if writes and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
