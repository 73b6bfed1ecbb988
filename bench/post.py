"""What the apps derive from the generated rows, done by the apps' own code (never re-implemented here).

Coverage snapshots come from `supervision.rollup`, the published tracking list from the projects app's
service: the dashboard and the year-end export read these, so they must be what the app would write.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

from bench.generate import ADMIN_USERNAME, SNAPSHOT_DAYS, YEAR, Generated, tables_exist


def optional(module: str, name: str) -> Callable | None:
    """A function of an app that may not have landed yet; None when it is not there."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def write_snapshots(log=None) -> float | None:
    rollup_coverage = optional("supervision.rollup", "rollup_coverage")
    if rollup_coverage is None or not tables_exist("supervision.CoverageSnapshot"):
        return None
    from supervision.models import Campaign

    started = time.perf_counter()
    campaign = Campaign.objects.get(year=YEAR)
    for day in SNAPSHOT_DAYS:
        rollup_coverage(campaign=campaign, day=day)
    return time.perf_counter() - started


def publish_tracking_list(log=None) -> float | None:
    publish = optional("projects.services", "publish_tracking_list")
    if publish is None or not tables_exist("projects.TrackingList"):
        return None
    from org.models import User
    from projects.models import RatingRound

    started = time.perf_counter()
    publish(
        rating_round=RatingRound.objects.get(year=YEAR),
        user=User.objects.get(username=ADMIN_USERNAME),
        reason="bench",
    )
    return time.perf_counter() - started


def derive(result: Generated, log=None) -> dict[str, float]:
    seconds = {}
    for name, step in (("snapshots", write_snapshots), ("tracking list", publish_tracking_list)):
        try:
            taken = step(log)
        except TypeError as error:  # the app's signature moved: say so, keep the data set usable
            if log:
                log(f"{name}: skipped ({error})")
            continue
        if taken is not None:
            seconds[name] = taken
            if log:
                log(f"{name}: {taken:.1f} s")
    return seconds
