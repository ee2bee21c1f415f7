"""Benchmarks run by ``python manage.py bench <name>`` (see docketapp/management/commands/bench.py)."""
