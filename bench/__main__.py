"""`python -m bench generate --scale N --seed S` fills a database; `python -m bench run --scale N` measures it.

The database is `--database-url` (default $BENCH_DATABASE_URL, else the local `bench` database).
`generate` drops and re-creates that database, so it refuses a name without "bench" in it.
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/bench"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="re-create the database and fill it with a seeded data set")
    gen.add_argument(
        "--scale", default="1", help="1 = the reference scenario (305 branches); 'target' = 50,000"
    )
    gen.add_argument("--seed", type=int, default=2020)
    gen.add_argument("--database-url", dest="database_url_sub", default=None)

    run = commands.add_parser("run", help="measure the database filled by `generate` and print the table")
    run.add_argument("--scale", default=None, help="the scale the database was generated at (checked)")
    run.add_argument("--seed", type=int, default=2020)
    run.add_argument("--database-url", dest="database_url_sub", default=None)
    run.add_argument("--duration", type=int, default=20, help="seconds of load per page")
    run.add_argument("--connections", type=int, default=8, help="concurrent clients")
    run.add_argument("--rounds", type=int, default=3, help="timed repetitions of figures 1 and 5 (median)")
    run.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    run.add_argument(
        "--only",
        default="",
        help="comma-separated figures to run (rollup,queries,load,export,ranking,api,pdfs)",
    )

    offline = commands.add_parser(
        "offline",
        help="the offline-first visit form in Chromium on slow 3G (re-creates the database at scale 1)",
    )
    offline.add_argument("--database-url", dest="database_url_sub", default=None)

    explain = commands.add_parser("explain", help="EXPLAIN ANALYZE of the coverage roll-up's queries")
    explain.add_argument("--database-url", dest="database_url_sub", default=None)
    explain.add_argument("--min-ms", type=float, default=50, help="only queries slower than this")

    plan = commands.add_parser(
        "plan", help="the visit plan's figures: automatic plan and forecast (issue 16)"
    )
    plan.add_argument("--database-url", dest="database_url_sub", default=None)
    plan.add_argument("--seed", type=int, default=2020)
    plan.add_argument("--rounds", type=int, default=3)

    notify = commands.add_parser(
        "notify", help="the daily notification reminders and the weekly digest at scale (issue 18)"
    )
    notify.add_argument("--database-url", dest="database_url_sub", default=None)

    # Internal: each runs in a child process so its memory and its database connection are its own.
    scaling = commands.add_parser(
        "scaling", help="roll-up and export at 1-200%% of the target, drawn as a PNG"
    )
    scaling.add_argument("--database-url", dest="database_url_sub", default=None)
    child = commands.add_parser("child", help=argparse.SUPPRESS)
    child.add_argument(
        "task",
        choices=(
            "queries",
            "export",
            "pdfs",
            "ranking",
            "session",
            "publish_job",
            "org_import_job",
            "rollup",
        ),
    )
    child.add_argument("--database-url", dest="database_url_sub", default=None)

    args = parser.parse_args(argv)
    database_url = args.database_url_sub or args.database_url
    if args.command == "generate":
        from bench.database import recreate_database

        recreate_database(database_url)
        _setup(database_url)
        from bench.commands import generate_command

        return generate_command(scale=args.scale, seed=args.seed)
    _setup(database_url)
    if args.command == "run":
        from bench.run import run_command

        only = {name.strip() for name in args.only.split(",") if name.strip()}
        return run_command(
            scale=args.scale,
            seed=args.seed,
            database_url=database_url,
            duration=args.duration,
            connections=args.connections,
            workers=args.workers,
            only=only,
            rounds=args.rounds,
        )
    if args.command == "plan":
        from bench.planning import plan_command

        return plan_command(seed=args.seed, rounds=args.rounds)
    if args.command == "notify":
        from bench.notify import notify_command

        return notify_command()
    if args.command == "offline":
        from bench.offline import offline_command

        return offline_command(database_url=database_url)
    if args.command == "scaling":
        from bench.scaling import scaling_command

        return scaling_command(database_url=database_url)
    if args.command == "explain":
        from bench.explain import explain_command

        return explain_command(min_ms=args.min_ms)
    from bench.children import run_child

    return run_child(args.task)


if __name__ == "__main__":
    sys.exit(main())
