from branchtrack.web.import_command import TableImportCommand
from org.imports import import_organisation_file


class Command(TableImportCommand):
    help = "Import units, branches and departments from an .xlsx or .csv file (all rows or none)."

    def import_file(self, handle, *, filename: str):
        return import_organisation_file(handle, filename=filename)

    def counts(self, result) -> dict[str, int]:
        return {
            "created": sum(result.created.values()),
            "updated": sum(result.updated.values()),
            "unchanged": result.unchanged,
        }
