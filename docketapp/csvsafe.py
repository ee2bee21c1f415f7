"""CSV cells a spreadsheet cannot run: the one escaping rule for every CSV the project writes.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and strip a leading tab or carriage return before looking (so ``"\\t=HYPERLINK(...)"`` runs too).
Any text can come from an office answer, an import file or a user (titles, references, applicant names,
user names), so every text cell is escaped, not a chosen few columns: a leading ``'`` makes the cell
text in every spreadsheet program and is visibly not part of the data.

Numbers and dates we compute ourselves (``-3`` days left) are written as they are: a spreadsheet reads
them as numbers, never as formulas, and escaping them would turn them into text a paralegal cannot sort.

The importer uses ``formula_like`` to refuse such values where a formula makes no sense (references).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each a single character: the first one decides


def formula_like(text: str) -> bool:
    """True when a spreadsheet would run ``text`` (or strip it down to something it runs)."""
    return text[:1] in _FORMULA_FIRST


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | dt.date):
        return value  # numbers and dates we produce: not a formula, and must stay sortable
    text = str(value)
    return "'" + text if formula_like(text) else text


_AS_THEY_ARE = frozenset({int, float, dt.date})


def safe_row(values: Iterable[Any]) -> list[Any]:
    """``safe_cell`` of every value. Plain strings and the numbers and dates we write, nearly every cell, are
    told apart by their exact type here (anything else, a str subclass or a moment, goes through ``safe_cell``):
    the isinstance chain per cell was most of a 54,000-row export's time (issue 18)."""
    out = []
    for value in values:
        kind = type(value)
        if kind is str:
            out.append("'" + value if value[:1] in _FORMULA_FIRST else value)  # formula_like, inlined
        elif kind in _AS_THEY_ARE:
            out.append(value)
        else:
            out.append(safe_cell(value))
    return out


class SafeWriter:
    """``csv.writer`` whose every row goes through ``safe_row`` (so a new column cannot forget it)."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
