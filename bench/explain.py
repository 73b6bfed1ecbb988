"""`python -m bench explain`: EXPLAIN ANALYZE of every query the coverage roll-up computes with, and of the
hand-written statement, so the README's plans come from the same data set as its table."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import CAMPAIGN_END, YEAR


def _explain(sql: str, params=None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_command(*, min_ms: float) -> int:
    from bench.coverage_sql import coverage_query
    from supervision.models import Campaign
    from supervision.rollup import compute_coverage

    campaign = Campaign.objects.get(year=YEAR)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        compute_coverage(campaign=campaign, day=CAMPAIGN_END)
        seconds = time.perf_counter() - started
    print(f"## supervision.rollup.compute_coverage: {len(captured)} queries, {seconds:.2f} s in all\n")
    for query in captured.captured_queries:
        taken = float(query["time"]) * 1000
        if taken < min_ms or not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        print(f"### {taken:.0f} ms\n\n```sql\n{query['sql']}\n```\n\n```\n{_explain(query['sql'])}\n```\n")
    statement, params, _areas, _paths = coverage_query(campaign=campaign, day=CAMPAIGN_END)
    print(f"## bench/coverage_sql.py\n\n```\n{_explain(statement, params)}\n```")
    return 0
