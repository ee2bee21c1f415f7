from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "Deadlines"

    def ready(self) -> None:
        # patents must not import deadlines, so the engine registers itself for "an event was recorded".
        from patents.services import event_recorded_hooks, event_recording_hooks

        from .services import mark_recompute_pending
        from .tasks import schedule_recompute

        if mark_recompute_pending not in event_recording_hooks:
            event_recording_hooks.append(mark_recompute_pending)
        if schedule_recompute not in event_recorded_hooks:
            event_recorded_hooks.append(schedule_recompute)
