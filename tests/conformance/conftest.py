from tests.sync.conftest import mappings, no_hooks  # noqa: F401  (the seeded code mappings, no broker)
