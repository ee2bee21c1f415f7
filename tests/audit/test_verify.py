"""`audit verify` finds every kind of tampering with the history, done through raw SQL."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from docketapp import audit_chain
from docketapp.audit import attributed
from docketapp.auditlog.models import AuditChainHead, AuditCheckpoint, AuditVerifyRun
from docketapp.auditlog.services import verify_audit_trail
from patents.models import Matter, TeamMembership
from tests.factories import MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import findings, tamper

pytestmark = pytest.mark.django_db

History = Matter.history.model
TABLE = History._meta.db_table


@pytest.fixture
def matters():
    made = [MatterFactory(title=f"Invention {i}") for i in range(4)]
    with attributed(reason="title corrected", process="tests"):
        for m in made:
            m.title += " (corrected)"
            m.save(update_fields=["title"])
    return made


def rows():
    return list(History.objects.order_by("chain_seq").values_list("history_id", "chain_seq", "title"))


def test_untouched_history_verifies_clean(matters):
    audit_chain.take_checkpoints()
    report = audit_chain.verify()
    assert report.findings == []
    assert report.rows >= len(rows()) == 8
    assert [seq for _, seq, _ in rows()] == list(range(1, 9))


def test_changed_row_is_reported_with_its_table_position_and_time_window(matters):
    hid, seq, _ = rows()[3]
    tamper(f'UPDATE "{TABLE}" SET title = %s WHERE history_id = %s', ["Forged title", hid], table=TABLE)
    [found] = findings(table=TABLE)
    assert found.kind == "changed"
    assert f"seq {seq} (history_id {hid})" == found.rows
    assert found.window.startswith("between ")


def test_deleted_row_is_reported_as_a_gap(matters):
    hid, seq, _ = rows()[2]
    tamper(f'DELETE FROM "{TABLE}" WHERE history_id = %s', [hid], table=TABLE)
    [found] = findings(table=TABLE)
    assert (found.kind, found.rows) == ("missing", f"seq {seq}–{seq}")


def test_deleted_newest_rows_are_reported_from_the_chain_head(matters):
    last = rows()[-2:]
    tamper(f'DELETE FROM "{TABLE}" WHERE history_id IN (%s, %s)', [last[0][0], last[1][0]], table=TABLE)
    [found] = findings(table=TABLE)
    assert (found.kind, found.rows) == ("missing", f"seq {last[0][1]}–{last[1][1]}")


def _forged_copy(**overrides) -> None:
    """Insert a copy of the first history row, back-dated, with the given chain columns."""
    columns = [f.column for f in History._meta.concrete_fields if f.column != "history_id"]
    source = History.objects.order_by("chain_seq").first()
    values = {f.column: f.get_db_prep_value(getattr(source, f.attname), connection) for f in
              History._meta.concrete_fields if f.column != "history_id"}
    values.update(title="Back-dated approval", **overrides)
    placeholders = ", ".join(["%s"] * len(columns))
    tamper(f'INSERT INTO "{TABLE}" ({", ".join(columns)}) VALUES ({placeholders})',
           [values[c] for c in columns], table=TABLE)


def test_forged_insert_without_a_chain_position_is_reported(matters):
    _forged_copy(chain_seq=None, row_hash="")
    [found] = findings(table=TABLE)
    assert found.kind == "unchained"


def test_forged_insert_reusing_a_chain_position_is_reported(matters):
    _forged_copy(chain_seq=2, row_hash="f" * 64)
    found = findings(table=TABLE)
    assert [f.kind for f in found] == ["duplicate"]
    assert found[0].rows.startswith("seq 2 ")


def test_forged_row_appended_with_a_correct_hash_is_reported_beyond_the_head(matters):
    # A superuser who knows the algorithm appends a row whose hash is right, but does not move the head.
    head = AuditChainHead.objects.get(table=TABLE)
    lay = audit_chain.layout(History)
    forged = History.objects.order_by("chain_seq").first()
    forged.title, forged.chain_seq = "Back-dated approval", head.seq + 1
    forged_hash = audit_chain.link(head.head_hash, audit_chain.content_digest(
        [getattr(forged, a) for a in lay.attnames], lay.encoders))
    _forged_copy(chain_seq=head.seq + 1, row_hash=forged_hash)
    [found] = findings(table=TABLE)
    assert (found.kind, found.rows) == ("beyond_head", f"seq {head.seq + 1}–{head.seq + 1}")


def test_reordered_rows_are_reported(matters):
    (h1, s1, _), (h2, s2, _) = rows()[1:3]
    tamper(f'UPDATE "{TABLE}" SET chain_seq = CASE history_id WHEN %s THEN %s ELSE %s END '
           "WHERE history_id IN (%s, %s)", [h1, s2, s1, h1, h2], table=TABLE)
    found = findings(table=TABLE)
    assert {f.kind for f in found} == {"changed"}
    assert len(found) >= 2


def _rewrite_whole_chain(new_title: str, hid: int) -> None:
    """What a superuser who knows the algorithm (but not the checkpoint key) can do: change a row and
    recompute every hash after it, and the head."""
    tamper(f'UPDATE "{TABLE}" SET title = %s WHERE history_id = %s', [new_title, hid], table=TABLE)
    lay = audit_chain.layout(History)
    prev = audit_chain.GENESIS
    updates = []
    for row in History.objects.order_by("chain_seq"):
        prev = audit_chain.link(prev, audit_chain.content_digest([getattr(row, a) for a in lay.attnames],
                                                                 lay.encoders))
        updates.append((prev, row.history_id))
    for new_hash, row_id in updates:
        tamper(f'UPDATE "{TABLE}" SET row_hash = %s WHERE history_id = %s', [new_hash, row_id], table=TABLE)
    tamper(f'UPDATE "{AuditChainHead._meta.db_table}" SET head_hash = %s WHERE "table" = %s', [prev, TABLE])


def test_rewrite_with_recomputed_hashes_is_caught_by_the_signed_checkpoint(matters):
    audit_chain.take_checkpoints()
    hid = rows()[1][0]
    _rewrite_whole_chain("Rewritten by a superuser", hid)
    found = findings(table=TABLE)
    assert [f.kind for f in found] == ["checkpoint"]
    assert "rewritten" in found[0].detail


def test_forged_checkpoint_signature_is_reported(matters):
    audit_chain.take_checkpoints()
    hid = rows()[1][0]
    _rewrite_whole_chain("Rewritten by a superuser", hid)
    # ... and moves the checkpoint to the new hash, but cannot sign it.
    tamper(f'UPDATE "{AuditCheckpoint._meta.db_table}" SET head_hash = '
           f'(SELECT head_hash FROM "{AuditChainHead._meta.db_table}" WHERE "table" = %s) WHERE "table" = %s',
           [TABLE, TABLE])
    assert [f.kind for f in findings(table=TABLE)] == ["signature"]


def test_deleted_checkpoint_breaks_the_next_ones_signature(matters):
    audit_chain.take_checkpoints()
    with attributed(reason="another change", process="tests"):
        MatterFactory()
    audit_chain.take_checkpoints()
    first = AuditCheckpoint.objects.filter(table=TABLE).order_by("seq").first()
    tamper(f'DELETE FROM "{AuditCheckpoint._meta.db_table}" WHERE id = %s', [first.pk])
    found = findings(table=TABLE)
    assert [f.kind for f in found] == ["signature"]
    assert "before it was deleted" in found[0].detail


def test_without_a_key_verify_says_signatures_are_unverifiable(matters, settings):
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.DEBUG = False
    audit_chain.take_checkpoints()
    assert AuditCheckpoint.objects.filter(table=TABLE, signature="").exists()
    report = audit_chain.verify()
    assert (report.ok, report.signatures) == (True, "unverifiable")


def test_command_exits_1_with_json_findings_and_mails_the_docketing_admins(matters, capsys, audit):
    UserFactory(username="root", email="root@example.test", is_superuser=True, is_staff=True)
    TeamMembershipFactory(user=UserFactory(username="dock", email="dock@example.test"),
                          role=TeamMembership.Role.DOCKETING)
    TeamMembershipFactory(user=UserFactory(username="para", email="para@example.test"))
    call_command("audit", "verify", "--json")  # clean: no exit, no mail
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert mail.outbox == []

    hid = rows()[0][0]
    tamper(f'UPDATE "{TABLE}" SET title = %s WHERE history_id = %s', ["Forged", hid], table=TABLE)
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify", "--json")
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert out["findings"][0]["table"] == TABLE
    [message] = mail.outbox
    assert sorted(message.to) == ["dock@example.test", "root@example.test"]
    assert TABLE in message.body
    assert AuditVerifyRun.objects.latest("started_at").ok is False


def test_admin_page_shows_the_last_verification(matters, client):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    hid = rows()[0][0]
    tamper(f'UPDATE "{TABLE}" SET title = %s WHERE history_id = %s', ["Forged", hid], table=TABLE)
    _, run = verify_audit_trail(origin="test", alert=False)
    client.force_login(admin)
    listing = client.get("/admin/auditlog/auditverifyrun/")
    assert listing.status_code == 200
    detail = client.get(f"/admin/auditlog/auditverifyrun/{run.pk}/change/")
    assert detail.status_code == 200
    assert f"history_id {hid}" in detail.content.decode()
    assert client.post(f"/admin/auditlog/auditverifyrun/{run.pk}/delete/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_truncate_on_a_history_table_is_refused_and_a_forced_one_is_detected(matters):
    import psycopg
    from django.conf import settings as django_settings

    audit_chain.take_checkpoints()
    db = django_settings.DATABASES["default"]
    # A fresh session: the test suite's own connections may TRUNCATE (to flush between tests), others may not.
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                         dbname=connection.settings_dict["NAME"], autocommit=True) as other:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="TRUNCATE rejected"):
            other.execute(f'TRUNCATE "{TABLE}"')
    with pytest.raises(DatabaseError, match="TRUNCATE rejected"), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL docketapp.allow_truncate = 'off'")
        c.execute(f'TRUNCATE "{TABLE}"')
    # A superuser who disables the trigger can truncate; the chain head and the checkpoint still know.
    tamper(f'TRUNCATE "{TABLE}"', table=TABLE)
    kinds = sorted(f.kind for f in findings(table=TABLE))
    assert kinds == ["checkpoint", "missing"]


def test_row_hash_is_sha256_over_previous_hash_and_canonical_row(matters):
    # The documented formula (docs/audit.md), so a third party can check a chain without this code.
    first, second = History.objects.order_by("chain_seq")[:2]
    lay = audit_chain.layout(History)
    payload = audit_chain.canonical([getattr(second, a) for a in lay.attnames], lay.encoders)
    digest = hashlib.sha256(payload).hexdigest()
    assert second.row_hash == hashlib.sha256((first.row_hash + digest).encode()).hexdigest()
    assert "chain_seq" not in lay.attnames and "history_date" in lay.attnames


def test_beat_tasks_take_checkpoints_and_the_nightly_verify_alerts(matters, audit):
    from docketapp.auditlog import tasks

    UserFactory(username="root", email="root@example.test", is_superuser=True, is_staff=True)
    assert tasks.take_checkpoints() >= 1
    assert tasks.take_checkpoints() == 0  # nothing moved since
    assert tasks.verify() == 0 and mail.outbox == []
    hid = rows()[2][0]
    tamper(f'DELETE FROM "{TABLE}" WHERE history_id = %s', [hid], table=TABLE)
    assert tasks.verify() == 1
    run = AuditVerifyRun.objects.latest("started_at")
    assert (run.origin, run.ok, run.findings[0]["kind"]) == ("beat:auditlog.verify", False, "missing")
    assert mail.outbox[0].to == ["root@example.test"]
