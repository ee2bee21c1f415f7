"""Deadlines and the office closure calendar.

The rules themselves are pure Python in ``deadlines.rules``; these rows are what the engine computed
(with the explanation it gave) and what people did about it. Rows change only through
``deadlines.services`` so each change is attributed in the history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from docketapp.fast_urls import pk_url
from patents.models import history


class OfficeClosure(models.Model):
    """A day an office is closed that no holiday library knows (EPO/WIPO closures, JPO year-end, ad hoc)."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", "Office closure"
        HOLIDAY = "holiday", "Public holiday not in the library"
        ADHOC = "adhoc", "Ad-hoc closure (e.g. weather, IT outage)"

    office = models.CharField(max_length=2, help_text="ST.3 code of the office: EP, US, JP, WO (IB) …")
    date = models.DateField()
    reason = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLOSURE)
    source = models.CharField(max_length=300, help_text="Where this closure was published, e.g. OJ EPO 2024, A105")

    history = history()

    class Meta:
        ordering = ["office", "date"]
        constraints = [models.UniqueConstraint(fields=["office", "date"], name="one_closure_per_office_day")]

    def __str__(self) -> str:
        return f"{self.office} closed {self.date.isoformat()} ({self.reason})"


class DeadlineQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeadlineQuerySet:
        """The deadlines of the matters ``user`` may see: Matter.objects.visible_to's rule (the single door,
        tests/security compare the two), written on the deadline's own join to its matter. As
        ``matter IN (visible matters)`` the planner hashed every visible matter on every docket query (30 ms
        at 20k matters, before reading a deadline); as ``matter.client IN (the user's clients)`` it is a
        lookup in a handful of memberships on a join the docket makes anyway."""
        from patents.models import TeamMembership

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(matter__client_id__in=TeamMembership.objects.filter(user=user).values("client_id"))

    def open(self) -> DeadlineQuerySet:
        return self.filter(status=Deadline.Status.OPEN)

    def needs_action(self) -> DeadlineQuerySet:
        """Deadlines someone still has to act on (``NEEDS_ACTION``); the same rule as Deadline.needs_action."""
        return self.filter(status__in=NEEDS_ACTION)

    def _past(self, today: dt.date | None) -> DeadlineQuerySet:
        return (
            self.needs_action()
            .alias(date_in_force=Coalesce("extended_to", "due_date"))
            .filter(date_in_force__lt=today or timezone.now().date())
        )

    def overdue(self, today: dt.date | None = None) -> DeadlineQuerySet:
        """Deadlines that need action and whose date in force (an extension actually taken, else the due date)
        has passed, optional acts excepted (``window_passed``); the same rule as Deadline.is_overdue and the
        docket's ``overdue_rank``."""
        return self._past(today).filter(optional=False)

    def window_passed(self, today: dt.date | None = None) -> DeadlineQuerySet:
        """Optional acts past their date and still open: not an alarm, a question ("confirm not used");
        the same rule as Deadline.is_window_passed."""
        return self._past(today).filter(optional=True)

    def unassigned(self) -> DeadlineQuerySet:
        """Deadlines that need action and have nobody to act: no one assigned, no responsible paralegal or
        attorney on the matter, and no docketing member in the client's team: such a deadline must never be
        invisible, so every docket page counts it."""
        from patents.models import TeamMembership

        docketed = TeamMembership.objects.filter(role=TeamMembership.Role.DOCKETING, user__is_active=True)
        return self.needs_action().filter(
            responsible__isnull=True,
            matter__responsible_paralegal__isnull=True,
            matter__responsible_attorney__isnull=True,
        ).exclude(matter__client__in=docketed.values("client"))

    def unverified(self) -> DeadlineQuerySet:
        """Deadlines waiting for a second person; the same rule as Deadline.needs_verification."""
        return self.filter(verified_at__isnull=True).exclude(status=Deadline.Status.SUPERSEDED)

    # --- Renewals: the next year of each right is a task, later years are a forecast -----------------------

    def renewals(self) -> DeadlineQuerySet:
        """Renewal fees, annuities and maintenance fees: the deadlines of every rule with a series."""
        return self.filter(rule_id__in=renewal_rule_ids())

    def with_forecast_flag(self) -> DeadlineQuerySet:
        """Annotate ``is_forecast``: a renewal that needs action while an earlier renewal of the same matter
        still needs action. Only the next year of each right is work to do (and to verify); the years after
        it are what the fee will be if the right is kept. Paying (or letting lapse) the next year makes the
        following one the task, with no write: the flag is computed on every read."""
        # "Not closed" written as NOT IN on purpose: a status IN (...) lets the planner pick the (status,
        # due_date) index and walk every open deadline per row; this way it takes (matter, rule_id, due_date).
        closed = [s for s in Deadline.Status.values if s not in NEEDS_ACTION]
        earlier = Deadline.objects.filter(
            matter=OuterRef("matter"),
            rule_id__in=renewal_rule_ids(),
            due_date__lt=OuterRef("due_date"),
        ).exclude(status__in=closed)
        return self.annotate(
            is_forecast=ExpressionWrapper(
                Q(rule_id__in=renewal_rule_ids(), status__in=NEEDS_ACTION) & Exists(earlier),
                output_field=models.BooleanField(),
            )
        )

    def forecast(self) -> DeadlineQuerySet:
        """Later renewal years (see ``with_forecast_flag``): shown as forecast, never counted as work."""
        return self.with_forecast_flag().filter(is_forecast=True)

    def tasks(self) -> DeadlineQuerySet:
        """Everything but the forecast renewal years: what the docket counts and the verification queue
        lists. The one definition of "forecast vs task" (docs/renewals.md)."""
        return self.with_forecast_flag().filter(is_forecast=False)


class Deadline(models.Model):
    class Kind(models.TextChoices):
        STATUTORY = "statutory", "Statutory"
        PROCEDURAL = "procedural", "Procedural"
        INTERNAL = "internal", "Internal"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        MISSED = "missed", "Missed"
        SUPERSEDED = "superseded", "Superseded"
        WAIVED = "waived", "Waived"
        # Closed by the engine from office facts, never by the passing of time. Unlike done/waived
        # they are not human decisions: a recompute reopens them when the fact goes away (a revival).
        COMPLETED = "completed", "Done (proven by a later office fact)"
        MOOT = "moot", "Moot (the right ended)"
        # A renewal the client instructed us not to pay: closed by that decision (who and when are on the
        # RenewalInstruction and in the history). The matter's lifecycle does not change until the office
        # reports the lapse.
        LET_LAPSE = "let_lapse", "Closed: instructed to let lapse"

    class Origin(models.TextChoices):
        ENGINE = "engine", "Computed by the engine"
        MANUAL = "manual", "Entered by hand"

    matter = models.ForeignKey("patents.Matter", on_delete=models.CASCADE, related_name="deadlines")
    key = models.CharField(
        max_length=200, help_text="Stable identity across recomputes: rule + trigger + instance (e.g. renewal year)"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ENGINE)
    rule_id = models.CharField(max_length=100, blank=True)
    rule_version = models.CharField(max_length=20, blank=True)
    trigger_event = models.ForeignKey(
        "patents.OfficeEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    office = models.CharField(max_length=2)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Indexed as (due_date, id) and with status (Meta.indexes): a due-date-only index would be one more to write.
    due_date = models.DateField()
    extendable = models.BooleanField(default=False)
    latest_date = models.DateField(
        null=True, blank=True, help_text="Last possible date with extensions or grace; empty when none"
    )
    extended_to = models.DateField(null=True, blank=True, help_text="Extension actually requested/paid, if any")
    optional = models.BooleanField(
        default=False,
        help_text="The act only keeps an option open (the rule says so): past its date it is not overdue but "
        "waits for someone to confirm it was not used, or record it done",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)  # indexed with dates
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    citation = models.CharField(max_length=300, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    remedies = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(
        max_length=40, blank=True, editable=False,
        help_text="Hash of what the engine computed; a recompute that yields the same hash writes nothing",
    )
    done_on = models.DateField(null=True, blank=True)
    done_note = models.TextField(blank=True)
    waived_reason = models.TextField(blank=True)
    # The office fact that closed it (completed or moot): the event, its date and why it closes this one.
    closed_by_event = models.ForeignKey(
        "patents.OfficeEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="closed_deadlines"
    )
    closed_on = models.DateField(null=True, blank=True, help_text="Date of the fact that closed it")
    closed_reason = models.TextField(blank=True, help_text="Which fact closed it, its source and the legal basis")
    # Two-person verification: whoever last created/changed it by hand cannot verify it.
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Empty when the engine (a process) made the last change",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeadlineQuerySet.as_manager()
    # The history is read by deadline, matter, author and moment; the other references would be indexes written
    # with every history row and never read (issue 18).
    history = history(
        no_db_index=["trigger_event", "responsible", "closed_by_event", "last_changed_by", "verified_by"]
    )

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "key"], condition=~Q(status="superseded"), name="one_live_deadline_per_key"
            )
        ]
        indexes = [
            # With the id, the order every deadline list and the admin changelist use: filtered by status (the
            # admin's "open"), the first page is read off this index (1 ms at 2 M rows), not found by walking
            # (due_date, id) past every closed row (750 ms; issue 18).
            models.Index(fields=["status", "due_date", "id"], name="deadline_status_due_id"),
            # The forecast flag's "earlier renewal of the same matter" lookup (with_forecast_flag): without it
            # the planner walks (status, due_date) for every row, which is quadratic in the portfolio.
            models.Index(fields=["matter", "rule_id", "due_date"], name="deadline_matter_rule_due"),
            # The docket's window (overdue + the next 90 days of open work), its counts and the weekly chart
            # read open deadlines by the date in force: a range on this index instead of every deadline of
            # every visible matter (docs/dashboard.md).
            models.Index(F("status"), Coalesce("extended_to", "due_date"), name="deadline_status_effective"),
            # The admin changelist's order (Meta.ordering): its deep pages skip rows by id on this index alone
            # (an index-only scan) before reading the page's 50 rows; 130 ms → 1.5 ms at page 200 of 1.5 M rows.
            models.Index(fields=["due_date", "id"], name="deadline_due_id"),
            # The docket's and the verification queue's pages in their own order (date in force, then id):
            # each part of the list (overdue, then the window) is read along one of these and stops after
            # the page, instead of sorting every row of the window first (views.RowsInParts).
            models.Index(
                Coalesce("extended_to", "due_date"), F("id"), name="deadline_action_eff_id",
                condition=Q(status__in=["open", "missed"]),
            ),
            models.Index(
                Coalesce("extended_to", "due_date"), F("id"), name="deadline_unverified_eff_id",
                condition=Q(verified_at__isnull=True) & ~Q(status="superseded"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.due_date.isoformat()}"

    def get_absolute_url(self) -> str:
        return pk_url("deadlines:deadline-detail", self.pk)

    @property
    def effective_date(self) -> dt.date:
        """The date work must be done by now: an extension actually taken moves it."""
        return self.extended_to or self.due_date

    @property
    def needs_action(self) -> bool:
        """Someone still has to act: open, or missed (remedies such as further processing run from it)."""
        return self.status in NEEDS_ACTION

    def _is_past(self, today: dt.date | None) -> bool:
        return self.needs_action and self.effective_date < (today or timezone.now().date())

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Needs action and the date in force has passed (not an optional act); the same rule as
        DeadlineQuerySet.overdue."""
        return not self.optional and self._is_past(today)

    def is_window_passed(self, today: dt.date | None = None) -> bool:
        """An optional act whose window passed while open; the same rule as DeadlineQuerySet.window_passed."""
        return self.optional and self._is_past(today)

    @property
    def needs_verification(self) -> bool:
        """Not yet confirmed by a second person; a superseded deadline needs no second look (the same rule
        as DeadlineQuerySet.unverified)."""
        return self.verified_at is None and self.status != self.Status.SUPERSEDED

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_renewal(self) -> bool:
        return self.rule_id in renewal_rule_ids()

    @property
    def series_instance(self) -> str:
        """The renewal year (``"5"``) or maintenance stage (``"7.5"``) from the stable key; "" for a plain rule."""
        if not self.is_renewal or self.key.count(":") < 2:
            return ""
        return self.key.rsplit(":", 1)[1]


# A missed deadline still needs someone (remedies such as further processing run from it): like an open one it
# stays on the docket and counts as overdue once its date has passed. Every "needs action" and "overdue" in the
# docket, calendar, matter page and reminders goes through this tuple.
NEEDS_ACTION = (Deadline.Status.OPEN, Deadline.Status.MISSED)


@cache
def renewal_rule_ids() -> frozenset[str]:
    """The rules whose deadlines recur year after year (renewal fees, annuities, maintenance fees): every
    rule with a series, so a new office's renewal rule is covered without a list to keep."""
    from deadlines.rules.registry import RULES

    return frozenset(rule.id for rule in RULES if rule.series is not None)


def renewal_offices() -> tuple[str, ...]:
    """The offices whose rules charge recurring fees, in code order (the renewals page's office choices)."""
    from deadlines.rules.registry import RULES

    return tuple(sorted({rule.office for rule in RULES if rule.series is not None}))


class MatterComputation(models.Model):
    """What the deadline engine last computed a matter from, and what it could not compute.

    A hash of the matter's facts, its office events, the stored closures and the engine's own source: a full
    recompute skips matters whose hash is unchanged (nothing they depend on changed), so a nightly pass over
    the portfolio reads and hashes instead of recomputing. Bookkeeping, not docket data: no history.
    """

    matter = models.OneToOneField("patents.Matter", on_delete=models.CASCADE, related_name="deadline_computation")
    inputs_hash = models.CharField(max_length=40, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    recompute_requested_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set in the same transaction as an office event change; cleared by the recompute that "
        "follows. Still set after a few minutes means the recompute task was lost (broker down, worker "
        "killed): the recompute-pending sweep does it.",
    )
    # What the engine could not compute at the last recompute (a missing filing date, …), as it reported it:
    # the matter page shows these instead of running the engine on every view.
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recompute_requested_at"], name="computation_pending",
                         condition=models.Q(recompute_requested_at__isnull=False)),
        ]

    def __str__(self) -> str:
        when = f"{self.computed_at:%Y-%m-%d %H:%M}" if self.computed_at else "never"
        return f"deadlines of matter {self.matter_id} computed {when}"


# --- Reminders: policy, scheduled reminder rows and their deliveries -----------------------------------

DEFAULT_BEFORE_DUE_DAYS = (60, 30, 14, 7, 3, 1, 0)
DEFAULT_BEFORE_LATEST_DAYS = (30, 14, 7, 3, 1, 0)


def parse_offsets(value: str) -> tuple[int, ...]:
    """Parse "60, 30, 14" into (60, 30, 14); ValueError for anything that is not a day count 0…3650."""
    days = []
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        number = int(part)
        if number < 0 or number > 3650:
            raise ValueError(f"{number} is not a number of days between 0 and 3650")
        days.append(number)
    return tuple(sorted(set(days), reverse=True))


def validate_offsets(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        parse_offsets(value)
    except ValueError as exc:
        raise ValidationError(f"Write days before the date separated by commas, e.g. 60, 30, 14, 7 ({exc})")


class ReminderPolicy(models.Model):
    """How many days ahead people are reminded, per deadline kind and/or client.

    The most specific row wins: client + kind, then client (any kind), then kind (any client), then the
    firm-wide row (no client, any kind); without any row DEFAULT_BEFORE_*_DAYS apply. Overdue escalation
    is not configurable on purpose: a missed deadline is escalated daily whatever a policy says.
    """

    client = models.ForeignKey(
        "patents.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="reminder_policies",
        help_text="Empty: applies to every client without its own policy",
    )
    deadline_kind = models.CharField(
        max_length=12, choices=Deadline.Kind.choices, blank=True, help_text="Empty: applies to every kind"
    )
    before_due_days = models.CharField(
        max_length=200, default=", ".join(map(str, DEFAULT_BEFORE_DUE_DAYS)), validators=[validate_offsets],
        help_text="Days before the due date (or the extension actually taken); 0 = on the day",
    )
    before_latest_days = models.CharField(
        max_length=200, blank=True, default=", ".join(map(str, DEFAULT_BEFORE_LATEST_DAYS)),
        validators=[validate_offsets],
        help_text="For extendable deadlines: days before the latest possible date (only those after the due date)",
    )
    note = models.CharField(max_length=300, blank=True)

    history = history()

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "deadline_kind"], condition=Q(client__isnull=False), name="one_policy_per_client_kind"
            ),
            models.UniqueConstraint(
                fields=["deadline_kind"], condition=Q(client__isnull=True), name="one_default_policy_per_kind"
            ),
        ]

    def __str__(self) -> str:
        who = self.client.reference if self.client is not None else "all clients"
        return f"{who} / {self.get_deadline_kind_display() or 'all kinds'}: {self.before_due_days}"

    @property
    def before_due(self) -> tuple[int, ...]:
        return parse_offsets(self.before_due_days)

    @property
    def before_latest(self) -> tuple[int, ...]:
        return parse_offsets(self.before_latest_days)


class ReminderQuerySet(models.QuerySet):
    def scheduled(self) -> ReminderQuerySet:
        return self.filter(status=Reminder.Status.SCHEDULED)

    def due(self, now: dt.datetime) -> ReminderQuerySet:
        return self.scheduled().filter(due_at__lte=now)


class Reminder(models.Model):
    """One announcement that is due at ``due_at``: swept by ``deadlines.reminders.send_due_reminders``.

    Deadline reminders are identified by (deadline, kind, offset, target date): when a deadline moves, the
    scheduled rows are moved with it; rows already sent stay as the record of what was announced for the
    old date. Digests and reports have no deadline: they belong to a recipient and a period (target_date).
    Not history-tracked: the row itself (status, reason, deliveries) is the record, and the sweep has to
    write tens of thousands of them in bulk.
    """

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Before the due date"
        BEFORE_LATEST = "before_latest", "Before the latest possible date"
        OVERDUE = "overdue", "Overdue escalation"
        DIGEST = "digest", "Daily digest"
        REPORT = "report", "Weekly docket report"
        INSTRUCTION = "instruction", "Renewal instruction needed"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent (see deliveries)"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Skipped"

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Digests and reports only; deadline reminders find their recipients when sent",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    offset_days = models.IntegerField(
        default=0, help_text="Days before target_date; negative for the n-th day of overdue escalation"
    )
    target_date = models.DateField(help_text="The date announced (due/latest date) or the digest/report period")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    status_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "offset_days", "target_date"], condition=Q(deadline__isnull=False),
                name="one_reminder_per_deadline_offset_date",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "target_date"], condition=Q(deadline__isnull=True),
                name="one_periodic_reminder_per_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminder_status_due"),
            models.Index(fields=["deadline", "status"], name="reminder_deadline_status"),
        ]

    def __str__(self) -> str:
        target = self.target_date.isoformat()
        return f"{self.get_kind_display()} {self.offset_days:+d} → {target} at {self.due_at:%Y-%m-%d %H:%M}Z"


class Delivery(models.Model):
    """One message of one reminder to one recipient on one channel — the exactly-once guard.

    Life cycle (the reasoning is in ``deadlines.reminders``): queued (claimed by a sweep's token) →
    sending (handed to the mail backend) → sent. A queued row was never handed to the backend, so it can be
    released to another sweep if its claimer died. A row that stays *sending* after the lease was perhaps
    sent: it becomes *unconfirmed* for a human and is never re-sent automatically.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "Claimed, not yet handed to the mail server"
        SENDING = "sending", "Handed to the mail server"
        SENT = "sent", "Sent"
        RETRY = "retry", "Not sent (temporary failure), will retry"
        FAILED = "failed", "Not sent (permanent failure)"
        UNCONFIRMED = "unconfirmed", "Unconfirmed: perhaps sent, check the mail log"

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(
        blank=True, help_text="The plain-text message as handed to the mail server: evidence of what was announced"
    )
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    claim_token = models.CharField(max_length=40, blank=True, db_index=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "recipient", "channel"], name="one_delivery_per_recipient")
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="delivery_status_claimed")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.address or self.recipient_id}: {self.get_status_display()}"


class SavedView(models.Model):
    """A person's named docket filter ("my EP office actions", "overdue for client X"): the docket's query
    string, applied by opening the docket with it. Private to its owner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_docket_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True, help_text="The docket's filters as a URL query string")
    created_at = models.DateTimeField(default=timezone.now)

    history = history()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="one_saved_view_name_per_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def get_absolute_url(self) -> str:
        return reverse("patents:home") + (f"?{self.query}" if self.query else "")


# --- Renewals: official fee tables and the client's instruction per fee --------------------------------


class FeeSchedule(models.Model):
    """One office's official table for one recurring fee, as published, from the day it applies.

    A new table (the office changed its fees) is a new row with its own effective date, never an edit of the
    old one: a fee paid in grace after the change is looked up in the table in force on the day of payment.
    Which deadlines it prices is a list of rule ids (the deadline engine's ``rule_id``).
    """

    office = models.CharField(max_length=2, help_text="ST.3 code of the office that charges the fee")
    name = models.CharField(max_length=200, help_text="e.g. EPO renewal fees for European patent applications")
    rule_ids = models.CharField(
        max_length=300, help_text="Deadline rules this table prices, separated by spaces (e.g. EP.RENEWAL_FEE)"
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. EUR, USD, JPY")
    effective_from = models.DateField(help_text="First day of payment on which these amounts apply")
    effective_until = models.DateField(null=True, blank=True, help_text="Last day; empty while in force")
    legal_basis = models.CharField(max_length=300, help_text="The provision that sets the amounts")
    source = models.TextField(help_text="Where the figures were read (publication)")
    source_url = models.URLField(max_length=500, blank=True)
    surcharge_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="Surcharge for payment in the grace period as a percentage of the fee (EPO 50, JPO 100); "
        "empty when the table gives fixed surcharge amounts per row, or none is known",
    )
    surcharge_basis = models.CharField(max_length=300, blank=True, help_text="The provision for the surcharge")
    notes = models.TextField(blank=True, help_text="What the table does not cover (reductions, transitional rules)")

    history = history()

    class Meta:
        ordering = ["office", "name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name", "effective_from"], name="one_fee_table_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.effective_from.isoformat()}"

    @property
    def rule_id_list(self) -> list[str]:
        return self.rule_ids.split()

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


class FeeAmount(models.Model):
    """One line of a fee table: the years it covers, for whom, the base amount and the amount per claim."""

    class EntitySize(models.TextChoices):
        ANY = "", "Any applicant"
        LARGE = "large", "Large (undiscounted)"
        SMALL = "small", "Small entity"
        MICRO = "micro", "Micro entity"

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="amounts")
    year_from = models.DecimalField(
        max_digits=4, decimal_places=1, help_text="First renewal year (or maintenance stage, e.g. 3.5) covered"
    )
    year_to = models.DecimalField(max_digits=4, decimal_places=1, help_text="Last one covered (inclusive)")
    entity_size = models.CharField(max_length=10, choices=EntitySize.choices, blank=True, default="")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    per_claim = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0), help_text="Added per claim (JPO annuities)"
    )
    surcharge = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Fixed surcharge in the grace period (USPTO 37 CFR 1.20(h)); empty: the table's percentage",
    )
    note = models.CharField(max_length=300, blank=True)

    history = history()

    class Meta:
        ordering = ["schedule", "year_from", "entity_size"]

    def __str__(self) -> str:
        years = f"{self.year_from:g}" if self.year_from == self.year_to else f"{self.year_from:g}–{self.year_to:g}"
        who = f" ({self.get_entity_size_display()})" if self.entity_size else ""
        return f"year {years}{who}: {self.amount} {self.schedule.currency}"


class RenewalInstruction(models.Model):
    """The client's instruction for one renewal fee: pay, let lapse, or not decided yet.

    Changed only through ``deadlines.services.instructions.record_instruction``: who decided and when is on
    the row and every earlier decision is in its history. "Let lapse" closes the deadline (status
    ``let_lapse``); "pay" keeps it open until the office reports the payment.
    """

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", "Undecided"
        PAY = "pay", "Pay"
        LET_LAPSE = "let_lapse", "Let lapse"

    deadline = models.OneToOneField(Deadline, on_delete=models.CASCADE, related_name="instruction")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.UNDECIDED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="e.g. who at the client gave the instruction, and how")

    history = history()

    def __str__(self) -> str:
        return f"{self.get_decision_display()} – {self.deadline}"
