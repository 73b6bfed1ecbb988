"""Figure 6: the REST API at the target size, driven in-process through the app's own urls.

6a reads a whole day of coverage snapshots (every unit) through `/api/v1/coverage/`; 6b pages through
every visit with `/api/v1/visits/` (cursor pages of 500, each with its scores and findings). Each page's
queries are counted: the count must be the same on the first page and the last (constant per page).
The token used is made inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

PAGE_SIZE = 500


class _Rollback(Exception):
    pass


def _page_through(client: Client, url: str, *, limit: int | None = None) -> tuple[list[float], set[int], int]:
    """Follow `next` from `url`: seconds per page, the distinct query counts per page, rows read."""
    times, counts, rows, pages = [], set(), 0, 0
    while url and (limit is None or pages < limit):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:200]!r}")
        body = response.json()
        # The token's last-used stamp is written at most once a minute (api/authentication.py): a
        # timer, not the page, so it is left out of the per-page count.
        counts.add(
            sum(1 for q in captured.captured_queries if not q["sql"].startswith('UPDATE "api_apitoken"'))
        )
        rows += len(body["results"])
        url, pages = body["next"], pages + 1
    return times, counts, rows


def _summary(times: list[float], counts: set[int], rows: int) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    queries = ", ".join(str(c) for c in sorted(counts))
    return (
        f"{rows:,} rows in {len(ms):,} pages, {sum(ms) / 1000:.1f} s; per page median {statistics.median(ms):.0f} ms, "
        f"p95 {p95:.0f} ms, first {ms and times[0] * 1000:.0f} ms, last {times[-1] * 1000:.0f} ms; "
        f"queries per page: {queries}"
    )


def measure_api(report, *, admin_username: str, log) -> None:
    from api import services
    from org.models import User
    from supervision.models import Campaign, CoverageSnapshot

    admin = User.objects.get(username=admin_username)
    campaign = Campaign.objects.order_by("-year", "-starts_on").first()
    day = CoverageSnapshot.objects.filter(campaign=campaign).order_by("-day").values_list("day", flat=True)[0]
    units = CoverageSnapshot.objects.filter(campaign=campaign, day=day, unit__isnull=False).count()
    try:
        with transaction.atomic(), override_settings(API_RATE_LIMIT="1000000/minute"):
            _token, secret = services.create_personal_token(user=admin, name="bench", access="read")
            client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
            client.get("/api/v1/units/?page_size=1")  # the token's first use records it; not timed
            log("api: coverage of one day")
            times, counts, rows = _page_through(
                client, f"/api/v1/coverage/?campaign={campaign.pk}&day={day}&page_size={PAGE_SIZE}"
            )
            report.add(
                f"6a. `/api/v1/coverage/` one day, {units:,} units (+ company total), pages of {PAGE_SIZE}",
                _summary(times, counts, rows),
                "constant queries per page",
                len(counts) == 1,
            )
            log("api: paging through every visit")
            times, counts, rows = _page_through(client, f"/api/v1/visits/?page_size={PAGE_SIZE}")
            report.add(
                f"6b. `/api/v1/visits/` paging through every visit (with scores and findings), pages of {PAGE_SIZE}",
                _summary(times, counts, rows),
                "constant queries and time per page",
                len(counts) == 1,
            )
            raise _Rollback
    except _Rollback:
        pass
