"""One explanation for the page, the command line and the e-mail: typed steps built once from what the
engine stored, rendered as text and HTML from the same object."""

import io

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from deadlines import explanation
from deadlines.models import Deadline
from tests.factories import MatterFactory

from .test_recompute import D, add_event, recompute

pytestmark = pytest.mark.django_db


def ep_reply() -> Deadline:
    """EP Rule 94(3) reply: 31 Oct 2025 + 4 months = Sat 28 Feb 2026, moved to Mon 2 Mar 2026."""
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    recompute(matter)
    return Deadline.objects.select_related("matter").get(matter=matter)


def test_steps_are_typed_with_dates_citation_and_the_event_they_start_from():
    deadline = ep_reply()
    why = explanation.explain_deadline(deadline)
    kinds = [s.kind for s in why.steps]
    assert "add" in kinds and "roll_forward" in kinds
    add = next(s for s in why.steps if s.kind == "add")
    assert (add.start_date, add.period, add.result_date) == ("2025-10-31", "4 months", "2026-02-28")
    assert add.citation and add.source_event == str(deadline.explanation["inputs"]["trigger"]["ref"])
    roll = next(s for s in why.steps if s.kind == "roll_forward")
    assert roll.emphasis and roll.skipped[0].date == "2026-02-28"
    assert roll.skipped[0].causes[0].kind == "weekend"
    assert [r.name for r in why.remedies] == [r["name"] for r in deadline.remedies]


def test_command_line_and_page_render_the_same_steps():
    deadline = ep_reply()
    why = explanation.explain_deadline(deadline)
    out = io.StringIO()
    call_command("deadlines", "explain", str(deadline.pk), stdout=out)
    assert out.getvalue().strip() == explanation.render_text(why, deadline=deadline)
    assert "+ 4 months from 2025-10-31 (event) = 2026-02-28" in out.getvalue()
    page = " ".join(strip_tags(explanation.render_html(why, deadline=deadline)).split())
    assert "Fri 31 Oct 2025 (event) + 4 months = Sat 28 Feb 2026" in page
    assert "Sat 28 Feb 2026: weekend (Saturday)" in page
    assert "further processing" in page


def test_command_line_names_the_office_fact_that_closed_a_deadline():
    matter = MatterFactory(office="EP", filing_date=D("2024-05-18"))
    add_event(matter, "EP.SEARCH_REPORT_PUBLISHED", "2025-01-01")
    recompute(matter)
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-09-20")
    recompute(matter)
    fee = Deadline.objects.exclude(status=Deadline.Status.SUPERSEDED).get(matter=matter, rule_id="EP.DESIGNATION_FEE")
    out = io.StringIO()
    call_command("deadlines", "explain", str(fee.pk), stdout=out)
    assert "closed by the office record: done, proven by EP.RULE_71_3_COMMUNICATION" in out.getvalue()


def test_a_manual_deadline_says_who_entered_it_on_the_command_line_too():
    why = explanation.explain({"manual": {"entered_by": "paula", "reason": "client letter of 3 March"}})
    assert "entered by hand by paula: client letter of 3 March" in explanation.render_text(why)
    assert not why.empty
