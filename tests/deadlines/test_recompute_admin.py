"""Admin action on office closures: preview the deadlines that move, then apply with a history reason."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from deadlines import services
from deadlines.models import Deadline
from tests.factories import MatterFactory, OfficeClosureFactory, UserFactory

from .test_recompute import TODAY, D, add_event

pytestmark = pytest.mark.django_db


def test_closure_admin_action_previews_then_applies(client):
    admin_user = UserFactory(username="docketing-admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")
    services.recompute_deadlines(matter=matter, reason="setup", today=TODAY)
    closure = OfficeClosureFactory(office="EP", date=D("2026-05-04"), reason="strike", source="EPO notice")
    url = reverse("admin:deadlines_officeclosure_changelist")
    data = {"action": "preview_and_apply_deadline_moves", ACTION_CHECKBOX_NAME: [closure.pk]}

    preview = client.post(url, data)
    assert preview.status_code == 200
    assert b"2026-05-04" in preview.content and b"2026-05-05" in preview.content
    assert Deadline.objects.get(matter=matter).due_date == D("2026-05-04")  # nothing written yet

    applied = client.post(url, {**data, "apply": "yes"}, follow=True)
    assert applied.status_code == 200
    dl = Deadline.objects.get(matter=matter)
    assert dl.due_date == D("2026-05-05")
    record = dl.history.first()
    assert record.history_change_reason.startswith("office closures changed: EP 2026-05-04 (strike): moved due")
    assert record.history_actor == "user:docketing-admin"
