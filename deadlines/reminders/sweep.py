"""The sweep (``send_due_reminders``, every five minutes from beat and as a management command).

1. Digest and report rows for the current period are created for users whose local morning has come.
2. Safety net: rows of closed deadlines are cancelled, rows whose deadline moved without a sync call are
   re-planned, and open deadlines without any scheduled row get their schedule.
3. Catch-up without a flood: of several due rows for the same deadline, kind and date, only the latest
   (closest to the date) is sent; the earlier ones are marked *skipped* with the reason. After a week of
   downtime a deadline gets one reminder, not five.
4. Deliveries of dead sweeps are taken over or flagged (``delivery.recover_deliveries``).
5. Batch by batch: claim (``claim.claim_batch``), then send (``delivery.send_claimed``) —
   ``drain_due_reminders``, which helpers on other workers run too when a large backlog is due
   (``REMINDERS_SWEEP_WORKERS``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from deadlines.models import Deadline, Reminder
from patents.models import Matter
from patents.timezones import user_tz

from .claim import claim_batch
from .common import REPORT_WEEKDAY, SMTP_TIMEOUT, K, digest_hour, local_morning, sweep_helpers
from .delivery import recover_deliveries, send_claimed
from .messages import Cache
from .planning import sync_reminders_for_deadlines

logger = logging.getLogger(__name__)

OVERTAKEN_REASON = "overtaken: a later reminder for the same date was already due (catch-up after a delay)"


def send_due_reminders(
    *,
    now: dt.datetime | None = None,
    batch_size: int = 500,
    max_batches: int | None = None,
    helpers: Callable[[dt.datetime, int], None] | None = None,
) -> dict[str, int]:
    """Send every reminder that is due, each to each recipient at most once (see the package docstring).

    ``helpers(now, n)``: when more than a batch is due, ask for ``n`` more processes to drain it alongside this
    one (``drain_due_reminders`` with the same ``now``, e.g. as Celery tasks on other workers); asked only after
    the catch-up pass, so a helper never sends a reminder that pass would have skipped.
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    counts: Counter[str] = Counter()
    counts.update(schedule_periodic_reminders(now=now))
    counts.update(reconcile_reminders(now=now))
    counts["skipped_overtaken"] += skip_overtaken_reminders(now=now)
    counts.update(recover_deliveries(token=token))
    wanted = sweep_helpers()
    if helpers is not None and wanted:
        due = Reminder.objects.due(now).count()
        if due > batch_size:
            helpers(now, min(wanted, due // batch_size))
    counts.update(drain_due_reminders(now=now, batch_size=batch_size, max_batches=max_batches, token=token))
    return {k: v for k, v in counts.items() if v}


def drain_due_reminders(
    *, now: dt.datetime, batch_size: int = 500, max_batches: int | None = None, token: str | None = None
) -> dict[str, int]:
    """Claim and send batch by batch until nothing is due at ``now``. Any number of these may run at once
    (one per worker): each batch is claimed atomically (``SKIP LOCKED`` and the delivery's unique key)."""
    token = token or uuid.uuid4().hex
    counts: Counter[str] = Counter()
    batches = 0
    connection = get_connection(timeout=SMTP_TIMEOUT)
    cache: Cache = {}  # digest contexts from claim to render, one batch at a time (bounded memory)
    resynced: set[int] = set()
    while True:
        claimed, resync = claim_batch(now=now, token=token, batch_size=batch_size, counts=counts, cache=cache)
        counts.update(send_claimed(token=token, connection=connection, now=now, cache=cache))
        cache.clear()
        if resync:
            if resync <= resynced:
                # Re-planning did not settle these rows: stop rather than spin; the next sweep retries.
                logger.error("reminders of deadlines %s stay out of step after a re-sync", sorted(resync)[:20])
                break
            resynced |= resync
            counts.update({f"resync_{k}": v for k, v in sync_reminders_for_deadlines(deadline_ids=resync).items()})
        batches += 1
        if claimed < batch_size or (max_batches is not None and batches >= max_batches):
            break
    return {k: v for k, v in counts.items() if v}


def schedule_periodic_reminders(*, now: dt.datetime) -> dict[str, int]:
    """Create today's digest and this week's report rows for users whose local morning has come.

    Only the current period is created, so a sweep after days of downtime sends one digest, not a pile.
    """
    hour = digest_hour()
    attorneys = set(
        Matter.objects.filter(responsible_attorney__isnull=False).values_list("responsible_attorney", flat=True)
    )
    wanted: list[Reminder] = []
    for user in _involved_users():
        profile = getattr(user, "profile", None)
        zone = user_tz(user)
        local = now.astimezone(zone)
        if not (profile and profile.digest_opt_out) and local.hour >= hour:
            wanted.append(
                Reminder(
                    recipient=user,
                    kind=K.DIGEST,
                    target_date=local.date(),
                    due_at=local_morning(local.date(), hour=hour, zone=zone),
                )
            )
        monday = local.date() - dt.timedelta(days=(local.weekday() - REPORT_WEEKDAY) % 7)
        if user.pk in attorneys and not (profile and profile.weekly_report_opt_out):
            starts = local_morning(monday, hour=hour, zone=zone)
            if now >= starts:
                wanted.append(Reminder(recipient=user, kind=K.REPORT, target_date=monday, due_at=starts))
    if not wanted:
        return {}
    have = set(
        Reminder.objects.filter(
            deadline__isnull=True,
            recipient__in={r.recipient_id for r in wanted},
            target_date__in={r.target_date for r in wanted},
        ).values_list("recipient_id", "kind", "target_date")
    )
    new = [r for r in wanted if (r.recipient_id, r.kind, r.target_date) not in have]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return {"periodic_scheduled": len(new)} if new else {}


def _involved_users():
    """Active users with an address who take part in a docket: a team, an open deadline or a matter role."""
    involved = (
        Q(memberships__isnull=False)
        | Q(deadlines__status=Deadline.Status.OPEN)
        | Q(pk__in=Matter.objects.filter(responsible_attorney__isnull=False).values("responsible_attorney"))
        | Q(pk__in=Matter.objects.filter(responsible_paralegal__isnull=False).values("responsible_paralegal"))
    )
    User = get_user_model()
    return User.objects.filter(is_active=True).exclude(email="").filter(involved).distinct().select_related("profile")


def reconcile_reminders(*, now: dt.datetime) -> dict[str, int]:
    """Repair what a missing sync call would leave wrong (cheap set-based queries)."""
    counts: Counter[str] = Counter()
    scheduled = Reminder.objects.scheduled().filter(deadline__isnull=False)
    for status in Deadline.Status:
        if status == Deadline.Status.OPEN:
            continue
        counts["cancelled"] += scheduled.filter(deadline__status=status).update(
            status=Reminder.Status.CANCELLED,
            status_reason=f"deadline {status.label.lower()}",
            processed_at=now,
            updated_at=now,
        )
    stale_ids = set(
        scheduled.filter(deadline__status=Deadline.Status.OPEN)
        .filter(
            (
                Q(kind__in=[K.BEFORE_DUE, K.OVERDUE, K.INSTRUCTION])
                & ~Q(target_date=Coalesce(F("deadline__extended_to"), F("deadline__due_date")))
            )
            | (
                Q(kind=K.BEFORE_LATEST)
                & (
                    Q(deadline__extendable=False)
                    | Q(deadline__latest_date__isnull=True)
                    | ~Q(target_date=F("deadline__latest_date"))
                )
            )
        )
        .values_list("deadline_id", flat=True)
        .distinct()
    )
    unscheduled_ids = set(
        Deadline.objects.open()
        .filter(~Exists(Reminder.objects.scheduled().filter(deadline=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    if stale_ids or unscheduled_ids:
        ids = {pk for pk in stale_ids | unscheduled_ids if pk is not None}
        result = sync_reminders_for_deadlines(deadline_ids=ids, now=now)
        counts.update({f"reconciled_{k}": v for k, v in result.items()})
    return dict(counts)


def skip_overtaken_reminders(*, now: dt.datetime) -> int:
    """Catch-up: a due reminder is skipped when a later one for the same date is due as well."""
    later_due = Reminder.objects.filter(
        deadline=OuterRef("deadline"),
        kind=OuterRef("kind"),
        target_date=OuterRef("target_date"),
        due_at__gt=OuterRef("due_at"),
        due_at__lte=now,
        status__in=[Reminder.Status.SCHEDULED, Reminder.Status.SENT],
    )
    return (
        Reminder.objects.due(now)
        .filter(deadline__isnull=False)
        .filter(Exists(later_due))
        .update(
            status=Reminder.Status.SKIPPED,
            processed_at=now,
            updated_at=now,
            status_reason=OVERTAKEN_REASON,
        )
    )
