"""No internals reach a paralegal: after a full sync-and-recompute of the demo portfolio, the main pages of
every demo user show no Python repr ("{'", "None", "<built-in"), no canonical event code where the event type
has a human label, and the admin's history names who changed a row (a user or a named process), never "None".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from deadlines.models import Deadline
from docketapp.audit import actor_label
from patents.demo import USERS
from patents.models import EventType

from .test_crawl import crawl, synced_demo  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.simulator]

REPRS = ("{'", "<built-in", "object at 0x", "[{", "datetime.date(")
NONE_WORD = re.compile(r"\bNone\b")


class VisibleText(HTMLParser):
    """The text a person reads: no script or style bodies, no attribute values."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def internals_in(text: str, labelled_codes: set[str]) -> list[str]:
    found = [r for r in REPRS if r in text]
    if NONE_WORD.search(text):
        found.append("None")
    codes = set(re.findall(r"\b[A-Z]{2}\.[A-Z0-9_]{3,}\b", text)) & labelled_codes
    return found + sorted(codes)


def test_internals_are_recognised():
    codes = {"EP.RENEWAL_FEE_PAID"}
    assert internals_in("triggered by {'code': 'X'}", codes) == ["{'"]
    assert internals_in("Changed by: None", codes) == ["None"]
    assert internals_in("event EP.RENEWAL_FEE_PAID recorded", codes) == ["EP.RENEWAL_FEE_PAID"]
    assert internals_in("Renewal fee paid (EPO: RFEE)", codes) == []


def test_main_pages_of_the_demo_show_labels_not_internals(client, synced_demo):  # noqa: F811
    labelled = set(EventType.objects.exclude(label="").values_list("code", flat=True))
    main = [
        "/",
        reverse("deadlines:verification-queue"),
        reverse("deadlines:calendar"),
        reverse("patents:matter-list"),
        reverse("patents:sync"),
        reverse("deadlines:client-list"),
        synced_demo.get_absolute_url(),
        reverse("patents:matter-detail", args=[synced_demo.matter_id]),
    ]
    problems = []
    users = get_user_model().objects
    client.raise_request_exception = False  # a page the user may not open is not this test's subject
    for spec in USERS:
        client.force_login(users.get(username=spec.username))
        seen = crawl(client, *main, blocked={})
        for url, status in seen.items():
            if status != 200 or url.startswith("/admin/"):
                continue
            response = client.get(url)
            if "html" not in response.get("Content-Type", ""):
                continue
            found = internals_in(visible_text(response.content.decode()), labelled)
            if found:
                problems.append(f"{spec.username} {url}: {found}")
        client.logout()
    assert problems == [], "\n".join(problems)


def test_admin_history_names_the_process_that_changed_a_deadline(client, synced_demo):  # noqa: F811
    admin_user = get_user_model().objects.get(username="admin")
    client.force_login(admin_user)
    deadline = Deadline.objects.filter(origin=Deadline.Origin.ENGINE).order_by("pk").first()
    html = client.get(reverse("admin:deadlines_deadline_history", args=[deadline.pk])).content.decode()
    table = visible_text(html.split('id="change-history"', 1)[1].split("</table>", 1)[0])
    assert not NONE_WORD.search(table)
    assert "deadline engine (automatic)" in table


def test_process_names_are_told_in_words():
    assert actor_label("process:patents.sync", "office sync (EP)") == (
        "automatic sync from the European Patent Office (EPO OPS)"
    )
    assert actor_label("process:deadlines.recompute", "recompute") == "deadline engine (automatic)"
    assert actor_label("user:pat") == "pat"
    assert actor_label("", "", None) == "unknown (recorded before changes were attributed)"
