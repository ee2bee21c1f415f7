"""Application numbers, dates and relations are validated with messages a paralegal can act on."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from patents.models import Matter
from patents.numbers import InvalidNumber, normalize_application_number
from tests.factories import ClientFactory, MatterFactory


@pytest.mark.parametrize(
    ("office", "raw", "expected"),
    [
        ("EP", "EP13860559", "EP13860559"),
        ("EP", "13860559.4", "EP13860559"),
        ("EP", " ep 99203729 ", "EP99203729"),
        ("US", "16/123,456", "16123456"),
        ("US", "16123456", "16123456"),
        ("US", "63/210,417", "63210417"),  # provisional series
        ("US", "PCT/US2020/012345", "PCT/US2020/012345"),
        ("US", "PCT/US20/12345", "PCT/US2020/012345"),
        ("JP", "2020-123456", "2020123456"),
        ("JP", "特願2020-123456", "2020123456"),
        ("JP", "2020123456", "2020123456"),
        ("WO", "PCT/EP2024/061234", "PCT/EP2024/061234"),
        ("WO", "pct/ib01/12345", "PCT/IB2001/012345"),
    ],
)
def test_application_numbers_are_normalized_per_office(office, raw, expected):
    assert normalize_application_number(office, raw) == expected


@pytest.mark.parametrize(
    ("office", "raw", "message"),
    [
        ("EP", "1386055", "EP numbers have 8 digits"),
        ("US", "16/123,45", "US numbers have 8 digits"),
        ("US", "PCT/XX2020/12", "not a PCT application number"),
        ("JP", "20-123456", "year and the 6-digit serial"),
        ("WO", "EP2020012345678", "PCT/CCYYYY/NNNNNN"),  # EP2020/012345 is the "original" form: accepted
        ("WO", "PCT/QQ2020/012345", "not a WIPO ST.3"),
        ("ZZ", "12345", "not a WIPO ST.3 office code"),
    ],
)
def test_bad_application_numbers_say_what_is_wrong(office, raw, message):
    with pytest.raises(InvalidNumber, match=message):
        normalize_application_number(office, raw)


@pytest.mark.django_db
def test_matter_rejects_a_filing_date_in_the_future():
    matter = Matter(client=ClientFactory(), reference="X1", office="EP", application_number="EP21000001",
                    filing_date=dt.date.today() + dt.timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        matter.full_clean()
    assert "in the future" in str(exc.value.message_dict["filing_date"])


@pytest.mark.django_db
def test_matter_clean_stores_the_normalized_number_and_reports_bad_ones():
    client = ClientFactory()
    good = Matter(client=client, reference="X2", office="US", application_number="17/248,024")
    good.full_clean()
    assert good.application_number_normalized == "17248024"
    bad = Matter(client=client, reference="X3", office="US", application_number="17-24")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "US numbers have 8 digits" in exc.value.message_dict["application_number"][0]


@pytest.mark.django_db
def test_pct_national_phase_must_point_at_a_wo_matter():
    ep_parent = MatterFactory(office="EP")
    child = Matter(client=ep_parent.client, reference="NP1", office="US", application_number="17/000,001",
                   parent=ep_parent, parent_relation=Matter.Relation.NATIONAL_PHASE)
    with pytest.raises(ValidationError) as exc:
        child.full_clean()
    assert "must point at a WO (PCT) matter" in exc.value.message_dict["parent"][0]
    wo = MatterFactory(office="WO", kind=Matter.Kind.PCT, application_number="PCT/EP2024/000001")
    child.parent = wo
    child.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("office", "kind", "field", "message"),
    [
        ("EP", Matter.Kind.PCT, "kind", "filed with the office WO"),
        ("WO", Matter.Kind.PATENT, "kind", "kind PCT"),
        ("EP", Matter.Kind.PROVISIONAL, "kind", "only at the USPTO"),
        ("US", Matter.Kind.REGIONAL, "kind", "not a regional office"),
    ],
)
def test_kind_must_fit_the_office(office, kind, field, message):
    matter = Matter(client=ClientFactory(), reference="K1", office=office, kind=kind)
    with pytest.raises(ValidationError) as exc:
        matter.full_clean()
    assert message in " ".join(exc.value.message_dict[field])


@pytest.mark.django_db
def test_a_continuation_is_filed_at_the_parents_office():
    parent = MatterFactory(office="US", application_number="16/111,111")
    child = Matter(client=parent.client, reference="C1", office="EP", parent=parent,
                   parent_relation=Matter.Relation.CONTINUATION)
    with pytest.raises(ValidationError) as exc:
        child.full_clean()
    assert "parent's office (US)" in exc.value.message_dict["parent"][0]


@pytest.mark.django_db
def test_the_same_application_cannot_be_docketed_twice():
    first = MatterFactory(office="US", application_number="16/123,456")
    assert first.application_number_normalized == "16123456"
    dup = Matter(client=first.client, reference="DUP", office="US", application_number="16123456")
    with pytest.raises(ValidationError):
        dup.full_clean()
