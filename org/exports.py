"""The organisation's exports: the branch list's columns, and the whole organisation as a table in the
import format, so that an export imports back unchanged."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from branchtrack.web.table_export import ExportColumn, csv_writer
from org.models import Branch, Department, Unit

BRANCH_COLUMNS = [
    ExportColumn(gettext_lazy("Code"), "code", width=10),
    ExportColumn(gettext_lazy("Branch"), "name", width=36),
    ExportColumn(gettext_lazy("Unit code"), "unit.code", width=10),
    ExportColumn(gettext_lazy("Unit"), "unit.name", width=24),
    ExportColumn(gettext_lazy("Secretary"), "secretary", width=10),
    ExportColumn(gettext_lazy("Party members"), "member_count", width=10),
    ExportColumn(gettext_lazy("Active"), "active", width=8),
]

HEADER = ["类型", "编码", "名称", "上级编码", "单位类别", "书记", "党员人数", "是否有效"]


def organisation_rows() -> Iterator[list[str]]:
    yield HEADER
    code_by_path = dict(Unit.objects.values_list("path", "code"))
    for unit in Unit.objects.order_by("path"):
        parent_code = code_by_path.get(unit.path[: -Unit.steplen], "") if unit.depth > 1 else ""
        yield ["单位", unit.code, unit.name, parent_code, unit.kind, "", "", ""]
    for branch in Branch.objects.select_related("unit").order_by("code"):
        yield [
            "党支部",
            branch.code,
            branch.name,
            branch.unit.code,
            "",
            branch.secretary,
            str(branch.member_count),
            "是" if branch.active else "否",
        ]
    for department in Department.objects.order_by("code"):
        yield ["部门", department.code, department.name, "", "", "", "", ""]


def organisation_csv() -> str:
    buffer = io.StringIO()
    csv_writer(buffer).writerows(organisation_rows())
    return buffer.getvalue()
