"""Deadlines and the office closure calendar.

The rules themselves are pure Python in ``deadlines.rules``; these rows are what the engine computed
(with the explanation it gave) and what people did about it. Rows change only through
``deadlines.services`` so each change is attributed in the history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

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
        from patents.models import Matter

        return self.filter(matter__in=Matter.objects.visible_to(user))

    def open(self) -> DeadlineQuerySet:
        return self.filter(status=Deadline.Status.OPEN)

    def overdue(self, today: dt.date | None = None) -> DeadlineQuerySet:
        return self.open().filter(due_date__lt=today or timezone.now().date())

    def unverified(self) -> DeadlineQuerySet:
        return self.filter(verified_at__isnull=True).exclude(status=Deadline.Status.SUPERSEDED)


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
    due_date = models.DateField(db_index=True)
    extendable = models.BooleanField(default=False)
    latest_date = models.DateField(
        null=True, blank=True, help_text="Last possible date with extensions or grace; empty when none"
    )
    extended_to = models.DateField(null=True, blank=True, help_text="Extension actually requested/paid, if any")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    citation = models.CharField(max_length=300, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    remedies = models.JSONField(default=list, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_note = models.TextField(blank=True)
    waived_reason = models.TextField(blank=True)
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
    history = history()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "key"], condition=~Q(status="superseded"), name="one_live_deadline_per_key"
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="deadline_status_due")]

    def __str__(self) -> str:
        return f"{self.title} – {self.due_date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("deadlines:deadline-detail", args=[self.pk])

    @property
    def effective_date(self) -> dt.date:
        """The date work must be done by now: an extension actually taken moves it."""
        return self.extended_to or self.due_date

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.effective_date < (today or timezone.now().date())

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
