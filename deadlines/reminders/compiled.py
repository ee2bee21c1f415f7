"""Templates rendered once per *shape*, then filled in: the deadline reminder's text and HTML at sweep speed.

A deadline reminder's template branches on a handful of values (kind, days left, is there a citation, an
extension, a responsible person …) and otherwise prints strings. ``render`` renders the template through
Django once for each combination of those branch values, with every non-empty string replaced by a marker,
cuts the output at the markers and keeps the pieces; every later message of the same shape is the pieces
joined with its own strings, escaped exactly where Django escaped the marker (``conditional_escape``: a
``SafeString`` such as the explanation's HTML is inserted as is, anything else HTML-escaped; nothing in an
``{% autoescape off %}`` text template). Same output as rendering the template with the values themselves —
``tests/reminders/test_compiled_templates.py`` renders a varied set both ways and compares.

The rule that makes this exact: in the context given to ``render``, **every non-empty string is only printed**
(``{{ value }}``, or through ``default``, which a non-empty string passes unchanged), never compared, sliced
or measured; whatever the template branches on (booleans, numbers, ``None``, empty strings) is part of the
shape. Values may be nested in dicts (``deadline.title``), which the template reads as it reads attributes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import get_template
from django.utils.safestring import SafeData, mark_safe

# Record and unit separators: never in a template of ours; values are put in after the cut, so a value that
# happens to contain them cannot be mistaken for a marker.
_MARK = "\x1e<{}>\x1f"
_CUT = re.compile("\x1e(?:<(\\d+)>|&lt;(\\d+)&gt;)\x1f")

# (template, shape) -> pieces: literal text and (value index, escape?) in turn. Bounded: a few hundred shapes
# exist (days left × kind × a few flags); the bound only matters if templates are reloaded again and again.
_PIECES: dict[tuple[Any, Any], list[Any]] = {}
_MAX_SHAPES = 4096
# What _cut gives for a rendering in which a marker was altered (sliced, upper-cased, …): not fillable.
_UNCUT: list[Any] = []


def _mark(context: Mapping[str, Any], values: list[str]) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """(what the template gets, the shape): strings replaced by markers (the strings collected in ``values``).
    The shape holds the type too: True == 1 and a safe marker equals a plain one, but they render differently."""
    marked: dict[str, Any] = {}
    shape: list[Any] = []
    for key, value in context.items():
        if isinstance(value, Mapping):
            marked[key], inner = _mark(value, values)
            shape.append((key, inner))
        elif isinstance(value, str) and value:
            mark = _MARK.format(len(values))
            values.append(value)
            safe = isinstance(value, SafeData)
            marked[key] = mark_safe(mark) if safe else mark  # noqa: S308 - our own marker
            shape.append((key, safe))
        else:
            marked[key] = value
            shape.append((key, type(value), value))
    return marked, tuple(shape)


def render(template_names: Sequence[str], context: Mapping[str, Any]) -> list[str]:
    """Each template rendered with ``context`` (see the module docstring for what ``context`` may hold)."""
    values: list[str] = []
    marked, shape = _mark(context, values)
    out: list[str] = []
    for name in template_names:
        template = get_template(name)
        # The cached loader returns the same compiled template until templates are reloaded: key on it.
        key = (getattr(template, "template", template), shape)
        pieces = _PIECES.get(key)
        if pieces is None:
            if len(_PIECES) >= _MAX_SHAPES:
                _PIECES.clear()
            pieces = _cut(template.render(marked))
            _PIECES[key] = pieces
        if pieces is _UNCUT:
            # The template changed a marker (a filter on a string, against the rule above): never send what
            # it made of it; render this template with the values themselves, as Django always would.
            out.append(template.render(dict(context)))
            continue
        out.append(_fill(pieces, values))
    return out


def _fill(pieces: list[Any], values: list[str]) -> str:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            index, escape = piece
            value = values[index]
            # conditional_escape (a SafeString as it is, anything else through html.escape), without its
            # lazy-string wrapper: ``values`` holds strings only.
            out.append((value.__html__() if hasattr(value, "__html__") else html.escape(value)) if escape else value)
    return "".join(out)


def _cut(rendered: str) -> list[Any]:
    """The pieces of a marked rendering, or ``_UNCUT`` when a marker did not survive the template whole."""
    pieces: list[Any] = []
    start = 0
    for match in _CUT.finditer(rendered):
        pieces.append(rendered[start : match.start()])
        raw, escaped = match.groups()
        pieces.append((int(raw), False) if raw is not None else (int(escaped), True))
        start = match.end()
    pieces.append(rendered[start:])
    if any(isinstance(piece, str) and ("\x1e" in piece or "\x1f" in piece) for piece in pieces):
        return _UNCUT
    return pieces
