"""Deadline actions from the page and as services: attributed, transactional, two-person verification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from deadlines import actions
from deadlines.models import Deadline
from deadlines.rules.engine import compute
from deadlines.rules.model import EventFact, MatterFacts
from docketapp.audit import attributed
from tests.factories import DeadlineFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def engine_deadline(matter, responsible):
    """A real US reply deadline with the engine's extension ladder (mailed 16 Jan 2026 → due 16 Apr)."""
    result = compute(
        MatterFacts(office="US", filing_date=dt.date(2024, 5, 1)),
        [EventFact(ref="1", code="US.NON_FINAL_REJECTION", date=dt.date(2026, 1, 16))],
    )
    c = result.deadlines[0]
    return DeadlineFactory(
        matter=matter,
        key=c.key,
        rule_id=c.rule,
        office="US",
        title=c.title,
        kind=c.kind,
        due_date=c.due_date,
        latest_date=c.latest_date,
        citation=c.citation,
        explanation=c.explanation,
        responsible=responsible,
        extendable=c.extendable,
    )


def last_record(deadline):
    return deadline.history.order_by("-history_date", "-history_id").first()


def test_mark_done_records_date_evidence_user_and_reason(client, portfolio):
    d = portfolio["soon"]
    client.force_login(portfolio["alice"])
    response = client.post(
        reverse("deadlines:deadline-done", args=[d.pk]),
        {"done_on": "2026-03-01", "evidence": "Fee paid, EPO receipt 4711"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.done_on, d.done_note) == (
        Deadline.Status.DONE,
        dt.date(2026, 3, 1),
        "Fee paid, EPO receipt 4711",
    )
    assert d.last_changed_by == portfolio["alice"] and d.verified_at is None
    record = last_record(d)
    assert record.history_user == portfolio["alice"]
    assert record.history_actor == "user:alice"
    assert "receipt 4711" in record.history_change_reason


def test_mark_done_without_evidence_is_refused(client, portfolio):
    d = portfolio["soon"]
    client.force_login(portfolio["alice"])
    response = client.post(reverse("deadlines:deadline-done", args=[d.pk]), {"done_on": "2026-03-01", "evidence": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    d.refresh_from_db()
    assert d.status == Deadline.Status.OPEN


def test_mark_done_twice_is_refused_with_a_message(client, portfolio):
    d = portfolio["soon"]
    client.force_login(portfolio["alice"])
    url = reverse("deadlines:deadline-done", args=[d.pk])
    client.post(url, {"done_on": "2026-03-01", "evidence": "receipt"})
    response = client.post(url, {"done_on": "2026-03-01", "evidence": "receipt"})
    assert response.status_code == 400
    assert "Cannot mark it done: this deadline is done, not open." in response.content.decode()
    assert d.history.count() == 2


def test_extension_offers_exactly_the_rules_ladder_and_records_it(client, portfolio, today):
    d = engine_deadline(portfolio["matter_a2"], portfolio["alice"])
    client.force_login(portfolio["alice"])
    page = client.get(d.get_absolute_url()).content.decode()
    # 37 CFR 1.136(a): one, two or three months; 16 May 2026 is a Saturday, so +1 month rolls
    # to Monday 18 May.
    assert '<option value="2026-05-18">Extension of 1 month – until Mon 18 May 2026</option>' in page
    assert 'value="2026-06-16"' in page and 'value="2026-07-16"' in page
    bad = client.post(reverse("deadlines:deadline-extend", args=[d.pk]), {"until": "2026-05-20", "reason": "x"})
    assert bad.status_code == 400
    ok = client.post(
        reverse("deadlines:deadline-extend", args=[d.pk]),
        {"until": "2026-06-16", "reason": "two-month extension fee paid"},
    )
    assert ok.status_code == 302
    d.refresh_from_db()
    assert d.extended_to == dt.date(2026, 6, 16) and d.effective_date == dt.date(2026, 6, 16)
    assert d.verified_at is None and d.last_changed_by == portfolio["alice"]
    assert last_record(d).history_change_reason == "extension to 2026-06-16: two-month extension fee paid"
    # The ladder now only offers what is later than the extension taken.
    page = client.get(d.get_absolute_url()).content.decode()
    assert 'value="2026-05-18"' not in page and 'value="2026-07-16"' in page


def test_extension_service_refuses_a_date_off_the_ladder(portfolio):
    with pytest.raises(actions.ActionRefused, match="ladder"):
        actions.record_extension(
            deadline=portfolio["soon"], user=portfolio["alice"], until=dt.date(2026, 4, 1), reason="x"
        )


def test_waive_requires_a_reason(client, portfolio):
    d = portfolio["soon"]
    client.force_login(portfolio["alice"])
    url = reverse("deadlines:deadline-waive", args=[d.pk])
    assert client.post(url, {"reason": "   "}).status_code == 400
    d.refresh_from_db()
    assert d.status == Deadline.Status.OPEN
    assert client.post(url, {"reason": "Client instructs to let it lapse (mail of 1 March)"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Deadline.Status.WAIVED and d.waived_reason.startswith("Client instructs")
    assert last_record(d).history_change_reason.startswith("waived: Client instructs")


def test_add_manual_deadline(client, portfolio):
    client.force_login(portfolio["alice"])
    url = reverse("deadlines:deadline-add", args=[portfolio["matter_a"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Ask client about US filing",
            "kind": "internal",
            "due_date": "2026-03-20",
            "responsible": portfolio["bob"].pk,
            "reason": "client call of 1 March",
        },
    )
    assert response.status_code == 302
    d = Deadline.objects.get(title="Ask client about US filing")
    assert (d.origin, d.kind, d.due_date, d.responsible) == (
        "manual",
        "internal",
        dt.date(2026, 3, 20),
        portfolio["bob"],
    )
    assert d.verified_at is None and d.last_changed_by == portfolio["alice"]
    assert d.history.get().history_change_reason == "manual deadline added: client call of 1 March"
    page = client.get(d.get_absolute_url()).content.decode()
    assert "Entered by hand by <strong>alice</strong>" in page
    assert "client call of 1 March" in page


def test_add_manual_deadline_responsible_must_be_in_the_team(client, portfolio):
    client.force_login(portfolio["alice"])
    url = reverse("deadlines:deadline-add", args=[portfolio["matter_a"].pk])
    response = client.post(
        url,
        {
            "title": "x",
            "kind": "internal",
            "due_date": "2026-03-20",
            "responsible": portfolio["carol"].pk,
            "reason": "r",
        },
    )
    assert response.status_code == 400
    assert not Deadline.objects.filter(title="x").exists()


def test_the_person_who_changed_it_cannot_verify_it_but_a_second_person_can(client, portfolio):
    d = portfolio["soon"]
    actions.mark_done(deadline=d, user=portfolio["alice"], done_on=TODAY, evidence="receipt 1")
    client.force_login(portfolio["alice"])
    page = client.get(d.get_absolute_url()).content.decode()
    assert "UNVERIFIED" in page
    assert "You made the last change to this deadline; a second person must verify it." in page
    response = client.post(reverse("deadlines:deadline-verify", args=[d.pk]))
    assert response.status_code == 400
    d.refresh_from_db()
    assert d.verified_at is None

    client.force_login(portfolio["bob"])
    page = client.get(d.get_absolute_url())
    seen = page.context["verify_form"].initial["seen"]
    response = client.post(reverse("deadlines:deadline-verify", args=[d.pk]), {"seen": seen})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.verified_by == portfolio["bob"] and d.verified_at is not None
    assert last_record(d).history_user == portfolio["bob"]
    assert last_record(d).history_change_reason.startswith("verified")
    assert "Verified by <strong>bob</strong>" in client.get(d.get_absolute_url()).content.decode()


def test_the_creator_of_a_manual_deadline_cannot_verify_it_even_after_someone_else_changed_it(portfolio):
    d = actions.add_manual_deadline(
        matter=portfolio["matter_a"],
        user=portfolio["alice"],
        title="t",
        kind="internal",
        due_date=TODAY,
        reason="r",
    )
    with pytest.raises(actions.ActionRefused, match="You made the last change"):
        actions.verify_deadline(deadline=d, user=portfolio["alice"])
    actions.verify_deadline(deadline=d, user=portfolio["bob"])
    d.refresh_from_db()
    assert d.verified_by == portfolio["bob"]


def test_a_verification_of_a_version_you_did_not_see_is_refused(portfolio):
    d = portfolio["soon"]
    seen = actions.current_version(d)
    actions.mark_done(deadline=d, user=portfolio["carol"], done_on=TODAY, evidence="receipt")
    with pytest.raises(actions.ActionRefused, match="changed after you opened it"):
        actions.verify_deadline(deadline=d, user=portfolio["bob"], seen_version=seen)
    d.refresh_from_db()
    assert d.verified_at is None


def test_engine_deadlines_can_be_verified_by_anyone_but_only_once(portfolio):
    d = portfolio["soon"]
    actions.verify_deadline(deadline=d, user=portfolio["alice"])
    with pytest.raises(actions.ActionRefused, match="Already verified"):
        actions.verify_deadline(deadline=d, user=portfolio["bob"])


def test_any_change_after_verification_needs_a_new_verification(portfolio):
    d = portfolio["soon"]
    actions.verify_deadline(deadline=d, user=portfolio["bob"])
    actions.waive(deadline=d, user=portfolio["alice"], reason="client abandons")
    d.refresh_from_db()
    assert d.verified_at is None and d.verified_by is None


def test_verification_queue_lists_unverified_and_says_who_may_verify(client, portfolio):
    actions.mark_done(deadline=portfolio["soon"], user=portfolio["alice"], done_on=TODAY, evidence="receipt")
    with attributed(reason="verified: test", process="tests"):
        verified = portfolio["later"]
        verified.verified_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        verified.save()
    client.force_login(portfolio["alice"])
    html = client.get(reverse("deadlines:verification-queue")).content.decode()
    assert "Pay renewal fee year 6" in html and "Reply to Art. 94(3) communication" in html
    assert "Reply to non-final Office action" not in html
    assert "you changed it — someone else must verify" in html
    # the nav badge counts what is waiting
    assert 'title="3 deadlines waiting for a second person">3</span>' in html
    client.force_login(portfolio["bob"])
    response = client.post(
        reverse("deadlines:deadline-verify", args=[portfolio["soon"].pk]),
        {"next": reverse("deadlines:verification-queue")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("deadlines:verification-queue")


def test_verify_redirect_ignores_foreign_next_urls(client, portfolio):
    client.force_login(portfolio["bob"])
    d = portfolio["soon"]
    response = client.post(reverse("deadlines:deadline-verify", args=[d.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == d.get_absolute_url()


def test_actions_take_keyword_arguments_only():
    for fn in (
        actions.mark_done,
        actions.record_extension,
        actions.waive,
        actions.add_manual_deadline,
        actions.verify_deadline,
        actions.regenerate_ics_token,
        actions.revoke_ics_token,
    ):
        with pytest.raises(TypeError):
            fn(object())


def test_verification_queue_can_show_only_what_i_may_verify(client, portfolio):
    actions.mark_done(deadline=portfolio["soon"], user=portfolio["alice"], done_on=TODAY, evidence="receipt")
    created = actions.add_manual_deadline(
        matter=portfolio["matter_a"],
        user=portfolio["alice"],
        title="Own reminder of alice",
        kind="internal",
        due_date=TODAY,
        reason="r",
    )
    client.force_login(portfolio["alice"])
    everything = client.get(reverse("deadlines:verification-queue")).content.decode()
    assert "Pay renewal fee year 6" in everything and "Own reminder of alice" in everything
    mine = client.get(reverse("deadlines:verification-queue"), {"can_verify": "1"}).content.decode()
    assert "Pay renewal fee year 6" not in mine and "Own reminder of alice" not in mine
    assert "Reply to Art. 94(3) communication" in mine
    client.force_login(portfolio["bob"])
    assert (
        created.title.replace("'", "&#x27;")
        in client.get(reverse("deadlines:verification-queue"), {"can_verify": "1"}).content.decode()
    )
