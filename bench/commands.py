"""The `generate` command: migrate, fill, then let the apps' own code derive what they derive."""

from __future__ import annotations

import sys
import time

from django.core.management import call_command
from django.db import connection

from bench.generate import generate
from bench.post import derive
from bench.scale import parse_scale


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate_command(*, scale: str, seed: int) -> int:
    sizes = parse_scale(scale)
    started = time.perf_counter()
    # run_syncdb: an app whose first migration has not landed yet still gets its tables.
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    log(f"migrate: {time.perf_counter() - started:.1f} s")
    result = generate(sizes=sizes, seed=seed, bypass_constraint_triggers=True, log=log)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        # The visibility map, so index-only scans need not visit the heap.
        cursor.execute("VACUUM")
    log(f"vacuum: {time.perf_counter() - step:.1f} s")
    for name, seconds in derive(result, log=log).items():
        result.seconds[name] = seconds
    for label, count in sorted(result.counts.items()):
        print(f"{label:32} {count:>12,}")
    if result.skipped:
        print(f"not built yet (skipped): {', '.join(result.skipped)}")
    print(f"scale {sizes.label}, seed {seed}: {time.perf_counter() - started:.0f} s in all")
    return 0
