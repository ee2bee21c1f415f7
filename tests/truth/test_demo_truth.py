"""The demo portfolio, seeded and synced from the office simulator: no deadline is overdue when the office
record shows it done, and every remaining overdue deadline is one nothing in the record closes."""

from __future__ import annotations

import html

import pytest
from django.utils.html import strip_tags

from deadlines.models import Deadline
from deadlines.services import all_engine_matter_ids, recompute_matters
from patents.models import Matter

pytestmark = [pytest.mark.django_db, pytest.mark.simulator, pytest.mark.usefixtures("mappings")]

# (matter, rule) overdue on the demo before recompute closed deadlines from office facts, and the office fact
# that shows each one done.
CLOSED_BY_THE_RECORD = {
    ("ACME-001-USP", "US.NONPROVISIONAL_FROM_PROVISIONAL"): "ACME-001-WO",  # the PCT claims the provisional
    ("ACME-EP-03", "EP.DESIGNATION_FEE"): "EP.COMMUNICATION_94_3",  # examination started
    ("ACME-WO-01", "WO.FEES"): "published",  # PCT Art. 21(5): a withdrawn application is not published
}
# Optional acts whose window passed with nothing in the record (docs/docket-truth.md, "Optional acts"): not
# overdue, no escalation; listed under "Windows passed — confirm not used" until someone answers.
WINDOWS_PASSED = {
    # PCT Art. 19 / Rule 46.1 amendments and a PCT Art. 31 / Rule 54bis.1 demand: Chapter I goes on without them
    ("ACME-001-WO", "WO.ART19_AMENDMENTS"),
    ("ACME-001-WO", "WO.DEMAND"),
    # whether the proprietor wants unitary effect (EU Reg. 1257/2012 Art. 9; Rule 6 UPR; national validation
    # is the alternative) or a priority claim corrected/added (PCT Rule 26bis.1)
    ("ACME-EP-02", "EP.UNITARY_EFFECT_REQUEST"),
    ("ACME-001-WO", "WO.PRIORITY_CLAIM_CORRECTION"),
    ("ACME-WO-01", "WO.PRIORITY_CLAIM_CORRECTION"),
}
# What stays overdue, and why it is truly open.
STILL_OVERDUE = {
    # year 4 unpaid (the register shows year 3 only); in the six-month grace period of EPC Rule 51(2)
    ("ACME-EP-04", "EP.RENEWAL_FEE"),
    # examination requested, but no examination has started: nothing proves the designation fee or the
    # reply to the search opinion
    ("ACME-EP-05", "EP.DESIGNATION_FEE"),
    ("ACME-EP-05", "EP.REPLY_SEARCH_OPINION"),
    # non-final rejections without a recorded reply; within the extension months of 37 CFR 1.136(a)
    ("GLX-US-01", "US.REPLY_NON_FINAL"),
    ("GLX-US-02", "US.REPLY_NON_FINAL"),
    ("GLX-US-04", "US.REPLY_NON_FINAL"),
}


def day(d) -> str:
    """A date as the pages write it: Mon 5 Jan 2026."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def test_no_demo_deadline_is_overdue_when_the_office_record_shows_it_done(demo, client):
    overdue = set(Deadline.objects.overdue().values_list("matter__reference", "rule_id"))
    # (a subset: a deadline days from its date may not be overdue yet on the day the test runs)
    assert overdue <= STILL_OVERDUE, overdue - STILL_OVERDUE
    assert ("ACME-EP-05", "EP.DESIGNATION_FEE") in overdue
    passed = set(Deadline.objects.window_passed().values_list("matter__reference", "rule_id"))
    assert passed <= WINDOWS_PASSED, passed - WINDOWS_PASSED
    assert ("ACME-001-WO", "WO.DEMAND") in passed and not passed & overdue
    for (reference, rule), fact in CLOSED_BY_THE_RECORD.items():
        dl = Deadline.objects.get(matter__reference=reference, rule_id=rule)
        assert dl.status == Deadline.Status.COMPLETED and fact in dl.closed_reason, (reference, rule)
    # The regional phase ACME-001-EP closes "enter the European regional phase" of ACME-001-WO.
    entry = Deadline.objects.get(matter__reference="ACME-001-WO", rule_id="WO.REGIONAL_PHASE_EP")
    assert entry.status == Deadline.Status.COMPLETED and "ACME-001-EP" in entry.closed_reason
    # The paralegal sees which fact closed it.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="pat"))
    docket = " ".join(html.unescape(strip_tags(client.get("/?scope=all").content.decode())).split())
    passed_section = docket.split("Windows passed — confirm not used", 1)[1].split("With the selected", 1)[0]
    assert "File demand for international preliminary examination" in passed_section
    assert f"{len(overdue)} overdue" in docket
    dl = Deadline.objects.get(matter__reference="ACME-EP-03", rule_id="EP.DESIGNATION_FEE")
    text = " ".join(html.unescape(strip_tags(client.get(dl.get_absolute_url()).content.decode())).split())
    # The simulator dates the demo portfolio relative to today: the fact's date is read, not written here.
    fact = dl.closed_by_event
    assert fact is not None and fact.event_type.code == "EP.COMMUNICATION_94_3"
    assert "Done, proven by" in text
    assert f"EP.COMMUNICATION_94_3 of {day(fact.date)} (Office, office code EXRE)" in text
    matter = Matter.objects.get(reference="ACME-EP-03")
    text = " ".join(html.unescape(strip_tags(client.get(matter.get_absolute_url()).content.decode())).split())
    since = matter.lifecycle_since
    assert f"Allowed / intention to grant since {since:%a} {since.day} {since:%b %Y}" in text
    # Idempotent: another nightly pass writes nothing.
    history = Deadline.history.count()
    again = recompute_matters(matter_ids=all_engine_matter_ids(), reason="nightly recompute")
    assert again.changes == [] and Deadline.history.count() == history
