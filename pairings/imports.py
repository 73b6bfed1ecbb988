"""Bulk import of external party organisations (客户党组织) from one .xlsx/.csv table.

Same contract as the organisation import: every row is checked first, nothing is written if any
row is wrong, rows are matched on their stable code so importing the same file twice changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchtrack.web.import_plan import (
    CREATE,
    UNCHANGED,
    UPDATE,
    FieldChange,
    ImportPlan,
    PlannedRow,
    TableImporter,
    run_import,
)
from branchtrack.web.tabular import Column, RowError, TableRow, read_table, read_upload
from pairings.models import ExternalOrg

COLUMNS = (
    Column("code", gettext_lazy("code"), aliases=("编码", "代码"), required=True),
    Column("name", gettext_lazy("name"), aliases=("名称", "党组织名称"), required=True),
    Column("kind", gettext_lazy("kind"), aliases=("类别", "类型"), required=True),
    Column("parent_company", gettext_lazy("parent company"), aliases=("上级单位", "所属企业", "parent")),
    Column("contact_person", gettext_lazy("contact person"), aliases=("联系人", "contact")),
    Column("contact_phone", gettext_lazy("contact phone"), aliases=("联系电话", "电话", "phone")),
)
COLUMN_LABELS = {column.key: column.label for column in COLUMNS}

KIND_WORDS = {
    **{kind.value: kind.value for kind in ExternalOrg.Kind},
    "客户": ExternalOrg.Kind.CUSTOMER,
    "客户企业": ExternalOrg.Kind.CUSTOMER,
    "企业": ExternalOrg.Kind.CUSTOMER,
    "国企": ExternalOrg.Kind.STATE_OWNED,
    "国有企业": ExternalOrg.Kind.STATE_OWNED,
    "政府": ExternalOrg.Kind.GOVERNMENT,
    "政府机关": ExternalOrg.Kind.GOVERNMENT,
    "机关": ExternalOrg.Kind.GOVERNMENT,
    "村": ExternalOrg.Kind.VILLAGE,
    "村党支部": ExternalOrg.Kind.VILLAGE,
    "行政村": ExternalOrg.Kind.VILLAGE,
    "社区": ExternalOrg.Kind.COMMUNITY,
    "学校": ExternalOrg.Kind.SCHOOL,
    "医院": ExternalOrg.Kind.SCHOOL,
    "学校或医院": ExternalOrg.Kind.SCHOOL,
    "其他": ExternalOrg.Kind.OTHER,
}


def _kind_words() -> dict[str, str]:
    """The words accepted in the kind column: codes, common Chinese words, and the labels in every
    language of the site, so a list exported in either language imports back unchanged."""
    words = dict(KIND_WORDS)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words.update({str(label).lower(): value for value, label in ExternalOrg.Kind.choices})
    return words


MAX_LENGTHS = {
    "code": 32,
    "name": 120,
    "parent_company": 120,
    "contact_person": 50,
    "contact_phone": 30,
}


OPTIONAL_FIELDS = ("parent_company", "contact_person", "contact_phone")


def plan_external_orgs_file(data: bytes, *, filename: str) -> ImportPlan:
    """Check a file and work out what importing it would change; writes nothing.

    TableFileError propagates for unreadable files."""
    return plan_external_orgs(rows=read_table(data, filename=filename, columns=COLUMNS))


def plan_external_orgs(*, rows: list[TableRow]) -> ImportPlan:
    plan = ImportPlan()
    parsed = _parse(rows, plan.errors)
    if plan.errors:
        return plan
    existing = {org.code: org for org in ExternalOrg.objects.filter(code__in=parsed)}
    kinds = dict(ExternalOrg.Kind.choices)
    for code, values in parsed.items():
        row = values.pop("_row")
        org = existing.get(code)
        record = f"{code} {values['name']}"
        if org is None:
            plan.rows.append(PlannedRow(row=row, kind="external_org", record=record, action=CREATE))
            continue
        changes = [
            FieldChange(
                str(COLUMN_LABELS[name]),
                str(kinds.get(getattr(org, name), "")) if name == "kind" else getattr(org, name),
                str(kinds.get(value, "")) if name == "kind" else value,
            )
            for name, value in values.items()
            if getattr(org, name) != value
        ]
        action = UPDATE if changes else UNCHANGED
        plan.rows.append(
            PlannedRow(row=row, kind="external_org", record=record, action=action, changes=changes)
        )
    plan.payload = parsed
    return plan


def apply_external_orgs(plan: ImportPlan) -> None:
    parsed: dict[str, dict] = plan.payload
    existing = {org.code: org for org in ExternalOrg.objects.select_for_update().filter(code__in=parsed)}
    for done, (code, values) in enumerate(parsed.items(), start=1):
        plan.report(done)
        org = existing.get(code)
        if org is None:
            ExternalOrg.objects.create(code=code, **values)
            continue
        changed = [name for name, value in values.items() if getattr(org, name) != value]
        if changed:
            for name in changed:
                setattr(org, name, values[name])
            org.save()


EXTERNAL_ORG_IMPORTER = TableImporter(
    key="external-orgs", plan=plan_external_orgs_file, apply=apply_external_orgs
)


def import_external_orgs_file(uploaded, *, filename: str) -> ImportPlan:
    """Check and import a file in one go (the management command): all rows or none."""
    return run_import(EXTERNAL_ORG_IMPORTER, read_upload(uploaded), filename=filename)


def import_external_orgs(*, rows: list[TableRow]) -> ImportPlan:
    with transaction.atomic():
        plan = plan_external_orgs(rows=rows)
        if plan.ok:
            apply_external_orgs(plan)
            plan.applied = True
    return plan


def _error(errors: list[RowError], row: int, column: str, message: str) -> None:
    errors.append(RowError(row=row, column=str(COLUMN_LABELS[column]), message=message))


def _parse(rows: list[TableRow], errors: list[RowError]) -> dict[str, dict]:
    parsed: dict[str, dict] = {}
    seen: dict[str, int] = {}
    kind_words = _kind_words()
    for row in rows:
        before = errors.total
        for key, limit in MAX_LENGTHS.items():
            if len(row.get(key)) > limit:
                _error(errors, row.number, key, _("is longer than %(max)s characters.") % {"max": limit})
        code, name = row.get("code"), row.get("name")
        if not code:
            _error(errors, row.number, "code", _("is required."))
        elif code in seen:
            _error(
                errors,
                row.number,
                "code",
                _("%(code)s already appears in row %(row)s.") % {"code": code, "row": seen[code]},
            )
        if not name:
            _error(errors, row.number, "name", _("is required."))
        kind = kind_words.get(row.get("kind").strip().lower())
        if kind is None:
            _error(
                errors,
                row.number,
                "kind",
                _("must be one of: %(kinds)s.")
                % {"kinds": "、".join(str(label) for _v, label in ExternalOrg.Kind.choices)},
            )
        if code:
            seen.setdefault(code, row.number)
        if errors.total == before:
            # A column the file does not have leaves the field as it is; an empty cell in a column it
            # has empties the field (the preview flags it).
            parsed[code] = {
                "_row": row.number,
                "name": name,
                "kind": kind,
                **{key: row.get(key) for key in OPTIONAL_FIELDS if row.has(key)},
            }
    return parsed
