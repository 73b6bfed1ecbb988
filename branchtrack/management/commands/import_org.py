from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchtrack.org_import import import_organisation_file
from branchtrack.tabular import TableFileError


class Command(BaseCommand):
    help = "Import units, branches and departments from an .xlsx or .csv file (all rows or none)."

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
                    result = import_organisation_file(handle, filename=path)
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
                % {
                    "created": sum(result.created.values()),
                    "updated": sum(result.updated.values()),
                    "unchanged": result.unchanged,
                }
            )
