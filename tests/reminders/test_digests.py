"""Daily digest (user's morning, own time zone) and weekly attorney report: contents, links, opt-outs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deadlines.models import Reminder
from docketapp.audit import attributed
from patents.models import TeamMembership
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import at, sent_to, set_profile, sweep

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 1)
WEDNESDAY = dt.date(2026, 6, 3)


def digests(mailoutbox, address: str) -> list:
    return [m for m in sent_to(mailoutbox, address) if m.subject.startswith("Docket digest")]


def reports(mailoutbox, address: str) -> list:
    return [m for m in sent_to(mailoutbox, address) if m.subject.startswith("Weekly docket report")]


@pytest.fixture
def docket(team):
    """Overdue, due this week, due in 3 weeks (unverified), due in 10 weeks, and a done one."""
    matter = team["matter"]
    other_client = ClientFactory(reference="BOLT", name="Bolt Motors")
    TeamMembershipFactory(user=team["attorney"], client=other_client, role=TeamMembership.Role.ATTORNEY)
    bolt = MatterFactory(client=other_client, reference="BOLT-007", responsible_attorney=team["attorney"])
    verified = {"verified_at": timezone.now()}
    rows = {
        "overdue": DeadlineFactory(
            matter=matter,
            title="Pay renewal fee",
            due_date=WEDNESDAY - dt.timedelta(days=2),
            responsible=team["paralegal"],
            **verified,
        ),
        "this_week": DeadlineFactory(
            matter=matter,
            title="Reply to search opinion",
            due_date=WEDNESDAY + dt.timedelta(days=5),
            responsible=team["paralegal"],
            **verified,
        ),
        "unverified": DeadlineFactory(matter=bolt, title="File divisional", due_date=WEDNESDAY + dt.timedelta(days=21)),
        "far": DeadlineFactory(
            matter=bolt, title="Request examination", due_date=WEDNESDAY + dt.timedelta(weeks=10), **verified
        ),
        "done": DeadlineFactory(matter=matter, title="Old thing done", due_date=WEDNESDAY, status="done", **verified),
    }
    # A stranger's client: never in anybody's mail here.
    stranger_matter = MatterFactory(client=ClientFactory(reference="ZED"), reference="ZED-1")
    DeadlineFactory(matter=stranger_matter, title="Someone else's deadline", due_date=WEDNESDAY)
    return rows


def test_daily_digest_lists_overdue_due_this_week_and_unverified_with_links(team, docket, mailoutbox):
    sweep(at(WEDNESDAY, 7, 30))
    [digest] = digests(mailoutbox, "paula@firm.test")
    assert digest.subject == "Docket digest Wed 3 Jun 2026: 1 overdue, 1 due this week, 0 unverified"
    body = digest.body
    overdue_part, rest = body.split("DUE THIS WEEK")
    week_part, unverified_part = rest.split("UNVERIFIED")
    assert "Pay renewal fee" in overdue_part and "Reply to search opinion" not in overdue_part
    assert "Reply to search opinion" in week_part
    assert "(none)" in unverified_part  # paula's client has no unverified open deadline
    assert f"http://127.0.0.1:8000/deadlines/{docket['overdue'].pk}/" in body
    html = digest.alternatives[0][0]
    assert f'href="http://127.0.0.1:8000/deadlines/{docket["this_week"].pk}/"' in html
    assert "Old thing done" not in body and "Someone else" not in body
    # The attorney also sees BOLT's unverified divisional.
    [attorney_digest] = digests(mailoutbox, "arthur@firm.test")
    assert "1 unverified" in attorney_digest.subject and "File divisional" in attorney_digest.body


def test_digest_arrives_in_the_morning_of_the_users_own_time_zone(team, docket, mailoutbox):
    set_profile(team["paralegal"], time_zone="Asia/Tokyo")  # 07:00 JST = 22:00 UTC the day before
    sweep(at(WEDNESDAY - dt.timedelta(days=1), 21, 55))
    assert digests(mailoutbox, "paula@firm.test") == []
    sweep(at(WEDNESDAY - dt.timedelta(days=1), 22, 0))
    [digest] = digests(mailoutbox, "paula@firm.test")
    assert digest.subject.startswith("Docket digest Wed 3 Jun 2026")
    # The UTC attorney is still on Tuesday: his digest (if any) is Tuesday's.
    assert all(m.subject.startswith("Docket digest Tue 2 Jun 2026") for m in digests(mailoutbox, "arthur@firm.test"))


def test_one_digest_per_day_however_often_the_sweep_runs(team, docket, mailoutbox):
    for hour, minute in [(7, 0), (7, 5), (12, 0), (23, 55)]:
        sweep(at(WEDNESDAY, hour, minute))
    sweep(at(WEDNESDAY + dt.timedelta(days=1), 7, 5))
    assert [m.subject[:30] for m in digests(mailoutbox, "paula@firm.test")] == [
        "Docket digest Wed 3 Jun 2026: ",
        "Docket digest Thu 4 Jun 2026: ",
    ]


def test_no_digests_are_piled_up_after_downtime(team, docket, mailoutbox):
    sweep(at(WEDNESDAY, 8))
    sweep(at(WEDNESDAY + dt.timedelta(days=4), 8))  # down for three mornings
    assert len(digests(mailoutbox, "paula@firm.test")) == 2


def test_digest_opt_out_stops_digests_but_never_escalations(team, docket, mailoutbox):
    set_profile(team["paralegal"], digest_opt_out=True)
    set_profile(team["attorney"], digest_opt_out=True, weekly_report_opt_out=True)
    sweep(at(WEDNESDAY, 8))
    assert digests(mailoutbox, "paula@firm.test") == []
    assert digests(mailoutbox, "arthur@firm.test") == [] and reports(mailoutbox, "arthur@firm.test") == []
    escalations = [m.subject for m in mailoutbox if m.subject.startswith("OVERDUE")]
    assert len(escalations) == 2  # to paula and to arthur, opted out or not
    assert {tuple(m.to) for m in mailoutbox if m.subject.startswith("OVERDUE")} == {
        ("paula@firm.test",),
        ("arthur@firm.test",),
    }


def test_opting_out_after_the_digest_was_scheduled_is_respected(team, docket, mailoutbox):
    from deadlines.reminders import schedule_periodic_reminders

    schedule_periodic_reminders(now=at(WEDNESDAY, 7, 1))
    set_profile(team["paralegal"], digest_opt_out=True)
    sweep(at(WEDNESDAY, 7, 5))
    assert digests(mailoutbox, "paula@firm.test") == []
    skipped = Reminder.objects.get(kind=Reminder.Kind.DIGEST, recipient=team["paralegal"])
    assert (skipped.status, skipped.status_reason) == ("skipped", "recipient opted out of digests")


def test_empty_digest_is_not_sent(team, mailoutbox):
    sweep(at(WEDNESDAY, 8))
    assert digests(mailoutbox, "paula@firm.test") == []
    assert Reminder.objects.get(kind=Reminder.Kind.DIGEST, recipient=team["paralegal"]).status_reason == (
        "nothing to report"
    )


def test_weekly_report_groups_the_next_eight_weeks_by_client_for_each_attorney(team, docket, mailoutbox):
    sweep(at(MONDAY, 6, 55))
    assert reports(mailoutbox, "arthur@firm.test") == []
    sweep(at(MONDAY, 7, 0))
    [report] = reports(mailoutbox, "arthur@firm.test")
    assert report.subject == "Weekly docket report, week of Mon 1 Jun 2026"
    body = report.body
    by_client = body.split("BY CLIENT")[1].split("UNVERIFIED")[0]
    acme, bolt = by_client.index("ACME – Acme Batteries"), by_client.index("BOLT – Bolt Motors")
    assert acme < by_client.index("Reply to search opinion") < bolt < by_client.index("File divisional")
    assert "Request examination" not in body  # 10 weeks out: beyond the 8-week horizon
    overdue_part = body.split("OVERDUE")[1].split("OPEN DEADLINES")[0]
    assert "(none)" in overdue_part  # on Monday the renewal fee is not overdue yet
    assert "File divisional" in body.split("UNVERIFIED")[1]
    assert f"http://127.0.0.1:8000/deadlines/{docket['unverified'].pk}/" in body
    assert "<h4>BOLT – Bolt Motors</h4>" in report.alternatives[0][0]
    # Paralegals get no weekly report.
    assert reports(mailoutbox, "paula@firm.test") == []


def test_weekly_report_missed_on_monday_is_sent_once_later_that_week(team, docket, mailoutbox):
    sweep(at(WEDNESDAY, 8))
    sweep(at(WEDNESDAY, 9))
    assert [m.subject for m in reports(mailoutbox, "arthur@firm.test")] == [
        "Weekly docket report, week of Mon 1 Jun 2026"
    ]


def test_inactive_user_gets_nothing(team, docket, mailoutbox):
    with attributed(reason="left the firm", process="tests"):
        team["paralegal"].is_active = False
        team["paralegal"].save(update_fields=["is_active"])
    sweep(at(WEDNESDAY, 8))
    assert sent_to(mailoutbox, "paula@firm.test") == []
    # Her overdue deadline still reaches the supervising attorney.
    assert any(m.subject.startswith("OVERDUE") for m in sent_to(mailoutbox, "arthur@firm.test"))


def test_user_without_address_is_recorded_as_a_failed_delivery(team, mailoutbox):
    from deadlines.models import Delivery

    nomail = UserFactory(username="nomail", email="")
    DeadlineFactory(matter=team["matter"], responsible=nomail, due_date=WEDNESDAY + dt.timedelta(days=1))
    sweep(at(WEDNESDAY, 8))
    delivery = Delivery.objects.get(recipient=nomail)
    assert (delivery.status, delivery.error) == ("failed", "recipient has no e-mail address")


def test_superuser_digest_covers_only_what_is_assigned_to_them(team, docket, mailoutbox):
    boss = UserFactory(username="boss", email="boss@firm.test", is_superuser=True, is_staff=True)
    DeadlineFactory(matter=team["matter"], title="Boss's own deadline", due_date=WEDNESDAY, responsible=boss)
    sweep(at(WEDNESDAY, 8))
    [digest] = digests(mailoutbox, "boss@firm.test")
    assert "Boss's own deadline" in digest.body
    assert "Pay renewal fee" not in digest.body and "Someone else" not in digest.body


def test_due_this_week_means_today_and_the_next_six_days(team, mailoutbox):
    for days in (0, 6, 7):
        DeadlineFactory(
            matter=team["matter"],
            responsible=team["paralegal"],
            title=f"In {days} days",
            due_date=WEDNESDAY + dt.timedelta(days=days),
            verified_at=timezone.now(),
        )
    sweep(at(WEDNESDAY, 8))
    [digest] = digests(mailoutbox, "paula@firm.test")
    week_part = digest.body.split("DUE THIS WEEK")[1].split("UNVERIFIED")[0]
    assert "In 0 days" in week_part and "In 6 days" in week_part and "In 7 days" not in week_part
    assert "2 due this week" in digest.subject
