from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundJobsConfig(AppConfig):
    """The toolkit's one table: background jobs (branchtrack/web/jobs.py). A sub-package of its own, so
    discovery of the apps' navigation.py, demo.py and year_end.py never meets the toolkit's modules."""

    name = "branchtrack.web.background_jobs"
    label = "background_jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"
