"""Fill the database with a seeded data set of a given scale, by COPY.

The organisation is built directly as materialized paths (treebeard's layout: steps of 4 base-36
digits, with `depth` and `numchild` set), then each feature app's rows, in id order chosen here so
foreign keys need no read-back. Every section draws from its own `random.Random(f"{seed}-{name}")`,
so the same seed gives the same rows, and a section added later does not shift the others.

A section runs only when its app's tables exist (the apps land one by one); the figures that need a
missing one print "n/a (not built)" in the runner.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from bench.bulk import FIXED_TIME, copy_rows, reset_sequences
from bench.scale import (
    INACTIVE_SHARE,
    ITEMS_PER_VISIT,
    RATINGS_PER_PROJECT,
    VISITED_SHARE,
    Sizes,
)
from org.models import Branch, Department, Role, Unit, User

BENCH_PASSWORD = "Bench@2020"
YEAR = 2020
CAMPAIGN_START = datetime.date(YEAR, 3, 1)
CAMPAIGN_END = datetime.date(YEAR, 12, 31)
LAST_VISIT_DAY = datetime.date(YEAR, 11, 30)
# The days the roll-up writes snapshots for: the dashboard's trend line, ending on the campaign's last day.
SNAPSHOT_DAYS = (datetime.date(YEAR, 6, 30), datetime.date(YEAR, 9, 30), CAMPAIGN_END)

ADMIN_USERNAME = "bench-admin"
STAFF_USERNAME = "bench-staff"
REVIEWER_USERNAME = "bench-reviewer"  # the first reviewer of the first department
SECRETARY_USERNAME = "bench-secretary"
VISITOR_POOL = 20
REVIEWERS_PER_DEPARTMENT = 3

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌"
SUBJECTS = ("运维检修", "营销服务", "变电运维", "输电运检", "配电运检", "客户服务", "电力调度", "物资供应")
PROBLEMS = ("三会一课记录不全", "党员学习教育台账缺失", "组织生活会材料不规范", "党费收缴记录不完整")
PRACTICES = ("党员责任区+网格化服务", "支部书记讲党课进班组", "党建+安全生产积分制")
CENTRAL_ITEMS = ("提升供电可靠性", "降低线损率", "优化营商环境", "保障重点项目用电", "提升客户满意度")
INDICATORS = (("供电可靠率", "%"), ("线损率", "%"), ("平均接电时间", "天"), ("投诉件数", "件"))
ACTIVITY_TITLES = ("联合开展安全用电宣传", "共同清理线路通道", "联合开展主题党日", "走访困难群众")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _spread(rng: random.Random, total: int, bins: int) -> list[int]:
    """`total` split over `bins` unevenly (weights 0.5-1.5), summing exactly, every bin >= 1 if it can."""
    if bins == 0:
        return []
    floor = 1 if total >= bins else 0
    rest = total - floor * bins
    weights = [rng.uniform(0.5, 1.5) for _ in range(bins)]
    scale = rest / sum(weights)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    # Largest remainders take the rows rounding left over, ties by position: deterministic.
    order = sorted(range(bins), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [floor + c for c in counts]


@dataclass
class Generated:
    """What one run wrote: row counts per model label, seconds per section, sections skipped."""

    sizes: Sizes
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # filled by the organisation section, read by the others
    unit_ids: list[int] = field(default_factory=list)
    unit_paths: dict[int, str] = field(default_factory=dict)
    branch_units: list[int] = field(default_factory=list)  # index = branch id - 1
    branch_active: list[bool] = field(default_factory=list)
    user_ids: dict[str, int] = field(default_factory=dict)
    department_ids: list[int] = field(default_factory=list)
    reviewers: dict[int, list[int]] = field(default_factory=dict)  # department id -> user ids
    visitor_ids: list[int] = field(default_factory=list)

    def add(self, model, count: int) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + count


def tables_exist(*labels: str) -> bool:
    from django.apps import apps

    names = set(connection.introspection.table_names())
    try:
        return all(apps.get_model(label)._meta.db_table in names for label in labels)
    except LookupError:
        return False


# --- organisation -------------------------------------------------------------------------------


@dataclass
class _UnitSpec:
    code: str
    name: str
    kind: str
    parent: int | None  # index into the spec list
    branches: int


def _reference_units() -> list[_UnitSpec]:
    from org.demo import UNITS

    index = {code: i for i, (code, *_rest) in enumerate(UNITS)}
    return [
        _UnitSpec(code, name, str(kind), index[parent] if parent else None, count)
        for code, name, kind, parent, count in UNITS
    ]


def _scaled_units(rng: random.Random, sizes: Sizes) -> list[_UnitSpec]:
    """A 3-level tree: the company, ~1 in 50 units below it, the rest below those; branches spread unevenly."""
    below = sizes.units - 1
    second = max(1, round(below / 50))
    third = below - second
    specs = [_UnitSpec("C00", "国网示范省电力公司", Unit.Kind.COMPANY, None, 0)]
    kinds2 = (Unit.Kind.CITY, Unit.Kind.CITY, Unit.Kind.CITY, Unit.Kind.SUBSIDIARY, Unit.Kind.OTHER)
    for i in range(second):
        specs.append(_UnitSpec(f"U{i + 1:03d}", f"第{i + 1}地市供电公司", kinds2[i % len(kinds2)], 0, 0))
    per_parent = [third // second + (1 if i < third % second else 0) for i in range(second)]
    for parent, count in enumerate(per_parent):
        parent_code = specs[parent + 1].code
        for k in range(count):
            kind = Unit.Kind.COUNTY if k % 3 == 0 else Unit.Kind.STATION
            label = "县供电公司" if kind == Unit.Kind.COUNTY else "供电所"
            specs.append(
                _UnitSpec(f"{parent_code}{k + 1:03d}", f"{parent_code}第{k + 1}{label}", kind, parent + 1, 0)
            )
    for spec, count in zip(specs[1:], _spread(rng, sizes.branches, len(specs) - 1), strict=True):
        spec.branches = count
    return specs


def generate_organisation(result: Generated) -> None:
    sizes = result.sizes
    rng = random.Random(f"{result.seed}-org")
    specs = _reference_units() if sizes.is_reference and sizes.units == 17 else _scaled_units(rng, sizes)
    # Materialized paths: siblings are numbered in code order, as treebeard's node_order_by = ["code"] keeps them.
    children: dict[int | None, list[int]] = {}
    for i, spec in enumerate(specs):
        children.setdefault(spec.parent, []).append(i)
    paths: dict[int, str] = {}
    depths: dict[int, int] = {}

    def place(parent: int | None, depth: int) -> None:
        for step, i in enumerate(sorted(children.get(parent, []), key=lambda j: specs[j].code), start=1):
            base = paths[parent] if parent is not None else ""
            paths[i] = Unit._get_path(base, depth, step)
            depths[i] = depth
            place(i, depth + 1)

    place(None, 1)
    unit_rows = [
        (i + 1, paths[i], depths[i], len(children.get(i, [])), spec.code, spec.name, spec.kind)
        for i, spec in enumerate(specs)
    ]
    result.add(Unit, copy_rows(Unit, ("id", "path", "depth", "numchild", "code", "name", "kind"), unit_rows))
    result.unit_ids = [i + 1 for i in range(len(specs))]
    result.unit_paths = {i + 1: paths[i] for i in range(len(specs))}

    branch_rows = []
    number = 0
    for i, spec in enumerate(specs):
        for k in range(spec.branches):
            number += 1
            active = sizes.is_reference or rng.random() >= INACTIVE_SHARE
            subject = SUBJECTS[k % len(SUBJECTS)]
            lap = f"第{k // len(SUBJECTS) + 1}" if k >= len(SUBJECTS) else ""
            branch_rows.append(
                (
                    number,
                    f"B{number:06d}",
                    f"{spec.name}{subject}{lap}党支部",
                    i + 1,
                    _person(rng),
                    rng.randint(5, 45),
                    active,
                )
            )
            result.branch_units.append(i + 1)
            result.branch_active.append(active)
    columns = ("id", "code", "name", "unit_id", "secretary", "member_count", "active")
    result.add(Branch, copy_rows(Branch, columns, branch_rows))

    from org.demo import DEPARTMENTS

    result.department_ids = list(range(1, len(DEPARTMENTS) + 1))
    rows = [(i, code, name) for i, (code, name) in enumerate(DEPARTMENTS, start=1)]
    result.add(Department, copy_rows(Department, ("id", "code", "name"), rows))
    _generate_users(result, specs)


def _generate_users(result: Generated, specs: list[_UnitSpec]) -> None:
    # A fixed salt: the same seed must give the same rows, password hashes included.
    password = make_password(BENCH_PASSWORD, salt=f"benchsalt{result.seed}")
    company = 1
    # Reviewers work at the company's head office: the first unit below the company.
    head_office = 2 if len(specs) > 1 else 1
    rows = []

    def user(username: str, role: str, unit: int, *, department=None, branch=None, superuser=False) -> int:
        pk = len(rows) + 1
        rows.append((pk, username, password, role, unit, department, branch, superuser, superuser, username))
        result.user_ids[username] = pk
        return pk

    user(ADMIN_USERNAME, Role.ADMIN, company, superuser=True)
    user(STAFF_USERNAME, Role.STAFF, company)
    result.visitor_ids = [
        user(f"bench-visitor-{n:02d}", Role.STAFF, company) for n in range(1, VISITOR_POOL + 1)
    ]
    for department in result.department_ids:
        result.reviewers[department] = [
            user(
                REVIEWER_USERNAME if (department, n) == (1, 1) else f"bench-reviewer-{department}-{n}",
                Role.REVIEWER,
                head_office,
                department=department,
            )
            for n in range(1, REVIEWERS_PER_DEPARTMENT + 1)
        ]
    if result.branch_units:
        user(SECRETARY_USERNAME, Role.SECRETARY, result.branch_units[0], branch=1)
    columns = (
        "id",
        "username",
        "password",
        "role",
        "unit_id",
        "department_id",
        "branch_id",
        "is_superuser",
        "is_staff",
        "first_name",
    )
    result.add(User, copy_rows(User, columns, rows))


# --- supervision --------------------------------------------------------------------------------


def generate_supervision(result: Generated) -> None:
    from supervision.models import (
        Campaign,
        ChecklistArea,
        ChecklistItem,
        ChecklistTemplate,
        Finding,
        Visit,
        VisitScore,
    )

    sizes = result.sizes
    rng = random.Random(f"{result.seed}-supervision")
    copy_rows(
        ChecklistTemplate, ("id", "name", "version", "is_example"), [(1, "走遍支部调研督导清单", 1, False)]
    )
    area_names = (("A1", "组织建设"), ("A2", "党员教育管理"), ("A3", "党建业务融合"))
    copy_rows(
        ChecklistArea,
        ("id", "template_id", "code", "name", "order"),
        [(i, 1, c, n, i) for i, (c, n) in enumerate(area_names, 1)],
    )
    item_rows = []
    for area in range(1, 4):
        for k in range(1, 4):
            item_rows.append(
                (
                    len(item_rows) + 1,
                    area,
                    f"重点内容{area}-{k}",
                    Decimal("1"),
                    Decimal("0"),
                    Decimal("10"),
                    k,
                )
            )
    copy_rows(
        ChecklistItem, ("id", "area_id", "text", "weight", "min_score", "max_score", "order"), item_rows
    )
    assert len(item_rows) == ITEMS_PER_VISIT
    copy_rows(
        Campaign,
        ("id", "name", "year", "starts_on", "ends_on", "template_id"),
        [(1, f"{YEAR}年走遍支部", YEAR, CAMPAIGN_START, CAMPAIGN_END, 1)],
    )
    copy_rows(Campaign.scope_units.through, ("id", "campaign_id", "unit_id"), [(1, 1, 1)])
    result.add(Campaign, 1)

    active = [pk for pk, is_active in enumerate(result.branch_active, start=1) if is_active]
    visited = sorted(rng.sample(active, round(len(active) * VISITED_SHARE)))
    # Every visited branch gets one completed visit; the rest of the visits go to visited branches at random,
    # one in twenty of them a draft.
    branch_of = list(visited) + [rng.choice(visited) for _ in range(sizes.visits - len(visited))]
    draft = [False] * len(visited) + [rng.random() < 0.05 for _ in range(sizes.visits - len(visited))]
    days = [_day(rng, CAMPAIGN_START, LAST_VISIT_DAY) for _ in range(sizes.visits)]
    visitors = [f"{_person(rng)}、{_person(rng)}" for _ in range(64)]

    def visit_rows():
        for i in range(sizes.visits):
            completed = not draft[i]
            yield (
                i + 1,
                1,
                1,
                branch_of[i],
                days[i],
                visitors[i % 64],
                "draft" if draft[i] else "completed",
                datetime.datetime.combine(days[i], datetime.time(8), tzinfo=datetime.UTC)
                if completed
                else None,
                result.visitor_ids[i % len(result.visitor_ids)],
            )

    columns = (
        "id",
        "campaign_id",
        "template_id",
        "branch_id",
        "visited_on",
        "visitors",
        "status",
        "completed_at",
        "created_by_id",
    )
    result.add(Visit, copy_rows(Visit, columns, visit_rows()))

    tenths = [n / 10 for n in range(101)]

    def score_rows():
        randint = rng.randint
        pk = 0
        for visit in range(1, sizes.visits + 1):
            for item in range(1, ITEMS_PER_VISIT + 1):
                pk += 1
                yield (pk, visit, item, tenths[randint(50, 100)])

    result.add(VisitScore, copy_rows(VisitScore, ("id", "visit_id", "item_id", "score"), score_rows()))

    completed_visits = [i for i in range(sizes.visits) if not draft[i]]

    def finding_rows():
        for pk in range(1, sizes.findings + 1):
            visit = rng.choice(completed_visits)
            unit = result.branch_units[branch_of[visit] - 1]
            if rng.random() < 0.3:
                yield (
                    pk,
                    visit + 1,
                    "good_practice",
                    rng.choice(PRACTICES),
                    unit,
                    None,
                    "open",
                    "",
                    "",
                    None,
                    rng.random() < 0.2,
                )
                continue
            due = days[visit] + datetime.timedelta(days=rng.randint(30, 90))
            roll = rng.random()
            if roll < 0.4:
                resolved = min(due, CAMPAIGN_END)
                yield (
                    pk,
                    visit + 1,
                    "problem",
                    rng.choice(PROBLEMS),
                    unit,
                    due,
                    "resolved",
                    "已整改",
                    "整改报告",
                    resolved,
                    False,
                )
            else:
                yield (
                    pk,
                    visit + 1,
                    "problem",
                    rng.choice(PROBLEMS),
                    unit,
                    due,
                    "in_progress" if roll < 0.6 else "open",
                    "",
                    "",
                    None,
                    False,
                )

    columns = (
        "id",
        "visit_id",
        "kind",
        "title",
        "owner_unit_id",
        "due_on",
        "status",
        "resolution",
        "evidence",
        "resolved_on",
        "in_catalogue",
    )
    result.add(Finding, copy_rows(Finding, columns, finding_rows()))
    reset_sequences(
        [
            ChecklistTemplate,
            ChecklistArea,
            ChecklistItem,
            Campaign,
            Campaign.scope_units.through,
            Visit,
            VisitScore,
            Finding,
        ]
    )


# --- projects -----------------------------------------------------------------------------------


def generate_projects(result: Generated) -> None:
    from projects.models import (
        Assignment,
        BranchProject,
        ProjectRevision,
        Rating,
        RatingRound,
        RubricCriterion,
    )

    sizes = result.sizes
    rng = random.Random(f"{result.seed}-projects")
    admin = result.user_ids[ADMIN_USERNAME]
    columns = ("id", "year", "name", "opens_on", "closes_on", "status", "closed_at", "closed_by_id")
    round_row = (
        1,
        YEAR,
        f"{YEAR}年一支部一项目一特色评价",
        datetime.date(YEAR, 5, 1),
        datetime.date(YEAR, 6, 15),
        "closed",
        FIXED_TIME,
        admin,
    )
    copy_rows(RatingRound, columns, [round_row])
    criteria = ((1, "支撑中心工作程度"), (2, "指标可衡量性"), (3, "特色与创新"))
    copy_rows(
        RubricCriterion, ("id", "round_id", "name", "order"), [(pk, 1, name, pk) for pk, name in criteria]
    )

    def project_rows():
        for pk in range(1, sizes.projects + 1):
            indicator, unit = rng.choice(INDICATORS)
            baseline = Decimal(rng.randint(100, 9000)) / 100
            yield (
                pk,
                pk,
                YEAR,
                f"项目{pk}：{rng.choice(CENTRAL_ITEMS)}攻坚",
                rng.choice(CENTRAL_ITEMS),
                indicator,
                unit,
                baseline,
                baseline + Decimal(rng.randint(1, 500)) / 100,
                "in_progress",
            )

    columns = (
        "id",
        "branch_id",
        "year",
        "title",
        "central_item",
        "indicator_name",
        "indicator_unit",
        "baseline",
        "target",
        "status",
    )
    result.add(BranchProject, copy_rows(BranchProject, columns, project_rows()))

    departments = result.department_ids
    project_departments: list[list[int]] = [
        rng.sample(departments, RATINGS_PER_PROJECT) for _ in range(sizes.projects)
    ]
    through = BranchProject.departments.through

    def m2m_rows():
        pk = 0
        for project, chosen in enumerate(project_departments, start=1):
            for department in chosen[: 1 + project % 2]:
                pk += 1
                yield (pk, project, department)

    copy_rows(through, ("id", "branchproject_id", "department_id"), m2m_rows())

    def assignment_rows():
        pk = 0
        for project, chosen in enumerate(project_departments, start=1):
            for department in chosen:
                pk += 1
                yield (pk, 1, project, department)

    result.add(
        Assignment,
        copy_rows(Assignment, ("id", "round_id", "project_id", "department_id"), assignment_rows()),
    )

    def rating_rows():
        pk = 0
        for project, chosen in enumerate(project_departments, start=1):
            quality = rng.uniform(55, 90)
            for department in chosen:
                pk += 1
                rubric = {str(c): min(100, max(0, round(rng.gauss(quality, 8)))) for c, _name in criteria}
                score = Decimal(sum(rubric.values())) / len(rubric)
                yield (
                    pk,
                    1,
                    project,
                    department,
                    rng.choice(result.reviewers[department]),
                    score.quantize(Decimal("0.01")),
                    json.dumps(rubric),
                )

    columns = ("id", "round_id", "project_id", "department_id", "rater_id", "score", "rubric_scores")
    result.add(Rating, copy_rows(Rating, columns, rating_rows()))

    def revision_rows():
        pk = 0
        for project in range(1, sizes.projects + 1):
            if rng.random() < 62 / 305:
                pk += 1
                material = rng.random() < 0.4
                changes = [
                    {"field": "central_item" if material else "title", "old": "原内容", "new": "新内容"}
                ]
                yield (
                    pk,
                    project,
                    1,
                    admin,
                    FIXED_TIME,
                    "年中调整",
                    json.dumps(changes, ensure_ascii=False),
                    True,
                    material,
                )

    columns = (
        "id",
        "project_id",
        "number",
        "changed_by_id",
        "changed_at",
        "reason",
        "changes",
        "content_changed",
        "material",
    )
    result.add(ProjectRevision, copy_rows(ProjectRevision, columns, revision_rows()))
    reset_sequences(
        [RatingRound, RubricCriterion, BranchProject, through, Assignment, Rating, ProjectRevision]
    )


# --- pairings -----------------------------------------------------------------------------------


def generate_pairings(result: Generated) -> None:
    from pairings.models import ActivityOutcome, ExternalOrg, Pairing, PairingActivity, Theme

    sizes = result.sizes
    rng = random.Random(f"{result.seed}-pairings")
    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    if not themes:
        themes = [Theme.objects.create(name=f"共建主题{n}", order=n).pk for n in range(1, 6)]
    kinds = [choice for choice, _label in ExternalOrg.Kind.choices]
    rows = [
        (pk, f"X{pk:06d}", f"客户党组织{pk}", rng.choice(kinds)) for pk in range(1, sizes.external_orgs + 1)
    ]
    result.add(ExternalOrg, copy_rows(ExternalOrg, ("id", "code", "name", "kind"), rows))

    below_company = result.unit_ids[1:] or result.unit_ids
    branches = len(result.branch_units)
    starts: list[datetime.date] = []

    def pairing_rows():
        for pk in range(1, sizes.pairings + 1):
            start = _day(rng, datetime.date(YEAR - 1, 1, 1), datetime.date(YEAR, 6, 30))
            starts.append(start)
            ended = rng.random() < 0.1
            end = start + datetime.timedelta(days=rng.randint(90, 365)) if ended else None
            branch, unit = (
                (rng.randint(1, branches), None) if rng.random() < 0.9 else (None, rng.choice(below_company))
            )
            yield (
                pk,
                branch,
                unit,
                rng.randint(1, sizes.external_orgs),
                start,
                end,
                "ended" if ended else "active",
            )

    columns = ("id", "branch_id", "unit_id", "external_org_id", "start_date", "end_date", "status")
    result.add(Pairing, copy_rows(Pairing, columns, pairing_rows()))

    def theme_rows():
        pk = 0
        for pairing in range(1, sizes.pairings + 1):
            for theme in rng.sample(themes, 1 + pairing % 2):
                pk += 1
                yield (pk, pairing, theme)

    through = Pairing.themes.through
    copy_rows(through, ("id", "pairing_id", "theme_id"), theme_rows())

    def activity_rows():
        for pk in range(1, sizes.activities + 1):
            pairing = rng.randint(1, sizes.pairings)
            ours, theirs = rng.randint(3, 30), rng.randint(2, 30)
            day = _day(rng, starts[pairing - 1], CAMPAIGN_END)
            yield (
                pk,
                pairing,
                day,
                rng.choice(ACTIVITY_TITLES),
                "联合开展活动",
                ours,
                rng.randint(1, ours),
                theirs,
                rng.randint(0, theirs),
            )

    columns = (
        "id",
        "pairing_id",
        "date",
        "title",
        "description",
        "our_people",
        "our_party_members",
        "their_people",
        "their_party_members",
    )
    result.add(PairingActivity, copy_rows(PairingActivity, columns, activity_rows()))
    outcomes = [
        (pk, rng.randint(1, sizes.activities), "杆塔拆除", Decimal(rng.randint(1, 20)), "基")
        for pk in range(1, sizes.activities // 3 + 1)
    ]
    copy_rows(ActivityOutcome, ("id", "activity_id", "label", "value", "unit_label"), outcomes)
    reset_sequences([ExternalOrg, Pairing, through, PairingActivity, ActivityOutcome])


# --- the run ------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, tuple[str, ...], Callable[[Generated], None]], ...] = (
    ("organisation", ("branchtrack.Unit", "branchtrack.Branch"), generate_organisation),
    (
        "supervision",
        ("supervision.Visit", "supervision.VisitScore", "supervision.Finding"),
        generate_supervision,
    ),
    ("projects", ("projects.BranchProject", "projects.Rating", "projects.Assignment"), generate_projects),
    ("pairings", ("pairings.Pairing", "pairings.PairingActivity"), generate_pairings),
)


def generate(*, sizes: Sizes, seed: int, bypass_constraint_triggers: bool = False, log=None) -> Generated:
    """Write the data set into the (empty) default database; one transaction per section.

    `bypass_constraint_triggers` skips foreign-key trigger checks during COPY (a superuser's bulk-load
    switch); the tests leave them on, so a wrong id fails there.
    """
    result = Generated(sizes=sizes, seed=seed)
    for name, labels, section in SECTIONS:
        if not tables_exist(*labels):
            result.skipped.append(name)
            continue
        started = time.perf_counter()
        with transaction.atomic():
            if bypass_constraint_triggers:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            section(result)
            if name == "organisation":
                reset_sequences([Unit, Branch, Department, User])
        result.seconds[name] = time.perf_counter() - started
        if log:
            log(f"{name}: {result.seconds[name]:.1f} s")
    # Fresh statistics: without them the planner guesses the new tables are tiny and picks nested loops.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return result
