"""Events of the year-end export that other apps may act on (the notifications app listens)."""

from django.dispatch import Signal

# An export job finished, done or failed. kwargs: job (an ExportJob).
export_finished = Signal()
