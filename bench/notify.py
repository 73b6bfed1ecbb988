"""`python -m bench notify`: the daily reminder job at State Grid size (issue 18).

In one transaction rolled back at the end (the database is left as generated): one administrator per
unit and one secretary per branch are added (the generator makes few users), every unresolved
problem is made due within the next 3 days, and `notifications.reminders.remind_problems_due_soon`
runs twice: the first run publishes a notice per problem to its owner unit's administrators (or the
nearest above) and the branch's secretary; the second publishes nothing (deduplication). Prints the
time and the queries, total and per batch of 1,000 problems (constant: no query per notice).
Then the weekly digest (`notifications.digest.send_weekly_digests`) for the week of Monday
2020-09-28 runs twice in the same transaction: one digest per unit (each unit has its administrator),
then none (deduplication); time and queries, total and per batch of 1,000 units.
Delivery (after the commit) is not part of it: the transaction never commits.
"""

from __future__ import annotations

import datetime
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

DIGEST_MONDAY = datetime.date(2020, 9, 28)  # the week reported; the snapshot of 09-30 is its last


class _Rollback(Exception):
    pass


def notify_command() -> int:
    from notifications import digest, reminders, services
    from notifications.models import Notice, Notification
    from org.models import Branch, Role, Unit, User
    from supervision.models import Finding

    today = datetime.date(2020, 9, 1)
    figures = {}
    try:
        with transaction.atomic():
            units = list(Unit.objects.values_list("pk", flat=True))
            branches = list(Branch.objects.values_list("pk", "unit_id"))
            User.objects.bulk_create(
                [
                    User(username=f"notify-admin-{pk}", role=Role.ADMIN, unit_id=pk, password="!")
                    for pk in units
                ]
                + [
                    User(
                        username=f"notify-sec-{pk}",
                        role=Role.SECRETARY,
                        unit_id=unit,
                        branch_id=pk,
                        password="!",
                        email=f"sec{pk}@example.com",
                    )
                    for pk, unit in branches
                ],
                batch_size=5000,
            )
            unresolved = Finding.objects.problems().exclude(status=Finding.Status.RESOLVED)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE supervision_finding SET due_on = %s::date + (id %% 4)::int "
                    "WHERE kind = 'problem' AND status <> 'resolved'",
                    [today],
                )
            problems = unresolved.count()
            for run in ("first", "second"):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    published = reminders.remind_problems_due_soon(today=today)
                figures[run] = (published, time.perf_counter() - started, len(queries))
            figures["notifications"] = Notification.objects.count()
            figures["notices"] = Notice.objects.count()
            for run in ("digest first", "digest second"):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    published = digest.send_weekly_digests(today=DIGEST_MONDAY + datetime.timedelta(days=7))
                figures[run] = (published, time.perf_counter() - started, len(queries))
            raise _Rollback
    except _Rollback:
        pass
    batches = -(-problems // services.BATCH_SIZE)
    print(f"problems due within 3 days: {problems:,} (units {len(units):,}, branches {len(branches):,})")
    print(f"notices {figures['notices']:,}, notifications {figures['notifications']:,}, batches {batches}")
    print("| run | notices published | seconds | queries | queries per batch |")
    print("|---|---:|---:|---:|---:|")
    for run in ("first", "second"):
        published, seconds, count = figures[run]
        print(f"| {run} | {published:,} | {seconds:.1f} | {count:,} | {count / batches:.1f} |")
    unit_batches = -(-len(units) // digest.BATCH_SIZE)
    print(f"weekly digest of {DIGEST_MONDAY}: {len(units):,} units, batches {unit_batches}")
    print("| run | digests published | seconds | queries | queries per batch |")
    print("|---|---:|---:|---:|---:|")
    for run in ("digest first", "digest second"):
        published, seconds, count = figures[run]
        print(f"| {run} | {published:,} | {seconds:.1f} | {count:,} | {count / unit_batches:.1f} |")
    return 0
