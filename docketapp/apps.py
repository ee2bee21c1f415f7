from django.apps import AppConfig


class DocketappConfig(AppConfig):
    name = "docketapp"
    verbose_name = "docketapp site"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
