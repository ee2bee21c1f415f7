"""`bench documents` runs in CI at its smallest size, so the command cannot rot (figures: docs/documents-reading.md).

The throughput figures are not asserted (they belong to the machine); what is asserted is that both modes
measure what docs/benchmarks.md reports: pages per second and memory for born-digital and 300 dpi scans, and
the accuracy table per field and degradation.
"""

import io
import json

from django.core.management import call_command


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("bench", "documents", *args, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_documents_measures_born_digital_and_scanned_pages(tesseract):
    result = _run("--pages", "1")
    assert result["pages"] == 1
    assert result["born_digital_pages_per_s"] > 0 and result["scan_300dpi_pages_per_s"] > 0
    assert result["born_digital_peak_mib_per_page"] > 0 and result["scan_python_peak_mib_per_page"] > 0
    assert result["tesseract_max_rss_mib"] > 0


def test_bench_documents_accuracy_reports_each_field_of_a_clean_scan(tesseract):
    result = _run("--accuracy", "--samples", "us-final", "--degradations", "clean")
    assert set(result["per_field"]) >= {"type", "number", "date", "period", "all"}
    # A clean scan of a USPTO final rejection is read completely; a miss here means the reader regressed.
    assert result["per_field"]["all"] == "1/1", result["misses"]
    assert result["per_degradation"]["clean"]["all_fields"] == "1/1"
