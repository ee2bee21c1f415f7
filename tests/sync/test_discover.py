"""Discovery through Lens (scroll): an applicant's publications not in the docket, created all or nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError

from patents.discovery import create_discovered_matters, discover_publications
from patents.models import Matter
from tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.simulator, pytest.mark.usefixtures("mappings")]


def test_discover_scrolls_lists_what_is_missing_and_creates_it_once(simulator_factory, sim_client):
    sim = simulator_factory(seed=3, matters=120)
    applicant = sim.portfolio.matter(1).applicant
    lens = sim_client(sim, "LENS")
    found = discover_publications(applicant=applicant, office="US", client=lens, page_size=2)
    assert found.pages > 1  # scrolled, continuing from the latest scroll_id each page
    expected = {m.application_number.replace("/", "").replace(",", "") for m in sim.portfolio.matters("US")
                if m.applicant == applicant and m.publication_number}
    assert {c.application_number for c in found.candidates} == expected
    client = ClientFactory(reference="KES")
    created = create_discovered_matters(candidates=found.candidates, client=client, reason="discovery test")
    assert len(created) == len(expected)
    assert created[0].history.get().history_change_reason == "discovery test"
    again = discover_publications(applicant=applicant, office="US", client=lens, page_size=2)
    assert again.candidates == [] and again.known == len(expected)


def test_creation_is_all_or_nothing(simulator_factory, sim_client):
    sim = simulator_factory(seed=3, matters=120)
    applicant = sim.portfolio.matter(1).applicant
    found = discover_publications(applicant=applicant, office="US", client=sim_client(sim, "LENS"))
    assert len(found.candidates) >= 2
    last = found.candidates[-1]
    bad_biblio = replace(last.record.biblio, application_number_normalized="not a number", application_number="")
    found.candidates[-1] = replace(last, record=replace(last.record, biblio=bad_biblio))
    with pytest.raises(ValidationError):
        create_discovered_matters(candidates=found.candidates, client=ClientFactory(), reason="discovery test")
    assert not Matter.objects.exists()
