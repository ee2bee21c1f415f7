"""The document review page speaks the reviewer's date format (UserProfile.date_format): the proposed date is
shown in it, a corrected date is read in it (or ISO), and a date that could be read two ways is refused with
a message instead of being recorded as a guess."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import OfficeEvent, UserProfile
from tests.documents.builders import pdf, us_office_action

from .test_review import _decide, _proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat_day_first(docket):
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=docket["pat"], defaults={"date_format": "d.m.Y",
                                                                           "time_zone": "Europe/Berlin"})
    return docket


def test_the_proposed_date_is_shown_and_read_in_the_reviewers_format(client, pat_day_first):
    document = _proposed(pat_day_first, pdf([us_office_action()]))
    client.force_login(pat_day_first["pat"])
    page = client.get(reverse("patents:document-review", args=[document.pk])).content.decode()
    assert 'name="date"' in page and 'value="04.03.2025"' in page and 'placeholder="DD.MM.YYYY"' in page
    assert 'type="date"' not in page
    assert " CET" in page or " CEST" in page  # the received time names its zone
    response = _decide(client, document, action="accept", code="US.NON_FINAL_REJECTION", date="05.03.2025",
                       period_months="3")
    assert "US.NON_FINAL_REJECTION of 05.03.2025 recorded on ACME-001" in response.content.decode()
    assert OfficeEvent.objects.get().date == dt.date(2025, 3, 5)
    listing = client.get(reverse("patents:document-queue") + "?status=all").content.decode()
    assert "Mar 2025" not in listing.split("<tbody>", 1)[-1]


def test_an_ambiguous_date_is_refused_and_nothing_is_recorded(client, pat_day_first):
    document = _proposed(pat_day_first, pdf([us_office_action()]))
    client.force_login(pat_day_first["pat"])
    response = _decide(client, document, action="accept", code="US.NON_FINAL_REJECTION", date="03/05/2025")
    assert "could be 3 May 2025 or 5 March 2025" in response.content.decode()
    assert not OfficeEvent.objects.exists()
