"""No cell of any CSV we write can run as a spreadsheet formula (CSV injection), whatever column it is in."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from deadlines.models import Deadline
from docketapp.audit import attributed
from docketapp.csvsafe import safe_cell, safe_row
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import TODAY

STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_a_text_cell_starting_with_a_formula_character_is_made_text(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell(f"a{start}b") == f"a{start}b"  # only the first character makes a formula


def test_numbers_and_dates_we_compute_stay_numbers():
    assert safe_row([-3, 2.5, dt.date(2026, 1, 2), None, "x"]) == [-3, 2.5, dt.date(2026, 1, 2), "", "x"]


class _Name(str):
    pass


def test_a_row_is_escaped_cell_by_cell_exactly_as_safe_cell_escapes_one():
    """safe_row tells plain strings, numbers and dates apart by their exact type (fast); everything else, a str
    subclass or a moment included, goes through safe_cell: the two agree on every kind of value."""
    from decimal import Decimal

    from django.utils.functional import lazy

    values = [
        "", "x", "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "a=b", _Name("=evil"), _Name("ok"), True, False,
        None, 0, -3, 2.5, Decimal("-1.5"), dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        lazy(lambda: "=lazy", str)(), ["=list"],
    ]
    assert safe_row(values) == [safe_cell(v) for v in values]
    assert safe_row(values)[:10] == ["", "x", "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "'\r=1", "a=b", "'=evil"]


@pytest.mark.django_db
@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_docket_export_neutralises_every_text_column(client, today, start):
    payload = f"{start}HYPERLINK(\"http://evil\")"
    user = UserFactory(username=f"{start}user")
    verifier = UserFactory(username=f"{start}checker")
    acme = ClientFactory(reference=f"{start}ACME")
    TeamMembershipFactory(user=user, client=acme)
    matter = MatterFactory(client=acme, reference=f"{start}REF-1", application_number=f"{start}12345")
    with attributed(reason="test", process="tests"):
        DeadlineFactory(matter=matter, title=payload, citation=payload, responsible=user,
                        kind=Deadline.Kind.PROCEDURAL, due_date=TODAY + dt.timedelta(days=3),
                        verified_by=verifier)
    client.force_login(user)
    body = b"".join(client.get(reverse("deadlines:docket-export"), {"scope": "all"}).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    outside = {k: v for k, v in row.items() if k in (
        "matter", "client", "application_number", "deadline", "responsible", "verified_by", "citation")}
    assert outside == {
        "matter": f"'{start}REF-1", "client": f"'{start}ACME", "application_number": f"'{start}12345",
        "deadline": f"'{payload}", "responsible": f"'{start}user", "verified_by": f"'{start}checker",
        "citation": f"'{payload}",
    }
    # No cell of the row at all (the computed ones included) is something a spreadsheet would run.
    for column, value in row.items():
        assert not value.startswith(("=", "+", "@", "\t", "\r")), column
