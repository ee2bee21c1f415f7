"""Fixtures for the simulator tests. Other test packages import the same ones:
``from patents.simulator.testing import office_simulator, simulator_factory``."""

from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401
