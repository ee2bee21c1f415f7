"""The matter page as a browser with JavaScript shows it: the page, then the parts htmx loads after it (family,
office data, timeline) put in place of their placeholders. Tests that read what a paralegal sees on the page
open it through here; tests/dashboard/test_query_budget.py counts the page and each part on its own."""

from __future__ import annotations

import re

from django.urls import reverse

PARTS = {"family": "patents:matter-family", "sync": "patents:matter-sync-panel", "timeline": "patents:matter-timeline"}


def open_matter_page(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    if response.status_code != 200:
        return response
    match = re.search(r"/matters/(\d+)/", url)
    if match is None:
        return response
    pk = int(match.group(1))
    body = response.content.decode()
    for section, name in PARTS.items():
        part = client.get(reverse(name, args=[pk]), HTTP_HX_REQUEST="true")
        assert part.status_code == 200, (name, part.status_code)
        placeholder = re.compile(rf'<section class="card" id="{section}" hx-get=.*?</section>', re.S)
        text = part.content.decode()
        body, found = placeholder.subn(lambda _m: text, body, count=1)  # noqa: B023 (used at once)
        assert found, f"no placeholder for {section} on the matter page"
    response.content = body.encode()
    return response
