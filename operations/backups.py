"""Consistent backups and restores: pg_dump of one snapshot plus a tar of MEDIA_ROOT, with a manifest.

The row counts in the manifest are read in the very snapshot pg_dump dumps (a REPEATABLE READ transaction
exports it, pg_dump --snapshot uses it), so a restore can be checked exactly: same counts, same files
(SHA-256). A restore goes into a NEW database and a new or empty media folder, never over the live ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_TAR = "media.tar"
FORMAT_VERSION = 1
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreReport:
    database_name: str
    media_root: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatches: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def postgres_settings(alias: str = "default") -> dict:
    database = settings.DATABASES[alias]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "manage.py backup needs PostgreSQL; the SQLite demo is backed up by copying db.sqlite3 and media/."
        )
    return database


def client_environment(database: dict) -> dict[str, str]:
    # The password goes to pg_dump/pg_restore through the environment, never on a command line.
    env = {**os.environ, "PGHOST": database["HOST"] or "127.0.0.1", "PGPORT": str(database["PORT"] or 5432)}
    env["PGUSER"] = database["USER"] or ""
    env["PGPASSWORD"] = database["PASSWORD"] or ""
    return env


def count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # names from the catalogue, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def public_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def create_backup(*, destination: Path, alias: str = "default") -> Path:
    """Writes destination/branchtrack-<time>/ with database.dump, media.tar and manifest.json."""
    database = postgres_settings(alias)
    folder = Path(destination) / f"branchtrack-{timezone.now():%Y%m%d-%H%M%S}"
    try:
        folder.mkdir(parents=True)
    except FileExistsError as error:
        raise BackupError(f"{folder} already exists; wait a second or choose another folder.") from error
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("a backup needs its own transaction; do not run it inside another one.")
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(cursor, public_tables(cursor))
        dumped = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={folder / DUMP}"]
            + [database["NAME"]],
            env=client_environment(database),
            capture_output=True,
            text=True,
        )
    if dumped.returncode != 0:
        raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")

    media_root = Path(settings.MEDIA_ROOT)
    files = media_checksums(media_root)
    with tarfile.open(folder / MEDIA_TAR, "w") as archive:
        for relative in files:
            archive.add(media_root / relative, arcname=relative, recursive=False)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"name": database["NAME"], "tables": counts},
        "dump": {"file": DUMP, "sha256": sha256_of(folder / DUMP)},
        "media": {"file": MEDIA_TAR, "sha256": sha256_of(folder / MEDIA_TAR), "files": files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup made by manage.py backup.") from error
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST} is damaged: {error}") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{folder / MANIFEST}: unknown format {manifest.get('format')!r}.")
    for part in ("dump", "media"):
        path = folder / manifest[part]["file"]
        if not path.is_file() or sha256_of(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path} is missing or does not match its checksum in the manifest.")
    return manifest


def restore_backup(
    *, source: Path, database_name: str, media_root: Path, alias: str = "default"
) -> RestoreReport:
    """Restores into a new database and an empty media folder, then checks counts and checksums."""
    database = postgres_settings(alias)
    source, media_root = Path(source), Path(media_root)
    if not DATABASE_NAME.match(database_name):
        raise BackupError(f"{database_name!r} is not a plain database name (lower-case letters, digits, _).")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty; restore the files into a new folder.")
    manifest = read_manifest(source)

    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name])
        if cursor.fetchone():
            raise BackupError(f"database {database_name} exists; a restore only goes into a new database.")
        cursor.execute(f'CREATE DATABASE "{database_name}"')
    restored = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={database_name}", str(source / DUMP)],
        env=client_environment(database),
        capture_output=True,
        text=True,
    )
    if restored.returncode != 0:
        raise BackupError(f"pg_restore into {database_name} failed: {restored.stderr.strip()}")

    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_TAR) as archive:
        archive.extractall(media_root, filter="data")  # no absolute paths, no .., no devices

    report = RestoreReport(database_name=database_name, media_root=media_root)
    expected_counts = manifest["database"]["tables"]
    env = client_environment(database)
    with (
        psycopg.connect(
            host=env["PGHOST"],
            port=env["PGPORT"],
            user=env["PGUSER"],
            password=env["PGPASSWORD"],
            dbname=database_name,
        ) as restored_db,
        restored_db.cursor() as cursor,
    ):
        counts = count_rows(cursor, public_tables(cursor))
    for table in sorted(set(expected_counts) | set(counts)):
        if expected_counts.get(table) != counts.get(table):
            report.mismatches.append(
                f"{table}: {expected_counts.get(table)} rows backed up, {counts.get(table)} restored"
            )
    files = media_checksums(media_root)
    for name in sorted(set(manifest["media"]["files"]) | set(files)):
        if manifest["media"]["files"].get(name) != files.get(name):
            report.mismatches.append(f"media/{name}: differs from the backup")
    report.tables = len(counts)
    report.rows = sum(counts.values())
    report.files = len(files)
    return report
