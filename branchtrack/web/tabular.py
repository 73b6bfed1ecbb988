"""Reading uploaded tables (.xlsx or .csv) into rows, for every bulk import of the app.

Imports validate every row before writing anything; this module only turns a file into
numbered rows keyed by canonical column names, and refuses files it cannot read with a
message in the user's language.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchtrack.web.table_export import FORMULA_TRIGGERS

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
DEFAULT_IMPORT_LIMITS = {
    "max_bytes": 10 * 1024 * 1024,
    "max_uncompressed_bytes": 50 * 1024 * 1024,
    "max_compression_ratio": 100,
    "max_zip_members": 200,
    "max_rows": 20_000,
    "max_columns": 50,
    "max_cells": 400_000,
    "max_errors": 200,
    "max_preview_rows": 500,
    "preview_max_age_seconds": 3600,
}
# Small members (styles, the workbook's own XML) compress well without being bombs; the ratio is
# only asked of members that unpack to more than this.
RATIO_CHECKED_ABOVE = 1024 * 1024


def import_limit(name: str) -> int:
    """One bound of table imports: settings.IMPORT_LIMITS, falling back to the defaults above."""
    return int({**DEFAULT_IMPORT_LIMITS, **getattr(settings, "IMPORT_LIMITS", {})}[name])


class TableFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, missing columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class TableRow:
    number: int  # the row number a user sees in Excel: the header is row 1
    values: Mapping[str, str]  # only the columns the file has

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (an empty cell in it is still "has")."""
        return column in self.values


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


class RowErrorList(list):
    """Row errors, keeping the first `max_errors` and counting the rest: a file wrong on every row
    gives a page of a few hundred lines that says how many more there were, not millions."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.limit = import_limit("max_errors") if limit is None else limit
        self.total = 0

    def append(self, error: RowError) -> None:
        self.total += 1
        if len(self) < self.limit:
            super().append(error)

    @property
    def more(self) -> int:
        return self.total - len(self)


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
    text = str(value).strip()
    if text[:1] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        # Our own CSV exports quote such cells against formula injection: an export imports back as it was.
        return text[1:]
    return text


def _megabytes(size: int) -> float:
    return round(size / 1_048_576, 1)


def read_upload(uploaded) -> bytes:
    """The bytes of an upload (file, handle or bytes), refusing anything over the size limit
    without reading more than one byte past it."""
    limit = import_limit("max_bytes")
    if not hasattr(uploaded, "read"):
        data = bytes(uploaded)
    else:
        size = getattr(uploaded, "size", None)
        if size is None and getattr(uploaded, "seekable", lambda: False)():
            here = uploaded.tell()
            size = uploaded.seek(0, io.SEEK_END) - here
            uploaded.seek(here)
        data = b"" if isinstance(size, int) and size > limit else uploaded.read(limit + 1)
        data_size = size if isinstance(size, int) and size > limit else len(data)
        if data_size > limit:
            _refuse_size(data_size, limit)
    if len(data) > limit:
        _refuse_size(len(data), limit)
    return data


def _refuse_size(size: int, limit: int):
    raise TableFileError(
        _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
        % {"size": _megabytes(size), "limit": _megabytes(limit)}
    )


def read_table(uploaded, *, filename: str, columns: Iterable[Column]) -> list[TableRow]:
    """Read an .xlsx or .csv upload into rows keyed by each column's key.

    Raises TableFileError when the file type, size, encoding or header is wrong, or when the file is
    larger than IMPORT_LIMITS allow (checked before unpacking and while reading, never after).
    """
    columns = list(columns)
    name = (filename or "").lower()
    if not name.endswith(SUPPORTED_EXTENSIONS):
        raise TableFileError(_("Unsupported file type: upload an Excel (.xlsx) or CSV (.csv) file."))
    data = read_upload(uploaded)
    if not data.strip():
        raise TableFileError(_("The file is empty."))
    if name.endswith(".xlsx"):
        _check_xlsx_container(data)
        return _rows_by_column(_xlsx_rows(data), columns)
    return _rows_by_column(_csv_rows(data), columns)


def _check_xlsx_container(data: bytes) -> None:
    """Refuse a zip that would unpack to too much, from its directory alone (nothing is inflated)."""
    not_xlsx = _("This is not a valid Excel (.xlsx) file.")
    # The end-of-directory record says how many members there are before zipfile builds one object
    # per member: a small file can declare hundreds of thousands.
    tail = data[-(65_535 + 22) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        raise TableFileError(not_xlsx)
    members = int.from_bytes(tail[at + 10 : at + 12], "little")
    if members > import_limit("max_zip_members"):
        raise TableFileError(
            _("The Excel file holds %(count)s parts; at most %(max)s are accepted.")
            % {"count": members, "max": import_limit("max_zip_members")}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise TableFileError(not_xlsx) from exc
    unpacked = sum(info.file_size for info in infos)
    if unpacked > import_limit("max_uncompressed_bytes"):
        raise TableFileError(
            _("The Excel file unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(unpacked), "limit": _megabytes(import_limit("max_uncompressed_bytes"))}
        )
    ratio_limit = import_limit("max_compression_ratio")
    for info in infos:
        # zipfile stops inflating a member at its declared size (and fails its checksum), so the
        # declared sizes bound what reading can cost.
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > ratio_limit * max(info.compress_size, 1):
            raise TableFileError(
                _(
                    "The Excel file is compressed %(ratio)s to 1, more than the %(limit)s to 1 a real "
                    "workbook reaches: it is refused as a possible zip bomb."
                )
                % {"ratio": info.file_size // max(info.compress_size, 1), "limit": ratio_limit}
            )


# What openpyxl, zipfile and the XML parser raise on a damaged workbook, while opening or reading.
BROKEN_XLSX_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    SyntaxError,
    TypeError,
    zlib.error,
)


def _xlsx_rows(data: bytes) -> Iterator[Sequence[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BROKEN_XLSX_ERRORS as exc:
        raise TableFileError(_("This is not a valid Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared dimension is the writer's claim: with it openpyxl pads every row to
        # its width and adds rows up to its height (A1:XFD1048576 took 2.5 GB). Rows are read as stored.
        sheet.reset_dimensions()
        yield from _bounded(sheet.iter_rows(values_only=True))
    except BROKEN_XLSX_ERRORS as exc:
        raise TableFileError(_("This is not a valid Excel (.xlsx) file.")) from exc
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[Sequence[object]]:
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
        yield from _bounded(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise TableFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _used_width(row: Sequence[object]) -> int:
    width = len(row)
    while width and (row[width - 1] is None or row[width - 1] == ""):
        width -= 1
    return width


def _bounded(raw_rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    """The rows as they are read, refusing the file as soon as it passes a bound."""
    max_rows, max_columns, max_cells = (import_limit(n) for n in ("max_rows", "max_columns", "max_cells"))
    cells = 0
    for number, row in enumerate(raw_rows, start=1):
        if number > max_rows:
            raise TableFileError(
                _("The file has more than %(max)s rows; split it into smaller files.") % {"max": max_rows}
            )
        width = _used_width(row)
        if width > max_columns:
            raise TableFileError(
                _("Row %(row)s has %(count)s columns; at most %(max)s are accepted.")
                % {"row": number, "count": width, "max": max_columns}
            )
        cells += width
        if cells > max_cells:
            raise TableFileError(
                _("The file has more than %(max)s cells; split it into smaller files.") % {"max": max_cells}
            )
        yield row[:width]


def _rows_by_column(raw_rows: Iterator[Sequence[object]], columns: list[Column]) -> list[TableRow]:
    first = next(raw_rows, None)
    if first is None:
        raise TableFileError(_("The file is empty."))
    header = [_normalise_header(cell) for cell in first]
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
    for offset, raw in enumerate(raw_rows, start=2):
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
