"""Bulk import of the organisation (units, branches, departments) from one table.

Every row is validated first; if any row is bad nothing is written and every problem is
reported. Rows are matched on their stable code, so importing the same file twice changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

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
from branchtrack.web.tabular import (
    BOOLEAN_HELP,
    Column,
    RowError,
    RowErrorList,
    TableRow,
    parse_bool,
    read_table,
    read_upload,
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


@dataclass(slots=True)
class _Parsed:
    row: int
    kind: str
    code: str
    name: str
    # None: the file has no such column (or, for a kind, sex or count, an empty cell), so the record
    # keeps what it has; a new record gets the model's default.
    parent_code: str | None = None
    unit_kind: str | None = None
    secretary: str | None = None
    member_count: int | None = None
    active: bool | None = None
    kept: list[str] = field(default_factory=list)  # labels of empty cells left as they are


@dataclass
class _Existing:
    """The organisation as it is, read once per plan."""

    unit_paths: dict[str, str]
    units: dict[str, Unit]
    branches: dict[str, Branch]
    departments: dict[str, Department]

    @classmethod
    def load(cls) -> _Existing:
        units = {unit.code: unit for unit in Unit.objects.all()}
        unit_by_id = {unit.pk: unit for unit in units.values()}
        branches = {}
        for branch in Branch.objects.all():
            branch.unit = unit_by_id[branch.unit_id]  # one instance per unit, not one per branch
            branches[branch.code] = branch
        return cls(
            unit_paths={code: unit.path for code, unit in units.items()},
            units=units,
            branches=branches,
            departments={department.code: department for department in Department.objects.all()},
        )

    @cached_property
    def unit_parent_codes(self) -> dict[str, str]:
        code_by_path = {path: code for code, path in self.unit_paths.items()}
        return {code: code_by_path.get(path[: -Unit.steplen], "") for code, path in self.unit_paths.items()}

    def unit_parent_code(self, code: str) -> str:
        return self.unit_parent_codes[code]


def plan_organisation_file(data: bytes, *, filename: str) -> ImportPlan:
    """Check a file and work out what importing it would change; writes nothing.

    TableFileError propagates for unreadable files."""
    return plan_organisation(rows=read_table(data, filename=filename, columns=COLUMNS))


def plan_organisation(*, rows: list[TableRow]) -> ImportPlan:
    plan = ImportPlan()
    parsed = _parse_rows(rows, plan.errors)
    existing = _Existing.load()
    _fill_parents(parsed, existing, plan.errors)
    _check_references(parsed, existing, plan.errors)
    if plan.errors:
        return plan
    plan.rows = [_planned(item, existing) for item in parsed]
    # The organisation as read for the plan goes along: applied in the same transaction, it still holds.
    plan.payload = (parsed, existing)
    return plan


def apply_organisation(plan: ImportPlan) -> None:
    parsed, existing = plan.payload
    _apply(parsed, existing, report=plan.report)


ORGANISATION_IMPORTER = TableImporter(
    key="organisation", plan=plan_organisation_file, apply=apply_organisation
)


def import_organisation_file(uploaded, *, filename: str) -> ImportPlan:
    """Check and import a file in one go (the management command): all rows or none."""
    return run_import(ORGANISATION_IMPORTER, read_upload(uploaded), filename=filename)


def _error(errors: list[RowError], row: int, column: str, message: str) -> None:
    errors.append(RowError(row=row, column=str(COLUMN_LABELS[column]), message=message))


def _parse_rows(rows: list[TableRow], errors: RowErrorList) -> list[_Parsed]:
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
            row=row.number,
            kind=kind or "",
            code=code,
            name=name,
            parent_code=row.get("parent_code") if row.has("parent_code") else None,
        )

        if kind == "unit" and not _no_value(row, item, "unit_kind"):
            unit_kind = UNIT_KIND_WORDS.get(row.get("unit_kind").strip().lower())
            if unit_kind is None:
                _error(errors, row.number, "unit_kind", _("is not a known unit kind."))
            else:
                item.unit_kind = unit_kind
        if kind == "branch":
            if row.has("secretary"):
                item.secretary = row.get("secretary")[:50]
            count_text = row.get("member_count")
            # isdigit() would accept "²" and "①"; only ASCII digits, and within what a branch can have.
            if _no_value(row, item, "member_count"):
                pass
            elif not (count_text.isascii() and count_text.isdigit()) or int(count_text) > MAX_MEMBERS:
                _error(
                    errors,
                    row.number,
                    "member_count",
                    _("must be a whole number from 0 to %(max)s.") % {"max": MAX_MEMBERS},
                )
            else:
                item.member_count = int(count_text)
            if item.parent_code == "":
                _error(errors, row.number, "parent_code", _("a branch needs the code of its unit."))
        if row.get("active"):
            active = parse_bool(row.get("active"))
            if active is None:
                _error(errors, row.number, "active", str(BOOLEAN_HELP))
            else:
                item.active = active
        elif kind == "branch":
            _no_value(row, item, "active")
        if kind and code:
            seen.setdefault((kind, code), row.number)
        if errors.total == before:
            parsed.append(item)
    return parsed


def _no_value(row: TableRow, item: _Parsed, column: str) -> bool:
    """True when the row gives no value: the column is absent, or its cell is empty (noted for the preview)."""
    if row.has(column) and not row.get(column):
        item.kept.append(str(COLUMN_LABELS[column]))
        return True
    return not row.has(column)


def _fill_parents(parsed: list[_Parsed], existing: _Existing, errors: RowErrorList) -> None:
    """Rows of a file without the parent column keep their place; a new branch cannot."""
    for item in parsed:
        if item.parent_code is not None:
            continue
        if item.kind == "unit":
            item.parent_code = existing.unit_parent_code(item.code) if item.code in existing.units else ""
        elif item.kind == "branch":
            if item.code in existing.branches:
                item.parent_code = existing.branches[item.code].unit.code
            else:
                _error(errors, item.row, "parent_code", _("a branch needs the code of its unit."))


def _check_references(parsed: list[_Parsed], existing: _Existing, errors: RowErrorList) -> None:
    file_units = {item.code: item for item in parsed if item.kind == "unit"}
    existing_units = existing.unit_paths
    existing_root = next((code for code, parent in existing.unit_parent_codes.items() if not parent), None)
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
    _check_cycles(file_units, existing, errors)


def _parents_after_import(file_units: dict[str, _Parsed], existing: _Existing) -> dict[str, str]:
    """Each unit's parent code in the tree as it will be once the file is applied."""
    return {**existing.unit_parent_codes, **{code: item.parent_code for code, item in file_units.items()}}


def _check_cycles(file_units: dict[str, _Parsed], existing: _Existing, errors: RowErrorList) -> None:
    # A move is checked against the tree after the whole file, not row by row against today's tree:
    # a unit moved under a new unit placed under its own child loops although no single row says so,
    # and two units that swap places are fine although each row alone would not be.
    parents = _parents_after_import(file_units, existing)
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


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _planned(item: _Parsed, existing: _Existing) -> PlannedRow:
    """What importing this row does to its record, field by field."""
    labels = {"unit": Unit._meta.verbose_name, "branch": Branch._meta.verbose_name}
    labels["department"] = Department._meta.verbose_name
    row = PlannedRow(
        row=item.row,
        kind=item.kind,
        record=f"{labels[item.kind]} {item.code} {item.name}",
        action=UNCHANGED,
        kept=item.kept,
    )
    label = COLUMN_LABELS
    if item.kind == "unit":
        current = existing.units.get(item.code)
        if current is None:
            row.action, row.kept = CREATE, []
            return row
        kinds = dict(Unit.Kind.choices)
        pairs = [
            (label["name"], current.name, item.name),
            (label["parent_code"], existing.unit_parent_code(item.code), item.parent_code),
        ]
        if item.unit_kind is not None:
            pairs.append((label["unit_kind"], str(kinds[current.kind]), str(kinds[item.unit_kind])))
    elif item.kind == "branch":
        current = existing.branches.get(item.code)
        if current is None:
            row.action, row.kept = CREATE, []
            return row
        pairs = [
            (label["name"], current.name, item.name),
            (label["parent_code"], current.unit.code, item.parent_code),
        ]
        if item.secretary is not None:
            pairs.append((label["secretary"], current.secretary, item.secretary))
        if item.member_count is not None:
            pairs.append((label["member_count"], str(current.member_count), str(item.member_count)))
        if item.active is not None:
            pairs.append((label["active"], _yes_no(current.active), _yes_no(item.active)))
    else:
        current = existing.departments.get(item.code)
        if current is None:
            row.action, row.kept = CREATE, []
            return row
        pairs = [(label["name"], current.name, item.name)]
    row.changes = [FieldChange(str(name), old, new) for name, old, new in pairs if old != new]
    row.action = UPDATE if row.changes else UNCHANGED
    return row


def _present(**values) -> dict:
    """The fields the file gives a value for; the others stay as they are."""
    return {name: value for name, value in values.items() if value is not None}


CREATE_BATCH = 2000


def _apply(parsed: list[_Parsed], existing_org: _Existing, *, report: Callable[[int], None]) -> None:
    unit_items = [item for item in parsed if item.kind == "unit"]
    _apply_units(unit_items)
    done = len(unit_items)
    report(done)
    units = {unit.code: unit for unit in Unit.objects.all()}  # re-read: placing units moves paths
    departments, branches = existing_org.departments, existing_org.branches
    # New records go in by batches (with their history rows): a 100,000-row file is mostly new
    # branches, one INSERT each would take minutes. Changed records are saved one by one.
    new: dict[type, list] = {Department: [], Branch: []}

    def flush(model, *, at_least: int) -> int:
        pending = new[model]
        if len(pending) < at_least or not pending:
            return 0
        bulk_create_with_history(pending, model, batch_size=CREATE_BATCH)
        written = len(pending)
        pending.clear()
        return written

    for item in parsed:
        if item.kind == "department":
            existing, model, values = departments.get(item.code), Department, {"name": item.name}
        elif item.kind == "branch":
            existing, model = branches.get(item.code), Branch
            values = _present(
                name=item.name,
                unit=units[item.parent_code],
                secretary=item.secretary,
                member_count=item.member_count,
                active=item.active,
            )
        else:
            continue
        if existing is None:
            new[model].append(model(code=item.code, **values))
            written = flush(model, at_least=CREATE_BATCH)
        else:
            _update(existing, **values)
            written = 1
        if written:
            done += written
            report(done)
    for model in new:
        done += flush(model, at_least=1)
    report(done)


def _update(existing, **values) -> None:
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(existing, name, values[name])
    existing.save()


def _apply_units(items: list[_Parsed]) -> None:
    # Placing units from the top of the final tree down means every parent is already where the file
    # puts it, so no move ever lands inside the moved unit's own subtree.
    parents = _parents_after_import({item.code: item for item in items}, _Existing.load())

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
            values = {"code": item.code, "name": item.name, "kind": item.unit_kind or Unit.Kind.OTHER}
            if parent is None:
                Unit.objects.add_root(values)
            else:
                Unit.objects.add_child(parent, values)
            continue
        changed = _present(name=item.name, kind=item.unit_kind)
        if any(getattr(existing, name) != value for name, value in changed.items()):
            for name, value in changed.items():
                setattr(existing, name, value)
            existing.save()
        current_parent = Unit.objects.get_parent(existing)
        if parent is not None and (current_parent is None or current_parent.pk != parent.pk):
            Unit.objects.move(existing, parent, pos="sorted-child")
