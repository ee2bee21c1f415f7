import os
from pathlib import Path

from celery import Celery, shared_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docketapp.settings")

app = Celery("docketapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _prepare_filesystem_broker() -> None:
    # kombu's filesystem transport expects its folders to exist; the embedded broker needs no server.
    options = app.conf.broker_transport_options or {}
    if str(app.conf.broker_url or "").startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


_prepare_filesystem_broker()


@shared_task(name="docketapp.heartbeat")
def heartbeat() -> str:
    """Round-trip probe: proves a worker consumes from the broker (used by the worker test and ops checks)."""
    return "ok"


@shared_task(name="docketapp.echo")
def echo(value: int) -> int:
    return value
