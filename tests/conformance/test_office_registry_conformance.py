"""The "adding an office" checklist (docs/offices.md), proved for every registered office.

For each office: the registry builds its client against the office simulator, the office's own fetch asks
for one matter, its own parsing turns the answer into documents, every code in them has a seeded mapping,
and every deadline-rule trigger of the office is mapped (or declared as entered by hand).
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from deadlines.rules.registry import trigger_codes
from patents.clients import get_client
from patents.clients.throttle import MemoryStore, Throttle, default_limits
from patents.code_seed import MAPPINGS
from patents.normalize import BIBLIO_SOURCE, biblio_events
from patents.numbers import normalize_application_number
from patents.offices import OFFICES, get_office
from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401

SYNCED = [o for o in OFFICES if o.synced]


def _roomy_throttle() -> Throttle:
    return Throttle(MemoryStore(), {k: replace(v, burst=50) for k, v in default_limits().items()})


def _client(office, sim, settings):
    settings.OFFICE_SIMULATOR_URL = sim.base_url
    return get_client(office.code, throttle=_roomy_throttle(), max_wait=10)


def _first_matter(office, sim):
    """A simulator matter the office has something for, as the docket would hold it."""
    for m in sim.portfolio.matters(office.code):
        extra = office.simulated_matter(m) if office.simulated_matter else {}
        if extra is not None:
            return SimpleNamespace(
                application_number_normalized=normalize_application_number(office.code, m.application_number),
                publication_number=extra.get("publication_number", ""),
            )
    raise AssertionError(f"the simulator has no {office.code} matter with office data")


@pytest.mark.parametrize("office", SYNCED, ids=lambda o: o.code)
def test_each_office_fetches_parses_and_maps_one_matter(office, office_simulator, settings):  # noqa: F811
    client = _client(office, office_simulator, settings)
    matter = _first_matter(office, office_simulator)
    number = office.sync_number(matter)
    assert number, f"{office.code}: no number to ask the office by"
    response = office.fetch(client, [number])
    documents = office.parse(office.sync_kind, response.body)
    assert documents and not any(d.no_data for d in documents), f"{office.code}: no data for {number}"
    assert all(d.biblio is not None or d.events for d in documents)

    mapped = {(o, source, code) for o, source, code, _canonical, _note in MAPPINGS}
    sent = set()
    for doc in documents:
        events = list(doc.events)
        if doc.biblio is not None:
            events += biblio_events(doc.biblio, doc.biblio.office or office.code)
        for e in events:
            sent.add(((e.office or doc.office or office.code).upper(), e.source, e.code.strip()))
    assert sent, f"{office.code}: the answer carried no codes at all"
    assert any(source == BIBLIO_SOURCE for _o, source, _c in sent)  # the filing date, at least
    assert sorted(sent - mapped) == [], f"{office.code} sends codes without a mapping"


def test_discovery_office_builds_its_client_and_searches(office_simulator, settings):  # noqa: F811
    for office in OFFICES:
        if office.synced:
            continue
        client = _client(office, office_simulator, settings)
        assert client.search({"match_all": {}}, size=1).json()["total"] > 0


@pytest.mark.parametrize("office", [o for o in OFFICES if o.mappings], ids=lambda o: o.code)
def test_every_rule_trigger_of_the_office_is_mapped_or_entered_by_hand(office):
    mapped = {canonical for o, _source, _code, canonical, _note in MAPPINGS if o == office.code}
    # Mappings of other offices may produce this office's codes (an INPADOC event of a WO application).
    mapped_anywhere = {canonical for *_rest, canonical, _note in MAPPINGS}
    triggers = {c for c in trigger_codes() if get_office(c.split(".", 1)[0]) is office}
    assert triggers, f"no deadline rule is triggered by a {office.code} code"
    assert sorted(triggers - mapped_anywhere - office.hand_entered) == []
    # The hand-entered list only holds codes no mapping produces: it shrinks as mappings are added.
    assert sorted(office.hand_entered & (mapped | mapped_anywhere)) == []
    assert office.hand_entered <= triggers
