"""A deadline always has someone responsible, else it shows in the "unassigned" bucket of the docket."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from patents.models import TeamMembership
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HOME = reverse("patents:home")


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_a_deadline_nobody_on_the_matter_falls_to_the_docketing_team_on_their_docket():
    sam, pat = UserFactory(username="sam"), UserFactory(username="pat")
    acme = ClientFactory(reference="ACME")
    TeamMembershipFactory(user=sam, client=acme, role=TeamMembership.Role.DOCKETING)
    TeamMembershipFactory(user=pat, client=acme, role=TeamMembership.Role.PARALEGAL)
    matter = MatterFactory(client=acme, reference="ACME-NOBODY")
    dl = DeadlineFactory(matter=matter, title="Pay designation fee", due_date=dt.date.today() + dt.timedelta(days=5))
    from django.test import Client

    browser = Client()
    browser.force_login(sam)
    page = text(browser.get(HOME))  # default scope: mine
    assert "Pay designation fee" in page and "sam (docketing)" in page
    assert "unassigned deadline" not in page
    browser.force_login(pat)
    assert "Pay designation fee" not in text(browser.get(HOME))
    assert dl.pk not in [d.pk for d in type(dl).objects.unassigned()]


def test_a_deadline_with_nobody_at_all_is_counted_as_unassigned_on_every_docket_page():
    pat = UserFactory(username="pat")
    acme = ClientFactory(reference="ACME")
    TeamMembershipFactory(user=pat, client=acme, role=TeamMembership.Role.PARALEGAL)
    matter = MatterFactory(client=acme, reference="ACME-NOBODY")
    DeadlineFactory(matter=matter, title="Pay designation fee", due_date=dt.date.today() - dt.timedelta(days=5))
    from django.test import Client

    browser = Client()
    browser.force_login(pat)
    page = text(browser.get(HOME))  # "mine" does not contain it ...
    assert "1 unassigned deadline needs action and nobody is responsible" in page
    listed = text(browser.get(HOME, {"scope": "unassigned"}))  # ... the bucket does
    assert "Pay designation fee" in listed and "ACME-NOBODY" in listed
    assert "unassigned" in listed
