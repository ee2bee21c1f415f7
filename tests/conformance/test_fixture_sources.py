"""Every recorded office answer in tests/fixtures/offices has its origin written down in SOURCES.md.

A body nobody can trace back to a public recording is not evidence of how an office answers: a file added
without its SOURCES line fails here.
"""

from __future__ import annotations

from tests.conftest import OFFICE_FIXTURES


def test_every_fixture_file_has_a_sources_line():
    sources = (OFFICE_FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    files = [p for p in OFFICE_FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md"]
    assert len(files) >= 53
    missing = sorted(str(p.relative_to(OFFICE_FIXTURES)) for p in files if f"{p.name}`" not in sources)
    assert missing == []
