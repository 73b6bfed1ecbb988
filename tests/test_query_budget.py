"""The budget checker itself: a broken budget shows its SQL; update mode rewrites only a steady count."""

import json
import re

import pytest

from org.models import Unit
from tests import query_budget
from tests.factories import UnitFactory


@pytest.fixture
def budgets(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    path = tmp_path / "demo" / "query_counts.json"
    path.write_text(json.dumps({"unit_names": 1, "other": 7}), encoding="utf-8")
    monkeypatch.setattr(query_budget, "TESTS_DIR", tmp_path)
    return path


class Page:
    """A stand-in client whose page reads each unit's name with a query of its own (an N+1)."""

    status_code = 200

    def __init__(self, per_row: bool):
        self.per_row = per_row

    def get(self, url):
        ids = list(Unit.objects.values_list("pk", flat=True))
        if self.per_row:
            for pk in ids:
                Unit.objects.get(pk=pk)
        return self


@pytest.mark.django_db
def test_a_page_over_budget_fails_with_its_sql(budgets, monkeypatch):
    monkeypatch.delenv(query_budget.UPDATE_ENV, raising=False)
    UnitFactory()
    with pytest.raises(AssertionError) as failure:
        query_budget.assert_page_within_budget(
            app="demo", page="unit_names", client=Page(per_row=True), url="/", grow=lambda: None
        )
    message = str(failure.value)
    assert "unit_names: 2 queries, budget 1" in message and "UPDATE_QUERY_BUDGETS=1" in message
    assert "every statement, in order:" in message and '"branchtrack_unit"' in message


@pytest.mark.django_db
def test_a_query_per_row_fails_and_names_the_repeated_statement(budgets, monkeypatch):
    monkeypatch.setenv(query_budget.UPDATE_ENV, "1")  # even in update mode
    UnitFactory()
    with pytest.raises(AssertionError) as failure:
        query_budget.assert_page_within_budget(
            app="demo",
            page="unit_names",
            client=Page(per_row=True),
            url="/",
            grow=lambda: UnitFactory.create_batch(3),
        )
    message = str(failure.value)
    assert "2 queries before growing the data, 5 after" in message
    # pytest indents the lines of an assertion message when a conftest imported query_budget first.
    assert re.search(r"statements run more than once:\n\s+4 x SELECT", message), message
    assert json.loads(budgets.read_text(encoding="utf-8"))["unit_names"] == 1  # not rewritten


@pytest.mark.django_db
def test_update_mode_rewrites_a_steady_count_and_keeps_the_others(budgets, monkeypatch):
    monkeypatch.setenv(query_budget.UPDATE_ENV, "1")
    UnitFactory()
    query_budget.assert_page_within_budget(
        app="demo",
        page="unit_names",
        client=Page(per_row=False),
        url="/",
        grow=lambda: UnitFactory.create_batch(3),
    )
    query_budget.assert_page_within_budget(
        app="demo", page="new_page", client=Page(per_row=False), url="/", grow=lambda: None
    )
    assert json.loads(budgets.read_text(encoding="utf-8")) == {"unit_names": 1, "other": 7, "new_page": 1}
