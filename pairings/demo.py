"""联创共建 in the reference scenario: 108 of our organisations paired with 166 external ones under the
five themes, a year of joint activities (with the seed's metro line 11 section 5 line removal), and
village liaison groups reaching 59 villages and 168 village cadres.

Deterministic (seeded) and idempotent: a second run finds the data and adds nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from org.models import Branch, Unit, User
from pairings.models import (
    ActivityOutcome,
    ExternalOrg,
    LiaisonGroup,
    Pairing,
    PairingActivity,
    Theme,
    Village,
)

SEED = 2020
# The change reason of every demo row in the audit trail (each record has a history from its creation).
DEMO_REASON = "演示数据"
OUR_BRANCHES = 100
OUR_COMMITTEES = ("U02", "U03", "U04", "U05", "U06", "U07", "U09", "U10")  # 100 + 8 = 108 of ours
EXTERNAL_COUNT = 166
EXTRA_PAIRINGS = 14  # externals paired with a second one of ours
SECRETARY_BRANCH = "B0033"
METRO_CODE = "EX001"
VILLAGES = 59
CADRES = 168
LIAISON_GROUPS = 20

THEME_NAMES = [
    "疫情防控联抓共管",
    "重点项目联建共促",
    "复工复产联动共保",
    "脱贫攻坚联帮共助",
    "党建活动联抓共融",
]

CUSTOMER_PREFIXES = [
    "华兴",
    "恒通",
    "瑞丰",
    "鑫源",
    "东方",
    "金桥",
    "海川",
    "正泰",
    "远大",
    "宏达",
    "中联",
    "新城",
    "永安",
    "天成",
    "长江",
    "盛达",
    "汇丰",
    "凯旋",
    "宝信",
    "同德",
]
CUSTOMER_TRADES = [
    "钢铁有限公司",
    "化工股份公司",
    "水泥有限公司",
    "纺织集团",
    "物流有限公司",
    "数据中心",
    "汽车零部件公司",
    "食品有限公司",
]
SOE_NAMES = [
    "市轨道交通集团",
    "市水务集团",
    "市城投集团",
    "市燃气集团",
    "市公交集团",
    "市高速公路公司",
    "市港务集团",
]
GOV_NAMES = [
    "发展和改革委员会",
    "工业和信息化局",
    "应急管理局",
    "住房和城乡建设局",
    "农业农村局",
    "交通运输局",
]
DISTRICTS = ["城东区", "城西区", "清河县", "临江县", "平山县", "东湖县", "南岭县"]
VILLAGE_SYLLABLES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
VILLAGE_SUFFIXES = ["家村", "庄村", "家湾村", "家岭村", "坪村"]
TOWNSHIPS = ["城关镇", "河口镇", "东岭镇", "西坪镇", "临江镇", "南岭乡", "东湖镇"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌"

ACTIVITY_TITLES = {
    "疫情防控联抓共管": ["联合开展疫情防控用电保障", "党员突击队驻点保供电", "防疫物资捐赠与安全用电检查"],
    "重点项目联建共促": ["重点工程配套电网联合推进会", "施工现场联合安全检查", "项目用电接入联合攻坚"],
    "复工复产联动共保": ["复工复产用电服务上门", "企业配电设施联合体检", "电费政策宣讲与能效诊断"],
    "脱贫攻坚联帮共助": ["帮扶村农网改造联合走访", "消费扶贫与产业用电对接", "光伏扶贫电站联合巡检"],
    "党建活动联抓共融": ["联合主题党日", "党课共上、经验共享", "支部书记交流座谈"],
}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _date_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def load(*, stdout=None) -> None:
    if (
        ExternalOrg.objects.filter(code=METRO_CODE).exists()
        or not Branch.objects.filter(code=SECRETARY_BRANCH).exists()
    ):
        return
    rng = random.Random(SEED)
    with transaction.atomic():
        themes = {theme.name: theme for theme in Theme.objects.all()}
        for order, name in enumerate(THEME_NAMES, start=1):
            if name not in themes:
                themes[name] = Theme.objects.create(name=name, order=order)
        externals = _external_orgs(rng)
        ours = _our_organisations(rng)
        pairings = _pairings(rng, ours=ours, externals=externals, themes=themes)
        activities = _activities(rng, pairings=pairings)
        activities += _recent_activities(pairings=pairings, today=timezone.localdate())
        villages, cadres = _liaison_groups(rng)
    if stdout is not None:
        stdout.write(
            f"pairings: {len(ours)} of ours with {len(externals)} external organisations, "
            f"{len(pairings)} pairings, {activities} activities, {villages} villages, {cadres} cadres"
        )


def _external_orgs(rng: random.Random) -> list[ExternalOrg]:
    rows = [
        ExternalOrg(
            code=METRO_CODE,
            name="市轨道交通集团地铁11号线5标段项目部党支部",
            kind=ExternalOrg.Kind.STATE_OWNED,
            parent_company="市轨道交通集团有限公司",
            contact_person="周建国",
            contact_phone="0571-8800 1101",
        )
    ]
    kinds = (
        [ExternalOrg.Kind.CUSTOMER] * 7
        + [ExternalOrg.Kind.VILLAGE] * 4
        + [ExternalOrg.Kind.STATE_OWNED] * 2
        + [ExternalOrg.Kind.GOVERNMENT] * 2
        + [ExternalOrg.Kind.COMMUNITY] * 2
        + [ExternalOrg.Kind.SCHOOL]
    )
    used = {rows[0].name}
    for number in range(2, EXTERNAL_COUNT + 1):
        kind = rng.choice(kinds)
        district = rng.choice(DISTRICTS)
        parent = ""
        if kind == ExternalOrg.Kind.CUSTOMER:
            parent = f"{rng.choice(CUSTOMER_PREFIXES)}{rng.choice(CUSTOMER_TRADES)}"
            name = f"{parent}党委"
        elif kind == ExternalOrg.Kind.STATE_OWNED:
            parent = rng.choice(SOE_NAMES)
            name = f"{parent}{rng.choice(['第一', '第二', '第三', '运营', '工程'])}分公司党支部"
        elif kind == ExternalOrg.Kind.GOVERNMENT:
            name = f"{district}{rng.choice(GOV_NAMES)}机关党支部"
        elif kind == ExternalOrg.Kind.VILLAGE:
            name = f"{district}{rng.choice(TOWNSHIPS)}{rng.choice(VILLAGE_SYLLABLES)}{rng.choice(VILLAGE_SUFFIXES)}党支部"
        elif kind == ExternalOrg.Kind.COMMUNITY:
            name = f"{district}{rng.choice(VILLAGE_SYLLABLES)}{rng.choice(['苑', '园', '桥', '湾'])}社区党委"
        else:
            name = f"{district}{rng.choice(['第一中学', '实验小学', '人民医院', '中医院', '职业技术学校'])}党总支"
        while name in used:
            name = name.replace("党", f"{len(used) % 9 + 1}党", 1)
        used.add(name)
        rows.append(
            ExternalOrg(
                code=f"EX{number:03d}",
                name=name,
                kind=kind,
                parent_company=parent,
                contact_person=_person(rng),
                contact_phone=f"1{rng.randint(30, 89)}{rng.randint(0, 99999999):08d}",
            )
        )
    return bulk_create_with_history(rows, ExternalOrg, default_change_reason=DEMO_REASON)


def _our_organisations(rng: random.Random) -> list[Branch | Unit]:
    branches = list(Branch.objects.order_by("code"))
    secretary_branch = next(b for b in branches if b.code == SECRETARY_BRANCH)
    others = rng.sample([b for b in branches if b.code != SECRETARY_BRANCH], OUR_BRANCHES - 1)
    chosen = [secretary_branch, *sorted(others, key=lambda b: b.code)]
    committees = list(Unit.objects.filter(code__in=OUR_COMMITTEES).order_by("code"))
    return [*chosen, *committees]


def _pairings(rng, *, ours, externals, themes) -> list[Pairing]:
    theme_list = [themes[name] for name in THEME_NAMES]
    plan: list[tuple[Branch | Unit, ExternalOrg]] = [
        (ours[i % len(ours)], ext) for i, ext in enumerate(externals)
    ]
    for ext in rng.sample(externals[1:], EXTRA_PAIRINGS):
        already = {id(o) for o, e in plan if e is ext}
        second = rng.choice([o for o in ours if id(o) not in already])
        plan.append((second, ext))
    pairings, theme_links = [], []
    for index, (our, ext) in enumerate(plan):
        start = _date_between(rng, datetime.date(2019, 3, 1), datetime.date(2020, 3, 31))
        ended = index > 0 and rng.random() < 0.15
        pairing = Pairing(
            branch=our if isinstance(our, Branch) else None,
            unit=our if isinstance(our, Unit) else None,
            external_org=ext,
            start_date=start,
            end_date=datetime.date(2020, 12, 31) if ended else None,
            status=Pairing.Status.ENDED if ended else Pairing.Status.ACTIVE,
            agreement=f"{our.name}与{ext.name}签订联创共建协议：组织共建、业务共促、资源共享、人才共育。",
        )
        pairings.append(pairing)
        primary = theme_list[1] if index == 0 else theme_list[index % len(theme_list)]
        chosen = {primary}
        if rng.random() < 0.35:
            chosen.add(rng.choice(theme_list))
        theme_links.append(chosen)
    bulk_create_with_history(pairings, Pairing, default_change_reason=DEMO_REASON)
    through = Pairing.themes.through
    through.objects.bulk_create(
        through(pairing_id=pairing.pk, theme_id=theme.pk)
        for pairing, chosen in zip(pairings, theme_links, strict=True)
        for theme in sorted(chosen, key=lambda t: t.pk)
    )
    for pairing, chosen in zip(pairings, theme_links, strict=True):
        pairing.demo_themes = sorted(chosen, key=lambda t: t.pk)
    return pairings


# Dormancy is judged against today: most active pairings get a joint activity in the weeks before the
# demo is loaded, the others stay dormant (no activity for longer than `dormant_after_days`).
RECENT_ACTIVITY_SHARE = 0.7
RECENT_ACTIVITY_DAYS = 60


def _recent_activities(*, pairings: list[Pairing], today: datetime.date) -> int:
    """An activity in the last weeks for most active pairings, from a seed of its own so the
    reference year's activities stay exactly as they were."""
    rng = random.Random(SEED + 1)
    staff = User.objects.filter(username="staff").first()
    activities = [
        PairingActivity(
            pairing=pairing,
            date=today - datetime.timedelta(days=rng.randint(1, RECENT_ACTIVITY_DAYS)),
            title=rng.choice(ACTIVITY_TITLES["党建活动联抓共融"]),
            description=f"{pairing.ours.name}与{pairing.external_org.name}开展联合活动。",
            our_people=rng.randint(4, 20),
            our_party_members=rng.randint(1, 4),
            their_people=rng.randint(3, 15),
            their_party_members=rng.randint(1, 3),
            created_by=staff,
        )
        for pairing in pairings
        if pairing.status == Pairing.Status.ACTIVE and rng.random() < RECENT_ACTIVITY_SHARE
    ]
    bulk_create_with_history(
        activities, PairingActivity, default_user=staff, default_change_reason=DEMO_REASON
    )
    return len(activities)


def _activities(rng: random.Random, *, pairings: list[Pairing]) -> int:
    staff = User.objects.filter(username="staff").first()
    activities: list[PairingActivity] = []
    outcomes: list[tuple[int, list[tuple[str, Decimal, str]]]] = []
    seed = PairingActivity(
        pairing=pairings[0],
        date=datetime.date(2020, 5, 16),
        title="地铁11号线5标段220千伏线路迁改拆除联合攻坚",
        description=(
            "为保障地铁11号线5标段施工，双方党员突击队联合攻坚，利用两个夜间停电窗口完成220千伏线路拆除："
            "现场统一指挥、党员带头登塔作业，安全零事故。"
        ),
        our_people=80,
        our_party_members=20,
        their_people=80,
        their_party_members=20,
        outcome_text="两个晚上拆除杆塔16基、线路4.5公里，为地铁11号线5标段如期施工扫清障碍。",
        created_by=staff,
    )
    activities.append(seed)
    outcomes.append((0, [("拆除杆塔", Decimal("16"), "基"), ("拆除线路", Decimal("4.5"), "km")]))
    for pairing in pairings:
        count = rng.choice((0, 1, 1, 2, 2, 2, 3, 4))
        last = pairing.end_date or datetime.date(2020, 12, 20)
        first = max(pairing.start_date, datetime.date(2020, 1, 6))
        for _ in range(count):
            theme = rng.choice(pairing.demo_themes)
            our_people = rng.randint(4, 30)
            their_people = rng.randint(3, 25)
            activity = PairingActivity(
                pairing=pairing,
                date=_date_between(rng, first, last),
                title=rng.choice(ACTIVITY_TITLES.get(theme.name, ACTIVITY_TITLES["党建活动联抓共融"])),
                description=f"{pairing.ours.name}与{pairing.external_org.name}围绕“{theme.name}”开展联合活动。",
                our_people=our_people,
                our_party_members=rng.randint(1, our_people),
                their_people=their_people,
                their_party_members=rng.randint(1, their_people),
                created_by=staff,
            )
            activities.append(activity)
            if rng.random() < 0.3:
                outcomes.append((len(activities) - 1, [("解决用电问题", Decimal(rng.randint(1, 8)), "项")]))
    bulk_create_with_history(
        activities, PairingActivity, default_user=staff, default_change_reason=DEMO_REASON
    )
    bulk_create_with_history(
        [
            ActivityOutcome(activity=activities[index], label=label, value=value, unit_label=unit)
            for index, rows in outcomes
            for label, value, unit in rows
        ],
        ActivityOutcome,
        default_user=staff,
        default_change_reason=DEMO_REASON,
    )
    return len(activities)


def _liaison_groups(rng: random.Random) -> tuple[int, int]:
    branches = list(
        Branch.objects.filter(unit__kind__in=[Unit.Kind.COUNTY, Unit.Kind.STATION]).order_by("code")
    )
    hosts = sorted(rng.sample(branches, LIAISON_GROUPS), key=lambda b: b.code)
    names: set[str] = set()
    villages: list[Village] = []
    while len(villages) < VILLAGES:
        name = f"{rng.choice(VILLAGE_SYLLABLES)}{rng.choice(VILLAGE_SUFFIXES)}"
        township = TOWNSHIPS[len(villages) % len(TOWNSHIPS)]
        if (township, name) in names:
            continue
        names.add((township, name))
        villages.append(Village(name=name, township=township))
    villages = bulk_create_with_history(villages, Village, default_change_reason=DEMO_REASON)
    # Cadre counts: every group reaches at least 5; the rest is spread so the total is exactly CADRES.
    counts = [5] * LIAISON_GROUPS
    for _ in range(CADRES - sum(counts)):
        counts[rng.randrange(LIAISON_GROUPS)] += 1
    # Villages: 59 split among the groups; each group also reaches its neighbour's last village, so
    # the totals must count villages once however many groups reach them.
    split = [VILLAGES // LIAISON_GROUPS] * LIAISON_GROUPS
    for index in range(VILLAGES - sum(split)):
        split[index] += 1
    offset = 0
    for index, (branch, cadres) in enumerate(zip(hosts, counts, strict=True)):
        group = LiaisonGroup.objects.create(
            branch=branch,
            name=f"{branch.unit.name}党员联系乡村群{index + 1}",
            channel=LiaisonGroup.Channel.WECHAT_LOUDSPEAKER,
            start_date=_date_between(rng, datetime.date(2019, 6, 1), datetime.date(2020, 6, 30)),
            cadre_count=cadres,
            cadre_names="、".join(_person(rng) for _ in range(cadres)),
        )
        covered = villages[offset : offset + split[index]]
        if index > 0:
            covered = [*covered, villages[offset - 1]]
        group.villages.set(covered)
        offset += split[index]
    return len(villages), sum(counts)
