"""A deadline reminder's Office line names the office and the application number once, the number exactly as
stored, as the matter and deadline pages write it: "EP21123456.7" was "EP EP21123456.7" (application numbers
pasted from the Register carry their office's code), and a matter without a number left a dangling "EP "."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import strip_tags

from tests.factories import MatterFactory

from .conftest import at, sent_to, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)


def office_lines(make_deadline, team, mailoutbox, *, office="EP", deadline_office="EP", number: str) -> tuple[str, str]:
    """(the text's Office line, the HTML table's Office row as read) of the reminder for a deadline at
    ``deadline_office`` on a matter at ``office`` with application number ``number``."""
    matter = MatterFactory(
        client=team["client"],
        reference="ACME-EP-7",
        office=office,
        application_number=number,
        responsible_paralegal=team["paralegal"],
        responsible_attorney=team["attorney"],
    )
    make_deadline(due_date=DUE, matter=matter, office=deadline_office)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    [message] = [m for m in sent_to(mailoutbox, "paula@firm.test") if m.subject.startswith("Due ")]
    [text] = [line for line in message.body.splitlines() if line.startswith("Office:")]
    html = message.alternatives[0][0]
    row = html[html.index('<th align="left">Office</th>') :]
    return text, " ".join(strip_tags(row[: row.index("</tr>")].replace("</th>", " ")).split())


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        pytest.param("EP21123456.7", "EP21123456.7", id="carries-its-office-code-shown-once"),
        pytest.param("EP 21 123 456.7", "EP 21 123 456.7", id="code-and-spaces-kept-as-stored"),
        pytest.param("21123456.7", "EP 21123456.7", id="without-the-code-led-by-the-office"),
        pytest.param("", "EP (unfiled)", id="no-number-says-unfiled-as-the-dashboard-does"),
    ],
)
def test_the_office_line_shows_the_office_and_the_number_once(make_deadline, team, mailoutbox, number, shown):
    text, row = office_lines(make_deadline, team, mailoutbox, number=number)
    assert text == f"Office:    {shown}"
    assert row == f"Office {shown}"


def test_a_deadline_at_another_office_than_its_matter_names_both(make_deadline, team, mailoutbox):
    """A PCT application's regional phase at the EPO: the deadline is at EP, the number is the PCT one."""
    text, row = office_lines(
        make_deadline, team, mailoutbox, office="WO", deadline_office="EP", number="PCT/EP2021/050001"
    )
    assert text == "Office:    EP, application WO PCT/EP2021/050001"
    assert row == "Office EP, application WO PCT/EP2021/050001"
