"""pytest fixtures for tests that talk to the office simulator over loopback.

Use from any conftest.py::

    from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401

- ``office_simulator``: a fresh simulator (seed 1, 200 matters, no faults, default limits) per test.
- ``simulator_factory(**kwargs)``: start one with other options (see ``run_simulator``); every simulator
  started through it is stopped at the end of the test.

Starting a simulator takes a few milliseconds (the portfolio is generated lazily), so per-test servers
are cheap and tests never share rate windows or fault sequences.
"""

from __future__ import annotations

import pytest

from patents.simulator.server import RunningSimulator, start_simulator


@pytest.fixture
def simulator_factory():
    started: list[RunningSimulator] = []

    def start(**kwargs) -> RunningSimulator:
        sim = start_simulator(**kwargs)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def office_simulator(simulator_factory) -> RunningSimulator:
    return simulator_factory(seed=1, matters=200)
