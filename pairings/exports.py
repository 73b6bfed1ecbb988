"""Columns of the pairings app's CSV / Excel exports (exactly the filtered rows of each list)."""

from django.utils.translation import gettext_lazy

from branchtrack.web.table_export import ExportColumn


def _themes(pairing) -> str:
    return "、".join(theme.name for theme in pairing.themes.all())


PAIRING_COLUMNS = [
    ExportColumn(gettext_lazy("Ours"), lambda p: p.ours.name, width=36),
    ExportColumn(gettext_lazy("Our code"), lambda p: p.ours.code, width=10),
    ExportColumn(gettext_lazy("Unit"), lambda p: (p.branch.unit if p.branch_id else p.unit).name, width=20),
    ExportColumn(gettext_lazy("External organisation"), "external_org.name", width=36),
    ExportColumn(gettext_lazy("External code"), "external_org.code", width=10),
    ExportColumn(gettext_lazy("Kind"), "external_org.get_kind_display", width=14),
    ExportColumn(gettext_lazy("Themes"), _themes, width=36),
    ExportColumn(gettext_lazy("Start date"), "start_date", width=12),
    ExportColumn(gettext_lazy("End date"), "end_date", width=12),
    ExportColumn(gettext_lazy("Status"), "get_status_display", width=8),
    ExportColumn(gettext_lazy("Activities"), "activity_count", width=8),
    ExportColumn(gettext_lazy("Last activity"), "last_activity", width=12),
    ExportColumn(gettext_lazy("Dormant"), "is_dormant", width=8),
]


ACTIVITY_COLUMNS = [
    ExportColumn(gettext_lazy("Date"), "date", width=12),
    ExportColumn(gettext_lazy("Title"), "title", width=36),
    ExportColumn(gettext_lazy("Ours"), lambda a: a.pairing.ours.name, width=36),
    ExportColumn(gettext_lazy("External organisation"), "pairing.external_org.name", width=36),
    ExportColumn(gettext_lazy("What was done"), "description", width=50),
    ExportColumn(gettext_lazy("Our people"), "our_people", width=8),
    ExportColumn(gettext_lazy("Our party members"), "our_party_members", width=8),
    ExportColumn(gettext_lazy("Their people"), "their_people", width=8),
    ExportColumn(gettext_lazy("Their party members"), "their_party_members", width=8),
    ExportColumn(gettext_lazy("Outcomes"), lambda a: "；".join(str(o) for o in a.outcomes.all()), width=36),
    ExportColumn(gettext_lazy("Outcome notes"), "outcome_text", width=36),
    ExportColumn(gettext_lazy("Attachments"), "attachment_count", width=8),
]


EXTERNAL_ORG_COLUMNS = [
    ExportColumn(gettext_lazy("code"), "code", width=10),
    ExportColumn(gettext_lazy("name"), "name", width=36),
    ExportColumn(gettext_lazy("kind"), "get_kind_display", width=14),
    ExportColumn(gettext_lazy("parent company"), "parent_company", width=30),
    ExportColumn(gettext_lazy("contact person"), "contact_person", width=12),
    ExportColumn(gettext_lazy("contact phone"), "contact_phone", width=16),
    ExportColumn(gettext_lazy("Pairings"), "pairing_count", width=8),
]
