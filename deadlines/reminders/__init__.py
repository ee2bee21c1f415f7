"""Deadline reminders, overdue escalations, daily digests and weekly docket reports — each sent exactly once.

Scheduling
    Every open deadline has ``Reminder`` rows with a ``due_at``: one per offset of its ``ReminderPolicy``
    before the due date (or the extension actually taken), for extendable deadlines also before the latest
    possible date, and the next daily overdue escalation. ``sync_reminders_for_deadlines`` derives them from
    the deadline and is idempotent: the engine and the dashboard actions call it after they change deadlines;
    moved deadlines get their scheduled rows moved, closed ones get them cancelled. As a safety net the sweep
    re-syncs any deadline whose scheduled rows no longer match it (moved without a call), cancels rows of
    closed deadlines and schedules deadlines that have none, so a forgotten call delays a reminder by one
    sweep at most instead of losing it. Nothing is queued in Celery with an ETA: work due later is a row.

Sending (``send_due_reminders``, every five minutes from beat and as a management command)
    1. Digest and report rows for the current period are created for users whose local morning has come.
    2. Catch-up without a flood: of several due rows for the same deadline, kind and date, only the latest
       (closest to the date) is sent; the earlier ones are marked *skipped* with the reason. After a week of
       downtime a deadline gets one reminder, not five.
    3. Claim: in a short transaction the due rows are locked (``SKIP LOCKED``: a concurrent sweep takes other
       rows), their recipients resolved and one ``Delivery`` per recipient inserted with ON CONFLICT DO
       NOTHING under this sweep's claim token. The unique (reminder, recipient, channel) constraint is the
       last guard: whatever the locking did, a second sweep's insert conflicts and it does not own the row.
    4. Send, chunk by chunk: the messages are rendered while their deliveries are still *queued*, then
       moved queued → sending (one conditional UPDATE on status and token, which also stores the text),
       handed to the mail backend, and marked sent (conditional UPDATE).

Why this gives "no duplicate", also when a worker is killed
    SMTP has no idempotency key: once the server accepted DATA the message is out, and a crash before we
    record it leaves us unable to tell "sent" from "not sent". We therefore split the claim in two:

    - *queued* rows have provably not been handed to the backend. If their sweep dies, a later sweep takes
      them over after the lease (a conditional UPDATE that changes the token, so the old owner — if it was
      merely slow — can no longer move them to *sending*). Resending them cannot duplicate anything.
    - *sending* rows might be out. If the lease expires while a row is still *sending*, it becomes
      *unconfirmed*: logged at ERROR, listed on the staff outbox page and in the admin, with its
      Message-ID so a human can look it up in the mail server's log. It is never resent automatically.

    This is at-most-once for the crash window, which is the mail backend's I/O for one chunk
    (``REMINDERS_SEND_CHUNK`` messages, default 10; 1 makes it a single message at the cost of two more
    queries per message). A human resolves an unconfirmed delivery in the admin ("it was sent" / "it was
    not sent, send it again"); the text kept on the row shows what it said. We did not rely
    on the Message-ID for idempotence (resend with the same ID and hope the recipient deduplicates): mail
    servers and clients do not promise to drop duplicates, and "the same deadline reminder twice" is what
    a paralegal must never get. The Message-ID is still deterministic per delivery, so a human resend is recognisable.
    Errors where the server provably did not accept the message (connection refused, recipient refused…)
    go back to *retry* with a backoff; other errors during the send are *unconfirmed* as above.

Digests and reports are rendered when sent (the current docket), deadline reminders from the deadline as it
is at that moment; links point at the dashboard (``SITE_URL`` + the deadline's URL).

Where each part lives
    ``planning``  which reminders a deadline gets (policies, offsets) and the sync that keeps rows in line.
    ``sweep``     the beat sweep: periodic rows, the safety net, catch-up, then claim and send per batch.
    ``claim``     locking due rows, choosing recipients, inserting deliveries under the claim token.
    ``delivery``  queued → sending → sent, retries, recovery of dead sweeps.
    ``messages``  subjects, digest and report contents, the e-mail of one delivery.
    ``common``    settings, the firm's clock, limits and the errors that prove "not sent".
"""

from .claim import claim_batch, new_delivery, periodic_check
from .common import (
    DEADLINE_KINDS,
    DIGEST_LIST_LIMIT,
    LEASE,
    MAX_ATTEMPTS,
    NOT_SENT_ERRORS,
    REPORT_WEEKDAY,
    SMTP_TIMEOUT,
    RenderError,
    digest_hour,
    firm_zone,
    local_morning,
    send_chunk_size,
    send_hour,
    sweep_helpers,
)
from .delivery import recover_deliveries, send_claimed
from .messages import (
    absolute,
    build_message,
    deadline_subject,
    digest_context,
    report_context,
)
from .planning import (
    Offsets,
    PlannedReminder,
    PolicyBook,
    plan_reminders,
    sync_reminders_for_deadlines,
    sync_reminders_for_open_deadlines,
)
from .sweep import (
    OVERTAKEN_REASON,
    drain_due_reminders,
    reconcile_reminders,
    schedule_periodic_reminders,
    send_due_reminders,
    skip_overtaken_reminders,
)

__all__ = [
    "DEADLINE_KINDS",
    "DIGEST_LIST_LIMIT",
    "LEASE",
    "MAX_ATTEMPTS",
    "NOT_SENT_ERRORS",
    "OVERTAKEN_REASON",
    "REPORT_WEEKDAY",
    "SMTP_TIMEOUT",
    "Offsets",
    "PlannedReminder",
    "PolicyBook",
    "RenderError",
    "absolute",
    "build_message",
    "claim_batch",
    "deadline_subject",
    "digest_context",
    "digest_hour",
    "drain_due_reminders",
    "firm_zone",
    "local_morning",
    "new_delivery",
    "periodic_check",
    "plan_reminders",
    "reconcile_reminders",
    "recover_deliveries",
    "report_context",
    "schedule_periodic_reminders",
    "send_chunk_size",
    "send_claimed",
    "send_due_reminders",
    "send_hour",
    "skip_overtaken_reminders",
    "sweep_helpers",
    "sync_reminders_for_deadlines",
    "sync_reminders_for_open_deadlines",
]
