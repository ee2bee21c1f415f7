"""EPC Rule 134(1) / PCT Rule 80.5: a provisional closure year is recomputed when its list is added."""

import datetime as dt

import pytest

from deadlines import services
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import OfficeEvent
from tests.factories import EventTypeFactory, MatterFactory

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TODAY = D("2027-12-20")


def _live(matter, rule):
    return Deadline.objects.exclude(status=Deadline.Status.SUPERSEDED).get(matter=matter, rule_id=rule)


def test_first_published_closure_of_a_year_recomputes_its_provisional_dates():
    matter = MatterFactory(office="EP")
    et = EventTypeFactory(code="EP.RULE_71_3_COMMUNICATION", label="R71(3)", office="EP")
    with attributed(reason="test event", process="tests"):
        OfficeEvent.objects.create(
            matter=matter, event_type=et, office_code="IGRA", date=D("2027-12-14"), natural_key="igra"
        )
    services.recompute_deadlines(matter=matter, reason="test", today=TODAY)
    dl = _live(matter, "EP.R71_3_APPROVAL")
    # 14 Apr 2028 is Good Friday, 17 Apr Easter Monday: both recur every year, applied provisionally.
    assert dl.due_date == D("2028-04-18")
    assert "provisional: closure list for 2028 not yet published" in dl.explanation["warnings"][0]

    # The 2028 list is entered, starting with Epiphany: the year is no longer provisional, so only the stored
    # list counts, and the deadline three months away is recomputed now (not left on a guessed date).
    outcome = services.apply_closure_change(
        office="EP", day=D("2028-01-06"), reason="Epiphany", source="OJ EPO 2027 (closing days 2028)", today=TODAY
    )
    assert outcome.summary()["move"] == 1
    dl = _live(matter, "EP.R71_3_APPROVAL")
    assert dl.due_date == D("2028-04-14")
    assert not dl.explanation.get("warnings")
