"""Recompute closes what the office record shows done or moot, names the fact, and reopens on revival."""

import datetime as dt

import pytest

from deadlines import explanation, services
from deadlines.actions import mark_done
from deadlines.models import Deadline, Reminder
from docketapp.audit import attributed
from patents.models import Matter, OfficeEvent
from tests.factories import EventTypeFactory, MatterFactory, PriorityClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TODAY = D("2026-12-03")


def add_event(matter, code, day, params=None):
    et = EventTypeFactory(code=code, label=code, office=code[:2])
    with attributed(reason="test event", process="tests"):
        return OfficeEvent.objects.create(matter=matter, event_type=et, office_code=code, date=D(day),
                                          natural_key=f"{code}|{day}", params=params or {})


def recompute(matter, **kw):
    return services.recompute_deadlines(matter=matter, reason=kw.pop("reason", "test recompute"),
                                        today=kw.pop("today", TODAY), **kw)


def rows(matter, rule):
    return Deadline.objects.filter(matter=matter, rule_id=rule).exclude(status=Deadline.Status.SUPERSEDED)


def test_deemed_withdrawn_ep_application_keeps_no_open_renewal_fee_and_names_the_event():
    matter = MatterFactory(office="EP", filing_date=D("2022-03-15"))
    add_event(matter, "EP.FILED", "2022-03-15")
    recompute(matter)
    assert rows(matter, "EP.RENEWAL_FEE").filter(status="open").count() == 18
    scheduled = Reminder.objects.filter(deadline__matter=matter, status=Reminder.Status.SCHEDULED)
    assert scheduled.exists()
    withdrawn = add_event(matter, "EP.DEEMED_WITHDRAWN", "2025-04-10")
    outcome = recompute(matter, reason="office event recorded")
    assert rows(matter, "EP.RENEWAL_FEE").filter(status="open").count() == 0
    moot = rows(matter, "EP.RENEWAL_FEE").filter(status=Deadline.Status.MOOT)
    assert moot.count() == 18
    one = moot.get(key__endswith=":5")
    assert (one.closed_by_event_id, one.closed_on) == (withdrawn.pk, D("2025-04-10"))
    assert "deemed withdrawn" in one.closed_reason and "EP.DEEMED_WITHDRAWN of 2025-04-10" in one.closed_reason
    record = one.history.first()
    assert record.history_actor == "process:deadlines.recompute"
    assert record.history_change_reason.startswith("office event recorded: moot")
    assert outcome.summary()["moot"] == 18
    assert not scheduled.exists()  # no reminder, no escalation for a moot deadline
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.lifecycle_event_id) == ("deemed_withdrawn", withdrawn.pk)
    assert matter.history.first().history_change_reason.startswith("office event recorded: state")
    # Idempotent: nothing more to write.
    history = Deadline.history.count()
    assert recompute(matter, reason="again").changes == []
    assert Deadline.history.count() == history


def test_reestablishment_brings_the_moot_deadlines_back_but_never_a_user_decision():
    user = UserFactory()
    matter = MatterFactory(office="EP", filing_date=D("2022-03-15"))
    add_event(matter, "EP.FILED", "2022-03-15")
    recompute(matter)
    year6 = rows(matter, "EP.RENEWAL_FEE").get(key__endswith=":6")
    year7 = rows(matter, "EP.RENEWAL_FEE").get(key__endswith=":7")
    with attributed(reason="paid by hand", user=user):
        mark_done(deadline=year7, user=user, done_on=D("2025-01-05"), evidence="receipt 123")
    add_event(matter, "EP.DEEMED_WITHDRAWN", "2025-04-10")
    recompute(matter)
    add_event(matter, "EP.RE_ESTABLISHMENT_GRANTED", "2025-09-01")
    outcome = recompute(matter, reason="re-established")
    year6.refresh_from_db()
    year7.refresh_from_db()
    assert (year6.status, year6.closed_reason, year6.closed_by_event_id) == ("open", "", None)
    assert "reopened" in year6.history.first().history_change_reason
    assert year7.status == Deadline.Status.DONE
    assert outcome.summary()["reopen"] == 17
    matter.refresh_from_db()
    assert matter.lifecycle_state == "pending" and "revived" in matter.lifecycle_reason


def test_expired_right_keeps_no_renewal_open_and_escalates_nothing():
    matter = MatterFactory(office="EP", filing_date=D("1999-05-04"), grant_date=D("2004-01-07"))
    add_event(matter, "EP.FILED", "1999-05-04")
    add_event(matter, "EP.PATENT_GRANTED", "2004-01-07")
    recompute(matter)
    open_rows = Deadline.objects.filter(matter=matter, status="open")
    assert not open_rows.exists()
    renewals = rows(matter, "EP.RENEWAL_FEE")
    assert renewals.exists() and set(renewals.values_list("status", flat=True)) == {"moot"}
    assert "term ended 2019-05-04" in renewals.first().closed_reason
    assert not Reminder.objects.filter(deadline__matter=matter, status=Reminder.Status.SCHEDULED).exists()
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.term_end) == ("expired", D("2019-05-04"))


def test_refusal_keeps_the_appeal_open_and_moots_the_rest():
    matter = MatterFactory(office="JP", application_number="2023-100001", filing_date=D("2023-01-10"),
                           applicant_residence=Matter.Residence.FOREIGN)
    add_event(matter, "JP.FILED", "2023-01-10")
    add_event(matter, "JP.DECISION_OF_REFUSAL", "2026-11-01")
    recompute(matter)
    appeal = rows(matter, "JP.APPEAL_FOREIGN").get()
    assert appeal.status == "open"
    assert rows(matter, "JP.EXAMINATION_REQUEST").get().status in ("completed", "moot")


def test_provisional_claimed_by_a_pct_is_done_with_the_claiming_matter_named():
    provisional = MatterFactory(office="US", kind=Matter.Kind.PROVISIONAL, application_number="63/210,417",
                                filing_date=D("2025-01-02"))
    add_event(provisional, "US.PROVISIONAL_FILED", "2025-01-02")
    recompute(provisional)
    assert rows(provisional, "US.NONPROVISIONAL_FROM_PROVISIONAL").get().status == "open"
    pct = MatterFactory(office="WO", kind=Matter.Kind.PCT, reference="ACME-9-WO",
                        application_number="PCT/EP2025/061234", filing_date=D("2025-12-28"))
    PriorityClaimFactory(matter=pct, country="US", number="63/210417", date=D("2025-01-02"))
    outcome = services.recompute_matters(matter_ids=[provisional.pk], reason="nightly", today=TODAY)
    assert outcome.summary()["complete"] == 1
    dl = rows(provisional, "US.NONPROVISIONAL_FROM_PROVISIONAL").get()
    assert dl.status == Deadline.Status.COMPLETED and not dl.is_overdue(TODAY)
    assert "ACME-9-WO" in dl.closed_reason and "35 U.S.C. 119(e)" in dl.closed_reason
    assert dl.closed_on == D("2025-12-28")
    assert not Deadline.objects.overdue(TODAY).filter(matter=provisional).exists()


def test_regional_phase_matter_closes_the_pct_entry_but_not_the_other_phases():
    pct = MatterFactory(office="WO", kind=Matter.Kind.PCT, application_number="PCT/EP2025/061235",
                        filing_date=D("2025-12-28"), designated_offices=["EP", "US", "JP"])
    add_event(pct, "WO.FILED", "2025-12-28")
    with attributed(reason="test", process="tests"):
        MatterFactory(office="EP", kind=Matter.Kind.REGIONAL, parent=pct,
                      parent_relation=Matter.Relation.REGIONAL_PHASE, filing_date=D("2025-12-28"))
    recompute(pct)
    assert rows(pct, "WO.REGIONAL_PHASE_EP").get().status == Deadline.Status.COMPLETED
    assert rows(pct, "WO.NATIONAL_PHASE_US").get().status == "open"
    assert rows(pct, "WO.NATIONAL_PHASE_JP").get().status == "open"


def test_rule_71_3_communication_proves_the_designation_fee_paid():
    matter = MatterFactory(office="EP", filing_date=D("2024-05-18"))
    add_event(matter, "EP.SEARCH_REPORT_PUBLISHED", "2025-01-01")
    recompute(matter)
    assert rows(matter, "EP.DESIGNATION_FEE").get().is_overdue(TODAY)
    r71 = add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-09-20")
    recompute(matter)
    fee = rows(matter, "EP.DESIGNATION_FEE").get()
    assert (fee.status, fee.closed_by_event_id, fee.closed_on) == ("completed", r71.pk, D("2026-09-20"))
    assert "EPC Art. 79(2)" in fee.closed_reason
    assert "closed by the office record: done, proven by EP.RULE_71_3_COMMUNICATION" in explanation.render_text(
        explanation.explain_deadline(fee), deadline=fee
    )
    assert rows(matter, "EP.EXAMINATION_REQUEST").get().status == "completed"
    # The proof is removed (a mis-mapped event deleted): the deadline is open again.
    with attributed(reason="test", process="tests"):
        r71.delete()
    recompute(matter)
    assert rows(matter, "EP.DESIGNATION_FEE").get().status == "open"


def test_ep_renewals_after_the_grant_mention_go_to_the_national_offices_with_that_reason():
    matter = MatterFactory(office="EP", filing_date=D("2022-03-02"))
    add_event(matter, "EP.FILED", "2022-03-02")
    recompute(matter)
    year6 = rows(matter, "EP.RENEWAL_FEE").get(key__endswith=":6")
    with attributed(reason="grant recorded", process="tests"):
        matter.grant_date = D("2026-04-27")
        matter.save(update_fields=["grant_date"])
    add_event(matter, "EP.PATENT_GRANTED", "2026-04-27")
    recompute(matter)
    year5 = rows(matter, "EP.RENEWAL_FEE").get(key__endswith=":5")  # year of the mention: still the EPO's
    assert year5.status != Deadline.Status.SUPERSEDED
    year6.refresh_from_db()
    assert year6.status == Deadline.Status.SUPERSEDED
    assert "EPC Art. 86(2)" in year6.history.first().history_change_reason


def test_the_nightly_recompute_expires_a_right_when_its_term_ends_without_any_new_event():
    import time_machine

    from deadlines.tasks import recompute_all
    from docketapp.celery import app

    matter = MatterFactory(office="JP", application_number="2006-100001", filing_date=D("2006-12-04"))
    add_event(matter, "JP.REGISTERED", "2010-01-12")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the chunk tasks it queues run here (a worker would run them)
    try:
        with time_machine.travel(dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC), tick=False):
            recompute_all()
            assert rows(matter, "JP.ANNUITY").filter(key__endswith=":17", status="open").exists()
        with time_machine.travel(dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC), tick=False):
            assert recompute_all()["chunks_queued"] == 1
    finally:
        app.conf.task_always_eager = eager
    assert rows(matter, "JP.ANNUITY").filter(status="moot").exists()
    assert not rows(matter, "JP.ANNUITY").filter(status="open").exists()
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.term_end) == ("expired", D("2026-12-04"))


def test_further_processing_survives_a_deemed_withdrawal_but_not_the_end_of_the_term():
    matter = MatterFactory(office="EP", filing_date=D("2022-03-15"))
    add_event(matter, "EP.FILED", "2022-03-15")
    add_event(matter, "EP.LOSS_OF_RIGHTS_NOTED", "2026-10-20")
    add_event(matter, "EP.DEEMED_WITHDRAWN", "2026-10-20")
    recompute(matter)
    assert rows(matter, "EP.FURTHER_PROCESSING").get().status == "open"  # EPC Art. 121: the remedy stays
    recompute(matter, today=D("2042-03-16"))
    assert rows(matter, "EP.FURTHER_PROCESSING").get().status == "moot"  # EPC Art. 63(1): the term is over


def test_the_nightly_recompute_is_a_beat_entry_for_a_registered_task(settings):
    from deadlines.tasks import recompute_all

    entry = settings.CELERY_BEAT_SCHEDULE["deadlines.recompute_all"]
    assert entry["task"] == recompute_all.name and entry["options"]["expires"]
