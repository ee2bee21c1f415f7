from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "Deadlines"

    def ready(self) -> None:
        # patents must not import deadlines, so the engine registers itself for "an event was recorded".
        from patents.services import event_recorded_hooks

        from .tasks import schedule_recompute

        if schedule_recompute not in event_recorded_hooks:
            event_recorded_hooks.append(schedule_recompute)
