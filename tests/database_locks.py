"""A table held by another database session, for real: the test's own session gives up after 100 ms."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections
from django.db.models import Model


@contextmanager
def locked_by_another_session(model: type[Model]) -> Iterator[None]:
    """While inside, writing to `model`'s table fails with the database's own lock error.

    Needs a transactional test (`django_db(transaction=True)`): the other session must be free
    to lock. On SQLite the other session holds the write lock of the whole file, as a second
    request of the demo would; on PostgreSQL it locks the table.
    """
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"PRAGMA busy_timeout = {int(connection.settings_dict['OPTIONS']['timeout'] * 1000)}"
                )
        return
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '100ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
