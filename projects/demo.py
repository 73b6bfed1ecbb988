"""The reference scenario's projects (deterministic: seeded random numbers).

2020: 305 projects, 62 of them materially revised, rated by the departments; the round closed, a
published tracking list of 153 and 51 confirmed outstanding projects.
2021: 305 projects and an open round (its window around the day the demo is loaded), so the demo `reviewer` (运维检修部, home unit 公司本部) has a
queue to work through, a few ratings already "needs review", and the demo `secretary` (B0033) can
edit their branch's project.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from org.demo import DEMO_PASSWORD
from org.models import Branch, Department, Role, Unit, User
from projects import services
from projects.models import (
    Assignment,
    BranchProject,
    Nomination,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    TrackingList,
)
from projects.ranking import outstanding_target
from projects.selectors import current_tracking_list, tracking_entries

YEARS = (2020, 2021)
REVISED_2020 = 62
# Second reviewers sit outside 公司本部 so the headquarters' own branches get rated too.
SECOND_REVIEWER_UNIT = "U12"
# The open round's window, in days before and after the day the demo is loaded.
OPEN_ROUND_DAYS_DONE = 30
OPEN_ROUND_DAYS_LEFT = 21

# central business item, project title pattern, indicator, unit of measure, baseline range,
# whether the indicator should fall, departments concerned
TEMPLATES = [
    (
        "提升供电可靠性",
        "党员责任区护航{subject}可靠供电",
        "线路故障跳闸次数",
        "次",
        (18, 40),
        True,
        ("D02", "D08"),
    ),
    (
        "优化电力营商环境",
        "“三零三省”党员服务队助力{subject}获得电力",
        "低压接电平均时长",
        "天",
        (5, 12),
        True,
        ("D03",),
    ),
    (
        "安全生产",
        "党员身边无违章，{subject}安全生产“零事故”",
        "现场作业违章数",
        "起",
        (6, 20),
        True,
        ("D04", "D02"),
    ),
    (
        "电网建设攻坚",
        "党员突击队攻坚{subject}重点工程",
        "重点工程按期投产率",
        "%",
        (80, 92),
        False,
        ("D05", "D01"),
    ),
    ("降损增效", "党员攻关{subject}线损治理", "综合线损率", "%", (4, 8), True, ("D06", "D03")),
    ("客户服务提升", "党员先锋岗提升{subject}客户满意度", "客户投诉件数", "件", (20, 60), True, ("D03",)),
    (
        "清洁能源消纳",
        "党建引领{subject}新能源并网服务",
        "分布式光伏并网容量",
        "MW",
        (10, 40),
        False,
        ("D01", "D08"),
    ),
    (
        "数字化转型",
        "党员创新工作室推进{subject}数字化应用",
        "移动作业应用率",
        "%",
        (40, 70),
        False,
        ("D01", "D07"),
    ),
    (
        "疫情防控与复工复产",
        "党员服务队保障{subject}复工复产用电",
        "复工企业用电需求响应时长",
        "小时",
        (12, 48),
        True,
        ("D03", "D02"),
    ),
    (
        "人才培养",
        "“党员+师带徒”提升{subject}技能水平",
        "高级工及以上人员占比",
        "%",
        (30, 55),
        False,
        ("D07",),
    ),
]
# How generous each department is: what z-score normalisation corrects for.
DEPARTMENT_BIAS = {"D01": 0, "D02": 3, "D03": -4, "D04": 1, "D05": 6, "D06": -2, "D07": 2, "D08": -1}


def _reviewers(departments: dict[str, Department], units: dict[str, Unit]) -> dict[str, tuple[User, User]]:
    """Two reviewers per department: one at 公司本部 (for D02 the demo `reviewer`), one elsewhere."""
    password = make_password(DEMO_PASSWORD)
    reviewers = {}
    for code, department in departments.items():
        first = User.objects.filter(role=Role.REVIEWER, department=department, unit=units["U01"]).first()
        if first is None:
            first = User.objects.create(
                username=f"reviewer-{code.lower()}",
                first_name=f"{department.name}评价人",
                role=Role.REVIEWER,
                unit=units["U01"],
                department=department,
                password=password,
            )
        second, _created = User.objects.get_or_create(
            username=f"reviewer-{code.lower()}b",
            defaults={
                "first_name": f"{department.name}评价人(二)",
                "role": Role.REVIEWER,
                "unit": units[SECOND_REVIEWER_UNIT],
                "department": department,
                "password": password,
            },
        )
        reviewers[code] = (first, second)
    return reviewers


def _project_fields(rng: random.Random, branch: Branch, year: int) -> tuple[dict, list[str]]:
    central, title, indicator, unit, (low, high), falls, department_codes = rng.choice(TEMPLATES)
    subject = branch.name.removeprefix(branch.unit.name).removesuffix("党支部") or branch.unit.name
    baseline = Decimal(rng.randint(low, high))
    step = max(Decimal(1), (baseline * Decimal(rng.choice(("0.15", "0.2", "0.25")))).quantize(Decimal(1)))
    target = baseline - step if falls else baseline + step
    fields = {
        "title": title.format(subject=subject),
        "central_item": central,
        "indicator_name": indicator,
        "indicator_unit": unit,
        "baseline": baseline,
        "target": target,
        "description": f"{year}年，{branch.name}围绕“{central}”，以“{indicator}”为指标，"
        f"由{baseline}{unit}改善到{target}{unit}。",
    }
    return fields, list(department_codes)


def _create_projects(rng, year, branches, departments) -> list[BranchProject]:
    projects = []
    links = []
    for branch in branches:
        fields, codes = _project_fields(rng, branch, year)
        if year == 2020:
            # The year is over: record where each indicator ended.
            fields["actual"] = fields["target"] + Decimal(rng.randint(-2, 2))
            fields["status"] = BranchProject.Status.COMPLETED
        else:
            fields["status"] = BranchProject.Status.IN_PROGRESS
        projects.append(BranchProject(branch=branch, year=year, **fields))
        links.append(codes)
    projects = bulk_create_with_history(projects, BranchProject, default_change_reason="演示数据")
    projects = list(
        BranchProject.objects.filter(year=year).select_related("branch__unit").order_by("branch__code")
    )
    through = BranchProject.departments.through
    through.objects.bulk_create(
        through(branchproject_id=project.pk, department_id=departments[code].pk)
        for project, codes in zip(projects, links, strict=True)
        for code in codes
    )
    return projects


def _revise(rng, projects, count, admin) -> None:
    """Material revisions, before rating: a target adjusted, or a different central business item."""
    for project in rng.sample(projects, count):
        project.refresh_from_db()
        if rng.random() < 0.7:
            delta = Decimal(rng.choice((1, 2, 3)))
            new_target = (
                project.target - delta if project.target < project.baseline else project.target + delta
            )
            data = {"target": new_target}
            reason = "支部结合上半年实际，申请调整目标值。"
        else:
            other = rng.choice([t for t in TEMPLATES if t[0] != project.central_item])
            data = {"central_item": other[0]}
            reason = "根据公司年度重点工作调整，项目服务的中心工作相应调整。"
        if rng.random() < 0.3:
            data["description"] = project.description + "增加党员责任区挂牌和每月督导。"
        services.update_project(
            user=admin, project=project, data=data, reason=reason, expected_version=project.version
        )


def _rate(rng, rating_round, reviewers, *, share: float = 1.0, skip_rater=None) -> list[Rating]:
    """Ratings of the round's assignments by a reviewer without a conflict of interest."""
    quality: dict[int, float] = {}
    ratings = []
    assignments = (
        Assignment.objects.filter(round=rating_round)
        .select_related("project__branch__unit", "department")
        .order_by("project__branch__code", "department__code")
    )
    for assignment in assignments:
        if rng.random() > share:
            continue
        first, second = reviewers[assignment.department.code]
        project = assignment.project
        rater = second if project.branch.unit.path.startswith(first.unit.path) else first
        if rater == skip_rater:
            continue
        base = quality.setdefault(project.pk, rng.gauss(76, 7))
        score = round(min(98, max(45, base + DEPARTMENT_BIAS[assignment.department.code] + rng.gauss(0, 4))))
        ratings.append(
            Rating(
                round=rating_round,
                project=project,
                department=assignment.department,
                rater=rater,
                score=Decimal(score),
                rubric_scores={str(rating_round.criteria.first().pk): str(score)},
                comment=rng.choice(
                    ("支撑中心工作有力", "指标清晰，措施具体", "成效明显", "建议细化措施", "")
                ),
            )
        )
    return bulk_create_with_history(ratings, Rating, default_change_reason="演示数据")


def _nominate_and_confirm(rng, rating_round, reviewers, admin) -> None:
    tracking_list = current_tracking_list(rating_round=rating_round)
    entries = list(tracking_entries(tracking_list=tracking_list))
    by_project = {entry.project_id: entry for entry in entries}
    nominations = []
    for rating in Rating.objects.filter(round=rating_round, project_id__in=by_project).select_related(
        "department"
    ):
        # Departments nominate the projects they rated highest (and a few others).
        if rating.score >= 84 or rng.random() < 0.05:
            nominations.append(
                Nomination(
                    round=rating_round,
                    project_id=rating.project_id,
                    department=rating.department,
                    nominated_by=rating.rater,
                    note="成效突出，建议评为突出贡献项目",
                )
            )
    unique = {(n.project_id, n.department_id): n for n in nominations}
    bulk_create_with_history(list(unique.values()), Nomination, default_change_reason="演示数据")
    counts: dict[int, int] = {}
    for project_id, _department in unique:
        counts[project_id] = counts.get(project_id, 0) + 1
    target = outstanding_target(rating_round=rating_round, tracking_list=tracking_list)
    chosen = sorted(entries, key=lambda entry: (-counts.get(entry.project_id, 0), entry.position))[:target]
    services.confirm_outstanding(
        rating_round=rating_round, user=admin, project_ids=[entry.project_id for entry in chosen]
    )


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def _backdate_2020(rating_round: RatingRound) -> None:
    """The services stamp "now"; the reference year happened in 2020, so its dates say so."""
    ProjectRevision.objects.filter(project__year=2020).update(changed_at=_at(2020, 3, 20))
    Rating.objects.filter(round=rating_round).update(created_at=_at(2020, 5, 12), updated_at=_at(2020, 5, 12))
    RatingRound.objects.filter(pk=rating_round.pk).update(closed_at=_at(2020, 5, 31, 18))
    TrackingList.objects.filter(round=rating_round).update(published_at=_at(2020, 6, 10))
    OutstandingList.objects.filter(tracking_list__round=rating_round).update(confirmed_at=_at(2020, 12, 20))
    Nomination.objects.filter(round=rating_round).update(created_at=_at(2020, 12, 10))


GUIDANCE = [
    {"low": 90, "high": 100, "text": "措施具体、指标量化，对中心工作支撑作用突出"},
    {"low": 75, "high": 89, "text": "措施较具体，对中心工作有明显支撑"},
    {"low": 60, "high": 74, "text": "措施一般，支撑作用有限"},
    {"low": 0, "high": 59, "text": "与中心工作关联不明确"},
]


def _give_guidance(rating_round: RatingRound, admin) -> None:
    services.update_rubric_guidance(
        rating_round=rating_round,
        user=admin,
        guidance={criterion.pk: GUIDANCE for criterion in rating_round.criteria.all()},
    )


def load(*, stdout=None) -> None:
    if RatingRound.objects.filter(year=YEARS[0]).exists():
        return
    rng = random.Random(2020)
    with transaction.atomic():
        admin = User.objects.get(username="admin")
        units = {unit.code: unit for unit in Unit.objects.all()}
        departments = {department.code: department for department in Department.objects.all()}
        branches = list(Branch.objects.select_related("unit").order_by("code"))
        reviewers = _reviewers(departments, units)

        # 2020: the whole cycle, published.
        projects = _create_projects(rng, 2020, branches, departments)
        _revise(rng, projects, REVISED_2020, admin)
        round_2020 = services.create_round(
            year=2020,
            name="2020年度一支部一项目一特色项目评价",
            opens_on=datetime.date(2020, 4, 1),
            closes_on=datetime.date(2020, 5, 31),
        )
        _give_guidance(round_2020, admin)
        services.open_round(rating_round=round_2020, user=admin)
        _rate(rng, round_2020, reviewers)
        services.close_round(rating_round=round_2020, user=admin)
        tracking_list = services.publish_tracking_list(rating_round=round_2020, user=admin)
        _nominate_and_confirm(rng, round_2020, reviewers, admin)
        _backdate_2020(round_2020)

        # 2021: an open round with work to do.
        projects_2021 = _create_projects(rng, 2021, branches, departments)
        # The window is enforced: it is set around the day the demo is loaded, so it is open today.
        today = timezone.localdate()
        round_2021 = services.create_round(
            year=2021,
            name="2021年度一支部一项目一特色项目评价",
            opens_on=today - datetime.timedelta(days=OPEN_ROUND_DAYS_DONE),
            closes_on=today + datetime.timedelta(days=OPEN_ROUND_DAYS_LEFT),
        )
        _give_guidance(round_2021, admin)
        services.open_round(rating_round=round_2021, user=admin)
        demo_reviewer = User.objects.get(username="reviewer")
        _rate(rng, round_2021, reviewers, share=0.5, skip_rater=demo_reviewer)
        mine = [
            assignment
            for assignment in Assignment.objects.filter(round=round_2021, department=demo_reviewer.department)
            .select_related("project__branch__unit")
            .order_by("project__branch__code")
            if not assignment.project.branch.unit.path.startswith(demo_reviewer.unit.path)
        ][:12]
        for assignment in mine:
            services.submit_rating(
                user=demo_reviewer,
                assignment=assignment,
                values={round_2021.criteria.first().pk: Decimal(rng.randint(65, 92))},
                comment="措施具体，支撑运检中心工作",
            )
        # Two of those projects then changed materially: the reviewer is asked to look again.
        for assignment in mine[:2]:
            project = BranchProject.objects.get(pk=assignment.project_id)
            services.update_project(
                user=admin,
                project=project,
                data={"target": project.target + (1 if project.target > project.baseline else -1)},
                reason="支部申请提高目标值",
                expected_version=project.version,
            )
    if stdout is not None:
        stdout.write(
            f"projects: {len(projects)} in 2020 ({REVISED_2020} revised), tracking list {tracking_list.size}, "
            f"{len(projects_2021)} in 2021 with an open round"
        )
