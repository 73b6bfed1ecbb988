"""Login throttling: after repeated failures an account (or an address) is refused for a while.

Failures are counted per normalised username and per client address within a sliding window;
once either reaches its limit, log-ins are refused until enough failures have aged out of the
window. Attempts refused while locked are not counted, so an attacker cannot keep a victim's
account locked forever, only for one window at a time.

Counting and checking are one step: `reserve_attempt` records the attempt as a failure before the
password is checked, under a lock on the account's and the address's keys, so simultaneous log-ins
queue there and at most the limit of them ever get their password checked. A right password then
takes its reservation back (`clear_failures`). The lock is a PostgreSQL transaction-level advisory
lock; SQLite (the demo) begins every transaction with its write lock (`transaction_mode IMMEDIATE`
in settings), which serialises the same step.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from security.models import LoginFailure

# Rows older than this are never read again; deleting them on each failure keeps the table tiny.
RETENTION = datetime.timedelta(days=1)


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy set LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR, and
    the last X-Forwarded-For hop (the one our proxy appended, not one the client typed) is used."""
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _seconds_until_unlocked(failures, *, limit: int, now: datetime.datetime) -> int:
    # The limit-th most recent failure is the one whose ageing out brings the count below the limit.
    times = list(failures.order_by("-at").values_list("at", flat=True)[limit - 1 : limit])
    if not times:
        return 0
    return max(0, int((times[0] + _window() - now).total_seconds()) + 1)


def seconds_locked(*, username: str, ip: str | None) -> int:
    """0 when a log-in may be tried; otherwise how many seconds until it may."""
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gte=now - _window())
    wait = _seconds_until_unlocked(
        recent.filter(username=normalise_username(username)),
        limit=settings.LOGIN_THROTTLE_USERNAME_LIMIT,
        now=now,
    )
    if ip:
        wait = max(
            wait,
            _seconds_until_unlocked(recent.filter(ip=ip), limit=settings.LOGIN_THROTTLE_IP_LIMIT, now=now),
        )
    return wait


def _lock_keys(*keys: str) -> None:
    """Wait for every other log-in of these keys to finish its reservation (until this transaction ends)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the transaction already holds the database's write lock.
    # Sorted, so two log-ins sharing both keys always take them in the same order (no deadlock).
    ids = sorted(
        {int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True) for key in keys}
    )
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


@transaction.atomic
def reserve_attempt(*, username: str, ip: str | None) -> int:
    """Count this log-in as a failure unless the account or address is locked, in one step.

    Returns 0 when the password may be checked (the attempt is recorded; a success takes it back with
    `clear_failures`), otherwise the seconds until a log-in may be tried (nothing recorded).
    """
    username = normalise_username(username)
    _lock_keys(f"login-user:{username}", *([f"login-ip:{ip}"] if ip else []))
    wait = seconds_locked(username=username, ip=ip)
    if wait:
        return wait
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - RETENTION).delete()
    LoginFailure.objects.create(username=username, ip=ip, at=now)
    return 0


def clear_failures(*, username: str) -> None:
    """A successful log-in forgives the account's earlier typos (the address keeps its count)."""
    LoginFailure.objects.filter(username=normalise_username(username)).delete()
