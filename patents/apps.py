from django.apps import AppConfig


class PatentsConfig(AppConfig):
    name = "patents"
    verbose_name = "Docket"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (history guards after migrate)
