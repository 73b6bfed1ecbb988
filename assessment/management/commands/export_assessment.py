from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from assessment.selectors import assessment_rows, company_scope_path
from assessment.workbook import Progress, write_csv, write_workbook
from org.models import Unit


class Command(BaseCommand):
    help = (
        "Write the year-end assessment sheet of a year (the whole company, or one unit with its sub-units) "
        "to an .xlsx or .csv file; the same file the export page makes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="code of the unit (default: the whole company)")
        parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, year, unit, out, language, **options):
        path = Path(out)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("--out must end in .xlsx or .csv")
        if unit:
            scope = Unit.objects.filter(code=unit).first()
            if scope is None:
                raise CommandError(f"No unit with the code {unit!r}.")
        else:
            scope = Unit.objects.filter(path=company_scope_path()).first()
        with translation.override(language):
            rowset = assessment_rows(year=year, unit=scope)
            progress = Progress(
                total=rowset.count(), report=lambda done: self.stderr.write(f"\r{done} rows", ending="")
            )
            if path.suffix.lower() == ".csv":
                with path.open("w", encoding="utf-8", newline="") as handle:
                    write_csv(handle, rowset=rowset, progress=progress)
            else:
                write_workbook(
                    str(path), rowset=rowset, scope_name=scope.name if scope else "", progress=progress
                )
        self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"{progress.done} rows written to {path}"))
