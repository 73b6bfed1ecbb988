from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, create_backup, read_manifest


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, one consistent snapshot) and the uploaded files (MEDIA_ROOT) into "
        "DESTINATION/branchtrack-<time>/, with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="the folder that receives the backup")

    def handle(self, *args, destination: Path, **options):
        try:
            folder = create_backup(destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = read_manifest(folder)
        tables = manifest["database"]["tables"]
        self.stdout.write(
            f"Backed up {sum(tables.values())} rows in {len(tables)} tables and "
            f"{len(manifest['media']['files'])} files to {folder}"
        )
