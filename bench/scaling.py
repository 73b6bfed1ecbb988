"""How the roll-up and the year-end export grow with the data: 1, 10, 50, 100 and 200% of the target.

`python -m bench --database-url URL scaling` generates each size into `<database>_pNNN` (100% reuses
URL's database when it holds the target), times the roll-up and the export (each in a child process:
its own connection and peak memory), prints a markdown table and draws bench/scaling.png (matplotlib,
a dev-only dependency). The extra databases are dropped afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.children import run_child_process
from bench.database import database_name
from bench.scale import REFERENCE_BRANCHES, TARGET_BRANCHES

PERCENTS = (1, 10, 50, 100, 200)
CHART = Path(__file__).resolve().parent / "scaling.png"


def _url_for(database_url: str, percent: int) -> str:
    name = database_name(database_url)
    return database_url.rsplit("/", 1)[0] + f"/{name}_p{percent:03d}"


def _generate(url: str, percent: int) -> float:
    scale = "target" if percent == 100 else f"{TARGET_BRANCHES * percent / 100 / REFERENCE_BRANCHES:.4f}"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--database-url",
            url,
            "generate",
            "--scale",
            scale,
            "--seed",
            "2020",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _drop(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    assert "bench" in config["NAME"]
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"]))
        )


def scaling_command(*, database_url: str, reuse_target: bool = True) -> int:
    rows = []
    for percent in PERCENTS:
        own = not (percent == 100 and reuse_target)
        url = _url_for(database_url, percent) if own else database_url
        generated = _generate(url, percent) if own else 0.0
        print(f"{percent}%: generated in {generated:.0f} s", file=sys.stderr, flush=True)
        rollup, rollup_rss = run_child_process(url, "rollup")
        export, export_rss = run_child_process(url, "export")
        rows.append(
            {
                "percent": percent,
                "branches": TARGET_BRANCHES * percent // 100,
                "rollup_s": rollup["seconds"],
                "export_s": export.get("seconds", 0.0),
                "export_rows": export.get("rows", 0),
                "export_mb": export_rss / 2**20,
                "generate_s": generated,
            }
        )
        print(rows[-1], file=sys.stderr, flush=True)
        if own:
            _drop(url)
    print("| share of target | branches | roll-up | year-end export (.xlsx) | export peak RSS |")
    print("|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['percent']}% | {row['branches']:,} | {row['rollup_s']:.2f} s | "
            f"{row['export_s']:.1f} s ({row['export_rows']:,} rows) | {row['export_mb']:.0f} MB |"
        )
    _draw(rows)
    print(f"\nchart: {CHART}")
    return 0


def _draw(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    branches = [row["branches"] for row in rows]
    figure, axes = pyplot.subplots(figsize=(7, 4.2), dpi=110)
    axes.plot(branches, [row["rollup_s"] for row in rows], marker="o", label="coverage roll-up")
    axes.plot(branches, [row["export_s"] for row in rows], marker="s", label="year-end export (.xlsx)")
    for row in rows:
        axes.annotate(
            f"{row['percent']}%",
            (row["branches"], row["export_s"]),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    axes.set_xlabel("branches (target = 50,000)")
    axes.set_ylabel("seconds")
    axes.set_title("branchtrack: cost against data size (one run each)")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(CHART)
