from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a NEW database (on the server of DATABASE_URL) and "
        "a new media folder, then check that every table has its rows and every file its checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup folder (branchtrack-<time>)")
        parser.add_argument("--database-name", required=True, help="the new database to create")
        parser.add_argument(
            "--media-root", type=Path, required=True, help="a new or empty folder for the files"
        )

    def handle(self, *args, backup: Path, database_name: str, media_root: Path, **options):
        try:
            report = restore_backup(source=backup, database_name=database_name, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report.mismatches:
            raise CommandError(
                "The restore differs from the backup:\n"
                + "\n".join(f"  {line}" for line in report.mismatches)
            )
        self.stdout.write(
            f"Restored {report.rows} rows in {report.tables} tables into database {database_name} and "
            f"{report.files} files into {media_root}; all match the manifest. Point DATABASE_URL and "
            "MEDIA_ROOT at them to use them."
        )
