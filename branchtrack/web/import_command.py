"""The shell side of every all-or-nothing table import: `manage.py import_<what> FILE [--language]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchtrack.web.tabular import TableFileError, read_upload


class TableImportCommand(BaseCommand):
    """Subclasses set `help` and implement `import_file` (check and apply all rows or none) and
    `plan_file` (check only, for --dry-run); both return a branchtrack.web.import_plan.ImportPlan."""

    def import_file(self, handle, *, filename: str):
        raise NotImplementedError

    def plan_file(self, handle, *, filename: str):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="language of the messages (zh-hans, en)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and list what would change; write nothing"
        )

    def handle(self, *args, **options):
        path = options["file"]
        with translation.override(options["language"]):
            try:
                with open(path, "rb") as handle:
                    if options["dry_run"]:
                        result = self.plan_file(read_upload(handle), filename=path)
                    else:
                        result = self.import_file(handle, filename=path)
            except FileNotFoundError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            except TableFileError as exc:
                raise CommandError(exc.message) from exc
            if not result.ok:
                for error in result.errors:
                    self.stderr.write(str(error))
                if result.errors.more:
                    self.stderr.write(
                        translation.gettext("… and %(count)s more errors.") % {"count": result.errors.more}
                    )
                raise CommandError(
                    translation.gettext("Nothing was imported: %(count)s errors.")
                    % {"count": result.errors.total}
                )
            for row in result.rows:
                if row.action == "unchanged":
                    continue
                changes = "; ".join(
                    f"{change.label}: {change.old or '∅'} → {change.new or '∅'}" for change in row.changes
                )
                verb = (
                    translation.gettext("create") if row.action == "create" else translation.gettext("change")
                )
                self.stdout.write(f"{row.row}\t{verb}\t{row.record}\t{changes}".rstrip())
            counts = result.counts()
            if options["dry_run"]:
                self.stdout.write(
                    translation.gettext(
                        "Would create %(created)s, update %(updated)s, leave %(unchanged)s unchanged; nothing written."
                    )
                    % counts
                )
            else:
                self.stdout.write(
                    translation.gettext("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s.")
                    % counts
                )
