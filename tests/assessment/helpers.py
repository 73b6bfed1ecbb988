"""Reading a produced workbook back the way a person would: by sheet, label and header."""

from __future__ import annotations

import io

import openpyxl


def open_workbook(data: bytes | str):
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return openpyxl.load_workbook(source, read_only=True, data_only=True)


def key_figures(sheet) -> dict[str, object]:
    """The summary sheet's key figures as {label: value} (the first two columns of the block)."""
    figures = {}
    for row in sheet.iter_rows(min_row=1, max_col=2, values_only=True):
        label, value = row[0], row[1] if len(row) > 1 else None
        if isinstance(label, str) and value is not None:
            figures.setdefault(label, value)
    return figures


def table(sheet) -> tuple[list[str], list[dict[str, object]]]:
    """A unit sheet's header (the row after the preamble) and its rows as dicts."""
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(
        index for index, row in enumerate(rows) if row and sum(1 for value in row if value) > 5
    )
    header = [value for value in rows[header_index] if value is not None]
    records = [
        dict(zip(header, row, strict=False))
        for row in rows[header_index + 1 :]
        if any(v is not None for v in row)
    ]
    return header, records
