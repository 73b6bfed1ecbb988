"""COPY rows into a model's table, filling the columns the generator does not name from the model.

The feature apps' models keep growing while the benchmark is built; naming only the columns that
matter and taking every other one from the field's default (or a fixed time for timestamps) keeps the
generator working when a field with a default is added, and fails loudly, naming the field, when a
required one is.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

# Every generated timestamp that the data does not care about: a fixed instant keeps runs identical.
FIXED_TIME = datetime.datetime(2020, 12, 31, 18, 0, tzinfo=datetime.UTC)


class MissingColumnError(Exception):
    """A required field the generator does not fill (a model grew a field without a default)."""


def _constant_for(field: models.Field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return FIXED_TIME
    if field.has_default():
        if field.default is timezone.now:
            return FIXED_TIME
        value = field.get_default()
    elif field.null:
        return None
    else:
        value = field.get_default()
        if value is None or (value == "" and not field.empty_strings_allowed):
            raise MissingColumnError(
                f"{field.model._meta.label}.{field.name} is required and has no default: "
                f"the bench generator must fill it"
            )
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    return value


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (tuples in the order of `columns`, attnames such as "unit_id") into the model's table.

    JSON values must already be JSON text. Returns the number of rows written.
    """
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in columns if name not in fields]
    if unknown:
        raise MissingColumnError(f"{model._meta.label} has no column(s) {', '.join(unknown)}")
    rest = [field for name, field in fields.items() if name not in columns]
    constants = tuple(_constant_for(field) for field in rest)
    names = [fields[name].column for name in columns] + [field.column for field in rest]
    table = connection.ops.quote_name(model._meta.db_table)
    statement = f"COPY {table} ({', '.join(connection.ops.quote_name(n) for n in names)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *constants))
            count += 1
    return count


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids the generator chose, so the apps can insert after it."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
