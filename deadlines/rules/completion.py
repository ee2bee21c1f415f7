"""What completes each rule's deadline, so a deadline whose act is proven done stops showing as open.
Pure: no Django.

Two kinds of completion:

* the direct act: the rule's own ``answered_by`` codes (response filed, fee paid, request filed, phase
  entered) -- the engine already closes a deadline on those;
* proof: a later fact that cannot exist unless the act was done. The examining division does not examine
  an application whose examination fee or designation fee was not paid, or that was deemed withdrawn for
  not replying to the search opinion; a patent does not issue without the issue/grant fee; a later
  application that claims a provisional or a priority proves it was filed; a national or regional matter
  whose parent is the PCT application proves that entry.

Completion by proof records which fact closed the deadline. Nothing here looks at today: nothing is ever
closed by the passing of time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .model import EventFact

# Kinds of facts about other matters (see ``Related``).
CLAIMS_PRIORITY = "claims_priority"  # another matter claims this one as priority / provisional benefit
PHASE_OF = "phase_of"  # another matter is a national/regional phase of this PCT application
PUBLISHED = "published"  # this matter's own publication (number and date from the office data)


@dataclass(frozen=True)
class Related:
    """A fact about another matter that can prove an act on this one."""

    kind: str  # CLAIMS_PRIORITY | PHASE_OF
    office: str  # ST.3 office of the other matter
    reference: str  # our reference of the other matter
    filing_date: date | None
    matter_id: int | None = None


@dataclass(frozen=True)
class Proof:
    citation: str
    why: str
    codes: tuple[str, ...] = ()  # later events on the same matter
    related: str | None = None  # or a kind of fact about another matter
    offices: tuple[str, ...] = ()  # for ``related``: the other matter's office ("@rule": the rule's office)


@dataclass(frozen=True)
class Closing:
    status: str  # "completed" | "moot"
    on: date | None
    reason: str
    event_ref: str | None = None


_EXAMINATION_STARTED = ("EP.COMMUNICATION_94_3", "EP.RULE_71_3_COMMUNICATION", "EP.PATENT_GRANTED")
_EXAM_WHY = (
    "the examining division examines only once the request for examination is filed and its fee paid "
    "(Art. 94(1), Rule 70(1)), and only an application that was not deemed withdrawn for an unpaid designation "
    "fee (Rule 39(2)) or an unanswered search opinion (Rule 70a(3))"
)

PROOFS: dict[str, tuple[Proof, ...]] = {
    "EP.EXAMINATION_REQUEST": (
        Proof("EPC Art. 94(1); Rule 70(1)", _EXAM_WHY, codes=_EXAMINATION_STARTED),
    ),
    "EP.DESIGNATION_FEE": (
        Proof("EPC Art. 79(2); Rule 39(1), (2)", _EXAM_WHY, codes=_EXAMINATION_STARTED),
    ),
    "EP.REPLY_SEARCH_OPINION": (
        Proof("EPC Rule 70a(1), (3)", _EXAM_WHY, codes=_EXAMINATION_STARTED),
    ),
    "EP.R71_3_APPROVAL": (
        Proof(
            "EPC Rule 71(5), Art. 97(1)",
            "the patent is granted only after the text is approved and the fees for grant and publishing are paid",
            codes=("EP.PATENT_GRANTED",),
        ),
    ),
    "US.ISSUE_FEE": (
        Proof(
            "35 U.S.C. 151(b); 37 CFR 1.311, 1.316",
            "a patent issues only once the issue fee is paid (else the application is abandoned)",
            codes=("US.PATENT_GRANTED", "US.ISSUE_NOTIFICATION"),
        ),
    ),
    "JP.EXAMINATION_REQUEST": (
        Proof(
            "Patent Act (Japan) Art. 48-2, 48-3(4)",
            "the JPO examines only applications whose examination was requested (else they are deemed withdrawn)",
            codes=("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "JP.DECISION_TO_GRANT", "JP.DECISION_OF_REFUSAL",
                   "JP.REGISTERED"),
        ),
    ),
    "US.NONPROVISIONAL_FROM_PROVISIONAL": (
        Proof(
            "35 U.S.C. 119(e)(1); 37 CFR 1.78(a)",
            "a later application (US non-provisional or PCT) claims the benefit of this provisional",
            related=CLAIMS_PRIORITY,
            offices=("US", "WO"),
        ),
    ),
    "US.PRIORITY_YEAR": (
        Proof("35 U.S.C. 119(a); 37 CFR 1.55", "a later US or PCT application claims this priority",
              related=CLAIMS_PRIORITY, offices=("US", "WO")),
    ),
    "EP.PRIORITY_YEAR": (
        Proof("EPC Art. 87(1), 88(1)", "a later European or PCT application claims this priority",
              related=CLAIMS_PRIORITY, offices=("EP", "WO")),
    ),
    "JP.PRIORITY_YEAR": (
        Proof("Patent Act (Japan) Art. 43(1), 41(1)", "a later Japanese or PCT application claims this priority",
              related=CLAIMS_PRIORITY, offices=("JP", "WO")),
    ),
    "WO.PRIORITY_YEAR": (
        Proof("PCT Art. 8(1); Rule 4.10", "a later PCT application claims this priority",
              related=CLAIMS_PRIORITY, offices=("WO",)),
    ),
    "WO.FEES": (
        Proof("PCT Art. 14(3)(a), 21(5); Rule 16bis.1",
              "the international application was published, which it is not once considered withdrawn for "
              "unpaid fees", related=PUBLISHED),
        Proof("PCT Art. 14(3)(a), 22; Rule 16bis.1",
              "a national or regional phase of the international application exists", related=PHASE_OF),
    ),
    "WO.NATIONAL_PHASE_US": (
        Proof("PCT Art. 22(1); 35 U.S.C. 371", "a US national-phase matter of this PCT application exists",
              related=PHASE_OF, offices=("@rule",)),
    ),
    "WO.REGIONAL_PHASE_EP": (
        Proof("PCT Art. 22(3), 39(1)(b); EPC Art. 153(2), Rule 159(1)",
              "a European regional-phase matter of this PCT application exists", related=PHASE_OF, offices=("@rule",)),
    ),
    "WO.NATIONAL_PHASE_JP": (
        Proof("PCT Art. 22(3); Patent Act (Japan) Art. 184-3, 184-4",
              "a Japanese national-phase matter of this PCT application exists", related=PHASE_OF, offices=("@rule",)),
    ),
}


def proofs_for(rule_id: str) -> tuple[Proof, ...]:
    return PROOFS.get(rule_id, ())


def find_proof(
    *,
    rule_id: str,
    rule_office: str,
    trigger_ref: str,
    trigger_date: date,
    events: Sequence[EventFact],
    related: Iterable[Related] = (),
) -> Closing | None:
    """The first fact that proves the rule's act was done, or None.

    Same-matter proofs must come on or after the trigger (an examination report before the search report
    was published proves nothing about the period that report started).
    """
    related = list(related)
    for proof in proofs_for(rule_id):
        if proof.codes:
            for ev in sorted(events, key=lambda e: e.date):
                if ev.ref == trigger_ref or ev.date < trigger_date or ev.code not in proof.codes:
                    continue
                return Closing(
                    "completed",
                    ev.date,
                    f"done, proven by {ev.code} of {ev.date.isoformat()}: {proof.why} ({proof.citation})",
                    ev.ref,
                )
        if proof.related:
            offices = {rule_office if o == "@rule" else o for o in proof.offices}
            for rel in related:
                if rel.kind != proof.related or (offices and rel.office not in offices):
                    continue
                verb = "published" if rel.kind == PUBLISHED else "filed"
                filed = f" {verb} {rel.filing_date.isoformat()}" if rel.filing_date else ""
                return Closing(
                    "completed",
                    rel.filing_date,
                    f"done, proven by {rel.reference} ({rel.office}{filed}): {proof.why} ({proof.citation})",
                    None,
                )
    return None
