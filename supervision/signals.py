"""Events of 走遍支部 that other apps may act on (the notifications app listens; this app imports none).

Each is sent inside the transaction that made the change, so a receiver's writes commit or roll back
with it; receivers must do their slow work (sending) after the commit.
"""

from django.dispatch import Signal

# A problem was recorded at a visit. kwargs: finding (a Finding of kind problem).
problem_found = Signal()
# Overdue problems were escalated to their owner units' administrators. kwargs: problem_ids.
problems_escalated = Signal()
# Planned visits whose day passed became missed. kwargs: plan_ids.
plans_missed = Signal()
