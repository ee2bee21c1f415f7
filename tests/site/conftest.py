from patents.simulator.testing import simulator_factory  # noqa: F401
from tests.sync.conftest import fast_throttle, inline_deadlines, mappings, sim_client  # noqa: F401
