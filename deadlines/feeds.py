"""Per-user ICS calendar feed (RFC 5545, via the icalendar package).

Calendar clients poll the URL without a session, so the secret token in the URL is the credential: it
resolves to one user and the feed shows exactly what ``visible_to`` lets that user see.

- One all-day event per deadline on the date work is due now (an extension taken moves it).
- UID is stable per deadline row; SEQUENCE is the number of changes recorded in its history, so it only
  ever grows and clients replace the event when the deadline moves.
- A superseded (or waived) deadline stays in the feed with STATUS:CANCELLED for a while, so calendars that
  already hold it remove it instead of keeping a stale date.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Deadline

PAST_DAYS = 180  # how far back the feed still carries deadlines (done and cancelled ones included)


def feed_queryset(user, today: dt.date) -> QuerySet:
    history = Deadline.history.model
    changes = (
        history.objects.filter(id=OuterRef("pk")).order_by().values("id").annotate(n=Count("*")).values("n")
    )
    return (
        Deadline.objects.visible_to(user)
        .annotate(
            effective=Coalesce("extended_to", "due_date"),
            changes=Coalesce(Subquery(changes, output_field=IntegerField()), 1),
        )
        .filter(effective__gte=today - dt.timedelta(days=PAST_DAYS))
        .select_related("matter", "matter__client", "responsible")
        .order_by("effective", "pk")
    )


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "docketapp"


def build_calendar(user, deadlines: QuerySet) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//docketapp//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"docketapp deadlines – {user.get_username()}")
    host = _host()
    base = settings.SITE_URL.rstrip("/")
    now = timezone.now()
    for d in deadlines:
        event = Event()
        event.add("uid", f"deadline-{d.pk}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", d.updated_at)
        event.add("sequence", max(d.changes - 1, 0))
        event.add("dtstart", d.effective)
        event.add("dtend", d.effective + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        flags = []
        if d.status == Deadline.Status.OPEN and not d.is_verified:
            flags.append("UNVERIFIED")
        if d.status in (Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.MISSED):
            flags.append(d.get_status_display().upper())
        prefix = "".join(f"[{f}] " for f in flags)
        event.add("summary", f"{prefix}{d.matter.reference}: {d.title}")
        lines = [
            f"Matter: {d.matter.reference} ({d.matter.client.reference}) – "
            f"{d.office} {d.matter.application_number}",
            f"Kind: {d.get_kind_display()}; status: {d.get_status_display()}",
            f"Due: {d.due_date.isoformat()}"
            + (f"; extended to {d.extended_to.isoformat()}" if d.extended_to else ""),
        ]
        if d.latest_date:
            lines.append(f"Latest possible date with extension/grace: {d.latest_date.isoformat()}")
        if d.citation:
            lines.append(f"Legal basis: {d.citation}")
        if d.responsible:
            lines.append(f"Responsible: {d.responsible.get_username()}")
        lines.append("Verified" if d.is_verified else "NOT YET VERIFIED by a second person")
        url = base + reverse("deadlines:deadline-detail", args=[d.pk])
        lines.append(url)
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("categories", [d.get_kind_display()])
        if d.status in (Deadline.Status.SUPERSEDED, Deadline.Status.WAIVED):
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED" if d.is_verified else "TENTATIVE")
        cal.add_component(event)
    return cal.to_ical()
