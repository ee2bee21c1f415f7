"""Office sync data on the matter page and the sync page (raw payloads for staff only)."""

from __future__ import annotations

import hashlib
import zlib

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import OfficePayload, QuarantineItem, SyncRun
from tests.matter_page import open_matter_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(portfolio):
    body = b"<register><status>grant intended</status></register>"
    payload = OfficePayload.objects.create(
        office="EP",
        kind="ep-register",
        endpoint="register/application/epodoc/EP21000000/biblio",
        request_key="register EP21000000",
        request_hash="h" * 64,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        body=zlib.compress(body),
        content_type="application/xml",
        outcome="quarantined",
    )
    payload.matters.add(portfolio["matter_a"])
    with attributed(reason="quarantine: unmapped code", process="sync.ep"):
        QuarantineItem.objects.create(
            category="unmapped_code",
            payload=payload,
            matter=portfolio["matter_a"],
            office="EP",
            office_code="ZZZZ",
            reason="INPADOC code ZZZZ is not mapped to an event type",
            fingerprint="EP|ZZZZ|1",
        )
        QuarantineItem.objects.create(
            category="malformed",
            payload=payload,
            matter=portfolio["matter_b"],
            office="EP",
            reason="BETA body truncated",
            fingerprint="EP|BETA|1",
        )
    return payload


def test_matter_page_shows_last_payloads_and_open_quarantine(client, portfolio, synced):
    client.force_login(portfolio["alice"])
    body = open_matter_page(client, portfolio["matter_a"].get_absolute_url()).content.decode()
    assert "INPADOC code ZZZZ is not mapped to an event type" in body
    assert "waiting for a person" in body
    assert synced.sha256[:12] in body
    assert "view raw" not in body  # not staff


def test_raw_payload_is_for_staff_of_the_client_only(client, portfolio, synced):
    url = reverse("patents:payload-raw", args=[portfolio["matter_a"].pk, synced.pk])
    client.force_login(portfolio["alice"])
    assert client.get(url).status_code == 302  # staff_member_required → admin login
    alice = portfolio["alice"]
    alice.is_staff = True
    alice.save()
    response = client.get(url)
    assert response.status_code == 200
    assert "&lt;status&gt;grant intended&lt;/status&gt;" in response.content.decode()
    # the same payload through a matter of another client is a 404
    carol = portfolio["carol"]
    carol.is_staff = True
    carol.save()
    client.force_login(carol)
    assert client.get(url).status_code == 404
    assert client.get(reverse("patents:payload-raw", args=[portfolio["matter_b"].pk, synced.pk])).status_code == 404


def test_sync_page_lists_runs_and_only_visible_quarantine(client, portfolio, synced):
    SyncRun.objects.create(office="EP", matters_tried=10, matters_synced=9, errors=1, quarantined=2)
    client.force_login(portfolio["alice"])
    body = client.get(reverse("patents:sync")).content.decode()
    assert "INPADOC code ZZZZ" in body
    assert "BETA body truncated" not in body
    assert "9 / 10" in body
