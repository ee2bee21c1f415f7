"""Fixtures for the docket-truth tests: the demo portfolio synced from the office simulator."""

from __future__ import annotations

from tests.sync.conftest import fast_throttle, inline_deadlines, mappings, sim_client  # noqa: F401
from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401
