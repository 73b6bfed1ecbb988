"""Every list page exports exactly the rows its filters select, as CSV or .xlsx.

A list view builds its filtered queryset as usual, then:

    response = export_if_requested(request, rows=filterset.qs, columns=VISIT_COLUMNS, filename="visits")
    if response:
        return response

Rows are streamed (CSV) or written in constant memory (XlsxWriter), never held whole in Python lists.

Every CSV the project writes goes through `csv_writer` (lists, the organisation export, the year-end CSV):
a cell a spreadsheet would run as a formula is neutralised there (`csv_cell`). The .xlsx cells need no
such care: text is written with `write_string`, which Excel never evaluates.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportColumn:
    header: str  # usually gettext_lazy: rendered in the user's language at export time
    value: Callable[[Any], Any] | str  # a callable, or a dotted attribute path such as "branch.unit.name"
    width: int = 16
    number_format: str | None = None  # e.g. "0.0%" or "0.0"

    def get(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for part in self.value.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value) and not isinstance(value, type):
                value = value()
        return value


def _iterate(rows: Iterable) -> Iterator:
    if isinstance(rows, QuerySet):
        # prefetch_related needs chunk_size on iterator(); keep memory flat either way.
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        # In the language of the export, like its headers (an English CSV wrote "是").
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# OWASP (CSV injection): Excel, WPS and LibreOffice run a cell starting with one of these as a formula
# (`=`, `+`, `-`, `@`, and a tab, CR or LF before one). Such a cell gets a leading single quote: the
# spreadsheet shows the text as typed (the quote marks it as text) and runs nothing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number ("-12", "-0.5", "+3") cannot hold a formula, so it stays a number that sums and sorts:
# negative figures (a drop in coverage, a score difference) must not turn into text.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: Any) -> str:
    """One CSV cell: the value as text, neutralised if a spreadsheet would run it as a formula."""
    text = _text(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvWriter:
    """csv.writer whose every cell goes through `csv_cell`: the only way the project writes CSV."""

    def __init__(self, target) -> None:
        self._writer = csv.writer(target)

    def writerow(self, values: Iterable[Any]):
        return self._writer.writerow([csv_cell(value) for value in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(target) -> CsvWriter:
    return CsvWriter(target)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, rows: Iterable, columns: Sequence[ExportColumn], filename: str) -> StreamingHttpResponse:
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: Excel opens UTF-8 CSV with Chinese text correctly only with it
        yield writer.writerow([str(column.header) for column in columns])
        for row in _iterate(rows):
            yield writer.writerow([column.get(row) for column in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx_sheet(
    workbook,
    sheet_name: str,
    *,
    rows: Iterable,
    columns: Sequence[ExportColumn],
    preamble: Sequence[str] = (),
    skip_empty: bool = False,
) -> int:
    """Write one sheet (header, frozen row, widths, formats, autofilter); returns the number of data rows.

    `preamble` lines (a title, the rules behind the figures) go above the header, the first one bold;
    the header row and everything above it stay frozen. `skip_empty` leaves None and "" cells out
    altogether (truly blank, and much faster for sparse sheets of many rows).
    """
    sheet = workbook.add_worksheet(sheet_name[:31])
    header_format = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    if preamble:
        title_format = workbook.add_format({"bold": True, "font_size": 13})
        for line_number, line in enumerate(preamble):
            sheet.write_string(line_number, 0, str(line), title_format if line_number == 0 else None)
    top = len(preamble)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    formats = {
        column.number_format: workbook.add_format({"num_format": column.number_format})
        for column in columns
        if column.number_format
    }
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(top, index, str(column.header), header_format)
    sheet.freeze_panes(top + 1, 0)
    count = 0
    for count, row in enumerate(_iterate(rows), start=1):
        line = top + count
        for index, column in enumerate(columns):
            value = column.get(row)
            if skip_empty and (value is None or value == ""):
                continue
            if isinstance(value, bool) or value is None:
                sheet.write_string(line, index, _text(value))
            elif isinstance(value, int | float | decimal.Decimal):
                sheet.write_number(line, index, float(value), formats.get(column.number_format))
            elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                sheet.write_datetime(
                    line, index, datetime.datetime.combine(value, datetime.time()), date_format
                )
            else:
                sheet.write_string(line, index, _text(value))
    sheet.autofilter(top, 0, top + max(count, 1), len(columns) - 1)
    return count


def xlsx_response(
    *, rows: Iterable, columns: Sequence[ExportColumn], filename: str, sheet_name: str = ""
) -> FileResponse:
    import xlsxwriter

    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
    write_xlsx_sheet(workbook, sheet_name or filename, rows=rows, columns=columns)
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_if_requested(
    request: HttpRequest, *, rows: Iterable, columns: Sequence[ExportColumn], filename: str
) -> HttpResponse | None:
    """The export response when the query string asks for `export=csv|xlsx`, else None."""
    fmt = request.GET.get("export")
    if fmt not in FORMATS:
        return None
    if fmt == "csv":
        return csv_response(rows=rows, columns=columns, filename=filename)
    return xlsx_response(rows=rows, columns=columns, filename=filename)
