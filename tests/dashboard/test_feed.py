"""Per-user ICS feed: secret token, all-day events, stable UID, SEQUENCE bumps, cancelled when superseded."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from deadlines import actions
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import UserProfile

pytestmark = pytest.mark.django_db


def feed(client, token, **params):
    response = client.get(reverse("deadlines:ics-feed", args=[token]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_feed_settings_page_creates_and_shows_a_secret_url_once(client, portfolio):
    client.force_login(portfolio["alice"])
    assert "The feed is off" in client.get(reverse("deadlines:feed-settings")).content.decode()
    shown = client.post(reverse("deadlines:feed-settings"), {"action": "regenerate"})
    assert "no-store" in shown["Cache-Control"]
    match = re.search(r"/deadlines/feed/([A-Za-z0-9_-]+)\.ics", shown.content.decode())
    token = match.group(1)
    assert len(token) >= 40
    assert "shown only this once" in shown.content.decode()
    assert client.get(reverse("deadlines:ics-feed", args=[token])).status_code == 200
    page = client.get(reverse("deadlines:feed-settings")).content.decode()
    assert token not in page and "Your feed is on" in page


def test_only_a_hash_of_the_token_is_stored_and_none_in_the_history(client, portfolio):
    first = actions.regenerate_ics_token(user=portfolio["alice"])
    second = actions.regenerate_ics_token(user=portfolio["alice"])
    profile = UserProfile.objects.get(user=portfolio["alice"])
    assert profile.ics_token_hash == hashlib.sha256(second.encode()).hexdigest()
    stored = " ".join(str(v) for v in UserProfile.objects.filter(pk=profile.pk).values().get().values())
    history = " ".join(str(row) for row in profile.history.values())
    for token in (first, second):
        assert token not in stored and token not in history
    assert profile.ics_token_hash not in history
    assert [r.history_change_reason for r in profile.history.order_by("history_id")][-2:] == [
        "calendar feed token regenerated", "calendar feed token regenerated"]


def test_feed_has_all_day_events_with_stable_uids_for_what_the_user_may_see(client, portfolio, today):
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    events = feed(client, token)
    soon = events[f"deadline-{portfolio['soon'].pk}@127.0.0.1"]
    assert soon.decoded("DTSTART") == dt.date(2026, 3, 12)  # a date, not a datetime: all-day
    assert soon.decoded("DTEND") == dt.date(2026, 3, 13)
    assert str(soon["SUMMARY"]) == "[UNVERIFIED] ACME-001: Pay renewal fee year 6"
    assert f"deadline-{portfolio['other'].pk}@127.0.0.1" not in events  # client B
    assert events == feed(client, token).keys() or set(events) == set(feed(client, token))


def test_sequence_is_bumped_when_a_deadline_changes(client, portfolio, today):
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    uid = f"deadline-{portfolio['soon'].pk}@127.0.0.1"
    before = int(feed(client, token)[uid]["SEQUENCE"])
    actions.waive(deadline=portfolio["soon"], user=portfolio["alice"], reason="client abandons")
    after = feed(client, token)[uid]
    assert int(after["SEQUENCE"]) == before + 1
    assert str(after["STATUS"]) == "CANCELLED"


def test_superseded_deadlines_are_cancelled_and_the_replacement_has_its_own_uid(client, portfolio, today):
    old = portfolio["soon"]
    with attributed(reason="recomputed: new office communication", process="engine"):
        old.status = Deadline.Status.SUPERSEDED
        old.save()
        new = Deadline.objects.create(
            matter=old.matter,
            key=old.key,
            office="EP",
            title=old.title,
            kind=old.kind,
            due_date=old.due_date + dt.timedelta(days=30),
        )
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    events = feed(client, token)
    assert str(events[f"deadline-{old.pk}@127.0.0.1"]["STATUS"]) == "CANCELLED"
    assert str(events[f"deadline-{new.pk}@127.0.0.1"]["STATUS"]) == "TENTATIVE"  # unverified


def test_regenerating_the_token_kills_the_old_url_and_revoking_kills_all(client, portfolio):
    first = actions.regenerate_ics_token(user=portfolio["alice"])
    second = actions.regenerate_ics_token(user=portfolio["alice"])
    assert first != second
    assert client.get(reverse("deadlines:ics-feed", args=[first])).status_code == 404
    assert client.get(reverse("deadlines:ics-feed", args=[second])).status_code == 200
    client.force_login(portfolio["alice"])
    client.post(reverse("deadlines:feed-settings"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("deadlines:ics-feed", args=[second])).status_code == 404
    record = portfolio["alice"].profile.history.order_by("-history_id").first()
    assert record.history_change_reason == "calendar feed token revoked" and record.history_user == portfolio["alice"]


def test_inactive_users_feed_is_gone(client, portfolio):
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    portfolio["alice"].is_active = False
    portfolio["alice"].save()
    assert client.get(reverse("deadlines:ics-feed", args=[token])).status_code == 404


def test_feed_follows_the_docket_scopes(client, portfolio, today):
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    later = f"deadline-{portfolio['later'].pk}@127.0.0.1"  # bob's deadline on a shared client
    assert later not in feed(client, token)
    assert later in feed(client, token, scope="team")
    assert later in feed(client, token, scope="all")
    assert f"deadline-{portfolio['other'].pk}@127.0.0.1" not in feed(client, token, scope="all")


@pytest.mark.parametrize("few_mine", [0, 1, 2000])
def test_my_feed_holds_the_same_events_whether_my_deadlines_are_few_or_many(client, portfolio, today, monkeypatch,
                                                                             few_mine):
    """Alice owns three deadlines: up to FEW_MINE they are read by id (feeds.scoped_rows), past it through
    mine_q's conditions; the feed is the same either way."""
    from deadlines import feeds

    monkeypatch.setattr(feeds, "FEW_MINE", few_mine)
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    mine = {f"deadline-{portfolio[k].pk}@127.0.0.1" for k in ("overdue", "soon", "far")}
    assert set(feed(client, token)) == mine


def test_unchanged_feed_answers_304_and_a_change_sends_the_new_body(client, portfolio, today):
    token = actions.regenerate_ics_token(user=portfolio["alice"])
    url = reverse("deadlines:ics-feed", args=[token])
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    actions.mark_done(deadline=portfolio["soon"], user=portfolio["alice"], done_on=today, evidence="receipt")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"[DONE]" in changed.content
