"""Events of 一支部一项目一特色 that other apps may act on (the notifications app listens; this app
imports none). Each is sent inside the transaction that made the change."""

from django.dispatch import Signal

# A change to a project's central business item or indicator: its raters in an open round must look
# again. kwargs: revision (a ProjectRevision with material=True).
project_revised_materially = Signal()
# A tracking list was published (the first, or one superseding another). kwargs: tracking_list.
tracking_list_published = Signal()
# The outstanding projects of a tracking list were confirmed. kwargs: outstanding_list.
outstanding_list_confirmed = Signal()
