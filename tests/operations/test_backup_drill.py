"""The backup drill: back up, restore into a fresh database and folder, same row counts and same files."""

import io
import json
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from operations.backups import client_environment
from org.models import Branch
from tests.supervision.factories import CampaignFactory


def drop_database(name: str) -> None:
    env = client_environment(settings.DATABASES["default"])
    with psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_database_name():
    name = f"bt_restore_drill_{uuid.uuid4().hex[:10]}"
    yield name
    drop_database(name)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_new_database_gives_the_same_rows_and_files(
    org, settings, tmp_path, restored_database_name
):
    CampaignFactory(scope=[org.company])
    media = tmp_path / "media"
    (media / "photos" / "2026").mkdir(parents=True)
    (media / "photos" / "2026" / "走访.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    (media / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    settings.MEDIA_ROOT = media

    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    [folder] = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["tables"]["branchtrack_branch"] == Branch.objects.count() == 3
    assert sorted(manifest["media"]["files"]) == ["evidence.pdf", "photos/2026/走访.jpg"]
    assert f"and 2 files to {folder}" in out.getvalue()

    # Written after the backup: it must not be in the restore.
    Branch.objects.filter(pk=org.station_branch.pk).delete()

    restored_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command(
        "restore",
        str(folder),
        database_name=restored_database_name,
        media_root=str(restored_media),
        stdout=out,
    )
    assert "all match the manifest" in out.getvalue()
    env = client_environment(settings.DATABASES["default"])
    with psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname=restored_database_name,
    ) as restored:
        for table, count in manifest["database"]["tables"].items():
            assert restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == count, table
        assert restored.execute("SELECT count(*) FROM branchtrack_branch").fetchone()[0] == 3
    for name in ("evidence.pdf", "photos/2026/走访.jpg"):
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()

    # Never over an existing database, never into a folder with files, never from a tampered backup.
    with pytest.raises(CommandError, match=f"database {restored_database_name} exists"):
        call_command(
            "restore", str(folder), database_name=restored_database_name, media_root=str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(folder), database_name="bt_unused_name", media_root=str(restored_media))
    (folder / "media.tar").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(folder), database_name="bt_unused_name", media_root=str(tmp_path / "y"))
    with pytest.raises(CommandError, match="not a plain database name"):
        call_command("restore", str(folder), database_name='x"; DROP', media_root=str(tmp_path / "z"))


@pytest.mark.django_db
def test_a_backup_on_sqlite_says_how_to_back_up_the_demo(settings, tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite message; PostgreSQL is drilled above")
    with pytest.raises(CommandError, match="copying db.sqlite3"):
        call_command("backup", str(tmp_path))


def test_a_folder_that_is_no_backup_is_refused_with_the_reason(tmp_path):
    from operations.backups import BackupError, read_manifest

    with pytest.raises(BackupError, match="holds no manifest.json"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BackupError, match="is damaged"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(BackupError, match="unknown format 99"):
        read_manifest(tmp_path)
