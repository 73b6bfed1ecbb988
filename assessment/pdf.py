"""The assessment sheets as PDFs: one official-looking document per unit, a .zip when there are several.

One sheet per unit of the scope that has party branches of its own (a unit's sub-units get their
own sheets, which their party committees sign). Each unit's rows are read from the one cursor
(ordered by unit path), rendered to one PDF and
written into the zip before the next unit is read, so memory follows the largest unit, never the
year; the zip goes to a temporary file entry by entry (PDFs are compressed already: stored, not
deflated, which costs no time).
"""

from __future__ import annotations

import itertools
import zipfile
from dataclasses import dataclass
from operator import attrgetter
from typing import IO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessment.scoring import MEASURES
from assessment.selectors import RowSet
from assessment.workbook import (
    ONE_DECIMAL,
    PERCENT,
    Progress,
    Totals,
    key_figures,
    problems_line,
    score_rule_line,
    sheet_title,
    source_line,
)
from branchtrack.web.pdf import render_pdf

TEMPLATE = "assessment/sheet_pdf.html"
ZIP, PDF = "zip", "pdf"


@dataclass(frozen=True)
class Weight:
    label: str
    weight: object
    rule: str


def sheet_context(*, rowset: RowSet, issuer: str, name: str, rows: list, totals: Totals, number: int) -> dict:
    """What one unit's sheet shows: the official header, its branch rows and totals, the weights."""
    return {
        "issuer": issuer,
        "reference": _("%(year)s assessment no. %(number)s") % {"year": rowset.year, "number": number},
        "title": sheet_title(rowset.year, name),
        "unit_name": name,
        "issued_on": date_format(timezone.localdate(), "DATE_FORMAT"),
        "rows": rows,
        "totals": totals,
        "key_figures": [(label, _shown(value, fmt)) for label, value, fmt in key_figures(totals)],
        "weights": [
            Weight(str(label), getattr(rowset.weights, field), str(rule)) for field, label, rule in MEASURES
        ],
        "activities_for_full_marks": rowset.weights.activities_for_full_marks,
        "score_rule": score_rule_line(),
        "source": source_line(rowset),
        "problems_rule": problems_line(rowset),
        "area_names": rowset.area_names,
    }


def _shown(value, fmt: str | None) -> str:
    """A key figure as the summary sheet shows it (its value is rounded already)."""
    if value is None:
        return "–"
    if fmt == PERCENT:
        return f"{value * 100:.1f}%"
    if fmt == ONE_DECIMAL:
        return f"{value:.1f}"
    return str(value)


def unit_sheets(rowset: RowSet, *, issuer: str, progress: Progress):
    """(unit name, PDF bytes) for each unit of the scope with branches of its own, in tree order, one at a
    time: every unit's party committee signs its own sheet."""
    groups = itertools.groupby(progress.counted(rowset), key=attrgetter("unit_path"))
    for number, (_path, group) in enumerate(groups, start=1):
        rows = list(group)
        name = rows[0].unit_name
        totals = Totals(name=name)
        for row in rows:
            totals.add(row)
        context = sheet_context(
            rowset=rowset, issuer=issuer, name=name, rows=rows, totals=totals, number=number
        )
        yield name, render_pdf(TEMPLATE, context)


def write_pdf_sheets(
    target: IO[bytes], *, rowset: RowSet, issuer: str, progress: Progress | None = None
) -> str:
    """Write the scope's sheets to `target`: the PDF itself when the scope has one unit, else a zip with one
    PDF per unit (numbered in tree order). Returns the file's extension ("pdf" or "zip")."""
    progress = progress or Progress(total=0)
    sheets = unit_sheets(rowset, issuer=issuer, progress=progress)
    first = next(sheets, None)
    second = next(sheets, None)
    if second is None:
        target.write(first[1] if first else render_pdf(TEMPLATE, _empty_context(rowset, issuer)))
        progress.finish()
        return PDF
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for number, (name, data) in enumerate(_chain(first, second, sheets), start=1):
            archive.writestr(_entry_name(number, name), data)
    progress.finish()
    return ZIP


def _chain(first, second, rest):
    yield first
    yield second
    yield from rest


def _entry_name(number: int, name: str) -> str:
    # The unit's name as it is (zip names are UTF-8), made safe for every file system.
    safe = "".join("_" if char in '\\/:*?"<>|' else char for char in name).strip() or slugify(name)
    return f"{number:04d}-{safe}.pdf"


def _empty_context(rowset: RowSet, issuer: str) -> dict:
    return sheet_context(
        rowset=rowset, issuer=issuer, name=issuer, rows=[], totals=Totals(name=issuer), number=1
    )
