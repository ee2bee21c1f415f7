"""European Patent Office. Calendar: EPC Rule 134(1) -- any EPO filing office closed (weekends and the
closing days published each year in the Official Journal, stored as OfficeClosure rows)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .model import Base, Extension, ExtensionModel, Kind, Notification, Remedy, Rule, Series, Term
from .periods import Convention, Duration

C = Convention.EPC_R131
M = Duration
NOTIFICATION_CHANGE = date(2023, 11, 1)

FURTHER_PROCESSING = Remedy(
    name="further processing",
    citation="EPC Art. 121; Rule 135(1)",
    basis="two months from notification of the communication noting the loss of rights (Rule 112(1))",
)
RE_ESTABLISHMENT_RENEWAL = Remedy(
    name="re-establishment of rights",
    citation="EPC Art. 122; Rule 136(1)",
    after_expiry=M(years=1),
    basis="within two months of the removal of the cause of non-compliance, at the latest one year after expiry",
)
ACTIONS = ("EP.COMMUNICATION_94_3", "EP.RULE_71_3_COMMUNICATION", "EP.SUMMONS_ORAL_PROCEEDINGS")


def _by_document_date(rule: Rule) -> tuple[Rule, Rule]:
    """A notified communication in two versions, chosen by the document's date (never by today)."""
    old = replace(rule, version=1, effective_until=date(2023, 10, 31), notification=Notification.EPO_TEN_DAY)
    new = replace(rule, version=2, effective_from=NOTIFICATION_CHANGE, notification=Notification.EPO_DATE_BORNE)
    return old, new


_search_report = dict(
    triggers=("EP.SEARCH_REPORT_PUBLISHED",),
    kind=Kind.STATUTORY,
    terms=(Term(M(months=6)),),
    convention=C,
    calendar="EP",
    remedies=(FURTHER_PROCESSING,),
)

RULES: tuple[Rule, ...] = (
    *_by_document_date(
        Rule(
            id="EP.REPLY_94_3",
            version=0,
            office="EP",
            title="Reply to communication under Art. 94(3) EPC",
            triggers=("EP.COMMUNICATION_94_3",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 94(3); Rules 71(1), 132(2)",
            terms=(Term(M(months=4), param="period_months"),),
            convention=C,
            calendar="EP",
            # Guidelines E-VIII, 1.6: an extension granted on request runs from the start of the
            # original period, and one beyond six months in total is granted only in exceptional cases --
            # so a six-month period offers no routine later date.
            extension=Extension(
                ExtensionModel.ON_REQUEST,
                months=2,
                max_total=M(months=6),
                citation="EPC Rule 132(2); Guidelines E-VIII, 1.6",
            ),
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.REPLY_FILED",),
            replaced_by=ACTIONS + ("EP.PATENT_GRANTED",),
        )
    ),
    *_by_document_date(
        Rule(
            id="EP.R71_3_APPROVAL",
            version=0,
            office="EP",
            title="Approve text for grant, pay grant and publishing fee, file claim translations",
            triggers=("EP.RULE_71_3_COMMUNICATION",),
            kind=Kind.STATUTORY,
            citation="EPC Rule 71(3)",
            terms=(Term(M(months=4)),),
            convention=C,
            calendar="EP",
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.R71_3_APPROVED", "EP.REPLY_FILED"),
            replaced_by=ACTIONS + ("EP.PATENT_GRANTED",),
            notes="not extendable",
        )
    ),
    *_by_document_date(
        Rule(
            id="EP.R161_162",
            version=0,
            office="EP",
            title="Reply to Rule 161/162 communication (amend, pay claims fees)",
            triggers=("EP.RULE_161_162_COMMUNICATION",),
            kind=Kind.STATUTORY,
            citation="EPC Rules 161(1), 162(2)",
            terms=(Term(M(months=6)),),
            convention=C,
            calendar="EP",
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.REPLY_FILED",),
            replaced_by=ACTIONS,
            notes="not extendable",
        )
    ),
    Rule(
        id="EP.EXAMINATION_REQUEST",
        version=1,
        office="EP",
        title="Request examination (pay examination fee)",
        citation="EPC Art. 94(1); Rule 70(1)",
        answered_by=("EP.EXAMINATION_REQUESTED",),
        notes="six months from the date the European Patent Bulletin mentions the publication of the search report",
        **_search_report,
    ),
    Rule(
        id="EP.DESIGNATION_FEE",
        version=1,
        office="EP",
        title="Pay designation fee",
        citation="EPC Art. 79(2); Rule 39(1)",
        answered_by=("EP.DESIGNATION_FEE_PAID",),
        **_search_report,
    ),
    Rule(
        id="EP.REPLY_SEARCH_OPINION",
        version=1,
        office="EP",
        title="Reply to the extended European search report",
        citation="EPC Rule 70a(1)",
        answered_by=("EP.REPLY_FILED",),
        **_search_report,
    ),
    *_by_document_date(
        Rule(
            id="EP.FURTHER_PROCESSING",
            version=0,
            office="EP",
            title="Request further processing",
            triggers=("EP.LOSS_OF_RIGHTS_NOTED",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 121; Rules 112(1), 135(1)",
            terms=(Term(M(months=2)),),
            convention=C,
            calendar="EP",
            answered_by=("EP.FURTHER_PROCESSING_REQUESTED",),
            replaced_by=("EP.LOSS_OF_RIGHTS_REVOKED",),
            notes="not extendable; re-establishment is excluded for this period (Art. 122(4), Rule 136(3))",
        )
    ),
    Rule(
        id="EP.RENEWAL_FEE",
        version=1,
        office="EP",
        title="Renewal fee",
        triggers=("EP.FILED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 86(1); Rule 51(1), (2)",
        terms=(Term(M(years=2), base=Base.EVENT),),
        convention=C,
        calendar="EP",
        series=Series(
            instances=tuple((str(n), M(years=n - 1)) for n in range(3, 21)),
            stop_at_grant=True,
            due_at_month_end=True,
        ),
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="unrolled_due",
            surcharge=True,
            convention=Convention.MONTH_END,
            citation="EPC Rule 51(2); J 4/91",
        ),
        remedies=(RE_ESTABLISHMENT_RENEWAL,),
        answered_by=("EP.RENEWAL_FEE_PAID",),
        notes="year n is due on the last day of the month containing the (n-1)th anniversary of filing; "
        "the EPO stops collecting after the year in which grant is mentioned (Art. 86(2))",
    ),
    Rule(
        id="EP.PRIORITY_YEAR",
        version=1,
        office="EP",
        title="File European application claiming priority",
        triggers=("EP.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 87(1); Rules 131, 134(1); Paris Convention Art. 4C",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="EP",
        remedies=(
            Remedy(
                "re-establishment of the priority period",
                "EPC Art. 122; Rule 136(1)",
                after_expiry=M(months=2),
            ),
        ),
        answered_by=("EP.FILED", "WO.FILED"),
    ),
)
