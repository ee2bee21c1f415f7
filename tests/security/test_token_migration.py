"""Migration patents.0006: feed tokens stored before it keep working (hashed in place) and leave no trace in
the history, on SQLite and on PostgreSQL (where the history tables are append-only)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

BEFORE = [("patents", "0005_seed_office_code_mappings")]
AFTER = [("patents", "0006_ics_token_hash")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def history_columns() -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, "patents_historicaluserprofile")]


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_are_hashed_in_place_and_scrubbed_from_the_history(client):
    token = "t" * 43
    try:
        old_apps = migrate(BEFORE)
        User = old_apps.get_model("auth", "User")
        Profile = old_apps.get_model("patents", "UserProfile")
        History = old_apps.get_model("patents", "HistoricalUserProfile")
        user = User.objects.create(username="early", is_active=True)
        profile = Profile.objects.create(user=user, ics_token=token)
        History.objects.create(id=profile.pk, user_id=user.pk, time_zone="UTC", digest_opt_out=False,
                               weekly_report_opt_out=False, ics_token=token, history_date="2026-01-01T00:00Z",
                               history_type="~", history_change_reason="calendar feed token regenerated")
        assert "ics_token" in history_columns()
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from patents.models import UserProfile

    assert UserProfile.objects.get(user__username="early").ics_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "ics_token" not in history_columns() and "ics_token_hash" not in history_columns()
    record = UserProfile.history.get(id=profile.pk)
    assert record.history_change_reason == "calendar feed token regenerated"  # the row stays, the token not
    assert token not in str(UserProfile.history.filter(id=profile.pk).values().get())
    # A calendar subscribed before the upgrade keeps working.
    assert client.get(reverse("deadlines:ics-feed", args=[token])).status_code == 200
