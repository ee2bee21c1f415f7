"""The office simulator: EPO OPS, USPTO ODP, JPO and Lens spoken faithfully over loopback HTTP.

Pure Python (stdlib + lxml-free string building); importable without Django. Entry points:

- ``run_simulator(...)``: context manager starting the server in a background thread on an ephemeral port
  (``with run_simulator(seed=1, matters=200) as sim: sim.base_url``).
- ``SyntheticPortfolio``: the seeded documents the simulator serves (see ``portfolio``).
- ``python manage.py office_simulator``: the same server in the foreground.
"""

from patents.simulator.config import Limits, SimulatorConfig
from patents.simulator.portfolio import SyntheticMatter, SyntheticPortfolio
from patents.simulator.server import RunningSimulator, run_simulator, serve_forever

__all__ = [
    "Limits",
    "RunningSimulator",
    "SimulatorConfig",
    "SyntheticMatter",
    "SyntheticPortfolio",
    "run_simulator",
    "serve_forever",
]
