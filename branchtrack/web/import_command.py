"""The shell side of every all-or-nothing table import: `manage.py import_<what> FILE [--language]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchtrack.web.tabular import TableFileError


class TableImportCommand(BaseCommand):
    """Subclasses set `help` and implement `import_file` and `counts`."""

    def import_file(self, handle, *, filename: str):
        """Run the import service; its result has `ok` and `errors`."""
        raise NotImplementedError

    def counts(self, result) -> dict[str, int]:
        """{"created": n, "updated": n, "unchanged": n} of a successful import."""
        raise NotImplementedError

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
                    result = self.import_file(handle, filename=path)
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
                % self.counts(result)
            )
