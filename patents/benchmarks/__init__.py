"""Benchmarks run by ``python manage.py bench <name>`` (see patents/management/commands/bench.py)."""
