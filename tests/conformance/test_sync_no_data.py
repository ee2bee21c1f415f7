"""The sync keeps an office's "no data" answer and shows it to the operator in the office's own words
(JPO statusCode 107 once got lost on the way, leaving only a bare "no data" count)."""

from __future__ import annotations

import datetime as dt

import pytest

from docketapp.audit import attributed
from patents import sync
from patents.models import Matter, QuarantineItem
from patents.services import MatterData, ensure_client, upsert_matter

pytestmark = [pytest.mark.django_db, pytest.mark.simulator]


def test_a_jpo_107_during_sync_is_shown_on_the_sync_page_in_the_office_words(simulator_factory, sim_client,
                                                                             admin_client):
    sim = simulator_factory(seed=3, matters=20, limits="jpo_per_minute=600")
    known = {m.application_number for m in sim.portfolio.matters("JP")}
    number = next(f"2019-{n:06d}" for n in range(900000, 999999) if f"2019-{n:06d}" not in known)
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        matter, _ = upsert_matter(data=MatterData(client=client, reference="JP-UNKNOWN", office="JP",
                                                  kind=Matter.Kind.PATENT, application_number=number,
                                                  filing_date=dt.date(2019, 5, 1)))
    run = sync.run_inline(office="JP", client=sim_client(sim, "JP"), max_wait=5.0)
    assert run.errors == 0
    item = QuarantineItem.objects.get(category="no_data")
    assert item.matter == matter and "107" in item.reason
    page = admin_client.get("/sync/").content.decode()
    assert "Office has no data" in page and "JP-UNKNOWN" in page
