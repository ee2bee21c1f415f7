"""Expired rights in the simulator: granted EP, US and JP matters filed more than 20 years before the
simulator's today. A real sync against the simulator derives lifecycle "expired" (from the filing date the
office gives) and leaves no renewal deadline open: each is moot, naming the term end."""

from __future__ import annotations

import datetime as dt

import pytest

from docketapp.audit import attributed
from patents import sync
from patents.models import Matter
from patents.services import MatterData, ensure_client, upsert_matter
from patents.simulator.ops_documents import is_in_register
from tests.sync.conftest import inline_deadlines  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.simulator, pytest.mark.usefixtures("mappings")]

RENEWALS = ("RENEWAL", "MAINTENANCE", "ANNUIT")


def _expired(portfolio, office: str):
    term_over = portfolio.today - dt.timedelta(days=7305)
    for m in portfolio.matters(office):
        if m.filing_date < term_over and (m.grant_number or m.stage == "registered"):
            if office != "EP" or is_in_register(m):
                return m
    raise AssertionError(f"the simulator has no expired {office} right")


@pytest.mark.parametrize(("office", "citation"), [
    ("EP", "EPC Art. 63(1)"),
    ("US", "35 U.S.C. 154(a)(2)"),
    ("JP", "Art. 67(1)"),
])
def test_a_granted_right_past_its_20_year_term_syncs_as_expired_with_no_open_renewal(
        office, citation, simulator_factory, sim_client, inline_deadlines,  # noqa: F811
        django_capture_on_commit_callbacks):
    from deadlines.models import Deadline

    sim = simulator_factory(seed=3, matters=300, limits="jpo_per_minute=600")
    m = _expired(sim.portfolio, office)
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        matter, _ = upsert_matter(data=MatterData(
            client=client, reference=f"SIM-{m.index}", office=office, kind=Matter.Kind.PATENT,
            application_number=m.application_number, filing_date=m.filing_date))

    with django_capture_on_commit_callbacks(execute=True):
        run = sync.run_inline(office=office, client=sim_client(sim, office), max_wait=5.0)

    assert (run.matters_synced, run.errors) == (1, 0)
    matter.refresh_from_db()
    end = matter.term_end
    assert end is not None and end <= sim.portfolio.today
    assert matter.lifecycle_state == "expired", matter.lifecycle_reason
    assert f"term ended {end.isoformat()}" in matter.lifecycle_reason and citation in matter.lifecycle_reason
    renewals = Deadline.objects.filter(matter=matter).filter(
        rule_id__regex=r"(" + "|".join(RENEWALS) + ")")
    assert renewals.exists()  # the fee series were computed: none of them is left open
    assert not renewals.filter(status="open").exists()
    if office == "US":
        # 35 U.S.C. 41(b): maintenance fees fall due after grant; those not yet due when the term ended
        # are moot (EP renewals end with the grant, JP annuities are superseded by the payments made).
        assert renewals.filter(status="moot").exists()
    for d in renewals.filter(status="moot"):
        assert end.isoformat() in d.closed_reason, d.closed_reason
