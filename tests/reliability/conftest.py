"""Fixtures for the crash and outage tests: the sync fixtures (mappings, simulator, clients) and helpers."""

from __future__ import annotations

import json

import pytest

from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401
from tests.sync.conftest import fast_throttle, inline_deadlines, mappings, no_hooks, sim_client  # noqa: F401

# Nothing listens here: connecting is refused at once (an outage, not a hang).
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def odp_body(events_per_matter: dict[str, int], code: str = "N084") -> bytes:
    """A USPTO ODP answer holding ``n`` distinct events (one per day, an internal office step) per number."""
    import datetime as dt

    bag = []
    for number, n in events_per_matter.items():
        start = dt.date(2020, 1, 1)
        bag.append({"applicationNumberText": number, "eventDataBag": [
            {"eventCode": code, "eventDescriptionText": "Issue fee payment verified",
             "eventDate": (start + dt.timedelta(days=i)).isoformat()} for i in range(n)
        ]})
    return json.dumps({"count": len(bag), "patentFileWrapperDataBag": bag, "requestIdentifier": "r-1"}).encode()


@pytest.fixture
def broker_down(monkeypatch):
    """The Celery broker points at a closed port (an outage), for this process only."""
    from docketapp.celery import app

    # Celery reads the CELERY_BROKER_URL environment variable before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_REDIS)
    saved = app.conf.broker_url

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = CLOSED_REDIS
    reset()
    yield
    app.conf.broker_url = saved
    reset()
