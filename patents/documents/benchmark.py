"""``python manage.py bench documents [--pages N] [--accuracy] [--degradations ...] [--json]``.

Throughput (default): N born-digital pages (text straight from the PDF) and N scanned pages (A4 at 300 dpi,
PNG, through preprocessing + orientation detection + Tesseract), read one after another in this process:
pages per second and memory per page (the Python heap's tracemalloc peak while one page is read, and the
resident set size of the largest Tesseract child, which is where a scan's memory goes).

``--accuracy``: every generated sample (patents/documents/corpus.py) under every degradation, read and
extracted; prints the share of documents whose type, application number, event date and stated period
came out right, per degradation and per field, and lists the misses. Writes nothing to the database.
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections import defaultdict
from typing import Any

FIELDS = ("type", "number", "date", "period")


def add_arguments(parser) -> None:
    parser.add_argument("--pages", type=int, default=6, help="pages of each kind for the throughput run")
    parser.add_argument("--accuracy", action="store_true", help="accuracy per field and degradation instead")
    parser.add_argument("--degradations", nargs="*", default=None, help="subset of the degradations")
    parser.add_argument("--samples", nargs="*", default=None, help="subset of the samples (by name prefix)")


def _children_max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _throughput(pages: int) -> dict[str, Any]:
    from patents.documents import corpus
    from patents.documents.reading import read_document

    latin = [s for s in corpus.samples() if not s.japanese]
    chosen = [latin[i % len(latin)] for i in range(pages)]
    result: dict[str, Any] = {"pages": pages}

    pdfs = [corpus.text_pdf([s]) for s in chosen]
    tracemalloc.start()
    peak = 0
    start = time.perf_counter()
    for data in pdfs:
        tracemalloc.reset_peak()
        read_document(data, filename="bench.pdf", max_pages=10, time_limit_s=60)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
    elapsed = time.perf_counter() - start
    result["born_digital_pages_per_s"] = round(pages / elapsed, 1)
    result["born_digital_peak_mib_per_page"] = round(peak / 2**20, 3)  # small: a warm reader allocates little

    scans = [corpus.encode(corpus.page_image(s, dpi=300)) for s in chosen]
    peak = 0
    start = time.perf_counter()
    for data in scans:
        tracemalloc.reset_peak()
        read_document(data, filename="bench.png", max_pages=10, time_limit_s=300)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
    elapsed = time.perf_counter() - start
    tracemalloc.stop()
    result["scan_300dpi_pages_per_s"] = round(pages / elapsed, 3)
    result["scan_300dpi_s_per_page"] = round(elapsed / pages, 2)
    result["scan_python_peak_mib_per_page"] = round(peak / 2**20, 3)
    result["tesseract_max_rss_mib"] = round(_children_max_rss_mb(), 1)
    return result


def _score(sample, extraction) -> dict[str, bool]:
    event = extraction.proposed_event or {}
    period = sample.period_months if sample.period_months is not None else sample.period_days
    got_period = extraction.period_months.value if sample.period_months is not None else extraction.period_days.value
    return {
        "type": extraction.document_type.value == sample.code,
        "number": extraction.application_number.value == sample.number,
        "date": event.get("date") == sample.event_date,
        "period": got_period == period,
    }


def _accuracy(options: dict, stdout) -> dict[str, Any]:
    from patents.documents import corpus
    from patents.documents.extraction import extract
    from patents.documents.reading import DocumentRefused, read_document

    kinds = options.get("degradations") or ["born-digital", *corpus.DEGRADATIONS]
    wanted = options.get("samples")
    samples = [s for s in corpus.samples() if not wanted or any(s.name.startswith(w) for w in wanted)]
    hits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    skipped: list[str] = []
    seconds: dict[str, float] = defaultdict(float)
    for kind in kinds:
        for sample in samples:
            if kind == "born-digital" and sample.japanese:
                skipped.append(f"{sample.name}/born-digital (the generator writes Latin-only PDFs)")
                continue
            if not corpus.fonts_available(sample.japanese):
                skipped.append(f"{sample.name}/{kind} (font missing)")
                continue
            if kind == "born-digital":
                data, name = corpus.text_pdf([sample]), "sample.pdf"
            else:
                data, name = corpus.encode(corpus.degrade(sample, kind)), "sample.png"
            start = time.perf_counter()
            try:
                scores = _score(sample, extract(read_document(data, filename=name, max_pages=5, time_limit_s=300)))
            except DocumentRefused as exc:
                scores = dict.fromkeys(FIELDS, False)
                misses.append(f"{sample.name}/{kind}: refused: {exc}")
            seconds[kind] += time.perf_counter() - start
            totals[kind] += 1
            for field, ok in scores.items():
                hits[kind][field] += ok
            wrong = [f for f, ok in scores.items() if not ok]
            hits[kind]["all"] += not wrong
            if wrong:
                misses.append(f"{sample.name}/{kind}: wrong {', '.join(wrong)}")
            stdout.write(f"{sample.name:<20} {kind:<13} {'ok' if not wrong else 'MISS ' + ','.join(wrong)}")
    table = {
        kind: {**{f: f"{hits[kind][f]}/{totals[kind]}" for f in FIELDS},
               "all_fields": f"{hits[kind]['all']}/{totals[kind]}",
               "s_per_doc": round(seconds[kind] / max(1, totals[kind]), 2)}
        for kind in kinds if totals[kind]
    }
    per_field = {f: f"{sum(hits[k][f] for k in table)}/{sum(totals[k] for k in table)}" for f in (*FIELDS, "all")}
    return {"per_degradation": table, "per_field": per_field, "misses": misses, "skipped": skipped}


def run(options: dict, stdout) -> dict[str, Any]:
    if options.get("accuracy"):
        return _accuracy(options, stdout)
    return _throughput(max(1, options.get("pages") or 6))
