"""Each lifecycle transition, with its legal basis in the test id (pure: deadlines.rules.lifecycle)."""

import datetime as dt

import pytest

from deadlines.rules import EventFact, MatterFacts
from deadlines.rules.lifecycle import State, derive, term_end

D = dt.date.fromisoformat
TODAY = D("2026-12-03")


def ev(ref, code, day, **params):
    return EventFact(ref=ref, code=code, date=D(day), params=params)


TRANSITIONS = [
    # (id with legal basis, office, events, expected state, cause ref)
    ("EPC Art. 93 publication", "EP", [("1", "EP.SEARCH_REPORT_PUBLISHED", "2025-01-01")], State.PUBLISHED, "1"),
    ("EPC R71(3) intention to grant", "EP", [("1", "EP.RULE_71_3_COMMUNICATION", "2025-01-01")], State.ALLOWED, "1"),
    ("EPC Art. 97(3) grant", "EP", [("1", "EP.RULE_71_3_COMMUNICATION", "2025-01-01"),
                                    ("2", "EP.PATENT_GRANTED", "2025-06-01")], State.GRANTED, "2"),
    ("EPC Art. 97(2) refusal", "EP", [("1", "EP.REFUSED", "2025-01-01")], State.REFUSED, "1"),
    ("EPC R15 withdrawal", "EP", [("1", "EP.WITHDRAWN", "2025-01-01")], State.WITHDRAWN, "1"),
    ("EPC Art. 94(4) deemed withdrawn", "EP", [("1", "EP.DEEMED_WITHDRAWN", "2025-01-01")],
     State.DEEMED_WITHDRAWN, "1"),
    ("EPC Art. 122 re-establishment revives", "EP", [("1", "EP.SEARCH_REPORT_PUBLISHED", "2024-01-01"),
                                                      ("2", "EP.DEEMED_WITHDRAWN", "2025-01-01"),
                                                      ("3", "EP.RE_ESTABLISHMENT_GRANTED", "2025-05-01")],
     State.PUBLISHED, "3"),
    ("EPC Art. 121 further processing revives", "EP", [("1", "EP.DEEMED_WITHDRAWN", "2025-01-01"),
                                                       ("2", "EP.FURTHER_PROCESSING_REQUESTED", "2025-02-01")],
     State.PENDING, "2"),
    ("EPC Art. 101(2) revocation", "EP", [("1", "EP.PATENT_GRANTED", "2024-01-01"), ("2", "EP.REVOKED", "2025-01-01")],
     State.REVOKED, "2"),
    ("35 USC 151 notice of allowance", "US", [("1", "US.NOTICE_OF_ALLOWANCE", "2025-01-01")], State.ALLOWED, "1"),
    ("35 USC 133 abandonment", "US", [("1", "US.ABANDONED", "2025-01-01")], State.ABANDONED, "1"),
    ("37 CFR 1.137 revival", "US", [("1", "US.NOTICE_OF_ALLOWANCE", "2024-06-01"), ("2", "US.ABANDONED", "2025-01-01"),
                                    ("3", "US.REVIVED", "2025-03-01")], State.ALLOWED, "3"),
    ("37 CFR 1.362(g) maintenance fee expiry", "US", [("1", "US.PATENT_GRANTED", "2020-01-01"),
                                                       ("2", "US.EXPIRED_MAINTENANCE_FEE", "2024-01-01")],
     State.LAPSED, "2"),
    ("JP Art. 49 refusal", "JP", [("1", "JP.DECISION_OF_REFUSAL", "2025-01-01")], State.REFUSED, "1"),
    ("JP Art. 66 registration", "JP",
     [("1", "JP.DECISION_TO_GRANT", "2024-01-01"), ("2", "JP.REGISTERED", "2024-02-01")],
     State.GRANTED, "2"),
    ("JP Art. 112(4) lapse, Art. 112bis restoration", "JP", [("1", "JP.REGISTERED", "2020-01-01"),
                                                               ("2", "JP.RIGHT_LAPSED", "2024-01-01"),
                                                               ("3", "JP.RESTORED", "2024-06-01")],
     State.GRANTED, "3"),
    ("a late publication does not revive a withdrawn application", "EP",
     [("1", "EP.DEEMED_WITHDRAWN", "2025-01-01"), ("2", "EP.SEARCH_REPORT_PUBLISHED", "2025-02-01")],
     State.DEEMED_WITHDRAWN, "1"),
]


@pytest.mark.parametrize(("office", "events", "state", "cause"), [t[1:] for t in TRANSITIONS],
                         ids=[t[0] for t in TRANSITIONS])
def test_lifecycle_state_follows_the_event_that_caused_it(office, events, state, cause):
    facts = MatterFacts(office=office, filing_date=D("2023-01-10"))
    lc = derive(facts, [ev(*e) for e in events], today=TODAY)
    assert (lc.state, lc.cause_ref) == (state, cause)
    assert lc.reason


TERMS = [
    ("EPC Art. 63(1) 20 years from filing", MatterFacts(office="EP", filing_date=D("1999-05-04")), [], None,
     D("2019-05-04")),
    ("35 USC 154(b) term adjustment added", MatterFacts(office="US", filing_date=D("2010-01-05")),
     [ev("1", "US.PATENT_GRANTED", "2014-01-01", pta_days=100)], None, D("2030-01-05") + dt.timedelta(days=100)),
    ("35 USC 154(a)(2) continuation from parent date", MatterFacts(office="US", filing_date=D("2015-01-05")), [],
     D("2010-01-05"), D("2030-01-05")),
    ("JP Art. 67(1)", MatterFacts(office="JP", filing_date=D("2004-02-29")), [], None, D("2024-02-29")),
    ("35 USC 111(b) provisional has no term", MatterFacts(office="US", kind="provisional", filing_date=D("2000-01-01")),
     [], None, None),
]


@pytest.mark.parametrize(("facts", "events", "start", "end"), [t[1:] for t in TERMS], ids=[t[0] for t in TERMS])
def test_term_end_is_computed_from_the_law(facts, events, start, end):
    assert term_end(facts, events, start)[0] == end


def test_a_right_whose_term_ended_is_expired_without_any_event():
    facts = MatterFacts(office="EP", filing_date=D("1999-05-04"))
    lc = derive(facts, [ev("1", "EP.PATENT_GRANTED", "2003-01-01")], today=TODAY)
    assert (lc.state, lc.since, lc.ended) == (State.EXPIRED, D("2019-05-04"), True)
    assert "EPC Art. 63(1)" in lc.reason
    assert derive(facts, [], today=D("2019-05-03")).state == State.PENDING
