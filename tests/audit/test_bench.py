"""`bench audit` runs end to end on a tiny portfolio (figures are not asserted: see docs/audit.md)."""

import io
import json

import pytest
from django.core.management import call_command

from deadlines.models import Deadline


@pytest.mark.django_db
def test_bench_audit_times_recompute_with_and_without_the_chain_and_verify_speed():
    out = io.StringIO()
    call_command("bench", "audit", "--matters", "8", "--rounds", "1", "--workers", "1", "--allow-any-database",
                 "--json", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["deadlines_per_pass"] > 8
    assert len(result["first_full_recompute_chain_off_seconds"]) == 1
    assert len(result["first_full_recompute_chain_on_seconds"]) == 1
    assert result["seal_cpu_microseconds_per_deadline_history_row"] > 0
    assert result["chain_overhead_percent"] is not None
    assert result["verify_rows_per_second"] > 0
    history = Deadline.history.model.objects
    # The chain-off pass wrote unchained rows, the chain-on pass chained ones.
    assert history.filter(chain_seq__isnull=True).exists() and history.filter(chain_seq__isnull=False).exists()
