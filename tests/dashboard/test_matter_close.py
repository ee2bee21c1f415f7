"""Closing a matter takes it off the active docket with a reason (never deleted): its open deadlines become
moot naming who closed it and why, the engine leaves them alone, and reopening brings them back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from deadlines.models import Deadline, MatterComputation
from deadlines.services import recompute_matters
from patents.models import Matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(portfolio):
    perm = Permission.objects.get(content_type__app_label="patents", codename="change_matter")
    portfolio["alice"].user_permissions.add(perm)
    return portfolio["alice"]


def test_closing_makes_open_deadlines_moot_with_who_and_why_and_takes_the_matter_off_the_docket(
    client, portfolio, alice, django_capture_on_commit_callbacks
):
    matter = portfolio["matter_a"]
    client.force_login(alice)
    assert "Pay renewal fee year 6" in client.get(reverse("patents:home")).content.decode()
    response = client.post(reverse("patents:matter-close", args=[matter.pk]), {"reason": "client abandoned"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.closed_at is not None and matter.closed_by == alice and matter.closed_reason == "client abandoned"
    record = matter.history.order_by("-history_id").first()
    assert record.history_user == alice and record.history_change_reason == "matter closed by alice: client abandoned"
    for key in ("overdue", "soon", "far"):
        deadline = Deadline.objects.get(pk=portfolio[key].pk)
        assert deadline.status == Deadline.Status.MOOT
        assert deadline.closed_reason == "matter closed by alice: client abandoned"
        assert deadline.history.order_by("-history_id").first().history_user == alice
    assert Matter.objects.filter(pk=matter.pk).exists()  # never deleted
    docket = client.get(reverse("patents:home")).content.decode()
    assert "Pay renewal fee year 6" not in docket
    listing = client.get(reverse("patents:matter-list")).content.decode()
    assert "ACME-001" not in listing and "ACME-002" in listing
    assert "ACME-001" in client.get(reverse("patents:matter-list") + "?state=closed").content.decode()
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "Closed" in page and "client abandoned" in page and "Reopen" in page

    # The engine leaves a closed matter alone: a recompute does not reopen its moot deadlines.
    recompute_matters(matter_ids=[matter.pk], reason="test", force=True)
    assert Deadline.objects.get(pk=portfolio["soon"].pk).status == Deadline.Status.MOOT

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("patents:matter-reopen", args=[matter.pk]), {"reason": "client changed its mind"})
    matter.refresh_from_db()
    assert matter.closed_at is None and matter.closed_reason == ""
    assert matter.history.order_by("-history_id").first().history_change_reason == (
        "matter reopened by alice: client changed its mind"
    )
    soon = Deadline.objects.get(pk=portfolio["soon"].pk)
    assert soon.status == Deadline.Status.OPEN and soon.closed_reason == ""
    assert MatterComputation.objects.get(matter=matter).recompute_requested_at is not None  # engine looks again
    assert "Pay renewal fee year 6" in client.get(reverse("patents:home")).content.decode()


def test_closing_needs_a_reason_and_the_permission_and_only_for_visible_matters(client, portfolio, alice):
    matter = portfolio["matter_a"]
    client.force_login(alice)
    client.post(reverse("patents:matter-close", args=[matter.pk]), {"reason": "  "})
    matter.refresh_from_db()
    assert matter.closed_at is None
    assert Deadline.objects.get(pk=portfolio["soon"].pk).status == Deadline.Status.OPEN
    assert client.post(reverse("patents:matter-close", args=[portfolio["matter_b"].pk]),
                       {"reason": "x"}).status_code == 404
    client.force_login(portfolio["bob"])  # no change_matter permission
    assert client.post(reverse("patents:matter-close", args=[matter.pk]), {"reason": "x"}).status_code == 403
    matter.refresh_from_db()
    assert matter.closed_at is None
