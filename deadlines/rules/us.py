"""United States (USPTO). Calendar: 35 U.S.C. 21(b) -- Saturdays, Sundays and federal holidays within DC."""

from __future__ import annotations

from datetime import date

from .model import (
    Base,
    Conditions,
    EventFact,
    Extension,
    ExtensionModel,
    Kind,
    Remedy,
    Rule,
    Series,
    Term,
)
from .periods import Convention, Duration

C = Convention.US_1_7
M = Duration

REVIVAL = Remedy(
    name="petition to revive (unintentional delay)",
    citation="37 CFR 1.137(a)",
    basis="no fixed period; file promptly once the abandonment is known (delay must be unintentional)",
)
EOT_136A = "37 CFR 1.136(a); 37 CFR 1.17(a)"
OFFICE_ACTIONS = (
    "US.NON_FINAL_REJECTION",
    "US.FINAL_REJECTION",
    "US.RESTRICTION_REQUIREMENT",
    "US.NOTICE_OF_ALLOWANCE",
)
SIX_MONTHS = Term(M(months=6))


def _issue_date(*, event: EventFact, unrolled: date, steps: list[dict], **_kw: object):
    """35 U.S.C. 120 copendency ends when the parent issues: the issue notification states the issue date
    (params.issue_date). Without it the window is dated at the notification itself, the earliest possible."""
    raw = event.params.get("issue_date")
    if raw:
        try:
            issue = date.fromisoformat(str(raw))
        except ValueError:
            issue = None
        if issue is not None:
            steps.append(
                {
                    "op": "issue_date",
                    "result": issue.isoformat(),
                    "citation": "35 U.S.C. 120; MPEP 211.01(b)",
                    "note": "a continuing application filed on or before the issue date is copending",
                }
            )
            return {"unrolled": issue}
    steps.append(
        {
            "op": "issue_date",
            "result": event.date.isoformat(),
            "note": "issue date not recorded (params.issue_date): dated at the issue notification, the earliest "
            "possible -- record the issue date to get the real last day",
        }
    )
    return {"unrolled": event.date}


SPECIALS = {"us_issue_date": _issue_date}

RULES: tuple[Rule, ...] = (
    Rule(
        id="US.REPLY_NON_FINAL",
        version=1,
        office="US",
        title="Reply to non-final Office action",
        triggers=("US.NON_FINAL_REJECTION",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 133; 37 CFR 1.134, 1.111; MPEP 710.02(b)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=3, per_month=True, citation=EOT_136A),
        cap=SIX_MONTHS,
        remedies=(REVIVAL,),
        answered_by=("US.RESPONSE_FILED", "US.RCE_FILED", "US.NOTICE_OF_APPEAL_FILED"),
        replaced_by=OFFICE_ACTIONS,
        notes="35 U.S.C. 133: never more than six months from the mailing date",
    ),
    Rule(
        id="US.REPLY_FINAL",
        version=1,
        office="US",
        title="Reply to final rejection (RCE, appeal or allowable reply)",
        triggers=("US.FINAL_REJECTION",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 133; 37 CFR 1.113, 1.134; MPEP 706.07(f)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=3, per_month=True, citation=EOT_136A),
        cap=SIX_MONTHS,
        remedies=(REVIVAL,),
        special="mpep_706_07_f",
        # A reply after final does not stop the period (MPEP 714.13): only an RCE, a notice of appeal or
        # an allowance ends it.
        answered_by=("US.RCE_FILED", "US.NOTICE_OF_APPEAL_FILED"),
        replaced_by=("US.NON_FINAL_REJECTION", "US.NOTICE_OF_ALLOWANCE", "US.FINAL_REJECTION"),
        notes="35 U.S.C. 133: never more than six months from the final rejection's mailing date",
    ),
    Rule(
        id="US.REPLY_RESTRICTION",
        version=1,
        office="US",
        title="Reply to restriction requirement (election)",
        triggers=("US.RESTRICTION_REQUIREMENT",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 121, 133; 37 CFR 1.142, 1.143; MPEP 817",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=4, per_month=True, citation=EOT_136A),
        cap=SIX_MONTHS,
        remedies=(REVIVAL,),
        answered_by=("US.RESPONSE_FILED",),
        replaced_by=OFFICE_ACTIONS,
        notes="35 U.S.C. 133: never more than six months from the mailing date",
    ),
    Rule(
        id="US.MISSING_PARTS",
        version=1,
        office="US",
        title="Reply to notice to file missing parts",
        triggers=("US.MISSING_PARTS_NOTICE",),
        kind=Kind.STATUTORY,
        citation="37 CFR 1.53(f); 37 CFR 1.136(a)",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=5, per_month=True, citation=EOT_136A),
        remedies=(REVIVAL,),
        answered_by=("US.RESPONSE_FILED", "US.MISSING_PARTS_FILED"),
    ),
    Rule(
        id="US.ISSUE_FEE",
        version=1,
        office="US",
        title="Pay issue fee",
        triggers=("US.NOTICE_OF_ALLOWANCE",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 151; 37 CFR 1.311",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        remedies=(REVIVAL,),
        answered_by=("US.ISSUE_FEE_PAID",),
        replaced_by=("US.NON_FINAL_REJECTION",),
        notes="not extendable (35 U.S.C. 151)",
    ),
    Rule(
        id="US.MAINTENANCE_FEE",
        version=1,
        office="US",
        title="Maintenance fee",
        triggers=("US.PATENT_GRANTED",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 41(b); 37 CFR 1.362",
        terms=(Term(M(years=3, months=6)),),
        convention=C,
        calendar="US",
        conditions=Conditions(matter_kinds=("utility", "patent")),
        series=Series(
            instances=(
                ("3.5", M(years=3, months=6)),
                ("7.5", M(years=7, months=6)),
                ("11.5", M(years=11, months=6)),
            ),
            window_opens=(M(years=3), M(years=7), M(years=11)),
            title_format="due {} years after grant",
        ),
        # 37 CFR 1.362(e): six-month grace with surcharge, to the 4/8/12-year anniversary of the grant.
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="base",
            surcharge=True,
            citation="37 CFR 1.362(e); 37 CFR 1.20(h)",
        ),
        remedies=(
            Remedy(
                "petition to accept delayed payment (unintentional)",
                "37 CFR 1.378",
                basis="after expiry; no fixed period",
            ),
        ),
        answered_by=("US.MAINTENANCE_FEE_PAID",),
        notes="window opens 3/7/11 years after grant (37 CFR 1.362(d))",
    ),
    Rule(
        id="US.NONPROVISIONAL_FROM_PROVISIONAL",
        version=1,
        office="US",
        title="File non-provisional application claiming the provisional",
        triggers=("US.PROVISIONAL_FILED",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 119(e)(1), (3); 37 CFR 1.78(a)",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="US",
        remedies=(
            Remedy(
                "restoration of benefit (petition, unintentional delay)",
                "37 CFR 1.78(b)",
                from_base=M(months=14),
            ),
        ),
        answered_by=("US.NONPROVISIONAL_FILED", "US.FILED", "WO.FILED"),
    ),
    Rule(
        id="US.PRIORITY_YEAR",
        version=1,
        office="US",
        title="File US application claiming priority",
        triggers=("US.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 119(a), 21(b); 37 CFR 1.55(b); Paris Convention Art. 4C",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="US",
        remedies=(
            Remedy(
                "restoration of the right of priority (unintentional delay)",
                "37 CFR 1.55(c)",
                from_base=M(months=14),
            ),
        ),
        conditions=Conditions(exclude_kinds=("design",)),
        answered_by=("US.FILED", "US.NONPROVISIONAL_FILED"),
    ),
    Rule(
        id="US.PRIORITY_DESIGN",
        version=1,
        office="US",
        title="File US design application claiming priority",
        triggers=("US.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 172, 21(b); 37 CFR 1.55(b); Paris Convention Art. 4C(1)",
        terms=(Term(M(months=6)),),
        convention=C,
        calendar="US",
        conditions=Conditions(matter_kinds=("design",)),
        answered_by=("US.FILED", "US.NONPROVISIONAL_FILED"),
        notes="six months for designs (35 U.S.C. 172); restoration of the right of priority under 37 CFR "
        "1.55(c) is not available for design applications",
    ),
    Rule(
        id="US.APPEAL_BRIEF",
        version=1,
        office="US",
        title="File appeal brief",
        triggers=("US.NOTICE_OF_APPEAL_FILED",),
        kind=Kind.STATUTORY,
        citation="37 CFR 41.37(a), (e); 37 CFR 1.136(a)",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=5, per_month=True, citation=EOT_136A),
        remedies=(REVIVAL,),
        answered_by=("US.APPEAL_BRIEF_FILED",),
        replaced_by=("US.RCE_FILED", "US.NOTICE_OF_ALLOWANCE", "US.NON_FINAL_REJECTION", "US.ABANDONED"),
        notes="two months from the filing of the notice of appeal; extendable under 37 CFR 1.136(a) (41.37(e)); "
        "an RCE withdraws the appeal",
    ),
    Rule(
        id="US.REPLY_QUAYLE",
        version=1,
        office="US",
        title="Reply to Ex parte Quayle action",
        triggers=("US.EX_PARTE_QUAYLE",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 133; 37 CFR 1.134; MPEP 714.14; Ex parte Quayle, 1935 C.D. 1",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=4, per_month=True, citation=EOT_136A),
        cap=SIX_MONTHS,
        remedies=(REVIVAL,),
        answered_by=("US.RESPONSE_FILED", "US.RCE_FILED"),
        replaced_by=OFFICE_ACTIONS,
        notes="35 U.S.C. 133: never more than six months from the mailing date",
    ),
    Rule(
        id="US.RCE_BEFORE_ISSUE_FEE",
        optional=True,
        version=1,
        office="US",
        title="Last day for an RCE or IDS after allowance without a petition (before the issue fee is paid)",
        triggers=("US.NOTICE_OF_ALLOWANCE",),
        kind=Kind.PROCEDURAL,
        citation="37 CFR 1.114(b), 1.97(d), 1.313(c)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        answered_by=("US.RCE_FILED",),
        replaced_by=("US.ISSUE_FEE_PAID", "US.NON_FINAL_REJECTION"),
        notes="optional: an RCE or a late IDS is a choice; not filing one loses no right. "
        "an RCE (1.114) or an IDS under 1.97(d) after allowance must be filed before the issue fee is paid; "
        "the issue fee itself is due on this date (35 U.S.C. 151), so this is also the last day; afterwards only "
        "with a petition to withdraw from issue (1.313(c))",
    ),
    Rule(
        id="US.CONTINUATION_BEFORE_ISSUE",
        optional=True,
        version=1,
        office="US",
        title="File any continuing application (continuation / divisional) before the patent issues",
        triggers=("US.ISSUE_NOTIFICATION",),
        kind=Kind.PROCEDURAL,
        citation="35 U.S.C. 120, 121; 37 CFR 1.78(d); MPEP 211.01(b)",
        terms=(Term(M(days=0)),),
        convention=C,
        calendar="US",
        special="us_issue_date",
        answered_by=("US.CONTINUATION_FILED",),
        replaced_by=("US.WITHDRAWN_FROM_ISSUE",),
        notes="optional: only the chance of a continuing application with this one's benefit is forgone (35 U.S.C. "
        "120). "
        "copendency: filed no later than the issue date stated in the issue notification. Before an "
        "abandonment, the last day is the latest date of the open reply deadline (35 U.S.C. 133)",
    ),
    Rule(
        id="US.IDS_WITHOUT_FEE",
        optional=True,
        version=1,
        office="US",
        title="File information disclosure statement without fee or statement",
        triggers=("US.FILED",),
        kind=Kind.PROCEDURAL,
        citation="37 CFR 1.97(b)(1), (2)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        answered_by=("US.IDS_FILED",),
        replaced_by=("US.NON_FINAL_REJECTION", "US.FINAL_REJECTION", "US.NOTICE_OF_ALLOWANCE", "US.EX_PARTE_QUAYLE"),
        notes="optional: an IDS can still be filed later with the statement or the fee (1.97(c), (d)); only the free "
        "window closes. "
        "three months from filing or national stage entry; the window also stays open until the first "
        "action on the merits is mailed (1.97(b)(3)) if that is later -- the three-month date is the safe one. "
        "Later: with the 1.97(e) statement or the fee until a final action/allowance (1.97(c)), then fee and "
        "statement until the issue fee is paid (1.97(d))",
    ),
    Rule(
        id="US.IDS_97E_STATEMENT",
        optional=True,
        version=1,
        office="US",
        title="File IDS with the 1.97(e)(1) statement (three months from the foreign office's citation)",
        triggers=("US.FOREIGN_OFFICE_CITATION",),
        kind=Kind.PROCEDURAL,
        citation="37 CFR 1.97(c), (d), (e)(1); MPEP 609.04(b)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="US",
        answered_by=("US.IDS_FILED",),
        no_roll=True,
        notes="optional: after this window an IDS still goes in with the fee (1.97(c), (d)); only the statement route"
        " closes. "
        "each item first cited in a communication from a foreign patent office in a counterpart application "
        "not more than three months before the IDS is filed; not extendable (MPEP 609.04(b), V); whether 37 CFR "
        "1.7 carries it past a weekend or holiday is not settled in the texts checked, so the unrolled (earlier) "
        "date is shown",
    ),
    Rule(
        id="US.FOREIGN_PRIORITY_CLAIM",
        version=1,
        office="US",
        title="Claim foreign priority (and file the certified copy)",
        triggers=("US.FILED",),
        kind=Kind.STATUTORY,
        citation="35 U.S.C. 119(b)(1); 37 CFR 1.55(d)(1), (f); 1.78(a)(4) for benefit claims",
        terms=(Term(M(months=4)), Term(M(months=16), base=Base.PRIORITY, only_with_priority=True)),
        convention=C,
        calendar="US",
        conditions=Conditions(routes=("direct",), exclude_kinds=("design", "provisional"), requires_priority=True),
        remedies=(
            Remedy(
                "petition to accept a delayed priority claim (unintentional delay)",
                "37 CFR 1.55(e)",
                basis="no fixed period",
            ),
        ),
        answered_by=("US.PRIORITY_CLAIM_FILED",),
        notes="the later of four months from the actual filing date and sixteen months from the priority date; "
        "not for 371 national stage applications (PCT rules apply) nor designs (claim while pending, 1.55(d)(2))",
    ),
    Rule(
        id="US.PTA_RECONSIDERATION",
        optional=True,
        version=1,
        office="US",
        title="Request reconsideration of patent term adjustment",
        triggers=("US.PATENT_GRANTED",),
        kind=Kind.PROCEDURAL,
        citation="35 U.S.C. 154(b)(3)(B)(ii); 37 CFR 1.705(b)",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        conditions=Conditions(exclude_kinds=("design",)),
        extension=Extension(ExtensionModel.PER_MONTH_FEE, months=5, per_month=True, citation=EOT_136A),
        answered_by=("US.PTA_RECONSIDERATION_FILED",),
        notes="optional: not asking keeps the term adjustment the office computed. "
        "two months from the grant date, extendable under 37 CFR 1.136(a); designs have no PTA",
    ),
    Rule(
        id="US.PETITION_TO_REVIVE",
        version=1,
        office="US",
        title="Petition to revive the abandoned application (or to withdraw the holding of abandonment)",
        triggers=("US.ABANDONED",),
        kind=Kind.PROCEDURAL,
        citation="37 CFR 1.137(a); 37 CFR 1.181(f); MPEP 711.03(c)",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="US",
        answered_by=("US.PETITION_TO_REVIVE_FILED", "US.PETITION_TO_REVIVE_GRANTED", "US.REVIVED"),
        notes="a practice date, not a statutory one: 37 CFR 1.137(a) sets no period, but the entire delay must be "
        "unintentional, and a petition to withdraw the holding of abandonment (the notice was never received, "
        "or a reply was filed in time) must be filed within two months of the notice of abandonment (37 CFR "
        "1.181(f)); two months from the mailing of the notice is the date to act by",
    ),
)

__all__ = ["RULES", "Base"]
