"""Query-count budgets: one JSON file per app (tests/<app>/query_counts.json), as NetBox keeps them.

A page is measured twice, before and after `grow()` adds more rows, and both counts must equal
the budget: a page whose query count grows with the data (an N+1) fails. A failure prints the SQL
of the run that broke the budget, the statements run more than once first.

After a deliberate change (one query more or fewer, the same at both sizes), rewrite the budgets
instead of editing the JSON by hand: `UPDATE_QUERY_BUDGETS=1 pytest tests/...`. A count that grows
with the data is never written: that stays a failure.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

TESTS_DIR = Path(__file__).resolve().parent
UPDATE_ENV = "UPDATE_QUERY_BUDGETS"


def updating() -> bool:
    return os.environ.get(UPDATE_ENV, "") not in ("", "0")


def _budget_file(app: str) -> Path:
    return TESTS_DIR / app / "query_counts.json"


def budget(app: str, page: str) -> int:
    with open(_budget_file(app), encoding="utf-8") as handle:
        return json.load(handle)[page]


def write_budget(app: str, page: str, count: int) -> None:
    path = _budget_file(app)
    budgets = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    budgets[page] = count
    path.write_text(json.dumps(budgets, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def count_queries(fetch: Callable[[], object]) -> tuple[int, object]:
    count, response, _queries = capture_queries(fetch)
    return count, response


def capture_queries(fetch: Callable[[], object]) -> tuple[int, object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    queries = [query["sql"] for query in captured.captured_queries]
    return len(queries), response, queries


def _shape(sql: str) -> str:
    # The same statement with other values: an N+1 repeats one shape.
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)


def describe_queries(queries: list[str]) -> str:
    repeated = [(shape, n) for shape, n in Counter(map(_shape, queries)).most_common() if n > 1]
    lines = []
    if repeated:
        lines.append("statements run more than once:")
        lines.extend(f"  {n} x {shape}" for shape, n in repeated)
    lines.append("every statement, in order:")
    lines.extend(f"  {number:>3}. {sql}" for number, sql in enumerate(queries, 1))
    return "\n".join(lines)


def check_budget(*, app: str, page: str, count: int, queries: list[str]) -> None:
    """One measurement against the budget (or, in update mode, the new budget)."""
    if updating():
        write_budget(app, page, count)
        return
    expected = budget(app, page)
    assert count == expected, (
        f"{page}: {count} queries, budget {expected} (tests/{app}/query_counts.json; "
        f"{UPDATE_ENV}=1 rewrites it after a deliberate change)\n{describe_queries(queries)}"
    )


def assert_page_within_budget(*, app: str, page: str, client, url: str, grow: Callable[[], None]) -> None:
    small, response, small_queries = capture_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    grow()
    large, response, large_queries = capture_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    assert small == large, (
        f"{page}: {small} queries before growing the data, {large} after (a query per row?)\n"
        f"{describe_queries(large_queries)}"
    )
    check_budget(app=app, page=page, count=large, queries=large_queries)
