from __future__ import annotations

import os
import time
from pathlib import Path

from django.apps import AppConfig


def hang_after_first_matter(sender, matter_id: int, **kwargs) -> None:
    # Runs on commit of one matter's events: the payload is stored, this matter applied, the rest not yet.
    marker = os.environ.get("RELIABILITY_HANG_MARKER")
    if not marker:
        return
    Path(marker).write_text(str(matter_id))
    time.sleep(3600)  # until the test kills the worker with SIGKILL


class HangConfig(AppConfig):
    name = "tests.reliability.hang"
    label = "reliability_hang"

    def ready(self) -> None:
        from patents.signals import office_events_committed

        office_events_committed.connect(hang_after_first_matter, dispatch_uid="reliability_hang")
