"""Bulk import of the organisation (units, branches, departments) from one table.

Every row is validated first; if any row is bad nothing is written and every problem is
reported. Rows are matched on their stable code, so importing the same file twice changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchtrack.web.tabular import (
    BOOLEAN_HELP,
    Column,
    RowError,
    RowErrorList,
    TableRow,
    parse_bool,
    read_table,
)
from org.models import Branch, Department, Unit

COLUMNS = (
    Column("type", gettext_lazy("type"), aliases=("类型", "record_type"), required=True),
    Column("code", gettext_lazy("code"), aliases=("编码", "代码"), required=True),
    Column("name", gettext_lazy("name"), aliases=("名称",), required=True),
    Column("parent_code", gettext_lazy("parent code"), aliases=("上级编码", "所属单位编码", "parent")),
    Column("unit_kind", gettext_lazy("unit kind"), aliases=("单位类别", "kind")),
    Column("secretary", gettext_lazy("secretary"), aliases=("书记", "支部书记")),
    Column("member_count", gettext_lazy("party members"), aliases=("党员人数",)),
    Column("active", gettext_lazy("active"), aliases=("是否有效", "有效")),
)
COLUMN_LABELS = {column.key: column.label for column in COLUMNS}

TYPE_WORDS = {
    "unit": "unit",
    "单位": "unit",
    "基层单位": "unit",
    "党委": "unit",
    "branch": "branch",
    "支部": "branch",
    "党支部": "branch",
    "department": "department",
    "部门": "department",
    "专业部门": "department",
}
UNIT_KIND_WORDS = {
    **{kind.value: kind.value for kind in Unit.Kind},
    "公司": Unit.Kind.COMPANY,
    "市公司": Unit.Kind.COMPANY,
    "城区供电公司": Unit.Kind.CITY,
    "市级供电公司": Unit.Kind.CITY,
    "县供电公司": Unit.Kind.COUNTY,
    "县级供电公司": Unit.Kind.COUNTY,
    "子公司": Unit.Kind.SUBSIDIARY,
    "供电所": Unit.Kind.STATION,
    "其他": Unit.Kind.OTHER,
}
MAX_CODE = 32
MAX_NAME = 100
MAX_MEMBERS = 100_000


@dataclass
class _Parsed:
    row: int
    kind: str
    code: str
    name: str
    parent_code: str = ""
    unit_kind: str = Unit.Kind.OTHER
    secretary: str = ""
    member_count: int = 0
    active: bool = True


@dataclass
class OrgImportResult:
    errors: RowErrorList = field(default_factory=RowErrorList)
    created: dict[str, int] = field(default_factory=lambda: {"unit": 0, "branch": 0, "department": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"unit": 0, "branch": 0, "department": 0})
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": self.unchanged,
        }


def import_organisation_file(uploaded, *, filename: str) -> OrgImportResult:
    """Read and import a file; TableFileError propagates for unreadable files."""
    rows = read_table(uploaded, filename=filename, columns=COLUMNS)
    return import_organisation(rows=rows)


def import_organisation(*, rows: list[TableRow]) -> OrgImportResult:
    result = OrgImportResult()
    parsed = _parse_rows(rows, result.errors)
    _check_references(parsed, result.errors)
    if result.errors:
        return result
    with transaction.atomic():
        _apply(parsed, result)
    return result


def _error(errors: list[RowError], row: int, column: str, message: str) -> None:
    errors.append(RowError(row=row, column=str(COLUMN_LABELS[column]), message=message))


def _parse_rows(rows: list[TableRow], errors: list[RowError]) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        before = errors.total
        kind = TYPE_WORDS.get(row.get("type").strip().lower())
        if kind is None:
            _error(errors, row.number, "type", _("must be one of 单位/unit, 党支部/branch, 部门/department."))
        code = row.get("code")
        if not code:
            _error(errors, row.number, "code", _("is required."))
        elif len(code) > MAX_CODE:
            _error(errors, row.number, "code", _("is longer than %(max)s characters.") % {"max": MAX_CODE})
        elif kind and (kind, code) in seen:
            _error(
                errors,
                row.number,
                "code",
                _("%(code)s already appears in row %(row)s.") % {"code": code, "row": seen[(kind, code)]},
            )
        name = row.get("name")
        if not name:
            _error(errors, row.number, "name", _("is required."))
        elif len(name) > MAX_NAME:
            _error(errors, row.number, "name", _("is longer than %(max)s characters.") % {"max": MAX_NAME})
        item = _Parsed(
            row=row.number, kind=kind or "", code=code, name=name, parent_code=row.get("parent_code")
        )
        if kind == "unit" and row.get("unit_kind"):
            unit_kind = UNIT_KIND_WORDS.get(row.get("unit_kind").strip().lower())
            if unit_kind is None:
                _error(errors, row.number, "unit_kind", _("is not a known unit kind."))
            else:
                item.unit_kind = unit_kind
        if kind == "branch":
            item.secretary = row.get("secretary")[:50]
            count_text = row.get("member_count") or "0"
            # isdigit() would accept "²" and "①"; only ASCII digits, and within what a branch can have.
            if not (count_text.isascii() and count_text.isdigit()) or int(count_text) > MAX_MEMBERS:
                _error(
                    errors,
                    row.number,
                    "member_count",
                    _("must be a whole number from 0 to %(max)s.") % {"max": MAX_MEMBERS},
                )
            else:
                item.member_count = int(count_text)
            if not item.parent_code:
                _error(errors, row.number, "parent_code", _("a branch needs the code of its unit."))
        active_text = row.get("active")
        if active_text:
            active = parse_bool(active_text)
            if active is None:
                _error(errors, row.number, "active", str(BOOLEAN_HELP))
            else:
                item.active = active
        if kind and code:
            seen.setdefault((kind, code), row.number)
        if errors.total == before:
            parsed.append(item)
    return parsed


def _check_references(parsed: list[_Parsed], errors: list[RowError]) -> None:
    file_units = {item.code: item for item in parsed if item.kind == "unit"}
    existing_units = dict(Unit.objects.values_list("code", "path"))
    existing_root = Unit.objects.get_root_nodes().values_list("code", flat=True).first()
    roots_in_file = [item for item in file_units.values() if not item.parent_code]
    for item in roots_in_file:
        if existing_root and item.code != existing_root:
            _error(
                errors,
                item.row,
                "parent_code",
                _("only the top unit %(code)s may have no parent.") % {"code": existing_root},
            )
    if not existing_root and len(roots_in_file) > 1:
        for item in roots_in_file[1:]:
            _error(errors, item.row, "parent_code", _("only one unit may be the top of the tree."))
    for item in parsed:
        if item.kind not in ("unit", "branch") or not item.parent_code:
            continue
        if item.parent_code not in file_units and item.parent_code not in existing_units:
            _error(
                errors,
                item.row,
                "parent_code",
                _("no unit with code %(code)s in the file or the database.") % {"code": item.parent_code},
            )
    _check_cycles(file_units, existing_units, errors)


def _parents_after_import(file_units: dict[str, _Parsed], existing_paths: dict[str, str]) -> dict[str, str]:
    """Each unit's parent code in the tree as it will be once the file is applied."""
    code_by_path = {path: code for code, path in existing_paths.items()}
    parents = {code: code_by_path.get(path[: -Unit.steplen], "") for code, path in existing_paths.items()}
    parents.update({code: item.parent_code for code, item in file_units.items()})
    return parents


def _check_cycles(
    file_units: dict[str, _Parsed], existing_paths: dict[str, str], errors: list[RowError]
) -> None:
    # A move is checked against the tree after the whole file, not row by row against today's tree:
    # a unit moved under a new unit placed under its own child loops although no single row says so,
    # and two units that swap places are fine although each row alone would not be.
    parents = _parents_after_import(file_units, existing_paths)
    for item in file_units.values():
        chain, parent = [item.code], item.parent_code
        while parent and parent not in chain:
            chain.append(parent)
            parent = parents.get(parent, "")
        if parent == item.code:
            _error(
                errors,
                item.row,
                "parent_code",
                _("a unit cannot move under its own descendant: %(chain)s.")
                % {"chain": " → ".join([*chain, item.code])},
            )


def _apply(parsed: list[_Parsed], result: OrgImportResult) -> None:
    _apply_units([item for item in parsed if item.kind == "unit"], result)
    units = {unit.code: unit for unit in Unit.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    branches = {b.code: b for b in Branch.objects.all()}
    for item in parsed:
        if item.kind == "department":
            _upsert(
                result,
                "department",
                departments.get(item.code),
                Department,
                {"code": item.code},
                name=item.name,
            )
        elif item.kind == "branch":
            _upsert(
                result,
                "branch",
                branches.get(item.code),
                Branch,
                {"code": item.code},
                name=item.name,
                unit=units[item.parent_code],
                secretary=item.secretary,
                member_count=item.member_count,
                active=item.active,
            )


def _upsert(result: OrgImportResult, kind: str, existing, model, keys: dict, **values) -> None:
    if existing is None:
        model.objects.create(**keys, **values)
        result.created[kind] += 1
        return
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        result.unchanged += 1
        return
    for name in changed:
        setattr(existing, name, values[name])
    existing.save()
    result.updated[kind] += 1


def _apply_units(items: list[_Parsed], result: OrgImportResult) -> None:
    # Placing units from the top of the final tree down means every parent is already where the file
    # puts it, so no move ever lands inside the moved unit's own subtree.
    parents = _parents_after_import(
        {item.code: item for item in items}, dict(Unit.objects.values_list("code", "path"))
    )

    def depth(item: _Parsed) -> int:
        level, parent = 0, item.parent_code
        while parent:
            level, parent = level + 1, parents.get(parent, "")
        return level

    for item in sorted(items, key=depth):
        # Paths shift when siblings are inserted, so every unit is re-read right before use.
        existing = Unit.objects.filter(code=item.code).first()
        parent = Unit.objects.get(code=item.parent_code) if item.parent_code else None
        if existing is None:
            values = {"code": item.code, "name": item.name, "kind": item.unit_kind}
            if parent is None:
                Unit.objects.add_root(values)
            else:
                Unit.objects.add_child(parent, values)
            result.created["unit"] += 1
        else:
            changed = existing.name != item.name or existing.kind != item.unit_kind
            if changed:
                existing.name, existing.kind = item.name, item.unit_kind
                existing.save()
            current_parent = Unit.objects.get_parent(existing)
            if parent is not None and (current_parent is None or current_parent.pk != parent.pk):
                Unit.objects.move(existing, parent, pos="sorted-child")
                changed = True
            if changed:
                result.updated["unit"] += 1
            else:
                result.unchanged += 1
