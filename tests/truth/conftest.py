"""Fixtures for the docket-truth tests: the demo portfolio synced from the office simulator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from deadlines.services import all_engine_matter_ids, recompute_matters
from patents import sync
from patents.demo import DEMO_SEED, DEMO_SIZE, demo_anchor
from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401
from tests.sync.conftest import fast_throttle, inline_deadlines, mappings, sim_client  # noqa: F401


@pytest.fixture
def demo(mappings, simulator_factory, sim_client, inline_deadlines, django_capture_on_commit_callbacks):  # noqa: F811
    call_command("deadlines", "seed-closures", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    sim = simulator_factory(seed=DEMO_SEED, matters=DEMO_SIZE, today=demo_anchor())
    with django_capture_on_commit_callbacks(execute=True):
        for office in ("EP", "US", "WO", "JP"):
            sync.run_inline(office=office, client=sim_client(sim, office), max_wait=5.0)
    # The nightly pass: matters whose proof is another matter (a PCT claiming the provisional) settle here.
    recompute_matters(matter_ids=all_engine_matter_ids(), reason="nightly recompute")
    return sim


