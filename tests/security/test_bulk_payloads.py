"""A bulk office answer (one request for several matters) carries every member's data: a user who may see only
one of its matters must not read it, list it or find it in the admin."""

from __future__ import annotations

import zlib

import pytest
from django.urls import reverse

from patents.models import OfficePayload
from tests.factories import ClientFactory, MatterFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = b"<doc>ACME-SECRET-CATHODE EP20123456</doc><doc>BETA EP21999999</doc>"


def payload(*matters, body=SECRET) -> OfficePayload:
    p = OfficePayload.objects.create(
        office="EP", kind="ep-biblio", endpoint="published-data/publication/epodoc/EP20123456,EP21999999/biblio",
        request_key="bulk", request_hash="0" * 64, size=len(body), sha256="1" * 64, body=zlib.compress(body),
    )
    p.matters.set(matters)
    return p


@pytest.fixture
def world(db):
    acme, beta = ClientFactory(reference="ACME"), ClientFactory(reference="BETA")
    a, b = MatterFactory(client=acme, reference="ACME-1"), MatterFactory(client=beta, reference="BETA-1")
    staff = UserFactory(username="beta-staff", is_staff=True)
    TeamMembershipFactory(user=staff, client=beta)
    return {"a": a, "b": b, "staff": staff, "bulk": payload(a, b), "own": payload(b, body=b"<doc>BETA only</doc>")}


def test_a_bulk_answer_shared_with_another_client_is_not_readable_from_ones_own_matter(client, world):
    client.force_login(world["staff"])
    raw = client.get(reverse("patents:payload-raw", args=[world["b"].pk, world["bulk"].pk]))
    assert raw.status_code == 404
    own = client.get(reverse("patents:payload-raw", args=[world["b"].pk, world["own"].pk]))
    assert own.status_code == 200 and b"BETA only" in own.content


def test_the_matter_page_lists_only_payloads_wholly_of_visible_matters(client, world):
    client.force_login(world["staff"])
    # The office data is a part of the matter page that htmx loads after it.
    page = client.get(reverse("patents:matter-sync-panel", args=[world["b"].pk]), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    listed = {p.pk for p in page.context["sync"].payloads}
    assert listed == {world["own"].pk}


def test_the_payload_admin_hides_bulk_answers_of_other_clients(client, world):
    staff = world["staff"]
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_officepayload"))
    client.force_login(staff)
    changelist = client.get(reverse("admin:patents_officepayload_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [world["own"]]
    assert client.get(reverse("admin:patents_officepayload_change", args=[world["bulk"].pk])).status_code in (302, 404)


def test_a_superuser_still_reads_the_bulk_answer(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    raw = client.get(reverse("patents:payload-raw", args=[world["b"].pk, world["bulk"].pk]))
    assert raw.status_code == 200 and b"ACME-SECRET-CATHODE" in raw.content
