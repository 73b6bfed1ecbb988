"""Where each column of the sheet comes from: every app's `year_end.py`, discovered, never imported by name.

An installed app with a `year_end` module contributes its per-branch figures (the contract is
`branchtrack.web.year_end`); the assessment app imports none of them directly, so it sits above
them in the layers and a new app joins the sheet by adding its module. The branches come from one
query (with the year's project joined in); every other figure from one grouped query per kind,
streamed and merged branch by branch (`branchtrack.web.year_end.merged`), so a year of any size
takes the same handful of queries and constant memory. (Correlated subqueries per branch were
tried first: fine at 305 branches, over a minute at 50,000.)
"""

from __future__ import annotations

import datetime
from types import ModuleType

from branchtrack.web.discovery import app_modules
from branchtrack.web.year_end import YearSources

MODULE = "year_end"


def year_end_modules() -> list[ModuleType]:
    """The installed apps' `year_end` modules, in INSTALLED_APPS order (the sheet's column order)."""
    return app_modules(MODULE)


def year_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources:
    combined = YearSources()
    for module in year_end_modules():
        combined.add(module.year_sources(year=year, scope_path=scope_path, today=today))
    return combined


def known_years() -> set[int]:
    """Years some app holds figures for: the ones worth exporting."""
    years: set[int] = set()
    for module in year_end_modules():
        years |= module.years()
    return years
