from branchtrack.web.import_command import TableImportCommand
from pairings.imports import import_external_orgs_file, plan_external_orgs_file


class Command(TableImportCommand):
    help = "Import external party organisations (客户党组织) from an .xlsx or .csv file (all rows or none)."

    def import_file(self, handle, *, filename: str):
        return import_external_orgs_file(handle, filename=filename)

    def plan_file(self, data, *, filename: str):
        return plan_external_orgs_file(data, filename=filename)
