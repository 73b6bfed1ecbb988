"""The reference scenario's organisation: one company, its units, 305 branches, departments, users.

`manage.py load_demo` runs the `load` function of every app's `demo` module in app order; each
one is idempotent, so running the command on a loaded database adds only what is missing.
"""

from __future__ import annotations

import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from org.models import Branch, Department, Role, Unit, User

DEMO_PASSWORD = "Demo@2020"
COMPANY_CODE = "C00"

# (code, name, kind, parent code, branches): 305 branches in all.
UNITS = [
    (COMPANY_CODE, "国网示范市供电公司", Unit.Kind.COMPANY, None, 0),
    ("U01", "公司本部", Unit.Kind.OTHER, COMPANY_CODE, 32),
    ("U02", "城东供电分公司", Unit.Kind.CITY, COMPANY_CODE, 30),
    ("U03", "城西供电分公司", Unit.Kind.CITY, COMPANY_CODE, 28),
    ("U04", "清河县供电公司", Unit.Kind.COUNTY, COMPANY_CODE, 14),
    ("U0401", "清河县城关供电所", Unit.Kind.STATION, "U04", 7),
    ("U0402", "清河县河口供电所", Unit.Kind.STATION, "U04", 6),
    ("U05", "临江县供电公司", Unit.Kind.COUNTY, COMPANY_CODE, 25),
    ("U06", "平山县供电公司", Unit.Kind.COUNTY, COMPANY_CODE, 16),
    ("U0601", "平山县东岭供电所", Unit.Kind.STATION, "U06", 5),
    ("U0602", "平山县西坪供电所", Unit.Kind.STATION, "U06", 5),
    ("U07", "东湖县供电公司", Unit.Kind.COUNTY, COMPANY_CODE, 24),
    ("U08", "南岭县供电公司", Unit.Kind.COUNTY, COMPANY_CODE, 23),
    ("U09", "送变电工程公司", Unit.Kind.SUBSIDIARY, COMPANY_CODE, 22),
    ("U10", "综合能源服务公司", Unit.Kind.SUBSIDIARY, COMPANY_CODE, 18),
    ("U11", "检修分公司", Unit.Kind.OTHER, COMPANY_CODE, 26),
    ("U12", "营销服务中心", Unit.Kind.OTHER, COMPANY_CODE, 24),
]
BRANCH_COUNT = 305

DEPARTMENTS = [
    ("D01", "发展策划部"),
    ("D02", "运维检修部"),
    ("D03", "营销部"),
    ("D04", "安全监察部"),
    ("D05", "建设部"),
    ("D06", "财务资产部"),
    ("D07", "人力资源部"),
    ("D08", "电力调度控制中心"),
]

BRANCH_SUBJECTS = [
    "运维检修",
    "营销服务",
    "变电运维",
    "输电运检",
    "配电运检",
    "客户服务",
    "电力调度",
    "物资供应",
    "综合办公",
    "安全监察",
    "信息通信",
    "计量",
    "工程建设",
    "财务资产",
    "供电服务",
    "带电作业",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌"

# username, role, unit code, department code, branch code (None = first branch of the unit)
DEMO_USERS = [
    ("admin", Role.ADMIN, COMPANY_CODE, None, None, "党建部管理员"),
    ("unitadmin", Role.ADMIN, "U02", None, None, "城东分公司党建管理员"),
    ("staff", Role.STAFF, COMPANY_CODE, None, None, "公司党务工作人员"),
    ("unitstaff", Role.STAFF, "U04", None, None, "清河县公司党务工作人员"),
    ("reviewer", Role.REVIEWER, "U01", "D02", None, "运维检修部评价人"),
    ("secretary", Role.SECRETARY, "U02", None, "B0033", "城东分公司支部书记"),
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load(*, stdout=None) -> None:
    if Unit.objects.filter(code=COMPANY_CODE).exists():
        return
    rng = random.Random(2020)
    with transaction.atomic():
        units: dict[str, Unit] = {}
        for code, name, kind, parent_code, _branches in UNITS:
            if parent_code is None:
                units[code] = Unit.objects.add_root({"code": code, "name": name, "kind": kind})
            else:
                parent = Unit.objects.get(pk=units[parent_code].pk)
                units[code] = Unit.objects.add_child(parent, {"code": code, "name": name, "kind": kind})
        branches = []
        number = 0
        for code, name, _kind, _parent, count in UNITS:
            for index in range(count):
                number += 1
                subject = BRANCH_SUBJECTS[index % len(BRANCH_SUBJECTS)]
                lap = index // len(BRANCH_SUBJECTS)
                suffix = f"第{lap + 1}" if lap else ""
                branches.append(
                    Branch(
                        code=f"B{number:04d}",
                        name=f"{name}{subject}{suffix}党支部",
                        unit=units[code],
                        secretary=_person(rng),
                        member_count=rng.randint(5, 45),
                        active=True,
                    )
                )
        assert len(branches) == BRANCH_COUNT
        bulk_create_with_history(branches, Branch, default_change_reason="演示数据")
        bulk_create_with_history(
            [Department(code=code, name=name) for code, name in DEPARTMENTS],
            Department,
            default_change_reason="演示数据",
        )
        departments = {d.code: d for d in Department.objects.all()}
        for username, role, unit_code, department_code, branch_code, full_name in DEMO_USERS:
            branch = Branch.objects.get(code=branch_code) if branch_code else None
            user = User(
                username=username,
                first_name=full_name,
                role=role,
                unit=branch.unit if branch else units[unit_code],
                department=departments.get(department_code),
                branch=branch,
                is_staff=username == "admin",
                is_superuser=username == "admin",
                email=f"{username}@example.com",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
    if stdout is not None:
        stdout.write(
            f"organisation: {len(UNITS)} units, {BRANCH_COUNT} branches, {len(DEPARTMENTS)} departments"
        )


def logins() -> list[tuple[str, str, str]]:
    """(username, password, what they are) for the README and `make demo`'s banner."""
    return [(username, DEMO_PASSWORD, full_name) for username, _r, _u, _d, _b, full_name in DEMO_USERS]
