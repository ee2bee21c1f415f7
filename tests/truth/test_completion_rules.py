"""Each completion-by-proof link, with its legal basis in the test id (pure: deadlines.rules.completion)."""

import datetime as dt

import pytest

from deadlines.rules import EventFact
from deadlines.rules.completion import CLAIMS_PRIORITY, PHASE_OF, PUBLISHED, Related, find_proof

D = dt.date.fromisoformat
TRIGGER = EventFact(ref="t", code="X", date=D("2025-01-01"))


def ev(ref, code, day):
    return EventFact(ref=ref, code=code, date=D(day))


LINKS = [
    # (id, rule, rule office, later events, related, proven by (event ref or related reference))
    ("EPC Art. 94(1) R71(3) proves examination request", "EP.EXAMINATION_REQUEST", "EP",
     [ev("7", "EP.RULE_71_3_COMMUNICATION", "2026-01-01")], [], "7"),
    ("EPC R39(2) exam report proves designation fee", "EP.DESIGNATION_FEE", "EP",
     [ev("7", "EP.COMMUNICATION_94_3", "2025-09-01")], [], "7"),
    ("EPC R70a(3) R71(3) proves reply to search opinion", "EP.REPLY_SEARCH_OPINION", "EP",
     [ev("7", "EP.RULE_71_3_COMMUNICATION", "2026-01-01")], [], "7"),
    ("EPC R71(5) grant proves grant fee", "EP.R71_3_APPROVAL", "EP", [ev("8", "EP.PATENT_GRANTED", "2026-03-01")], [],
     "8"),
    ("35 USC 151 issue proves issue fee", "US.ISSUE_FEE", "US", [ev("9", "US.PATENT_GRANTED", "2025-06-01")], [], "9"),
    ("JP Art. 48-2 notice of reasons proves examination request", "JP.EXAMINATION_REQUEST", "JP",
     [ev("5", "JP.NOTICE_OF_REASONS_FOR_REFUSAL", "2025-06-01")], [], "5"),
    ("35 USC 119(e) PCT claiming the provisional proves the filing", "US.NONPROVISIONAL_FROM_PROVISIONAL", "US", [],
     [Related(CLAIMS_PRIORITY, "WO", "ACME-001-WO", D("2025-12-20"))], "ACME-001-WO"),
    ("Paris Art. 4 EP claiming the priority proves the filing", "EP.PRIORITY_YEAR", "EP", [],
     [Related(CLAIMS_PRIORITY, "EP", "EP-2", D("2025-12-20"))], "EP-2"),
    ("PCT Art. 21(5) international publication proves the PCT fees", "WO.FEES", "WO", [],
     [Related(PUBLISHED, "WO", "WO2025123456", D("2025-07-10"))], "WO2025123456"),
    ("PCT Art. 22 US national phase matter proves entry", "WO.NATIONAL_PHASE_US", "US", [],
     [Related(PHASE_OF, "US", "US-NP", D("2025-12-20"))], "US-NP"),
    ("EPC Art. 153 regional phase matter proves EP entry", "WO.REGIONAL_PHASE_EP", "EP", [],
     [Related(PHASE_OF, "EP", "EP-RP", D("2025-12-20"))], "EP-RP"),
    ("JP Art. 184-4 national phase matter proves JP entry", "WO.NATIONAL_PHASE_JP", "JP", [],
     [Related(PHASE_OF, "JP", "JP-NP", D("2025-12-20"))], "JP-NP"),
]


@pytest.mark.parametrize(("rule", "office", "events", "related", "by"), [t[1:] for t in LINKS],
                         ids=[t[0] for t in LINKS])
def test_a_later_fact_proves_the_act_and_is_named(rule, office, events, related, by):
    closing = find_proof(rule_id=rule, rule_office=office, trigger_ref="t", trigger_date=TRIGGER.date,
                         events=[TRIGGER, *events], related=related)
    assert closing is not None and closing.status == "completed"
    assert closing.event_ref == by or by in closing.reason
    assert "(" in closing.reason  # the legal basis is part of the reason


NOT_PROOF = [
    ("a fact before the trigger proves nothing", "EP.DESIGNATION_FEE", "EP",
     [ev("7", "EP.COMMUNICATION_94_3", "2024-09-01")], []),
    ("a mere examination request does not prove the designation fee (EPC R39)", "EP.DESIGNATION_FEE", "EP",
     [ev("7", "EP.EXAMINATION_REQUESTED", "2025-05-01")], []),
    ("the US phase does not prove the EP phase (PCT Art. 22)", "WO.REGIONAL_PHASE_EP", "EP", [],
     [Related(PHASE_OF, "US", "US-NP", D("2025-12-20"))]),
    ("a JP application does not prove the US non-provisional (35 USC 119(e))", "US.NONPROVISIONAL_FROM_PROVISIONAL",
     "US", [], [Related(CLAIMS_PRIORITY, "JP", "JP-1", D("2025-12-20"))]),
    ("the renewal fee has no proof but its payment (EPC Art. 86)", "EP.RENEWAL_FEE", "EP",
     [ev("8", "EP.PATENT_GRANTED", "2026-03-01")], []),
]


@pytest.mark.parametrize(("rule", "office", "events", "related"), [t[1:] for t in NOT_PROOF],
                         ids=[t[0] for t in NOT_PROOF])
def test_no_proof_leaves_it_open(rule, office, events, related):
    assert find_proof(rule_id=rule, rule_office=office, trigger_ref="t", trigger_date=TRIGGER.date,
                      events=[TRIGGER, *events], related=related) is None
