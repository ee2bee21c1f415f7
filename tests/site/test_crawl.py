"""Every page a demo user can reach answers without a server error after a full sync-and-recompute cycle,
and carries no inline script or style that the Content-Security-Policy would block.

The demo portfolio is seeded as `manage.py demo` seeds it, its office matters are synced from the office
simulator (same seed, size and "today" as the demo), every matter is recomputed, and an office closure moves
deadlines (so histories hold JSON changes). Then each demo user follows every link from the home page,
breadth-first; staff also open the admin's changelist, add, change and history pages of every model.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from deadlines import services as deadline_services
from deadlines.models import Deadline
from patents import sync
from patents.demo import DEMO_SEED, DEMO_SIZE, USERS, demo_anchor

pytestmark = [pytest.mark.django_db, pytest.mark.simulator]

# The crawl is bounded: links that differ only in ids or query values are samples of one page.
PER_PATTERN = 2
MAX_PAGES_PER_USER = 250
SKIP = ("/static/", "/accounts/logout/")


class Links(HTMLParser):
    """Links to follow, and markup the Content-Security-Policy would block (inline style or script)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.blocked: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        for name, value in attrs:
            if value and (name == "href" and tag == "a" or name in {"hx-get"}):
                self.urls.append(value)
            if name == "style" or name.startswith("on") or (value or "").startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=...>")
        if tag == "style" and "nonce" not in names:
            self.blocked.append("<style> without nonce")
        if tag == "script" and not names & {"src", "nonce"} and dict(attrs).get("type") != "application/json":
            self.blocked.append("<script> without src or nonce")


def links(body: str, base: str, blocked: list[str] | None = None) -> list[str]:
    parser = Links()
    parser.feed(body)
    if blocked is not None:
        blocked.extend(parser.blocked)
    out = []
    for raw in parser.urls:
        url = urljoin(base, raw)
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # mailto:, other sites
        path = parts.path
        if not path.startswith("/") or path.startswith(SKIP):
            continue
        if path.startswith("/admin/") and parts.query:
            continue  # the admin's sort/filter/page links: its pages are opened below, one of each
        out.append(path + (f"?{parts.query}" if parts.query else ""))
    return out


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client, *start: str, blocked: dict[str, list[str]]) -> dict[str, int]:
    seen: dict[str, int] = {}
    per_pattern: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES_PER_USER:
        url = queue.popleft()
        if url in seen:
            continue
        key = pattern(url)
        if per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            # The admin is Django's own (its one inline <style> on some changelists is cosmetic).
            found: list[str] | None = None if url.startswith("/admin/") else []
            queue.extend(u for u in links(response.content.decode(), url, found) if u not in seen)
            if found:
                blocked[url] = found
    return seen


def admin_pages() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        for obj in model._default_manager.order_by("-pk")[:2]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    return urls


@pytest.fixture
def synced_demo(mappings, simulator_factory, sim_client, inline_deadlines, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=StringIO())
    sim = simulator_factory(seed=DEMO_SEED, matters=DEMO_SIZE, today=demo_anchor(), limits="jpo_per_minute=600")
    with django_capture_on_commit_callbacks(execute=True):
        runs = [
            sync.run_inline(office=office, client=sim_client(sim, office), max_wait=5.0)
            for office in ("EP", "WO", "US", "JP")
        ]
    assert all(run.matters_synced for run in runs), [(r.office, r.matters_synced, r.errors) for r in runs]
    with django_capture_on_commit_callbacks(execute=True):
        deadline_services.recompute_matters(
            matter_ids=deadline_services.all_engine_matter_ids(), reason="crawl: full recompute", force=True
        )
        # An office closure on an open deadline's due date moves it: its history now holds JSON changes.
        today = timezone.now().date()
        target = (
            Deadline.objects.open()
            .filter(origin=Deadline.Origin.ENGINE, due_date__gt=today)
            .exclude(due_date__week_day__in=[1, 7])
            .order_by("due_date")
            .first()
        )
        assert target is not None
        moved = deadline_services.apply_closure_change(
            office=target.office, day=target.due_date, reason="crawl test", source="test"
        )
    assert moved.summary()["move"] >= 1
    assert Deadline.history.filter(history_type="~").exists()
    target.refresh_from_db()
    return target


def test_no_page_reachable_by_a_demo_user_answers_with_a_server_error(client, synced_demo):
    users = get_user_model().objects
    admin_urls = admin_pages()
    # The sample of each page kind always includes the moved deadline and its matter.
    moved = [synced_demo.get_absolute_url(), reverse("patents:matter-detail", args=[synced_demo.matter_id])]
    client.raise_request_exception = False  # collect every failing page, not just the first
    errors = []
    blocked: dict[str, list[str]] = {}
    for spec in USERS:
        user = users.get(username=spec.username)
        client.force_login(user)
        seen = crawl(client, "/", *moved, blocked=blocked)
        assert len(seen) > 10, (spec.username, seen)
        if user.is_superuser:
            assert [seen[url] for url in moved] == [200, 200]
        if user.is_staff:
            for url in admin_urls:
                seen[url] = client.get(url).status_code
        errors += [(spec.username, url, status) for url, status in seen.items() if status >= 500]
        client.logout()
    assert errors == []
    # Every page of ours renders fully under the Content-Security-Policy: nothing inline that it blocks.
    assert blocked == {}
