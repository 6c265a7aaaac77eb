from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """The worker as a Django app: it hosts the commands that join the engine and the domain."""

    name = "worker"
    verbose_name = "Analysis worker"
