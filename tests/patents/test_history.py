"""Every change to docket data says who and why; history cannot be edited or deleted."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from docketapp.audit import UnattributedChange, attributed
from patents.models import Matter
from patents.services import MatterData, record_office_event, upsert_matter
from tests.factories import ClientFactory, EventTypeFactory, MatterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_service_change_records_the_user_and_the_reason():
    user = UserFactory(username="jdoe")
    matter = MatterFactory(title="Old title")
    data = MatterData(client=matter.client, reference=matter.reference, office="EP",
                      application_number=matter.application_number, filing_date=matter.filing_date,
                      title="Corrected title")
    with attributed(reason="title corrected per client letter", user=user):
        _, changed = upsert_matter(data=data)
    assert changed
    latest = matter.history.latest()
    assert latest.history_user == user
    assert latest.history_actor == "user:jdoe"
    assert latest.history_change_reason == "title corrected per client letter"
    assert latest.title == "Corrected title"


def test_a_process_change_names_the_process():
    matter = MatterFactory()
    event_type = EventTypeFactory()
    with attributed(reason="office event", process="sync.epo"):
        record_office_event(matter=matter, event_type=event_type, office_code="EXRE", date=dt.date(2025, 1, 6))
    record = matter.events.get().history.get()
    assert record.history_actor == "process:sync.epo"
    assert record.history_user is None
    assert record.history_change_reason == "office event"


def test_unattributed_writes_are_refused_in_strict_mode():
    client = ClientFactory()
    with pytest.raises(UnattributedChange):
        Matter.objects.create(client=client, reference="NOPE", office="EP")


def test_recording_the_same_office_event_twice_stores_it_once():
    matter = MatterFactory()
    event_type = EventTypeFactory()
    with attributed(reason="sync", process="sync.epo"):
        first = record_office_event(matter=matter, event_type=event_type, office_code="EXRE ", date=dt.date(2025, 1, 6))
        second = record_office_event(
            matter=matter, event_type=event_type, office_code="EXRE ", date=dt.date(2025, 1, 6)
        )
    assert first[1] is True and second[1] is False
    assert matter.events.count() == 1
    assert matter.events.get().history.count() == 1


def test_admin_history_is_visible_and_cannot_be_reverted(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    matter = MatterFactory()
    client.force_login(admin)
    page = client.get(reverse("admin:patents_matter_history", args=[matter.pk]))
    assert page.status_code == 200
    assert "test fixture" in page.content.decode()
    record = matter.history.get()
    # Who changed it is said once, in words ("Changed by"), not also as the raw actor ("process:…").
    assert record.history_actor and record.history_actor not in page.content.decode()
    assert "History actor" not in page.content.decode() and "history_actor" not in page.content.decode()
    revert = client.get(reverse("admin:patents_matter_simple_history", args=[matter.pk, record.history_id]))
    # Revert is disabled (SIMPLE_HISTORY_REVERT_DISABLED): the form is shown read-only, no "Revert" button.
    assert revert.status_code == 200
    assert "Revert" not in revert.content.decode().replace("revert_disabled", "")
    from django.contrib import admin

    assert not [model for model in admin.site._registry if "Historical" in model.__name__]


def test_admin_edit_requires_a_reason_and_records_it(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    matter = MatterFactory(title="Before")
    client.force_login(admin)
    url = reverse("admin:patents_matter_change", args=[matter.pk])
    form = {
        "client": matter.client.pk, "reference": matter.reference, "title": "After", "office": "EP",
        "kind": "patent", "sync_enabled": "on", "application_number": matter.application_number,
        "filing_date": "2021-03-15", "status": "unknown", "applicant_residence": "domestic",
        "designated_offices": "[]", "priority_claims-TOTAL_FORMS": "0", "priority_claims-INITIAL_FORMS": "0",
    }
    missing_reason = client.post(url, form)
    assert missing_reason.status_code == 200
    assert "This field is required" in missing_reason.content.decode()
    done = client.post(url, {**form, "change_reason": "client renamed the invention"})
    assert done.status_code == 302, done.content.decode()[:2000]
    latest = matter.history.latest()
    assert latest.title == "After"
    assert latest.history_user == admin
    assert latest.history_change_reason == "admin: client renamed the invention"


@pytest.mark.postgres
def test_postgresql_history_tables_reject_update_and_delete():
    matter = MatterFactory()
    table = Matter.history.model._meta.db_table
    for statement in (f'UPDATE "{table}" SET title = %s', f'DELETE FROM "{table}"'):
        params = ["tampered"] if "UPDATE" in statement else []
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert matter.history.get().title == matter.title


@pytest.mark.postgres
def test_every_history_table_has_the_append_only_trigger():
    from patents.history_guard import history_tables

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
                       ["%_append_only"])
        guarded = {row[0] for row in cursor.fetchall()}
    tables = set(history_tables(connection))
    assert tables, "no history tables found"
    assert tables <= guarded
