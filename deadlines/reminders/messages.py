"""What the messages say: subjects, the digest and report contents, and the e-mail for one delivery.

Digests and reports are rendered when sent (the current docket), deadline reminders from the deadline as it
is at that moment; links point at the dashboard (``SITE_URL`` + the deadline's URL). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deadlines import explanation
from deadlines.models import NEEDS_ACTION, Deadline, DeadlineQuerySet, Delivery, Reminder
from patents.dates import DEFAULT_FORMAT, active_format, format_date, format_of, preferences_for
from patents.models import Matter, TeamMembership
from patents.timezones import user_tz

from . import compiled
from .common import DIGEST_LIST_LIMIT, K, RenderError, firm_today
from .mime import ReminderEmail

# What one sweep keeps between the claim and the rendering (digest contexts and renderings per team).
Cache = dict[Any, Any]


def absolute(url: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + url


def _days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def deadline_subject(reminder: Reminder, *, today: dt.date, date_format: str = DEFAULT_FORMAT) -> str:
    """The subject of a deadline reminder or escalation for a recipient who reads dates in ``date_format``
    (UserProfile.date_format): the date written exactly as the body and the dashboard write it. The default is
    the firm's, what a recipient without a profile sees. The claim computes one per date format among the
    reminder's recipients and stores it on each ``Delivery`` (what was sent)."""
    deadline = reminder.deadline
    assert deadline is not None  # only deadline reminders have this subject
    ref = deadline.matter.reference
    when = _long(reminder.target_date, date_format)
    if reminder.kind == K.OVERDUE:
        days = (today - reminder.target_date).days
        return f"OVERDUE {days} day{'s' if days != 1 else ''}: [{ref}] {deadline.title} (was due {when})"
    days = (reminder.target_date - today).days
    if reminder.kind == K.INSTRUCTION:
        return (
            f"Instruction needed (pay or let lapse), due {_days_phrase(days)}: [{ref}] {deadline.title} ({when})"
        )
    if reminder.kind == K.BEFORE_LATEST:
        return f"Last possible date {_days_phrase(days)}: [{ref}] {deadline.title} ({when})"
    return f"Due {_days_phrase(days)}: [{ref}] {deadline.title} ({when})"


def report_subject(reminder: Reminder, date_format: str = DEFAULT_FORMAT) -> str:
    """The weekly report's subject: the week's first day in the recipient's ``date_format``, as in the body."""
    return f"Weekly docket report, week of {_long(reminder.target_date, date_format)}"


def _with_weekday(day: dt.date, date_format: str) -> str:
    """``day`` in ``date_format`` led by its weekday ("Wed 03.06.2026", "Wed 06/03/2026", "Wed 2026-06-03"), or
    as the format writes it when the format already names the weekday ("Wed 3 Jun 2026")."""
    written = format_date(day, date_format)
    if "D" in date_format or "l" in date_format:  # Django's weekday letters
        return written
    return f"{day:%a} {written}"


def digest_subject(reminder: Reminder, context: dict[str, Any], date_format: str = DEFAULT_FORMAT) -> str:
    """The digest's subject: the day it is for, with its weekday (a morning's digests look alike: the weekday
    tells them apart at a glance), the date written in the recipient's ``date_format`` as the body writes it,
    year included (a bare "03.06" or "06/03" is what the formats are meant to avoid), then the counts."""
    return (
        f"Docket digest {_with_weekday(reminder.target_date, date_format)}: {context['overdue_count']} overdue, "
        f"{context['week_count']} due this week, {context['unverified_count']} unverified"
    )


def _docket_of(
    user: Any, *, attorney_only: bool = False, client_ids: Sequence[int] | None = None
) -> DeadlineQuerySet:
    """The deadlines a digest speaks about: the user's clients (as on the dashboard); for a superuser,
    who sees every client, only the matters and deadlines assigned to them. ``attorney_only``: the matters
    the user is the responsible attorney of (the weekly report)."""
    if not user.is_active:
        return Deadline.objects.none()
    matters = Matter.objects.all()
    if not user.is_superuser:
        # Same scope as Matter.objects.visible_to(), without its join through memberships.
        if client_ids is None:
            client_ids = list(TeamMembership.objects.filter(user=user).values_list("client_id", flat=True))
        matters = matters.filter(client_id__in=client_ids)
    if attorney_only:
        scope = Q(matter_id__in=list(matters.filter(responsible_attorney=user).values_list("pk", flat=True)))
    elif user.is_superuser:
        assigned = matters.filter(Q(responsible_attorney=user) | Q(responsible_paralegal=user))
        scope = Q(responsible=user) | Q(matter_id__in=list(assigned.values_list("pk", flat=True)))
    else:
        scope = Q(matter_id__in=list(matters.values_list("pk", flat=True)))
    # An explicit list of matter ids lets PostgreSQL use the deadline's matter index; the join form made it
    # scan every deadline of the firm once per digest (55 ms each at 100,000 deadlines).
    return (
        Deadline.objects.filter(scope)
        .annotate(effective=Coalesce("extended_to", "due_date"))
        .select_related("matter__client", "responsible")
    )


_URL_SENTINEL = 987654321


def _rows(queryset: DeadlineQuerySet) -> list[Deadline]:
    """Deadlines for a list in an e-mail, with the date and link pre-formatted.

    Django's ``date`` filter and ``reverse()`` per row were most of the time spent on a digest; strftime
    and one reversed URL pattern give the same text at a fraction of the cost.
    """
    return _decorate(list(queryset))


def _decorate(rows: list[Any]) -> list[Any]:
    """Rows carry the date in force (annotated ``effective``); add the link. The date is written in each
    recipient's format just before their rendering (``_dated``): rows are shared by a team's members."""
    pattern = _links(None)[1]
    for d in rows:
        d.row_url = pattern.replace(str(_URL_SENTINEL), str(d.pk))
    return rows


_ROW_LISTS = ("overdue", "week", "unverified")


def _dated(context: dict[str, Any], date_format: str) -> dict[str, Any]:
    """The context for one recipient: the lists' dates in their format (UserProfile.date_format), as on their
    dashboard. Rows already written in that format are left alone (a team usually shares one)."""
    lists = [context.get(name) or [] for name in _ROW_LISTS]
    lists += [group["deadlines"] for group in context.get("clients") or []]
    for rows in lists:
        for d in rows:
            if getattr(d, "row_format", None) != date_format:
                d.row_date = format_date(d.effective, date_format)  # annotated in _docket_of
                d.row_format = date_format
    return {**context, "date_format": date_format}


def digest_context(*, user: Any, now: dt.datetime, cache: Cache | None = None) -> dict[str, Any]:
    """Overdue, due in the next seven days and unverified open deadlines of the user's docket.

    Lists are capped (the dashboard has the rest); counts are exact. ``cache`` lets one sweep reuse the
    context between the claim (subject, "anything to say?") and the rendering.
    """
    today = now.astimezone(user_tz(user)).date()
    client_ids: tuple[int, ...] | None = None
    if user.is_active and not user.is_superuser:
        client_ids = (cache or {}).get(("clients", user.pk))
        if client_ids is None:
            client_ids = tuple(sorted(TeamMembership.objects.filter(user=user).values_list("client_id", flat=True)))
    # A team shares one docket: members of the same clients get the same lists, computed once per batch.
    scope_key = client_ids if client_ids is not None else f"user:{user.pk}"
    key = ("digest", scope_key, today)
    date_format = format_of(user)
    if cache is not None and key in cache:
        return _dated({**cache[key], "user": user}, date_format)
    week_end = today + dt.timedelta(days=6)  # seven days including today
    docket = _docket_of(user, client_ids=client_ids)
    open_ = docket.open()
    # "Overdue" is the docket's own definition (DeadlineQuerySet.overdue), so the digest, the dashboard and
    # the calendar never disagree about which deadline is late.
    sections: dict[str, DeadlineQuerySet] = {
        "overdue": docket.overdue(today),
        "week": open_.filter(effective__gte=today, effective__lte=week_end),
        "unverified": open_.filter(verified_at__isnull=True),
    }
    counts = open_.aggregate(
        week=Count("pk", filter=Q(effective__gte=today, effective__lte=week_end)),
        unverified=Count("pk", filter=Q(verified_at__isnull=True)),
    )
    counts["overdue"] = sections["overdue"].count()
    context: dict[str, Any] = {
        "user": user,
        "today": today,
        "week_end": week_end,
        "limit": DIGEST_LIST_LIMIT,
        "scope_key": scope_key,
    }
    for name, rows in sections.items():
        context[f"{name}_count"] = counts[name]
        context[name] = _rows(rows.order_by("effective", "pk")[:DIGEST_LIST_LIMIT]) if counts[name] else []
    context["has_content"] = any(counts.values())
    if cache is not None:
        cache[key] = context
    return _dated(context, date_format)


def report_context(*, user: Any, now: dt.datetime, cache: Cache | None = None) -> dict[str, Any]:
    today = now.astimezone(user_tz(user)).date()
    date_format = format_of(user)
    if cache is not None and ("report", user.pk, today) in cache:
        return _dated(cache[("report", user.pk, today)], date_format)
    horizon = today + dt.timedelta(weeks=8)
    # The attorney's own docket: matters they are the responsible attorney of (and may still see).
    docket = _docket_of(user, attorney_only=True)
    scope = docket.open()
    by_client: dict[Any, list[Deadline]] = defaultdict(list)
    order = ("matter__client__name", "effective", "pk")
    upcoming = _rows(scope.filter(effective__gte=today, effective__lte=horizon).order_by(*order))
    for deadline in upcoming:
        by_client[deadline.matter.client].append(deadline)
    overdue = _rows(docket.overdue(today).order_by(*order))
    unverified = _rows(scope.filter(verified_at__isnull=True).order_by(*order))
    return _dated({
        "user": user,
        "today": today,
        "horizon": horizon,
        "clients": [{"client": c, "deadlines": ds} for c, ds in by_client.items()],
        "upcoming_count": len(upcoming),
        "overdue": overdue,
        "unverified": unverified,
    }, date_format)


def prefetch_contexts(reminders: Sequence[Reminder], users: Sequence[Any], *, now: dt.datetime, cache: Cache) -> None:
    """Load the digests and reports of a batch in a few queries, into ``cache`` where ``digest_context`` and
    ``report_context`` find them (the same contents, row for row; superusers take the one-by-one path).

    One by one, each digest cost five queries and each report three, each over its own matter-id list: at
    1,333 digests and 333 reports a morning that was a fifth of the sweep's time.
    """
    pairs = [(r, u) for r, u in zip(reminders, users, strict=True) if u.is_active and r.kind in (K.DIGEST, K.REPORT)]
    if not pairs:
        return
    wanted = {u.pk for _, u in pairs if not u.is_superuser and ("clients", u.pk) not in cache}
    if wanted:
        found: dict[int, list[int]] = defaultdict(list)
        for user_id, client_id in TeamMembership.objects.filter(user_id__in=wanted).values_list("user_id", "client_id"):
            found[user_id].append(client_id)
        for user_id in wanted:
            cache[("clients", user_id)] = tuple(sorted(found.get(user_id, [])))
    _prefetch_digests([u for r, u in pairs if r.kind == K.DIGEST and not u.is_superuser], now=now, cache=cache)
    _prefetch_reports([u for r, u in pairs if r.kind == K.REPORT], now=now, cache=cache)


_DIGEST_SECTIONS = ("overdue", "week", "unverified")


def _prefetch_digests(users: Sequence[Any], *, now: dt.datetime, cache: Cache) -> None:
    """Digest contexts per team (client set) and day: counts and the first rows per client in one query each,
    merged per team. The first ``DIGEST_LIST_LIMIT`` rows of a team are among the first of each of its clients."""
    scopes: dict[Any, tuple[tuple[int, ...], dt.date]] = {}
    for user in users:
        today = now.astimezone(user_tz(user)).date()
        client_ids = cache[("clients", user.pk)]
        if ("digest", client_ids, today) not in cache:
            scopes[("digest", client_ids, today)] = (client_ids, today)
    days: dict[dt.date, set[int]] = defaultdict(set)
    for client_ids, today in scopes.values():
        days[today].update(client_ids)
    for today, clients in days.items():
        counts, rows = _digest_parts(clients, today)
        for key, (client_ids, day) in scopes.items():
            if day != today:
                continue
            context: dict[str, Any] = {
                "user": None,
                "today": today,
                "week_end": today + dt.timedelta(days=6),
                "limit": DIGEST_LIST_LIMIT,
                "scope_key": client_ids,
            }
            for name in _DIGEST_SECTIONS:
                context[f"{name}_count"] = sum(counts.get((c, name), 0) for c in client_ids)
                merged = heapq.merge(*(rows.get((c, name), []) for c in client_ids), key=lambda d: (d.effective, d.pk))
                context[name] = list(itertools.islice(merged, DIGEST_LIST_LIMIT))
            context["has_content"] = any(context[f"{name}_count"] for name in _DIGEST_SECTIONS)
            cache[key] = context


def _digest_parts(
    clients: set[int], today: dt.date
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, str], list[Any]]]:
    """Per (client, section): the count, and the first rows by (date in force, id) — the digest's order."""
    week_end = today + dt.timedelta(days=6)
    docket = Deadline.objects.filter(matter__client_id__in=sorted(clients)).annotate(
        effective=Coalesce("extended_to", "due_date")
    )
    OPEN = Deadline.Status.OPEN
    # The same definitions as digest_context: "overdue" is the docket's own (DeadlineQuerySet.overdue).
    sections = {
        "overdue": Q(status__in=NEEDS_ACTION, effective__lt=today, optional=False),
        "week": Q(status=OPEN, effective__gte=today, effective__lte=week_end),
        "unverified": Q(status=OPEN, verified_at__isnull=True),
    }
    counts: dict[tuple[int, str], int] = {}
    per_client = docket.values("matter__client_id").annotate(
        **{name: Count("pk", filter=condition) for name, condition in sections.items()}
    )
    for row in per_client.order_by():
        for name in sections:
            counts[(row["matter__client_id"], name)] = row[name]
    rows: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for name, condition in sections.items():
        if not any(n for (_, section), n in counts.items() if section == name):
            continue
        first = (
            docket.filter(condition)
            .annotate(
                place=Window(RowNumber(), partition_by=[F("matter__client_id")], order_by=[F("effective"), F("pk")])
            )
            .filter(place__lte=DIGEST_LIST_LIMIT)
            .select_related("matter__client", "responsible")
            .order_by("effective", "pk")
        )
        for d in _decorate(list(first)):
            rows[(d.matter.client_id, name)].append(d)
    return counts, rows


def _prefetch_reports(users: Sequence[Any], *, now: dt.datetime, cache: Cache) -> None:
    """Weekly report contexts of a batch's attorneys from one query over their matters' open deadlines,
    split per attorney and section in Python with the same conditions as ``report_context``."""
    todays = {u.pk: now.astimezone(user_tz(u)).date() for u in users}
    pending = [u for u in users if ("report", u.pk, todays[u.pk]) not in cache]
    if not pending:
        return
    first, last = min(todays.values()), max(todays.values())
    OPEN = Deadline.Status.OPEN
    candidates = (
        Deadline.objects.filter(matter__responsible_attorney__in=[u.pk for u in pending])
        .annotate(effective=Coalesce("extended_to", "due_date"))
        .filter(
            Q(status=OPEN, effective__gte=first, effective__lte=last + dt.timedelta(weeks=8))
            | Q(status=OPEN, verified_at__isnull=True)
            | Q(status__in=NEEDS_ACTION, effective__lt=last, optional=False)
        )
        .select_related("matter__client", "responsible")
        .order_by("matter__client__name", "effective", "pk")
    )
    by_attorney: dict[int | None, list[Any]] = defaultdict(list)
    for d in _decorate(list(candidates)):
        by_attorney[d.matter.responsible_attorney_id].append(d)
    for user in pending:
        today = todays[user.pk]
        horizon = today + dt.timedelta(weeks=8)
        allowed = None if user.is_superuser else set(cache[("clients", user.pk)])
        mine = [d for d in by_attorney[user.pk] if allowed is None or d.matter.client_id in allowed]
        upcoming = [d for d in mine if d.status == OPEN and today <= d.effective <= horizon]
        by_client: dict[Any, list[Deadline]] = defaultdict(list)
        for deadline in upcoming:
            by_client[deadline.matter.client].append(deadline)
        cache[("report", user.pk, today)] = {
            "user": user,
            "today": today,
            "horizon": horizon,
            "clients": [{"client": c, "deadlines": ds} for c, ds in by_client.items()],
            "upcoming_count": len(upcoming),
            "overdue": [d for d in mine if d.status in NEEDS_ACTION and d.effective < today and not d.optional],
            "unverified": [d for d in mine if d.status == OPEN and d.verified_at is None],
        }


def forget_reports(cache: Cache) -> None:
    """Drop the weekly report contexts from ``cache`` once rendered (they hold every row of the report)."""
    for key in [k for k in cache if isinstance(k, tuple) and k and k[0] == "report"]:
        del cache[key]


def _long(day: dt.date | None, date_format: str) -> str:
    """A date in the recipient's format (UserProfile.date_format), as on their dashboard."""
    return format_date(day, date_format) if day is not None else ""


def _links(cache: Cache | None) -> tuple[str, str]:
    """(dashboard URL, a deadline's URL with the sentinel for its id): reversed once per batch, not per message."""
    if cache is not None and "links" in cache:
        return cache["links"]
    links = (absolute(reverse("patents:home")), absolute(reverse("deadlines:deadline-detail", args=[_URL_SENTINEL])))
    if cache is not None:
        cache["links"] = links
    return links


def _explained(deadline: Deadline, cache: Cache | None) -> tuple[str, str]:
    """(text, HTML) of how the deadline's date was computed, in the current recipient's date format (the
    caller holds ``preferences_for``); an escalation's two recipients share one when they read dates alike."""
    key = ("explanation", deadline.pk, active_format())
    if cache is not None and key in cache:
        return cache[key]
    why = explanation.explain_deadline(deadline)
    rendered = (explanation.render_text(why), explanation.render_html(why, deadline=deadline))
    if cache is not None:
        cache[key] = rendered
    return rendered


def _office_text(deadline: Deadline) -> str:
    """The reminder's Office line: the office and the application number said once, the number exactly as
    stored — as the matter and deadline pages write it (``Matter.office_number``): "EP21123456.7" (a number that
    already begins with its office's code), "US 18/123,456", "EP (unfiled)" without a number. A deadline at
    another office than its matter's (a PCT application's national or regional phase) names its own office
    first: "EP, application WO PCT/EP2021/050001"."""
    matter = deadline.matter
    written = matter.office_number
    if not deadline.office or deadline.office.upper() == (matter.office or "").upper():
        return written
    return f"{deadline.office}, application {written}"


def _deadline_texts(deadline: Deadline, date_format: str, cache: Cache | None) -> dict[str, str]:
    """The deadline's dates pre-formatted in ``date_format`` (the template date filter was a large share of the
    render time) and how the date was computed (the steps the deadline page and `deadlines explain` show)."""
    explanation_text, explanation_html = _explained(deadline, cache)
    return {
        "due_text": _long(deadline.due_date, date_format),
        "extended_text": _long(deadline.extended_to, date_format),
        "latest_text": _long(deadline.latest_date, date_format),
        "effective_text": _long(deadline.effective_date, date_format),
        "explanation_text": explanation_text,
        "explanation_html": explanation_html,
    }


def _reminder_fields(
    reminder: Reminder, deadline: Deadline, *, user: Any, today: dt.date, date_format: str
) -> dict[str, Any]:
    """What one reminder adds to its deadline's values: which kind it is, the days left or overdue on
    ``today``, whether ``user`` is the supervising attorney, and the date it is about (in ``date_format``)."""
    return {
        "is_overdue": reminder.kind == K.OVERDUE,
        "is_latest": reminder.kind == K.BEFORE_LATEST,
        "is_instruction": reminder.kind == K.INSTRUCTION,
        "days_overdue": (today - reminder.target_date).days,
        "days_left": (reminder.target_date - today).days,
        "supervising_attorney": deadline.matter.responsible_attorney_id == user.pk,
        "target_text": _long(reminder.target_date, date_format),
    }


def deadline_context(reminder: Reminder, *, user: Any, now: dt.datetime, cache: Cache | None = None) -> dict[str, Any]:
    """What a deadline reminder or escalation says about its deadline, as it is at ``now``: the templates'
    context with the objects themselves. The sweep renders through ``_render_deadline_reminder`` (same text,
    see its tests); this is the reference it is compared with."""
    deadline = reminder.deadline
    assert deadline is not None  # only deadline reminders come here
    today = firm_today(now)
    date_format = format_of(user)
    return {
        "reminder": reminder,
        "deadline": deadline,
        "matter": deadline.matter,
        "client": deadline.matter.client,
        "deadline_url": _links(cache)[1].replace(str(_URL_SENTINEL), str(deadline.pk)),
        "office_text": _office_text(deadline),
        **_reminder_fields(reminder, deadline, user=user, today=today, date_format=date_format),
        **_deadline_texts(deadline, date_format, cache),
    }


def build_message(
    delivery: Delivery, *, connection: Any = None, now: dt.datetime | None = None, cache: Cache | None = None
) -> ReminderEmail:
    """The e-mail for one delivery, as of ``now`` (the sweep's time; content reflects the docket then)."""
    reminder = delivery.reminder
    user = delivery.recipient
    now = now or timezone.now()
    common = {
        "site_url": str(settings.SITE_URL).rstrip("/"),
        "dashboard_url": _links(cache)[0],
        "recipient": user,
    }
    # Dates in the recipient's format, the explanation's steps too (patents.dates).
    with preferences_for(user):
        text, html = _render_for(reminder, user=user, now=now, common=common, cache=cache)
    message = ReminderEmail(
        subject=delivery.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=connection,
        headers={
            "Message-ID": delivery.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Docketapp-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _deadline_fields(deadline: Deadline, date_format: str, cache: Cache | None) -> dict[str, Any]:
    """What ``deadline_context`` gives the template about the deadline itself, as plain values (strings only
    printed, the rest branched on: see ``compiled``); the same for every reminder and recipient of the deadline
    who reads dates alike, so built once per batch."""
    key = ("fields", deadline.pk, date_format)
    if cache is not None and key in cache:
        return cache[key]
    matter = deadline.matter
    client = matter.client
    responsible = deadline.responsible
    fields = {
        "deadline": {
            "title": deadline.title,
            "get_kind_display": str(deadline.get_kind_display()),
            "citation": deadline.citation,
            "extended_to": deadline.extended_to is not None,
            "extendable": bool(deadline.extendable),
            "latest_date": deadline.latest_date is not None,
            "verified_at": deadline.verified_at is not None,
            "responsible": {"get_username": responsible.get_username()} if responsible is not None else None,
        },
        "matter": {
            "reference": matter.reference,
            "title": matter.title,
        },
        "client": {"reference": client.reference, "name": client.name},
        "deadline_url": _links(cache)[1].replace(str(_URL_SENTINEL), str(deadline.pk)),
        "office_text": _office_text(deadline),
        **_deadline_texts(deadline, date_format, cache),
    }
    if cache is not None:
        cache[key] = fields
    return fields


def _render_deadline_reminder(
    reminder: Reminder, *, user: Any, now: dt.datetime, common: dict[str, Any], cache: Cache | None
) -> tuple[str, str]:
    """(text, html) of a deadline reminder through ``compiled``: the same text as the templates rendered with
    ``deadline_context`` (the reference, compared in tests), at a fraction of the cost — the template runs once
    per shape, the deadline's own values are prepared once per batch."""
    deadline = reminder.deadline
    assert deadline is not None  # only deadline reminders come here
    today = firm_today(now)
    date_format = format_of(user)
    context = {
        "site_url": common["site_url"],
        "dashboard_url": common["dashboard_url"],
        **_deadline_fields(deadline, date_format, cache),
        **_reminder_fields(reminder, deadline, user=user, today=today, date_format=date_format),
    }
    base = "emails/deadline_reminder"
    try:
        text, html = compiled.render([f"{base}.txt", f"{base}.html"], context)
    except Exception as exc:
        raise RenderError(str(exc)) from exc
    return text, html


def _render_for(
    reminder: Reminder, *, user: Any, now: dt.datetime, common: dict[str, Any], cache: Cache | None
) -> tuple[str, str]:
    """(text, html) of the e-mail for this reminder and recipient."""
    if reminder.deadline_id:
        return _render_deadline_reminder(reminder, user=user, now=now, common=common, cache=cache)
    if reminder.kind == K.DIGEST:
        context = {**common, **digest_context(user=user, now=now, cache=cache)}
        base = "emails/digest"
    else:
        context = {**common, **report_context(user=user, now=now, cache=cache)}
        base = "emails/report"
    # A digest names no recipient in its body, so a team's members who read dates alike share one rendering.
    render_key = (
        ("rendered", context["scope_key"], context["today"], context["date_format"]) if base == "emails/digest"
        else None
    )
    return _render(base, context, cache=cache, key=render_key)


def _render(base: str, context: dict[str, Any], *, cache: Cache | None, key: Any) -> tuple[str, str]:
    """(text, html) of a template pair, shared through ``cache`` when ``key`` is given."""
    if cache is not None and key is not None and key in cache:
        return cache[key]
    try:
        rendered = (render_to_string(f"{base}.txt", context), render_to_string(f"{base}.html", context))
    except Exception as exc:
        raise RenderError(str(exc)) from exc
    if cache is not None and key is not None:
        cache[key] = rendered
    return rendered
