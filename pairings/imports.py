"""Bulk import of external party organisations (客户党组织) from one .xlsx/.csv table.

Same contract as the organisation import: every row is checked first, nothing is written if any
row is wrong, rows are matched on their stable code so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchtrack.web.tabular import Column, RowError, RowErrorList, TableRow, read_table
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


@dataclass
class ExternalOrgImportResult:
    errors: RowErrorList = field(default_factory=RowErrorList)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def import_external_orgs_file(uploaded, *, filename: str) -> ExternalOrgImportResult:
    """Read and import a file; TableFileError propagates for unreadable files."""
    rows = read_table(uploaded, filename=filename, columns=COLUMNS)
    return import_external_orgs(rows=rows)


def import_external_orgs(*, rows: list[TableRow]) -> ExternalOrgImportResult:
    result = ExternalOrgImportResult()
    parsed = _parse(rows, result.errors)
    if result.errors:
        return result
    with transaction.atomic():
        existing = {org.code: org for org in ExternalOrg.objects.select_for_update().filter(code__in=parsed)}
        for code, values in parsed.items():
            org = existing.get(code)
            if org is None:
                ExternalOrg.objects.create(code=code, **values)
                result.created += 1
                continue
            changed = [name for name, value in values.items() if getattr(org, name) != value]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(org, name, values[name])
            org.save()
            result.updated += 1
    return result


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
            parsed[code] = {
                "name": name,
                "kind": kind,
                "parent_company": row.get("parent_company"),
                "contact_person": row.get("contact_person"),
                "contact_phone": row.get("contact_phone"),
            }
    return parsed
