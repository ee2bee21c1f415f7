import os

from celery import Celery, shared_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docketapp.settings")

app = Celery("docketapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@shared_task(name="docketapp.heartbeat")
def heartbeat() -> str:
    """Round-trip probe: proves a worker consumes from the broker (used by the worker test and ops checks)."""
    return "ok"


@shared_task(name="docketapp.echo")
def echo(value: int) -> int:
    return value
