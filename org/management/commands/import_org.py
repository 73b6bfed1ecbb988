from branchtrack.web.import_command import TableImportCommand
from org.imports import import_organisation_file, plan_organisation_file


class Command(TableImportCommand):
    help = "Import units, branches and departments from an .xlsx or .csv file (all rows or none)."

    def import_file(self, handle, *, filename: str):
        return import_organisation_file(handle, filename=filename)

    def plan_file(self, data, *, filename: str):
        return plan_organisation_file(data, filename=filename)
