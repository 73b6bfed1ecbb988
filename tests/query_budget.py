"""Query-count budgets: one JSON file per app (tests/<app>/query_counts.json), as NetBox keeps them.

A page is measured twice, before and after `grow()` adds more rows, and both counts must equal
the budget: a page whose query count grows with the data (an N+1) fails.
"""

import json
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

TESTS_DIR = Path(__file__).resolve().parent


def budget(app: str, page: str) -> int:
    with open(TESTS_DIR / app / "query_counts.json", encoding="utf-8") as handle:
        return json.load(handle)[page]


def count_queries(fetch: Callable[[], object]) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    return len(captured.captured_queries), response


def assert_page_within_budget(*, app: str, page: str, client, url: str, grow: Callable[[], None]) -> None:
    expected = budget(app, page)
    small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    grow()
    large, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    assert (small, large) == (expected, expected), (
        f"{page}: {small} queries before growing the data, {large} after; budget {expected}"
    )
