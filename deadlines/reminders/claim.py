"""Claiming due reminders: decide what each due row becomes and insert its deliveries under a claim token.

In one short transaction the due rows are locked (``SKIP LOCKED``: a concurrent sweep takes other rows),
their recipients resolved and one ``Delivery`` per recipient inserted with ON CONFLICT DO NOTHING under this
sweep's token. The unique (reminder, recipient, channel) constraint is the last guard: whatever the locking
did, a second sweep's insert conflicts and it does not own the row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deadlines.models import Deadline, Delivery, Reminder
from docketapp.plain_rows import insert_rows
from patents.dates import format_of
from patents.models import TeamMembership

from .common import CLAIMED, K, firm_today, firm_zone, local_morning, send_hour
from .messages import Cache, deadline_subject, digest_context, digest_subject, prefetch_contexts, report_subject
from .planning import expected_target

logger = logging.getLogger(__name__)

# (status, reason) a due reminder is closed with → the reminder ids closed that way.
Outcome = dict[tuple[str, str], list[int]]
# A reminder's subject for a recipient who reads dates in the given format (UserProfile.date_format).
SubjectIn = Callable[[str], str]


def claim_batch(
    *, now: dt.datetime, token: str, batch_size: int, counts: Counter[str], cache: Cache
) -> tuple[int, set[int]]:
    """Claim up to ``batch_size`` due reminders: (how many were looked at, deadlines to re-plan first)."""
    with transaction.atomic():
        reminders = list(
            Reminder.objects.due(now)
            .select_related("deadline__matter__client", "deadline__responsible", "recipient__profile")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "pk")[:batch_size]
        )
        if not reminders:
            return 0, set()
        periodic = [r for r in reminders if r.kind == K.DIGEST and r.recipient is not None]
        # "Anything to say?" needs each digest's contents: loaded for the whole batch at once.
        prefetch_contexts(periodic, [r.recipient for r in periodic], now=now, cache=cache)
        claim = _Claim(now=now, token=token, cache=cache, recipients=_Recipients(reminders))
        for reminder in reminders:
            claim.take(reminder)
        claim.save(counts)
    # The rendering that follows uses these objects instead of loading them again (delivery.attach_related).
    cache.update({(CLAIMED, r.pk): r for r in reminders})
    return len(reminders), claim.resync


@dataclass
class _Claim:
    """What one batch decides, written in a few bulk statements at the end of the claim transaction."""

    now: dt.datetime
    token: str
    cache: Cache
    recipients: _Recipients
    today: dt.date = field(init=False)
    claimed_at: dt.datetime = field(default_factory=timezone.now)
    deliveries: list[Delivery] = field(default_factory=list)
    outcome: Outcome = field(default_factory=lambda: defaultdict(list))
    next_escalations: list[Reminder] = field(default_factory=list)
    resync: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.today = firm_today(self.now)

    def take(self, reminder: Reminder) -> None:
        prepared = self._for_deadline(reminder) if reminder.deadline is not None else self._periodic(reminder)
        if prepared is None:
            return
        users, subject_in = prepared
        if not users:
            logger.error(
                "reminder %s (%s) has nobody to go to: no responsible person, attorney or docketing "
                "team member with an active account",
                reminder.pk,
                reminder,
            )
            self._close(reminder, Reminder.Status.SKIPPED, "no recipient: assign a responsible person")
            return
        # Each recipient's subject writes dates in their format (as the body does): one per format, not per user.
        subjects: dict[str, str] = {}
        for user in users:
            date_format = format_of(user)  # the profile came with the user (_Recipients, recipient__profile)
            subject = subjects.get(date_format)
            if subject is None:
                subject = subjects[date_format] = subject_in(date_format)
            self.deliveries.append(
                new_delivery(reminder, user, subject=subject, token=self.token, claimed_at=self.claimed_at)
            )
        self._close(reminder, Reminder.Status.SENT, "")

    def _for_deadline(self, reminder: Reminder) -> tuple[list[Any], SubjectIn] | None:
        """(recipients, their subject for a date format) of a deadline reminder, or None when it is closed or
        re-planned instead."""
        deadline = reminder.deadline
        assert deadline is not None
        if deadline.status != Deadline.Status.OPEN:
            self._close(reminder, Reminder.Status.CANCELLED, f"deadline {deadline.get_status_display().lower()}")
            return None
        if expected_target(reminder, deadline) != reminder.target_date:
            self.resync.add(deadline.pk)  # moved without a sync call: re-plan instead of announcing a stale date
            return None
        if reminder.kind in (K.BEFORE_DUE, K.BEFORE_LATEST, K.INSTRUCTION) and reminder.target_date < self.today:
            self._close(reminder, Reminder.Status.SKIPPED, "the date had passed when it came due; escalation took over")
            return None
        users = self.recipients.for_deadline(reminder)
        if reminder.kind == K.OVERDUE:
            self.next_escalations.append(self._next_escalation(reminder, deadline))
        today = self.today
        return users, lambda date_format: deadline_subject(reminder, today=today, date_format=date_format)

    def _next_escalation(self, reminder: Reminder, deadline: Deadline) -> Reminder:
        """Tomorrow's escalation, so one is always scheduled ahead while the deadline stays overdue."""
        n = max(-reminder.offset_days, (self.today - reminder.target_date).days) + 1
        return Reminder(
            deadline_id=deadline.pk,
            kind=K.OVERDUE,
            offset_days=-n,
            target_date=reminder.target_date,
            created_at=self.now,
            due_at=local_morning(reminder.target_date + dt.timedelta(days=n), hour=send_hour(), zone=firm_zone()),
        )

    def _periodic(self, reminder: Reminder) -> tuple[list[Any], SubjectIn] | None:
        user = reminder.recipient
        refusal, subject = periodic_check(reminder, user, now=self.now, cache=self.cache)
        if refusal:
            self._close(reminder, Reminder.Status.SKIPPED, refusal)
            return None
        return [user], lambda _date_format: subject  # already in its one recipient's format

    def _close(self, reminder: Reminder, status: str, reason: str) -> None:
        self.outcome[(status, reason)].append(reminder.pk)

    def save(self, counts: Counter[str]) -> None:
        insert_deliveries(self.deliveries)
        if self.next_escalations:
            Reminder.objects.bulk_create(self.next_escalations, ignore_conflicts=True)
        for (status, reason), pks in self.outcome.items():
            counts[f"reminders_{status}"] += Reminder.objects.filter(
                pk__in=pks, status=Reminder.Status.SCHEDULED
            ).update(status=status, status_reason=reason, processed_at=self.now, updated_at=self.now)


def insert_deliveries(deliveries: Sequence[Delivery]) -> None:
    """The claim's deliveries, ON CONFLICT DO NOTHING: a row that already exists belongs to whoever inserted it
    first (the unique reminder, recipient and channel). Plain SQL (``docketapp.plain_rows``): Django's insert compiler
    prepared each of the 15 values of each row through its field, 2 of the 28 s of a profiled 5,000-message
    sweep."""
    insert_rows(Delivery, deliveries, conflict_ignored=True)


def new_delivery(reminder: Reminder, user: Any, *, subject: str, token: str, claimed_at: dt.datetime) -> Delivery:
    address = (user.email or "").strip()
    host = urlsplit(str(settings.SITE_URL)).hostname or "localhost"
    delivery = Delivery(
        reminder_id=reminder.pk,
        recipient_id=user.pk,
        channel=Delivery.Channel.EMAIL,
        address=address,
        subject=subject[:300],
        claim_token=token,
        claimed_at=claimed_at,
        # Deterministic per delivery: a human resend of an unconfirmed message is recognisable as the same.
        message_id=f"<docket.r{reminder.pk}.u{user.pk}.email@{host}>",
    )
    if not address or not user.is_active:
        delivery.status = Delivery.Status.FAILED
        delivery.error = "recipient has no e-mail address" if not address else "recipient account is inactive"
        logger.error("reminder %s: cannot deliver to user %s: %s", reminder.pk, user.pk, delivery.error)
    return delivery


class _Recipients:
    """Who hears about a deadline, resolved when it is sent (the current assignment, not the old one)."""

    def __init__(self, reminders: list[Reminder]) -> None:
        ids: set[int] = set()
        client_ids: set[int] = set()
        for r in reminders:
            if r.deadline is not None:
                m = r.deadline.matter
                chain = (r.deadline.responsible_id, m.responsible_paralegal_id, m.responsible_attorney_id)
                ids.update(x for x in chain if x)
                client_ids.add(m.client_id)
        User = get_user_model()
        # With their profiles: the subject is written in each recipient's date format (format_of).
        self.users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True).select_related("profile")}
        self._docketing: dict[int, list[Any]] | None = None
        self._client_ids = client_ids

    def docketing(self, client_id: int) -> list[Any]:
        if self._docketing is None:
            self._docketing = defaultdict(list)
            for m in (
                TeamMembership.objects.filter(
                    client_id__in=self._client_ids, role=TeamMembership.Role.DOCKETING, user__is_active=True
                )
                .select_related("user__profile")
                .order_by("user_id")
            ):
                self._docketing[m.client_id].append(m.user)
        return self._docketing.get(client_id, [])

    def for_deadline(self, reminder: Reminder) -> list[Any]:
        deadline = reminder.deadline
        assert deadline is not None
        matter = deadline.matter
        chain = [deadline.responsible_id, matter.responsible_paralegal_id, matter.responsible_attorney_id]
        primary = next((self.users[x] for x in chain if x in self.users), None)
        found = [primary] if primary else []
        # Escalation goes to the responsible person AND the supervising attorney.
        if reminder.kind == K.OVERDUE and matter.responsible_attorney_id in self.users:
            attorney = self.users[matter.responsible_attorney_id]
            if attorney not in found:
                found.append(attorney)
        return found or self.docketing(matter.client_id)


def periodic_check(reminder: Reminder, user: Any, *, now: dt.datetime, cache: Cache) -> tuple[str, str]:
    """(reason to skip or "", subject) for a digest or report about to be claimed; the subject's date in the
    recipient's format."""
    if not user.is_active:
        return "recipient account is inactive", ""
    profile = getattr(user, "profile", None)
    if reminder.kind == K.REPORT:
        if profile and profile.weekly_report_opt_out:
            return "recipient opted out of weekly reports", ""
        return "", report_subject(reminder, format_of(user))
    if profile and profile.digest_opt_out:
        return "recipient opted out of digests", ""
    ctx = digest_context(user=user, now=now, cache=cache)
    if not ctx["has_content"]:
        return "nothing to report", ""
    return "", digest_subject(reminder, ctx, format_of(user))
