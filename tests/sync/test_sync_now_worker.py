"""End to end: a paralegal creates a matter in the dashboard and sees it synced, with a real Celery worker on
Redis and PostgreSQL against the office simulator (nothing mocked: the form, the on-commit queueing, the
throttled batch task, the recompute, the polled progress fragment)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import Matter, OfficeEvent, SyncRun
from patents.services import add_team_member, ensure_client
from tests.factories import UserFactory
from tests.sync.test_worker_end_to_end import sim, worker  # noqa: F401 - the real worker fixtures

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.simulator,
    pytest.mark.django_db(transaction=True),
]


def test_a_matter_created_in_the_dashboard_is_synced_at_once_and_the_page_shows_the_result(
    sim, worker, client, settings  # noqa: F811
):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    paula = UserFactory(username="paula")
    paula.user_permissions.add(Permission.objects.get(content_type__app_label="patents", codename="add_matter"))
    with attributed(reason="test setup", process="tests"):
        acme, _ = ensure_client(reference="ACME", name="Acme")
        add_team_member(client=acme, user=paula, role="paralegal")
    target = next(m for m in sim.portfolio.matters("US") if not Matter.objects.filter(
        office="US", application_number=m.application_number).exists())
    client.force_login(paula)
    response = client.post(reverse("patents:matter-create"), {
        "client": acme.pk, "reference": "ACME-E2E", "office": "US", "kind": "patent", "title": target.title,
        # Pasted with stray spaces: the canonical form is what the office is asked for.
        "application_number": f" {target.application_number} ", "applicant_residence": "domestic",
        "sync_enabled": "on", "priority-TOTAL_FORMS": "0", "priority-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.MANUAL)
    matter = Matter.objects.get(reference="ACME-E2E")
    assert run.requested_matters == [matter.pk]
    page = client.get(response["Location"]).content.decode()
    assert 'id="sync-progress"' in page
    url = reverse("patents:sync-progress") + f"?runs={run.pk}"
    end = time.monotonic() + 180
    while True:
        fragment = client.get(url).content.decode()
        if "Sync now: done" in fragment:
            break
        assert "hx-get" in fragment  # still polling while it runs
        assert time.monotonic() < end, fragment
        time.sleep(0.5)
    run.refresh_from_db()
    matter.refresh_from_db()
    events = OfficeEvent.objects.filter(matter=matter).count()
    assert run.matters_synced == 1 and matter.last_synced is not None and events > 0
    assert run.events_created == events
    assert f'<strong class="events-created">{events}</strong>' in fragment
    assert "hx-get" not in fragment  # polling stops once done
    created = matter.deadlines.count()
    assert f'<strong class="deadlines-created">{created}</strong>' in fragment
