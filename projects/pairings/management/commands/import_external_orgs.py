from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchtrack.tabular import TableFileError
from projects.pairings.imports import import_external_orgs_file


class Command(BaseCommand):
    help = "Import external party organisations (客户党组织) from an .xlsx or .csv file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="language of the messages (zh-hans, en)"
        )

    def handle(self, *args, **options):
        path = options["file"]
        with translation.override(options["language"]):
            try:
                with open(path, "rb") as handle:
                    result = import_external_orgs_file(handle, filename=path)
            except FileNotFoundError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            except TableFileError as exc:
                raise CommandError(exc.message) from exc
            if not result.ok:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    translation.gettext("Nothing was imported: %(count)s errors.")
                    % {"count": len(result.errors)}
                )
            self.stdout.write(
                translation.gettext("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
            )
