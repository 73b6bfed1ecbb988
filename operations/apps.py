from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running branchtrack in production: health probes, metrics, request ids in the logs, backups."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from operations import task_context

        task_context.connect_signals()
