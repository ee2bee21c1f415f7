# The seeded code mappings, no deadline hooks, and the simulator + real-client fixtures of the sync tests.
from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401
from tests.sync.conftest import fast_throttle, mappings, no_hooks, sim_client  # noqa: F401
