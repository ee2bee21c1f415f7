"""The recompute benchmark runs end to end on a tiny portfolio (figures are not asserted: see docs/benchmarks.md)."""

import io
import json

import pytest
from django.core.management import call_command

from deadlines.models import Deadline


@pytest.mark.django_db
def test_bench_recompute_runs_and_later_passes_change_nothing():
    out = io.StringIO()
    call_command(
        "bench",
        "recompute",
        "--matters",
        "12",
        "--workers",
        "1",
        "--single-samples",
        "3",
        "--allow-any-database",
        "--every-matter-changed",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["matters"] == 12
    assert result["first_full_recompute_created"] > 12
    assert result["full_recompute_no_change_writes"] == 0
    assert result["full_recompute_no_change_skipped"] == 0
    assert result["unchanged_inputs_pass_skipped"] == 12
    assert result["single_event_samples"] == 3
    # One new office action on every matter: none skipped, each writes its new reply deadline.
    assert result["every_matter_changed_skipped"] == 0
    assert result["every_matter_changed_create"] + result["every_matter_changed_supersede"] >= 12
    assert 0 < result["single_event_cpu_client_p50_ms"] <= result["single_event_cpu_client_p95_ms"]
    # Each run records its events on matters no earlier run touched.
    from patents.models import OfficeEvent

    assert OfficeEvent.objects.filter(office_code="BENCH").values("matter").distinct().count() == 3
    assert Deadline.objects.filter(matter__reference__startswith="BRC-").exists()
