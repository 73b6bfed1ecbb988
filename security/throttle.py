"""Login throttling: after repeated failures an account (or an address) is refused for a while.

Failures are counted per normalised username and per client address within a sliding window;
once either reaches its limit, log-ins are refused until enough failures have aged out of the
window. Attempts refused while locked are not counted, so an attacker cannot keep a victim's
account locked forever, only for one window at a time.
"""

from __future__ import annotations

import datetime
import ipaddress

from django.conf import settings
from django.db import transaction
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


@transaction.atomic
def record_failure(*, username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - RETENTION).delete()
    LoginFailure.objects.create(username=normalise_username(username), ip=ip, at=now)


def clear_failures(*, username: str) -> None:
    """A successful log-in forgives the account's earlier typos (the address keeps its count)."""
    LoginFailure.objects.filter(username=normalise_username(username)).delete()
