"""Background jobs: heavy work (imports, publishing) that runs in a Celery worker, not in the request.

A job row records who asked, what for, and how it ended; its progress while it runs lives in the cache
(jobs.py explains why), its last figures here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)  # e.g. "org.import"; names the work, not shown
    title = models.CharField(_("title"), max_length=200)  # in the requester's language
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    payload = models.JSONField(_("parameters"), default=dict, blank=True)
    # An uploaded file the job reads (an import's staged file): in the row, so a worker on another host
    # finds it. Emptied when the job ends.
    upload = models.BinaryField(_("file"), null=True, blank=True)
    message = models.TextField(_("result"), blank=True)
    error = models.TextField(_("reason of failure"), blank=True)
    done_url = models.CharField(_("next page"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="web_job_user_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
