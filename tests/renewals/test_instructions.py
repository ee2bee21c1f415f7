"""Pay / let lapse / undecided per renewal fee: who decided and when, "let lapse" closes the deadline with
that reason (the matter's lifecycle is left to the office's lapse fact), undecided ones escalate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from deadlines.instructions import record_instruction
from deadlines.models import Deadline, Reminder, RenewalInstruction
from deadlines.reminders import sync_reminders_for_deadlines
from tests.factories import DeadlineFactory

pytestmark = pytest.mark.django_db


def _instruct(client, deadline, decision, note=""):
    return client.post(reverse("deadlines:renewal-instruct", args=[deadline.pk]),
                       {"decision": decision, "note": note, "next": reverse("deadlines:renewals")})


def test_pay_records_who_and_when_and_keeps_the_fee_open_until_the_office_reports_payment(client, portfolio):
    client.force_login(portfolio.pat)
    response = _instruct(client, portfolio.y4, "pay", "client e-mail 2 March")
    assert response.status_code == 302
    instruction = RenewalInstruction.objects.get(deadline=portfolio.y4)
    assert (instruction.decision, instruction.decided_by, instruction.note) == ("pay", portfolio.pat,
                                                                                "client e-mail 2 March")
    assert instruction.decided_at is not None
    portfolio.y4.refresh_from_db()
    assert portfolio.y4.status == Deadline.Status.OPEN
    [row] = instruction.history.all()
    assert row.history_user == portfolio.pat and row.history_actor == "user:pat"
    assert row.history_change_reason == "renewal instruction: pay (client e-mail 2 March)"


def test_let_lapse_closes_the_deadline_naming_the_instruction_and_the_person(client, portfolio):
    lifecycle_before = (portfolio.ep.lifecycle_state, portfolio.ep.status)
    client.force_login(portfolio.pat)
    _instruct(client, portfolio.y4, "let_lapse", "client abandons the EP")
    deadline = Deadline.objects.get(pk=portfolio.y4.pk)
    assert deadline.status == Deadline.Status.LET_LAPSE
    assert deadline.get_status_display() == "Closed: instructed to let lapse"
    assert "Instructed to let lapse by pat on" in deadline.closed_reason
    assert "client abandons the EP" in deadline.closed_reason
    assert not deadline.needs_action and deadline.last_changed_by == portfolio.pat and deadline.needs_verification
    last = deadline.history.first()
    assert last.history_user == portfolio.pat
    assert last.history_change_reason == "renewal instruction: let lapse (client abandons the EP)"
    portfolio.ep.refresh_from_db()
    assert (portfolio.ep.lifecycle_state, portfolio.ep.status) == lifecycle_before


def test_changing_ones_mind_reopens_and_both_decisions_stay_in_the_history(portfolio):
    record_instruction(deadline=portfolio.y4, decision="let_lapse", user=portfolio.pat, note="first call")
    record_instruction(deadline=portfolio.y4, decision="pay", user=portfolio.sam, note="client changed its mind")
    deadline = Deadline.objects.get(pk=portfolio.y4.pk)
    assert deadline.status == Deadline.Status.OPEN and deadline.closed_reason == ""
    history = deadline.instruction.history.order_by("history_id")
    decisions = list(history.values_list("decision", "history_user__username"))
    assert decisions == [("let_lapse", "pat"), ("pay", "sam")]


def test_a_fee_already_paid_or_a_plain_deadline_takes_no_instruction_and_nothing_is_written(client, portfolio):
    paid = DeadlineFactory(matter=portfolio.ep, rule_id="EP.RENEWAL_FEE", key="EP.RENEWAL_FEE:x:9",
                           status=Deadline.Status.COMPLETED, due_date=dt.date(2026, 1, 31))
    plain = DeadlineFactory(matter=portfolio.ep)
    client.force_login(portfolio.pat)
    for deadline in (paid, plain):
        response = _instruct(client, deadline, "let_lapse")
        assert response.status_code == 302
        assert not RenewalInstruction.objects.filter(deadline=deadline).exists()
        deadline.refresh_from_db()
        assert deadline.status != Deadline.Status.LET_LAPSE
    response = client.post(reverse("deadlines:renewal-instruct", args=[paid.pk]), {"decision": "pay"}, follow=True)
    assert "nothing left to instruct" in response.content.decode()


def test_a_bad_decision_is_refused_without_writing(client, portfolio):
    client.force_login(portfolio.pat)
    response = _instruct(client, portfolio.y4, "sell")
    assert response.status_code == 302
    assert not RenewalInstruction.objects.exists()


def test_another_clients_staff_cannot_instruct_it_is_a_404(client, portfolio):
    client.force_login(portfolio.other)
    assert _instruct(client, portfolio.y4, "let_lapse").status_code == 404
    assert Deadline.objects.get(pk=portfolio.y4.pk).status == Deadline.Status.OPEN


def test_let_lapse_survives_a_recompute_like_a_waiver(portfolio):
    from deadlines.services.diff import FINAL_STATUSES

    record_instruction(deadline=portfolio.y4, decision="let_lapse", user=portfolio.pat)
    assert Deadline.Status.LET_LAPSE in FINAL_STATUSES


def _instruction_reminders(deadline):
    return list(Reminder.objects.filter(deadline=deadline, kind=Reminder.Kind.INSTRUCTION)
                .values_list("status", "target_date", "offset_days"))


def test_undecided_renewal_gets_an_instruction_needed_reminder_before_the_due_date(portfolio, settings):
    settings.RENEWAL_INSTRUCTION_DAYS = 45
    sync_reminders_for_deadlines(deadline_ids=[portfolio.y5.pk, portfolio.jp4.pk])
    assert _instruction_reminders(portfolio.y5) == [("scheduled", dt.date(2027, 3, 31), 45)]
    reminder = Reminder.objects.get(deadline=portfolio.y5, kind=Reminder.Kind.INSTRUCTION)
    assert reminder.due_at.date() == dt.date(2027, 3, 31) - dt.timedelta(days=45)
    # A plain deadline never gets one.
    plain = DeadlineFactory(matter=portfolio.ep, due_date=dt.date(2026, 9, 1))
    sync_reminders_for_deadlines(deadline_ids=[plain.pk])
    assert _instruction_reminders(plain) == []


def test_deciding_cancels_the_instruction_reminder(portfolio):
    sync_reminders_for_deadlines(deadline_ids=[portfolio.y5.pk])
    record_instruction(deadline=portfolio.y5, decision="pay", user=portfolio.pat)
    assert [s for s, _t, _o in _instruction_reminders(portfolio.y5)] == ["cancelled"]
    # The ordinary due-date reminders stay: paying is still to be done.
    assert Reminder.objects.filter(deadline=portfolio.y5, kind=Reminder.Kind.BEFORE_DUE, status="scheduled").exists()


def test_instruction_reminder_is_off_with_zero_days(portfolio, settings):
    settings.RENEWAL_INSTRUCTION_DAYS = 0
    sync_reminders_for_deadlines(deadline_ids=[portfolio.y5.pk])
    assert _instruction_reminders(portfolio.y5) == []


def test_instruction_reminder_subject_asks_for_the_instruction(portfolio):
    from deadlines.reminders.messages import deadline_subject

    sync_reminders_for_deadlines(deadline_ids=[portfolio.y5.pk])
    reminder = Reminder.objects.get(deadline=portfolio.y5, kind=Reminder.Kind.INSTRUCTION)
    subject = deadline_subject(reminder, today=dt.date(2027, 3, 1))
    assert subject.startswith("Instruction needed (pay or let lapse), due in 30 days: [ACME-EP-1]")


def test_deadline_page_and_calendar_feed_show_the_let_lapse_closure(client, portfolio):
    from deadlines.feeds import build_calendar, feed_queryset

    record_instruction(deadline=portfolio.y4, decision="let_lapse", user=portfolio.pat, note="abandon")
    client.force_login(portfolio.sam)
    html = client.get(portfolio.y4.get_absolute_url()).content.decode()
    assert "Closed by instruction" in html and "Instructed to let lapse by pat" in html
    ics = build_calendar(portfolio.pat, feed_queryset(portfolio.pat, dt.date(2026, 3, 2), "all")).decode()
    events = ics.replace("\r\n ", "").split("BEGIN:VEVENT")
    [event] = [e for e in events if f"UID:deadline-{portfolio.y4.pk}@" in e]
    assert "[CLOSED: INSTRUCTED TO LET LAPSE]" in event and "STATUS:CANCELLED" in event
