"""Running the demo seeder again never overwrites what the office sync filled in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from patents.models import Matter

pytestmark = [pytest.mark.django_db, pytest.mark.simulator]

OFFICE_FIELDS = ("publication_number", "publication_date", "grant_number", "grant_date", "title", "status")


def test_a_second_seed_keeps_the_numbers_and_dates_the_sync_filled_in(demo):
    before = {m.reference: tuple(getattr(m, f) for f in OFFICE_FIELDS) for m in Matter.objects.all()}
    assert any(values[2] for values in before.values()), "the sync filled in at least one grant number"
    call_command("seed_demo", stdout=StringIO())
    after = {m.reference: tuple(getattr(m, f) for f in OFFICE_FIELDS) for m in Matter.objects.all()}
    assert after == before
