"""One attribution form: however a history row is written (a single save, simple-history's bulk helpers,
the recompute's COPY path), it names the same user, actor and reason; a service run inside a user's action
keeps that user's attribution."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_history.utils import bulk_update_with_history

from deadlines import services
from deadlines.models import Deadline
from docketapp.audit import UnattributedChange, attributed, ensure_attributed, history_kwargs
from patents.models import Client, OfficeEvent
from tests.factories import ClientFactory, EventTypeFactory, MatterFactory, UserFactory

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def _columns(record) -> tuple:
    return record.history_user_id, record.history_actor, record.history_change_reason


def test_ensure_attributed_keeps_the_callers_attribution():
    user = UserFactory()
    with attributed(reason="marked done: receipt 123", user=user):
        with ensure_attributed(reason="recompute", process="deadlines.recompute") as inner:
            assert inner.reason == "marked done: receipt 123"
            assert inner.actor == f"user:{user.get_username()}"


def test_ensure_attributed_names_the_user_else_the_process():
    user = UserFactory()
    with ensure_attributed(reason="closure added", user=user, process="deadlines.recompute") as by_user:
        assert by_user.actor == f"user:{user.get_username()}"
    with ensure_attributed(reason="nightly recompute", process="deadlines.recompute") as by_process:
        assert by_process.actor == "process:deadlines.recompute"


def test_bulk_history_rows_carry_the_same_columns_as_a_single_save():
    user = UserFactory()
    saved, bulk = ClientFactory(), ClientFactory()
    with attributed(reason="renamed after the merger", user=user):
        saved.name = "Acme Holding"
        saved.save()
        bulk.name = "Nordlicht Holding"
        bulk_update_with_history([bulk], Client, ["name"], **history_kwargs())
    single = saved.history.order_by("-history_id").first()
    from_bulk = bulk.history.order_by("-history_id").first()
    assert _columns(from_bulk) == _columns(single) == (
        user.pk,
        f"user:{user.get_username()}",
        "renamed after the merger",
    )


def test_bulk_history_outside_an_attribution_is_refused():
    with pytest.raises(UnattributedChange):
        history_kwargs()


def test_recomputed_deadlines_keep_the_users_attribution_and_their_own_reason():
    # Three EP filings give 54 renewal deadlines in one chunk: on PostgreSQL they take the COPY path, on
    # SQLite simple-history's bulk path; both must write the same columns.
    user = UserFactory()
    matters = [MatterFactory(office="EP", filing_date=D("2024-03-15")) for _ in range(3)]
    et = EventTypeFactory(code="EP.FILED", label="filed", office="EP")
    with attributed(reason="filing recorded by hand", user=user):
        for m in matters:
            OfficeEvent.objects.create(matter=m, event_type=et, office_code="EP.FILED", date=D("2024-03-15"),
                                       natural_key="EP.FILED|2024-03-15", params={"source": "test"})
        outcome = services.recompute_matters(matter_ids=[m.pk for m in matters], reason="bulk", today=D("2026-01-10"))
    assert outcome.summary()["create"] == 54
    records = list(Deadline.history.filter(matter_id__in=[m.pk for m in matters], history_type="+"))
    assert len(records) == 54
    assert {(r.history_user_id, r.history_actor) for r in records} == {(user.pk, f"user:{user.get_username()}")}
    # Each row's own reason (created, due ...), not the surrounding attribution's.
    assert all(r.history_change_reason.startswith("bulk: ") for r in records)
