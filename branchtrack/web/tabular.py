"""Reading uploaded tables (.xlsx or .csv) into rows, for every bulk import of the app.

Imports validate every row before writing anything; this module only turns a file into
numbered rows keyed by canonical column names, and refuses files it cannot read with a
message in the user's language.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")


class TableFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, missing columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableRow:
    number: int  # the row number a user sees in Excel: the header is row 1
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # lazily translated header shown in messages and templates
    aliases: tuple[str, ...] = ()
    required: bool = False

    def accepted_headers(self) -> set[str]:
        names = {self.key, *self.aliases}
        with_labels = names | {str(self.label)}
        return {_normalise_header(name) for name in with_labels}


def _normalise_header(header: object) -> str:
    return str(header or "").strip().lower().replace(" ", "_")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(uploaded, *, filename: str, columns: Iterable[Column]) -> list[TableRow]:
    """Read an .xlsx or .csv upload into rows keyed by each column's key.

    Raises TableFileError when the file type, size, encoding or header is wrong.
    """
    columns = list(columns)
    name = (filename or "").lower()
    if not name.endswith(SUPPORTED_EXTENSIONS):
        raise TableFileError(_("Unsupported file type: upload an Excel (.xlsx) or CSV (.csv) file."))
    data = uploaded.read() if hasattr(uploaded, "read") else bytes(uploaded)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise TableFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": round(len(data) / 1_048_576, 1),
                "limit": round(settings.UPLOAD_MAX_BYTES / 1_048_576, 1),
            }
        )
    if not data.strip():
        raise TableFileError(_("The file is empty."))
    raw_rows = _xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data)
    return _rows_by_column(raw_rows, columns)


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableFileError(_("This is not a valid Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[object]]:
    # Excel on Chinese Windows saves CSV as GB18030/GBK; everything else sends UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))
    if "\x00" in text:
        raise TableFileError(_("This is not a text CSV file."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise TableFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _rows_by_column(raw_rows: list[list[object]], columns: list[Column]) -> list[TableRow]:
    if not raw_rows:
        raise TableFileError(_("The file is empty."))
    header = [_normalise_header(cell) for cell in raw_rows[0]]
    positions: dict[str, int] = {}
    for column in columns:
        accepted = column.accepted_headers()
        for index, name in enumerate(header):
            if name in accepted:
                positions[column.key] = index
                break
    missing = [str(column.label) for column in columns if column.required and column.key not in positions]
    if missing:
        raise TableFileError(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for offset, raw in enumerate(raw_rows[1:], start=2):
        values = {key: _cell_text(raw[index]) if index < len(raw) else "" for key, index in positions.items()}
        if not any(values.values()):
            continue  # blank lines at the end of a sheet are not rows
        rows.append(TableRow(number=offset, values=values))
    if not rows:
        raise TableFileError(_("The file has a header but no data rows."))
    return rows


YES_WORDS = {"1", "true", "yes", "y", "是", "有效", "t"}
NO_WORDS = {"0", "false", "no", "n", "否", "无效", "f"}

BOOLEAN_HELP = gettext_lazy("Use 是/否 or yes/no.")


def parse_bool(text: str) -> bool | None:
    """True/False for the words people type in a yes/no column, None if it is not one of them."""
    word = text.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None
