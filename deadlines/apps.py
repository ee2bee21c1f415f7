from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "Deadlines"

    def ready(self) -> None:
        # patents must not import deadlines, so the engine listens to patents' office-event signals.
        from .signals import connect_office_event_receivers

        connect_office_event_receivers()

        # Cached per-user figures (the nav badge) are recounted after any write of docket data.
        from .freshness import connect_generation_receivers

        connect_generation_receivers()
