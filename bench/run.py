"""`python -m bench run`: measure every figure on the database `generate` filled, in one run, one table."""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from bench.children import run_child_process
from bench.database import database_name
from bench.generate import ADMIN_USERNAME, CAMPAIGN_END, YEAR, tables_exist
from bench.post import optional
from bench.scale import parse_scale
from org.models import Branch

NOT_BUILT = "n/a (not built)"
ROUNDS = 3  # timed repetitions by default; the table shows the median
LOAD_PAGES = (
    ("trivial view", "/bench/trivial/"),
    ("signed-in empty page", "/bench/signed-in/"),
    ("dashboard", None),
    ("branch list", "/org/branches/"),
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    figure: str
    value: str
    goal: str = ""
    met: bool | None = None  # None: no goal, or not measured

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("yes" if self.met else "**no**")


@dataclass
class Report:
    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, figure: str, value: str, goal: str = "", met: bool | None = None) -> None:
        row = Row(figure, value, goal, met)
        self.rows.append(row)
        # Each figure is logged as soon as it is known, so a run cut short still tells what it measured.
        log(f"| {row.figure} | {row.value} | {row.goal} | {row.verdict} |")

    def markdown(self) -> str:
        lines = [self.title, "", "| figure | measured | goal | met |", "|---|---|---|---|"]
        lines += [f"| {r.figure} | {r.value} | {r.goal} | {r.verdict} |" for r in self.rows]
        return "\n".join(lines)


def _median_seconds(action: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(_rounds):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- 1. the coverage roll-up --------------------------------------------------------------------


def _same_coverage(campaign, day: datetime.date, by_sql: dict) -> tuple[bool, str]:
    from supervision.models import CoverageSnapshot

    snapshots = {s.unit_id: s for s in CoverageSnapshot.objects.filter(campaign=campaign, day=day)}
    if set(snapshots) != set(by_sql):
        return False, f"{len(snapshots)} snapshot rows vs {len(by_sql)} SQL rows"
    for unit_id, expected in by_sql.items():
        stored = snapshots[unit_id]
        counts = (
            stored.active_branches,
            stored.visited_branches,
            stored.completed_visits,
            stored.open_problems,
            stored.overdue_problems,
        )
        wanted = (
            expected.active_branches,
            expected.visited_branches,
            expected.completed_visits,
            expected.open_problems,
            expected.overdue_problems,
        )
        if counts != wanted:
            return False, f"unit {unit_id}: roll-up {counts}, SQL {wanted}"
        for code, mean in expected.area_scores.items():
            value = stored.area_scores.get(code)
            # The roll-up stores each mean rounded half up to one decimal (branchtrack.web.rounding).
            if (value is None) != (mean is None) or (mean is not None and abs(float(value) - mean) > 0.051):
                return False, f"unit {unit_id} area {code}: roll-up {value}, SQL {mean}"
    return True, f"{len(by_sql)} rows equal"


def measure_rollup(report: Report) -> None:
    rollup_coverage = optional("supervision.rollup", "rollup_coverage")
    if rollup_coverage is None or not tables_exist("supervision.CoverageSnapshot"):
        report.add("1. coverage roll-up / one SQL GROUP BY", NOT_BUILT, "<= 1.5")
        return
    from bench.coverage_sql import coverage_by_sql
    from supervision.models import Campaign

    campaign = Campaign.objects.get(year=YEAR)
    log("roll-up: supervision.rollup.rollup_coverage")
    rollup_seconds, _ = _median_seconds(
        lambda: rollup_coverage(campaign=Campaign.objects.get(pk=campaign.pk), day=CAMPAIGN_END)
    )
    compute_coverage = optional("supervision.rollup", "compute_coverage")
    compute_seconds = None
    if compute_coverage is not None:
        log("roll-up: its computing part alone (compute_coverage)")
        compute_seconds, _ = _median_seconds(lambda: compute_coverage(campaign=campaign, day=CAMPAIGN_END))
    log("roll-up: hand-written SQL")
    sql_seconds, by_sql = _median_seconds(lambda: coverage_by_sql(campaign=campaign, day=CAMPAIGN_END))
    same, detail = _same_coverage(campaign, CAMPAIGN_END, by_sql)
    ratio = rollup_seconds / sql_seconds
    report.add(
        "1a. roll-up (`supervision.rollup.rollup_coverage`, computes and writes the snapshots)",
        f"{rollup_seconds:.2f} s",
    )
    if compute_seconds is not None:
        report.add(
            "1a'. of which computing the figures (`compute_coverage`, no writes)", f"{compute_seconds:.2f} s"
        )
    report.add("1b. the same figures by one SQL statement (`bench/coverage_sql.py`)", f"{sql_seconds:.2f} s")
    report.add("1c. same result", "yes, " + detail if same else "**no**: " + detail)
    report.add("1d. ratio roll-up / SQL", f"{ratio:.2f}", "<= 1.5", ratio <= 1.5 and same)


# --- 2. query counts ----------------------------------------------------------------------------


def reference_database_url(database_url: str) -> str:
    name = database_name(database_url)
    return (
        database_url[: database_url.rindex(name)]
        + f"{name}_scale1"
        + database_url[database_url.rindex(name) + len(name) :]
    )


def measure_queries(report: Report, *, database_url: str, seed: int, label: str) -> None:
    import subprocess

    from django.conf import settings

    small_url = reference_database_url(database_url)
    log(f"query counts: generating scale 1 into {database_name(small_url)}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--database-url",
            small_url,
            "generate",
            "--scale",
            "1",
            "--seed",
            str(seed),
        ],
        cwd=settings.BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log("query counts: scale 1")
    # Each page measured as a first view: a process-local cache, empty at the start (the dashboard's
    # body would otherwise come from a cache another run filled).
    uncached = {"REDIS_URL": ""}
    small, _rss = run_child_process(small_url, "queries", env=uncached)
    log(f"query counts: scale {label}")
    large, _rss = run_child_process(database_url, "queries", env=uncached)
    for page, count in small["counts"].items():
        other = large["counts"].get(page)
        figure = f"2. queries: {page} (scale 1 / scale {label})"
        if count is None or other is None:
            report.add(figure, NOT_BUILT, "equal")
        else:
            report.add(figure, f"{count} / {other}", "equal", count == other)


# --- 3. load ------------------------------------------------------------------------------------


def measure_load(report: Report, *, database_url: str, duration: int, connections: int, workers: int) -> None:
    from django.urls import reverse

    from bench import load

    try:
        from supervision.models import Campaign

        dashboard = reverse("supervision:dashboard", args=[Campaign.objects.get(year=YEAR).pk])
    except Exception:
        dashboard = None
    cookie = load.session_cookie(ADMIN_USERNAME)
    results: dict[str, load.LoadResult] = {}
    for name, path in LOAD_PAGES:
        path = dashboard if name == "dashboard" else path
        if path is None:
            continue
        # A fresh server per page: requests a slow page leaves queued when wrk stops would otherwise keep
        # the workers busy through the next page's measurement.
        with load.gunicorn(database_url=database_url, workers=workers, log=log):
            load.check_page(path, cookie)
            log(f"load: {name} ({path}), warm-up then {duration} s x {connections} clients")
            load.wrk(path, cookie=cookie, seconds=3, connections=connections)
            results[name] = load.wrk(path, cookie=cookie, seconds=duration, connections=connections)
    setup = f"{connections} clients, {duration} s, gunicorn {workers} sync workers"
    for name, _path in LOAD_PAGES:
        result = results.get(name)
        if result is None:
            report.add(f"3. load: {name}", NOT_BUILT)
            continue
        if result.requests == 0:
            report.add(f"3. load: {name} ({setup})", f"no request completed in {duration} s")
            continue
        errors = (
            f", {result.errors + result.status_errors} errors"
            if result.errors or result.status_errors
            else ""
        )
        report.add(
            f"3. load: {name} ({setup})",
            f"median {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, {result.rps:.1f} req/s{errors}",
        )
    trivial, board = results.get("trivial view"), results.get("dashboard")
    if trivial and board:
        share = board.rps / trivial.rps
        report.add("3. load: dashboard req/s / trivial view req/s", f"{share:.0%}", ">= 50%", share >= 0.5)
    else:
        report.add("3. load: dashboard req/s / trivial view req/s", NOT_BUILT, ">= 50%")
    # The trivial view never reads its session; every real page does, and renders the base layout.
    signed_in = results.get("signed-in empty page")
    if signed_in and board:
        report.add(
            "3. load: dashboard req/s / signed-in empty page req/s", f"{board.rps / signed_in.rps:.0%}"
        )
    if trivial and signed_in:
        report.add(
            "3. load: signed-in empty page req/s / trivial view req/s", f"{signed_in.rps / trivial.rps:.0%}"
        )
    branches = results.get("branch list")
    if trivial and branches:
        report.add("3. load: branch list req/s / trivial view req/s", f"{branches.rps / trivial.rps:.0%}")


# --- 4. the year-end export ---------------------------------------------------------------------


def measure_export(report: Report, *, database_url: str, rows: int) -> None:
    import tempfile

    log("export: the whole company's workbook in a child process")
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        result, peak = run_child_process(database_url, "export", env={"MEDIA_ROOT": media})
    figure = f"4. year-end export, all {rows:,} rows (.xlsx)"
    if not result.get("built"):
        report.add(figure, NOT_BUILT, "< 30 s, < 300 MB")
        return
    if result["status"] != "done":
        report.add(figure, f"**failed**: {result['error']}", "< 30 s, < 300 MB", False)
        return
    seconds, megabytes = result["seconds"], peak / 2**20
    report.add(
        figure,
        f"{seconds:.1f} s, peak RSS {megabytes:.0f} MB ({result['rows']:,} rows, {result['bytes'] / 2**20:.1f} MB file)",
        "< 30 s, < 300 MB",
        seconds < 30 and megabytes < 300,
    )


def measure_pdfs(report: Report, *, database_url: str) -> None:
    """The year-end PDF sheets of the whole company: one PDF per unit with branches, in one zip."""
    import tempfile

    from org.models import Unit

    units = Unit.objects.filter(branches__isnull=False).distinct().count()
    log(f"pdfs: the whole company's year-end PDF sheets ({units:,} units) in a child process")
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        result, peak = run_child_process(database_url, "pdfs", env={"MEDIA_ROOT": media})
    figure = f"7. year-end PDF sheets, {units:,} units (zip)"
    if result["status"] != "done":
        report.add(figure, f"**failed**: {result['error']}", "bounded memory", False)
        return
    seconds, megabytes = result["seconds"], peak / 2**20
    report.add(
        figure,
        f"{seconds:.1f} s ({seconds / max(1, result.get('documents', 1)) * 1000:.0f} ms per PDF), peak RSS "
        f"{megabytes:.0f} MB ({result.get('documents', 1):,} PDFs, {result['bytes'] / 2**20:.1f} MB zip)",
        "bounded memory (< 300 MB)",
        megabytes < 300,
    )


# --- 5. ranking and tracking list ---------------------------------------------------------------


class _Rollback(Exception):
    pass


def measure_ranking(report: Report) -> None:
    rank_projects = optional("projects.ranking", "rank_projects")
    compute_cut = optional("projects.ranking", "compute_cut")
    publish = optional("projects.services", "publish_tracking_list")
    if rank_projects is None or compute_cut is None or not tables_exist("projects.Rating"):
        report.add("5. ranking + tracking-list cut", NOT_BUILT)
        return
    from org.models import User
    from projects.models import BranchProject, RatingRound

    rating_round = RatingRound.objects.get(year=YEAR)
    projects = BranchProject.objects.filter(year=YEAR).count()
    log("ranking: rank_projects + compute_cut")
    seconds, cut = _median_seconds(
        lambda: compute_cut(rating_round=rating_round, ranked=rank_projects(rating_round=rating_round))
    )
    report.add(
        f"5a. ranking + tracking-list cut, {projects:,} projects (`rank_projects`, `compute_cut`)",
        f"{seconds:.2f} s ({cut.ranked_count:,} ranked, {cut.size:,} on the list)",
    )
    if publish is None:
        return
    admin = User.objects.get(username=ADMIN_USERNAME)

    def publish_and_roll_back():
        try:
            with transaction.atomic():
                publish(rating_round=rating_round, user=admin, reason="bench: publish again, rolled back")
                raise _Rollback
        except _Rollback:
            pass

    log("ranking: publish_tracking_list (rolled back)")
    seconds, _ = _median_seconds(publish_and_roll_back)
    report.add(
        "5b. publishing the tracking list (`publish_tracking_list`, every ranked project stored)",
        f"{seconds:.2f} s",
    )


def measure_api(report: Report) -> None:
    measure = optional("bench.api", "measure_api")
    if measure is None or not tables_exist("api.ApiToken"):
        report.add("6. REST API", NOT_BUILT)
        return
    measure(report, admin_username=ADMIN_USERNAME, log=log)


# --- the command --------------------------------------------------------------------------------

FIGURES = ("rollup", "queries", "load", "export", "ranking", "api", "pdfs")
_rounds = ROUNDS


def run_command(
    *,
    scale: str | None,
    seed: int,
    database_url: str,
    duration: int,
    connections: int,
    workers: int,
    only: set[str],
    rounds: int = ROUNDS,
) -> int:
    global _rounds
    _rounds = max(1, rounds)
    started = time.perf_counter()
    branches = Branch.objects.count()
    if scale is not None and parse_scale(scale).branches != branches:
        print(
            f"the database holds {branches:,} branches, not scale {scale}: run `generate` first",
            file=sys.stderr,
        )
        return 2
    label = scale or str(branches)
    unknown = only - set(FIGURES)
    if unknown:
        print(
            f"unknown figure(s): {', '.join(sorted(unknown))}; choose from {', '.join(FIGURES)}",
            file=sys.stderr,
        )
        return 2
    wanted = only or set(FIGURES)
    report = Report(
        f"median of {_rounds} timed round(s); scale {label}: {branches:,} branches, database `{database_name(database_url)}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    steps = {
        "rollup": lambda: measure_rollup(report),
        "queries": lambda: measure_queries(report, database_url=database_url, seed=seed, label=label),
        "load": lambda: measure_load(
            report, database_url=database_url, duration=duration, connections=connections, workers=workers
        ),
        "export": lambda: measure_export(report, database_url=database_url, rows=branches),
        "ranking": lambda: measure_ranking(report),
        "api": lambda: measure_api(report),
        "pdfs": lambda: measure_pdfs(report, database_url=database_url),
    }
    for name in FIGURES:
        if name not in wanted:
            continue
        try:
            steps[name]()
        except Exception as error:  # one figure failing must not lose the others
            report.add(f"{name}: **failed**", f"{type(error).__name__}: {error}")
    report.add(
        "whole run",
        f"{(time.perf_counter() - started) / 60:.1f} min",
        "< 30 min",
        time.perf_counter() - started < 1800,
    )
    print(report.markdown())
    return 0
