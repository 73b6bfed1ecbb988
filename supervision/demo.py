"""The 2020 走遍支部 campaign of the reference scenario.

Completed visits reach exactly 213 of the 305 branches (69.8%); drafts go only to unvisited
branches and repeat visits only to visited ones, so neither changes that figure. Snapshots are
rolled up as of several days across the campaign so the dashboard's trend line has a shape.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from org.models import Branch, Unit, User
from supervision import rollup, services
from supervision.models import (
    Campaign,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Feedback,
    Finding,
    MeetingAttendance,
    Visit,
    VisitScore,
)

CAMPAIGN_NAME = "2020年走遍支部调研督导"
TEMPLATE_NAME = "走遍支部调研督导清单（示例）"
VISITED_BRANCHES = 213
REPEAT_VISITS = 24
DRAFT_VISITS = 6
START = datetime.date(2020, 3, 1)
END = datetime.date(2020, 12, 31)
SNAPSHOT_DAYS = [datetime.date(2020, month, 1) for month in range(4, 13)] + [END]

# (area code, area, [(item, weight, max score)]): 3 x 3 items, 100 points in all.
DEFAULT_CHECKLIST = [
    (
        "A1",
        "组织建设",
        [
            ("支部班子健全，“三会一课”按时规范开展", Decimal("1.5"), Decimal("10")),
            ("党员发展和组织关系管理规范", Decimal("1"), Decimal("10")),
            ("支部工作台账完整、记录真实", Decimal("1"), Decimal("10")),
        ],
    ),
    (
        "A2",
        "党员教育管理",
        [
            ("主题党日、学习教育常态化开展", Decimal("1"), Decimal("10")),
            ("党员积分制管理落实到位", Decimal("1"), Decimal("10")),
            ("党员先锋岗、责任区作用发挥明显", Decimal("1.5"), Decimal("10")),
        ],
    ),
    (
        "A3",
        "党建与业务融合",
        [
            ("一支部一项目一特色项目推进有力", Decimal("1"), Decimal("10")),
            ("围绕安全生产、优质服务开展攻坚", Decimal("1"), Decimal("10")),
            ("联创共建、服务群众成效明显", Decimal("1"), Decimal("10")),
        ],
    ),
]

PROBLEMS = [
    "“三会一课”记录不完整",
    "党员学习教育参与率偏低",
    "支部台账更新不及时",
    "党员积分评定标准不清晰",
    "项目指标数据缺少佐证",
    "党员先锋岗标识不规范",
]
GOOD_PRACTICES = [
    "“微信群+村村响”联系群众",
    "抢修现场临时党小组",
    "党员服务队进社区",
    "“党建+安全”班前会",
    "线上“三会一课”打卡",
]
VISITORS = ["王芳、李强", "张敏、刘洋", "陈静、杨勇", "赵磊、黄丽", "周军、吴艳"]


def default_template() -> ChecklistTemplate:
    """The seeded example checklist (3 areas x 3 items); idempotent."""
    template, created = ChecklistTemplate.objects.get_or_create(
        name=TEMPLATE_NAME,
        version=1,
        defaults={
            "is_example": True,
            "notes": "示例清单：请按本单位实际调整方面、重点内容、权重和分值后使用。",
        },
    )
    if created:
        for area_order, (code, area_name, items) in enumerate(DEFAULT_CHECKLIST, start=1):
            area = ChecklistArea.objects.create(
                template=template, code=code, name=area_name, order=area_order
            )
            for item_order, (text, weight, high) in enumerate(items, start=1):
                ChecklistItem.objects.create(
                    area=area,
                    text=text,
                    weight=weight,
                    min_score=Decimal("0"),
                    max_score=high,
                    order=item_order,
                )
    return template


def _visit_day(rng: random.Random, index: int, count: int) -> datetime.date:
    # Visits ramp up through the year: a slow start, a push after mid-year.
    share = (index / count) ** 0.8
    offset = int(share * (END - START).days)
    return START + datetime.timedelta(days=min(offset + rng.randint(0, 5), (END - START).days))


def load(*, stdout=None) -> None:
    load_reference_year(stdout=stdout)
    load_current_campaign(stdout=stdout)


def load_reference_year(*, stdout=None) -> None:
    template = default_template()
    if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
        return
    rng = random.Random(2020_3)
    company = Unit.objects.get_root_nodes().first()
    staff = User.objects.filter(username="staff").first() or User.objects.filter(is_superuser=True).first()
    if company is None or staff is None:
        return
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=CAMPAIGN_NAME, year=2020, starts_on=START, ends_on=END, template=template
        )
        campaign.scope_units.set([company])
        branches = list(Branch.objects.active().order_by("code"))
        visited = sorted(rng.sample(branches, VISITED_BRANCHES), key=lambda b: b.code)
        unvisited = [branch for branch in branches if branch not in set(visited)]
        rng.shuffle(visited)
        items = list(ChecklistItem.objects.filter(area__template=template).order_by("area__order", "order"))

        plans = [
            (branch, _visit_day(rng, i, len(visited)), Visit.Status.COMPLETED)
            for i, branch in enumerate(visited)
        ]
        for branch, day, _status in rng.sample(plans[: len(plans) // 2], REPEAT_VISITS):
            plans.append(
                (
                    branch,
                    min(day + datetime.timedelta(days=rng.randint(40, 120)), END),
                    Visit.Status.COMPLETED,
                )
            )
        plans += [
            (branch, datetime.date(2020, 12, rng.randint(1, 20)), Visit.Status.DRAFT)
            for branch in unvisited[:DRAFT_VISITS]
        ]
        visits = bulk_create_with_history(
            [
                Visit(
                    campaign=campaign,
                    template=template,
                    branch=branch,
                    visited_on=day,
                    visitors=rng.choice(VISITORS),
                    overall_comment="支部工作总体规范，亮点突出。" if rng.random() < 0.5 else "",
                    status=status,
                    created_by=staff,
                )
                for branch, day, status in plans
            ],
            Visit,
            default_user=staff,
        )
        visits = list(Visit.objects.filter(campaign=campaign).select_related("branch").order_by("pk"))
        scores = []
        for visit in visits:
            quality = rng.uniform(0.6, 0.95)
            for item in items:
                if visit.status == Visit.Status.DRAFT and rng.random() < 0.4:
                    continue
                value = Decimal(
                    round(min(float(item.max_score), rng.gauss(quality, 0.08) * float(item.max_score)) * 2)
                    / 2
                )
                scores.append(VisitScore(visit=visit, item=item, score=max(value, item.min_score), remark=""))
        bulk_create_with_history(scores, VisitScore, default_user=staff)

        findings = []
        for visit in visits:
            if visit.status != Visit.Status.COMPLETED:
                continue
            if rng.random() < 0.3:
                due = visit.visited_on + datetime.timedelta(days=rng.choice((30, 45, 60)))
                finding = Finding(
                    visit=visit,
                    kind=Finding.Kind.PROBLEM,
                    title=rng.choice(PROBLEMS),
                    description="调研督导中发现，需限期整改。",
                    owner_unit_id=visit.branch.unit_id,
                    due_on=due,
                )
                roll = rng.random()
                if roll < 0.55:
                    finding.status = Finding.Status.RESOLVED
                    finding.resolution = "已制定整改措施并落实到位。"
                    finding.evidence = f"整改报告 ZG-2020-{len(findings) + 1:03d}"
                    finding.resolved_on = min(due - datetime.timedelta(days=rng.randint(0, 20)), END)
                elif roll < 0.75:
                    finding.status = Finding.Status.IN_PROGRESS
                findings.append(finding)
            if rng.random() < 0.12:
                findings.append(
                    Finding(
                        visit=visit,
                        kind=Finding.Kind.GOOD_PRACTICE,
                        title=rng.choice(GOOD_PRACTICES),
                        description="做法实用、可复制，建议在全公司推广。",
                        owner_unit_id=visit.branch.unit_id,
                        in_catalogue=rng.random() < 0.6,
                    )
                )
        bulk_create_with_history(findings, Finding, default_user=staff)

        units = list(Unit.objects.filter(depth=2).order_by("code"))
        for index, unit in enumerate(units[:6]):
            MeetingAttendance.objects.create(
                unit=unit,
                campaign=campaign,
                held_on=datetime.date(2020, 4 + index, 10 + index),
                title="党建工作例会",
                attendees=rng.choice(VISITORS),
                notes="听取支部工作汇报，反馈调研督导发现的问题。",
                created_by=staff,
            )
        for index, unit in enumerate(units[:4]):
            Feedback.objects.create(
                campaign=campaign,
                unit=unit,
                summary=f"{unit.name}：走遍支部调研督导已覆盖大部分支部，组织建设规范，"
                "党建与业务融合仍有提升空间，请对照问题清单限期整改。",
                created_by=staff,
                sent_at=None if index == 3 else datetime.datetime(2020, 12, 20, 9, 0, tzinfo=datetime.UTC),
            )

        for day in SNAPSHOT_DAYS:
            rollup.rollup_coverage(campaign=campaign, day=day)
        # What the nightly job would have done: overdue problems are flagged for their unit's admins.
        # No email: this is seed data, and the console would print one per demo administrator.
        services.escalate_overdue_problems(notify=False)
    if stdout is not None:
        total = campaign.snapshots.get(unit__isnull=True, day=END)
        stdout.write(
            f"supervision: {CAMPAIGN_NAME}, {len(visits)} visits, {total.visited_branches}/"
            f"{total.active_branches} branches visited ({total.coverage_percent}%), {len(findings)} findings"
        )


# --- the current campaign: dates relative to the day the demo is loaded ---------------------------

CURRENT_NAME = "走遍支部调研督导（当期）"
CURRENT_WEEKS_DONE = 6
CURRENT_WEEKS_LEFT = 14
CURRENT_VISITED_SHARE = 0.4
CURRENT_MISSED = 6


def _weekdays(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def load_current_campaign(*, stdout=None, today: datetime.date | None = None) -> None:
    """A campaign under way: started some weeks ago, ends months ahead, part of the branches visited
    (each carrying out a plan), a few plans missed, and the automatic plan for the rest, so "my
    visits", the calendar, expected vs done and the forecast show live figures on first run."""
    from django.utils import timezone

    from supervision import selectors
    from supervision.models import CampaignBlockedDay, PlannedVisit, PlannedVisitor

    if Campaign.objects.filter(name=CURRENT_NAME).exists():
        return
    today = today or timezone.localdate()
    company = Unit.objects.get_root_nodes().first()
    admin = User.objects.filter(username="admin").first()
    visitors = list(
        User.objects.filter(role=User.Role.STAFF, is_active=True).select_related("unit").order_by("pk")
    )
    if company is None or admin is None or not visitors:
        return
    rng = random.Random(2026_16)
    start = today - datetime.timedelta(weeks=CURRENT_WEEKS_DONE)
    end = today + datetime.timedelta(weeks=CURRENT_WEEKS_LEFT)
    made_at = datetime.datetime.combine(start, datetime.time(9), tzinfo=datetime.UTC)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=CURRENT_NAME, year=today.year, starts_on=start, ends_on=end, template=default_template()
        )
        campaign.scope_units.set([company])
        for weeks, reason in ((3, "党委理论学习中心组集中学习"), (8, "年度工作会议")):
            day = today + datetime.timedelta(weeks=weeks)
            CampaignBlockedDay.objects.create(
                campaign=campaign, day=day - datetime.timedelta(days=day.weekday()), reason=reason
            )
        branches = list(Branch.objects.active().select_related("unit").order_by("code"))
        past_days = _weekdays(start, today - datetime.timedelta(days=1))
        visited = rng.sample(branches, int(len(branches) * CURRENT_VISITED_SHARE))
        items = list(ChecklistItem.objects.filter(area__template=campaign.template))

        # Who visited: the branch's own unit staff where there is one, else company staff.
        def visitor_of(branch):
            local = [v for v in visitors if branch.unit.path.startswith(v.unit.path) and v.unit.depth > 1]
            return rng.choice(local or [v for v in visitors if v.unit.depth == 1] or visitors)

        plans, links, visits = [], [], []
        for index, branch in enumerate(sorted(visited, key=lambda b: b.code)):
            who = visitor_of(branch)
            day = past_days[min(int((index / len(visited)) ** 0.9 * len(past_days)), len(past_days) - 1)]
            visits.append(
                Visit(
                    campaign=campaign,
                    template=campaign.template,
                    branch=branch,
                    visited_on=day,
                    visitors=who.get_full_name(),
                    status=Visit.Status.COMPLETED,
                    created_by=who,
                )
            )
            plans.append((branch, who, day, PlannedVisit.Status.DONE))
        unvisited = [branch for branch in branches if branch not in set(visited)]
        for branch in rng.sample(unvisited, CURRENT_MISSED):
            plans.append(
                (branch, visitor_of(branch), rng.choice(past_days[-10:]), PlannedVisit.Status.MISSED)
            )
        visits = bulk_create_with_history(visits, Visit, default_user=admin)
        visit_of = {visit.branch_id: visit for visit in Visit.objects.filter(campaign=campaign)}
        scores = [
            VisitScore(visit=visit, item=item, score=Decimal(rng.choice(range(12, 21))) / 2)
            for visit in visit_of.values()
            for item in items
        ]
        bulk_create_with_history(scores, VisitScore, default_user=admin)
        saved = bulk_create_with_history(
            [
                PlannedVisit(
                    campaign=campaign,
                    branch=branch,
                    planned_on=day,
                    due_on=day,
                    status=status,
                    done_visit=visit_of.get(branch.pk) if status == PlannedVisit.Status.DONE else None,
                    created_by=admin,
                )
                for branch, who, day, status in plans
            ],
            PlannedVisit,
            default_user=admin,
        )
        links = [
            PlannedVisitor(plan=plan, user=who) for plan, (_b, who, _d, _s) in zip(saved, plans, strict=True)
        ]
        bulk_create_with_history(links, PlannedVisitor, default_user=admin)
        PlannedVisit.objects.filter(campaign=campaign).update(created_at=made_at)
        # The rest of the campaign: the automatic plan, as an administrator would save it.
        proposal = selectors.automatic_plan(user=admin, campaign=campaign, unit=company, today=today)
        services.save_automatic_plan(
            user=admin, campaign=campaign, unit=company, fingerprint=proposal.fingerprint, today=today
        )
        for day in [*range(0, (today - start).days, 7), (today - start).days]:
            rollup.rollup_coverage(campaign=campaign, day=start + datetime.timedelta(days=day))
    if stdout is not None:
        planned = PlannedVisit.objects.filter(campaign=campaign, status=PlannedVisit.Status.PLANNED).count()
        stdout.write(
            f"supervision: {CURRENT_NAME} {start:%Y-%m-%d} – {end:%Y-%m-%d}, {len(visit_of)}/{len(branches)}"
            f" branches visited, {planned} visits planned"
        )
