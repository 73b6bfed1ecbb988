"""Dropping and re-creating the benchmark's own database (never anything else)."""

from __future__ import annotations

import dj_database_url
import psycopg
from psycopg import sql


class NotABenchDatabaseError(Exception):
    pass


def database_name(url: str) -> str:
    return dj_database_url.parse(url)["NAME"]


def recreate_database(url: str) -> None:
    """DROP and CREATE the database named in `url`; only a name containing "bench" is accepted."""
    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:
        raise NotABenchDatabaseError(
            f"refusing to re-create {name!r}: the benchmark only drops a *bench* database"
        )
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
