"""US continuity: ODP's parentContinuityBag sets the matter's parent link when the parent is a matter of the
same client (the CON / DIV / CIP kind kept, 37 CFR 1.78), and keeps the relation with the parent's number
when it is not; the chain's grandparents are not parents. Changes are attributed to the process that
brought the answer (ingest_file, or the sync).

Body: the real production ODP answer for 17248024 (tests/fixtures/offices/uspto, SOURCES.md): "is a
Continuation of" 16695054, whose own parents (15487364 …, a CIP and a DIV further up) are in the same bag.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from patents.models import Matter, QuarantineItem
from tests.factories import ClientFactory, MatterFactory
from tests.matter_page import open_matter_page
from tests.sync.conftest import history_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

BODY = "uspto/odp-application-17248024.json"


def ingest(path, matter: str) -> dict:
    out = StringIO()
    call_command("ingest_file", "--office", "US", "--kind", "application", "--matter", matter, str(path), "--json",
                 stdout=out)
    return json.loads(out.getvalue())


def us_matter(client, reference: str, number: str, filed: str) -> Matter:
    return MatterFactory(client=client, reference=reference, office="US", application_number=number,
                         filing_date=dt.date.fromisoformat(filed))


def test_37_cfr_1_78_continuation_links_to_its_parent_in_the_docket(office_samples):
    client = ClientFactory()
    grandparent = us_matter(client, "US-GRAND", "15/487,364", "2017-04-13")
    parent = us_matter(client, "US-PARENT", "16/695,054", "2019-11-25")
    child = us_matter(client, "US-CHILD", "17/248,024", "2021-01-05")

    report = ingest(office_samples / BODY, "US-CHILD")

    child.refresh_from_db()
    assert (child.parent, child.parent_relation, child.parent_number) == (parent, "continuation", "")
    parent.refresh_from_db()
    assert parent.parent is None, "the chain's links are the other applications' business, not this answer's"
    assert grandparent.children.count() == 0
    assert not [q for q in report["quarantined"] if q["category"] == "mismatch"]
    linked = child.history.filter(parent_id=parent.pk).earliest("history_date")
    assert linked.history_actor == "process:patents.ingest_file"
    assert "odp-application-17248024.json" in linked.history_change_reason


def test_37_cfr_1_78_parent_not_in_the_docket_is_kept_as_the_relation_with_the_parent_number(office_samples):
    child = us_matter(ClientFactory(), "US-CHILD", "17/248,024", "2021-01-05")
    ingest(office_samples / BODY, "US-CHILD")
    child.refresh_from_db()
    assert (child.parent, child.parent_relation, child.parent_number) == (None, "continuation", "16695054")
    assert not QuarantineItem.objects.filter(matter=child, category="mismatch").exists()


def test_37_cfr_1_78_another_clients_parent_is_not_linked(office_samples):
    us_matter(ClientFactory(reference="OTHER"), "US-PARENT-OTHER", "16/695,054", "2019-11-25")
    child = us_matter(ClientFactory(reference="MINE"), "US-CHILD", "17/248,024", "2021-01-05")
    ingest(office_samples / BODY, "US-CHILD")
    child.refresh_from_db()
    assert (child.parent, child.parent_relation, child.parent_number) == (None, "continuation", "16695054")


def test_37_cfr_1_78_a_second_run_writes_nothing(office_samples):
    client = ClientFactory()
    us_matter(client, "US-PARENT", "16/695,054", "2019-11-25")
    us_matter(client, "US-CHILD", "17/248,024", "2021-01-05")
    ingest(office_samples / BODY, "US-CHILD")
    rows = history_count()
    again = ingest(office_samples / BODY, "US-CHILD")
    assert again["events_created"] == 0 and history_count() == rows


def test_the_matter_page_shows_a_parent_that_is_not_in_the_docket(office_samples, admin_client):
    child = us_matter(ClientFactory(), "US-CHILD", "17/248,024", "2021-01-05")
    ingest(office_samples / BODY, "US-CHILD")
    page = open_matter_page(admin_client, child.get_absolute_url()).content.decode()
    assert "Continuation of US 16695054" in page and "not a matter in the docket" in page


@pytest.mark.simulator
def test_37_cfr_1_78_the_us_sync_sets_the_parent_of_a_simulated_continuation_as_the_sync(
        simulator_factory, sim_client):
    from docketapp.audit import attributed
    from patents import sync
    from patents.services import MatterData, ensure_client, upsert_matter

    sim = simulator_factory(seed=3, matters=40)
    m = next(m for m in sim.portfolio.matters("US") if m.kind == "us-continuation")
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        child, _ = upsert_matter(data=MatterData(client=client, reference="SIM-CON", office="US",
                                                 kind=Matter.Kind.PATENT, application_number=m.application_number,
                                                 filing_date=m.filing_date))
    run = sync.run_inline(office="US", client=sim_client(sim, "US"), max_wait=5.0)
    assert run.errors == 0
    child.refresh_from_db()
    assert child.parent is None and child.parent_relation == "continuation"
    assert child.parent_number.replace("/", "").replace(",", "") == m.parent_application_number
    changed = child.history.filter(parent_number=child.parent_number).earliest("history_date")
    assert changed.history_actor == "process:patents.sync"
