"""``reverse(name, args=[pk])`` for the routes a page links once per row (a deadline, a matter), without
resolving the route again for every row: ``reverse`` costs ~90 µs, and the docket's 50 rows, the renewals'
and the calendar's links called it hundreds of times per page (17-28 ms).

The route is reversed once per (name, script prefix, urlconf) with a marker for the key, and the key is put
in its place after that. Only for routes whose one argument is an integer primary key (``<int:pk>``, which
converts with ``str``); the result is the same string ``reverse`` gives (tests/site/test_fast_urls.py)."""

from __future__ import annotations

from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "9081726354"  # an integer no route contains of itself
_PARTS: dict[tuple[str, str, object], tuple[str, str]] = {}


def pk_url(name: str, pk: int | None) -> str:
    if pk is None:
        return reverse(name, args=[pk])  # raises NoReverseMatch, as reverse does for an unsaved row
    key = (name, get_script_prefix(), get_urlconf())
    parts = _PARTS.get(key)
    if parts is None:
        head, mark, tail = reverse(name, args=[int(_MARK)]).partition(_MARK)
        if not mark or _MARK in tail:
            return reverse(name, args=[pk])
        parts = _PARTS[key] = (head, tail)
    return f"{parts[0]}{int(pk)}{parts[1]}"
