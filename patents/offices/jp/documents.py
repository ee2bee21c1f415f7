"""JPO Patent Information Retrieval API answers → the common ``Document`` shape."""

from __future__ import annotations

from patents.parsers.errors import ParseError
from patents.parsers.types import Document

from . import parser as jpo

PROGRESS = "jp-app-progress"
KINDS = frozenset({PROGRESS})


def parse(kind: str, body: bytes) -> list[Document]:
    if kind not in KINDS:
        raise ParseError(f"no parser for payload kind {kind!r}", category="schema")
    result = jpo.parse_app_progress(body)
    if result.data is None:
        return [Document("JP", None, [], (), no_data=True,
                         no_data_reason=f"JPO statusCode {result.status.code}: {result.status.message}".strip())]
    b = result.data.biblio
    number = b.application_number_normalized or ""
    if b.right == "trademark":
        return [Document("JP", None, [], (number,), application_numbers=(number,), out_of_scope=(
            f"JPO trademark application {b.application_number} ({b.title or 'no mark text'}): trademarks "
            "are not docketed here; nothing was recorded"))]
    return [Document("JP", b, list(result.data.events), (number,), application_numbers=(number,))]
