"""The matter page and the parts htmx loads after it (family, office data, timeline): at most 10 queries each,
the same number however long the matter's history (at 100k matters a deadline reassigned 8 times cost one
query per change before: 29 queries), nothing of the history dropped, each part a page of its own without
JavaScript, and another client's matter not found through a part either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.actions import reassign
from docketapp.audit import attributed
from tests.factories import (
    ClientFactory,
    DeadlineFactory,
    MatterFactory,
    PriorityClaimFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.matter_page import PARTS, open_matter_page

from .conftest import TODAY

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(today):
    paula = UserFactory(username="paula")
    colleagues = [UserFactory(username=f"colleague{i}") for i in range(8)]
    with attributed(reason="test: matter page parts", process="tests"):
        acme = ClientFactory(reference="ACME")
        for user in (paula, *colleagues):
            TeamMembershipFactory(user=user, client=acme)
        matter = MatterFactory(client=acme, reference="ACME-EP", office="EP", responsible_paralegal=paula)
        claim = PriorityClaimFactory(matter=matter, country="US", number="63/555,001", date=dt.date(2025, 6, 1))
        deadline = DeadlineFactory(matter=matter, responsible=paula, title="Reply to the search opinion",
                                   due_date=TODAY + dt.timedelta(days=20))
        other = MatterFactory(client=ClientFactory(reference="OTHER"), reference="OTHER-EP")
    return {"paula": paula, "colleagues": colleagues, "matter": matter, "claim": claim, "deadline": deadline,
            "other": other}


def counts(client, matter) -> dict[str, int]:
    urls = {"page": (reverse("patents:matter-detail", args=[matter.pk]), {})}
    urls |= {part: (reverse(name, args=[matter.pk]), HTMX) for part, name in PARTS.items()}
    out = {}
    for part, (url, headers) in urls.items():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, **headers)
        assert response.status_code == 200, (part, response.status_code)
        out[part] = len(ctx)
    return out


def test_the_page_and_each_part_stay_within_ten_queries_however_long_the_history(client, world):
    client.force_login(world["paula"])
    deadline, matter, claim = world["deadline"], world["matter"], world["claim"]
    # Eight reassignments, each by another colleague, and changes of the matter and of its priority claim by users.
    reassign(deadline=deadline, user=world["paula"], responsible=world["colleagues"][0], note="round 0")
    before = counts(client, world["matter"])
    for i, colleague in enumerate(world["colleagues"][1:], start=1):
        reassign(deadline=deadline, user=world["colleagues"][i - 1], responsible=colleague, note=f"round {i}")
    with attributed(reason="client instruction", user=world["colleagues"][0]):
        matter.responsible_paralegal = world["colleagues"][3]
        matter.title = "A longer title"
        matter.save(update_fields=["responsible_paralegal", "title", "updated_at"])
        claim.number = "63/555,002"
        claim.save(update_fields=["number"])
    after = counts(client, matter)
    assert max(after.values()) <= 10, after
    assert after == before

    text = open_matter_page(client, matter.get_absolute_url()).content.decode()
    # Nothing of the history dropped: every reassignment with who made it and to whom, the matter's new
    # paralegal by name, the claim's new number.
    for i, colleague in enumerate(world["colleagues"]):
        assert f"reassigned to {colleague.username}: round {i}" in text
    assert "responsible: colleague6 → <strong>colleague7</strong>" in text
    assert "responsible paralegal: paula → <strong>colleague3</strong>" in text
    assert "63/555,002" in text
    assert "by <strong>colleague0</strong> — <em>client instruction</em>" in text


def test_without_javascript_each_part_is_linked_and_opens_as_a_page(client, world):
    client.force_login(world["paula"])
    page = client.get(world["matter"].get_absolute_url()).content.decode()
    for name in PARTS.values():
        url = reverse(name, args=[world["matter"].pk])
        assert f'href="{url}"' in page
        part = client.get(url)
        assert part.status_code == 200
        assert "<!doctype html>" in part.content.decode() and "ACME-EP" in part.content.decode()


def test_the_parts_of_another_clients_matter_are_not_found(client, world):
    client.force_login(world["paula"])
    for name in PARTS.values():
        assert client.get(reverse(name, args=[world["other"].pk]), **HTMX).status_code == 404
