"""Per-user ICS calendar feed (RFC 5545, via the icalendar package).

Calendar clients poll the URL without a session, so the secret token in the URL is the credential: it
resolves to one user and the feed shows exactly what ``visible_to`` lets that user see.

- One all-day event per deadline on the date work is due now (an extension taken moves it).
- UID is stable per deadline row; SEQUENCE is the number of changes recorded in its history, so it only
  ever grows and clients replace the event when the deadline moves.
- A superseded (or waived) deadline stays in the feed with STATUS:CANCELLED for a while, so calendars that
  already hold it remove it instead of keeping a stale date.
- The feed follows the docket's scopes: the user's own deadlines by default (``?scope=team`` / ``all``).
- Building events is the expensive part (the icalendar package costs ~0.7 ms per event), and calendar
  programs poll every few minutes: the body is cached under a fingerprint of the rows it was built from
  (count, newest history row, today's date), and an unchanged fingerprint answers 304 to If-None-Match.
  The fingerprint itself is looked up under the data version (``current_fingerprint``): a poll when
  nothing changed reads no deadline row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Deadline
from .templatetags.docket_tags import DocketingTeams, responsible_of

PAST_DAYS = 90  # how far back the feed still carries deadlines (done and cancelled ones included)
CACHE_SECONDS = 24 * 3600
SCOPES = ("mine", "team", "all")
FEW_MINE = 2000  # see scoped_rows


def scoped_rows(user, today: dt.date, scope: str = "mine") -> QuerySet:
    from .filters import mine_ids, mine_q, team_q

    qs = (
        Deadline.objects.visible_to(user)
        .annotate(effective=Coalesce("extended_to", "due_date"))
        .filter(effective__gte=today - dt.timedelta(days=PAST_DAYS))
    )
    if scope == "mine":
        # Most people own a few hundred deadlines: their ids, read from the indexes, are the filter. Someone
        # who owns more than FEW_MINE (a paralegal responsible for a whole portfolio) is filtered by mine_q.
        ids = list(mine_ids(user)[: FEW_MINE + 1].values_list("pk", flat=True))
        qs = qs.filter(pk__in=ids) if len(ids) <= FEW_MINE else qs.filter(mine_q(user))
    elif scope == "team":
        qs = qs.filter(team_q(user))
    return qs


def feed_fingerprint(user, today: dt.date, scope: str = "mine") -> str:
    """Changes whenever a row of the feed is added, removed or changed, or the day changes.

    Every change of a deadline writes a history row, so the newest history id among the feed's rows moves
    with each change even when two saves share one clock tick (updated_at would not).
    """
    rows = scoped_rows(user, today, scope)
    agg = rows.aggregate(n=Count("pk"), top=Max("pk"))
    newest = Deadline.history.filter(id__in=rows.values("pk")).aggregate(v=Max("history_id"))["v"]
    raw = f"{user.pk}|{scope}|{today.isoformat()}|{agg['n']}|{agg['top']}|{newest}|{settings.SITE_URL}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def feed_queryset(user, today: dt.date, scope: str = "mine") -> QuerySet:
    history = Deadline.history.model
    changes = history.objects.filter(id=OuterRef("pk")).order_by().values("id").annotate(n=Count("*")).values("n")
    return (
        scoped_rows(user, today, scope)
        .annotate(
            changes=Coalesce(Subquery(changes, output_field=IntegerField()), 1),
        )
        .select_related(
            "matter", "matter__client", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
        )
        .order_by("effective", "pk")
    )


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "docketapp"


FRESHNESS_SECONDS = 300


def current_fingerprint(user, today: dt.date, scope: str = "mine") -> str:
    """``feed_fingerprint``, looked up first under the data version (deadlines.freshness: four primary-key
    maxima, constant time): when nothing was written since the last poll the feed's rows are not scanned
    again (that scan took over a second at 20k deadlines). After a write, or at most FRESHNESS_SECONDS
    later, the fingerprint is computed from the rows again."""
    from .freshness import cached_figure, user_key

    return cached_figure(
        user_key(user, today, "ics", scope),
        lambda: feed_fingerprint(user, today, scope),
        ttl=FRESHNESS_SECONDS,
    )


def cached_calendar(user, today: dt.date, scope: str = "mine") -> tuple[bytes, str]:
    etag = current_fingerprint(user, today, scope)
    key = f"docketapp:ics:{etag}"
    body = cache.get(key)
    if body is None:
        body = build_calendar(user, feed_queryset(user, today, scope))
        cache.set(key, body, CACHE_SECONDS)
    return body, etag


def build_calendar(user, deadlines: QuerySet) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//docketapp//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"docketapp deadlines – {user.get_username()}")
    host = _host()
    base = settings.SITE_URL.rstrip("/")
    now = timezone.now()
    teams = DocketingTeams(user)
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
        if d.optional and d.needs_action:
            # Never an alarm in someone's calendar: an optional act only keeps an option open.
            flags.append("OPTIONAL")
        if d.status in (Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.MISSED,
                        Deadline.Status.LET_LAPSE):
            flags.append(d.get_status_display().upper())
        prefix = "".join(f"[{f}] " for f in flags)
        event.add("summary", f"{prefix}{d.matter.reference}: {d.title}")
        lines = [
            f"Matter: {d.matter.reference} ({d.matter.client.reference}) – {d.office} {d.matter.application_number}",
            f"Kind: {d.get_kind_display()}; status: {d.get_status_display()}",
            f"Due: {d.due_date.isoformat()}" + (f"; extended to {d.extended_to.isoformat()}" if d.extended_to else ""),
        ]
        if d.latest_date:
            lines.append(f"Latest possible date with extension/grace: {d.latest_date.isoformat()}")
        if d.citation:
            lines.append(f"Legal basis: {d.citation}")
        name, inherited = responsible_of(d, teams)
        if name:
            lines.append(f"Responsible: {name}" + (" (the matter's)" if inherited else ""))
        lines.append("Verified" if d.is_verified else "NOT YET VERIFIED by a second person")
        url = base + reverse("deadlines:deadline-detail", args=[d.pk])
        lines.append(url)
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("categories", [d.get_kind_display()])
        if d.status in (Deadline.Status.SUPERSEDED, Deadline.Status.WAIVED, Deadline.Status.LET_LAPSE):
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED" if d.is_verified else "TENTATIVE")
        cal.add_component(event)
    return cal.to_ical()
