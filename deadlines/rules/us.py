"""United States (USPTO). Calendar: 35 U.S.C. 21(b) -- Saturdays, Sundays and federal holidays within DC."""

from __future__ import annotations

from .model import (
    Base,
    Conditions,
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
)

__all__ = ["RULES", "Base"]
