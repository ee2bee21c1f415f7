"""Remedy deadlines are created after a loss of rights, an abandonment or a lapse (pure: deadlines.rules), each
with its legal basis in the test id; and they survive the end of the right that made them necessary."""

import datetime as dt

import pytest

from deadlines.rules import EventFact, MatterFacts
from deadlines.rules.lifecycle import SURVIVES_END, State, derive
from tests.deadlines.rules_helpers import D, one, run

CASES = [
    # (id with legal basis, office, events, rule, due, citation fragment)
    ("EPC Art. 121 R135(1) further processing 2 months from the loss-of-rights communication", "EP",
     [("EP.FILED", "2023-01-10"), ("EP.LOSS_OF_RIGHTS_NOTED", "2025-03-12")],
     "EP.FURTHER_PROCESSING", "2025-05-12", "135(1)"),
    ("EPC Art. 122 R136(1) re-establishment 2 months from the loss-of-rights communication (conservative)", "EP",
     [("EP.FILED", "2023-01-10"), ("EP.LOSS_OF_RIGHTS_NOTED", "2025-03-12")],
     "EP.RE_ESTABLISHMENT", "2025-05-12", "Rule 136(1)"),
    ("EPC R136(1) at the latest one year after the missed time limit expired", "EP",
     [("EP.FILED", "2023-01-10"), ("EP.LOSS_OF_RIGHTS_NOTED", "2025-03-12", {"time_limit_expired": "2024-04-01"})],
     "EP.RE_ESTABLISHMENT", "2025-04-01", "Rule 136(1)"),
    ("37 CFR 1.137(a) 1.181(f) petition to revive 2 months from the notice of abandonment (practice date)", "US",
     [("US.FILED", "2022-05-02"), ("US.ABANDONED", "2025-03-14")],
     "US.PETITION_TO_REVIVE", "2025-05-14", "37 CFR 1.137(a)"),
    ("JP Patent Act Art. 112-2(1) restoration 18 months from the extinguishment (6 months late payment + 1 year)",
     "JP", [("JP.FILED", "2015-02-02"), ("JP.REGISTERED", "2018-02-13"), ("JP.RIGHT_LAPSED", "2025-02-13")],
     "JP.RESTORATION", "2026-08-13", "Art. 112-2(1)"),
]


@pytest.mark.parametrize(("office", "events", "rule", "due", "citation"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_remedy_deadline_is_opened_after_the_loss(office, events, rule, due, citation):
    filing = D(events[0][1])
    found = one(run(office, events, filing_date=filing), rule)
    assert found.status == "open"
    assert found.due_date == D(due)
    assert citation in found.citation
    assert found.explanation  # every computed date carries its explanation


ANSWERED = [
    # (id, office, events, rule, answering code)
    ("EPC Art. 121(1) further processing requested closes both remedies", "EP",
     [("EP.FILED", "2023-01-10"), ("EP.LOSS_OF_RIGHTS_NOTED", "2025-03-12"),
      ("EP.FURTHER_PROCESSING_REQUESTED", "2025-04-02")], ("EP.FURTHER_PROCESSING", "EP.RE_ESTABLISHMENT")),
    ("EPC Art. 122 re-establishment requested closes both remedies (R136(3) one or the other)", "EP",
     [("EP.FILED", "2023-01-10"), ("EP.LOSS_OF_RIGHTS_NOTED", "2025-03-12"),
      ("EP.RE_ESTABLISHMENT_REQUESTED", "2025-04-02")], ("EP.FURTHER_PROCESSING", "EP.RE_ESTABLISHMENT")),
    ("37 CFR 1.137 petition to revive granted closes the revival deadline", "US",
     [("US.FILED", "2022-05-02"), ("US.ABANDONED", "2025-03-14"), ("US.PETITION_TO_REVIVE_GRANTED", "2025-04-20")],
     ("US.PETITION_TO_REVIVE",)),
    ("JP Art. 112-2 restoration requested closes the restoration deadline", "JP",
     [("JP.FILED", "2015-02-02"), ("JP.REGISTERED", "2018-02-13"), ("JP.RIGHT_LAPSED", "2025-02-13"),
      ("JP.RESTORATION_REQUESTED", "2025-06-01")], ("JP.RESTORATION",)),
]


@pytest.mark.parametrize(("office", "events", "rules"), [c[1:] for c in ANSWERED], ids=[c[0] for c in ANSWERED])
def test_the_remedy_taken_closes_the_remedy_deadline(office, events, rules):
    out = run(office, events, filing_date=D(events[0][1]))
    for rule in rules:
        found = one(out, rule)
        assert found.status == "superseded", rule
        assert events[-1][0] in found.superseded_reason


@pytest.mark.parametrize(("rule", "office", "events", "state"), [
    ("US.PETITION_TO_REVIVE", "US", [("1", "US.ABANDONED", "2025-03-14")], State.ABANDONED),
    ("JP.RESTORATION", "JP", [("1", "JP.REGISTERED", "2018-02-13"), ("2", "JP.RIGHT_LAPSED", "2025-02-13")],
     State.LAPSED),
], ids=["37 CFR 1.137 revival outlives the abandonment", "JP Art. 112-2 restoration outlives the lapse"])
def test_remedies_survive_the_end_of_the_right(rule, office, events, state):
    facts = MatterFacts(office=office, filing_date=dt.date(2015, 2, 2))
    life = derive(facts, [EventFact(r, c, D(d)) for r, c, d in events], today=D("2025-06-01"))
    assert life.state == state and life.ended
    assert rule in SURVIVES_END


def test_a_jp_right_extinguished_for_another_cause_ends_without_a_restoration_deadline():
    """Patent Act (Japan) Art. 97/125: a surrender or invalidation is no lapse for non-payment (Art. 112-2)."""
    events = [("JP.FILED", "2015-02-02"), ("JP.REGISTERED", "2018-02-13"), ("JP.RIGHT_EXTINGUISHED", "2024-05-20")]
    out = run("JP", events, filing_date=D("2015-02-02"))
    assert not [d for d in out if d.rule == "JP.RESTORATION"]
    facts = MatterFacts(office="JP", filing_date=D("2015-02-02"))
    life = derive(facts, [EventFact(f"e{i}", c, D(d)) for i, (c, d) in enumerate(events)], today=D("2025-06-01"))
    assert (life.state, life.cause_code) == (State.LAPSED, "JP.RIGHT_EXTINGUISHED")
