"""One cheap answer to "has anything a dashboard shows changed?", for keeping figures that would otherwise
scan everything a user may see on every request (issue 18).

``data_version``: every change of a deadline, a matter, a client or a team membership writes a history row
in the transaction that makes it (the project's audit rule; the recompute's bulk and COPY paths included),
and the writers of each history table take turns on its chain head, from before their rows get their ids
until they commit (``docketapp.audit_chain``): so the newest history id of those four tables moves with
every commit that can alter what a user sees or who may see it. Reading the four maxima is one query over
four primary-key indexes: constant time, whatever the portfolio.

``exact_figure`` keeps a figure under the data version: the docket's counts, the verification queue's, the
calendar's day totals, the renewals' count, for everyone who sees the same rows. ``user_key`` does the same
for one user's figure (the ICS feed's body), with the user, whether they are a superuser and the day (what is
overdue changes at midnight) in the key.

``nav_figures`` (the nav's "to verify" badge and the docket's "unassigned" count) costs no query when
cached: it is keyed by a counter that single-row saves move (``generation``) and lives BADGE_SECONDS. With
the default per-process cache a write made by another process (a worker's recompute) shows within that
minute; with a shared cache (Redis) at once for single-row writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection

from patents.models import Client, Matter, TeamMembership

from .models import NEEDS_ACTION, Deadline

BADGE_SECONDS = 60


def _tables() -> list[tuple[str, str]]:
    tables = []
    for model in (Deadline, Matter, TeamMembership, Client):
        history = model.history.model
        tables.append((history._meta.db_table, history._meta.pk.column))
    return tables


def data_version() -> str:
    """The newest history id of deadlines, matters, team memberships and clients, as one string."""
    qn = connection.ops.quote_name
    # Table and column names come from the models' meta, never from input.
    parts = ", ".join(f"(SELECT MAX({qn(pk)}) FROM {qn(table)})" for table, pk in _tables())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return "-".join(str(v or 0) for v in row)


# How long an exact figure is kept. The data version sees every change of the docket's data; the lifetime
# bounds what it cannot see (a person made inactive, who then drops out of the "unassigned" rule).
EXACT_SECONDS = 300


def exact_figure(name: str, parts: Any, compute: Callable[[], Any], ttl: int = EXACT_SECONDS) -> Any:
    """``compute()`` once per data version (``data_version``) for ``name`` and ``parts`` (what the figure
    depends on besides the data: the scope's key, the filters, the day), and kept for everyone who asks with
    the same parts: any change of a deadline, matter, membership or client makes the next request count
    again, so a kept figure is what counting now would give.

    Why the version is exact: every such change writes a history row in its own transaction, and each history
    table's writers lock the table's chain head before their rows get their ids and keep it until they commit
    (``docketapp.audit_chain.seal``). So in each table a later commit has higher ids than every earlier one,
    and the newest ids move with every commit. The version is read before counting: a figure can be stored
    under a version older than what it counted (the next reader then counts again), never newer."""
    raw = f"{name}|{parts!r}|{data_version()}"
    return cached_figure("docketapp:exact:" + hashlib.sha256(raw.encode()).hexdigest()[:40], compute, ttl)


def request_filters(request, *ignored: str) -> list[tuple[str, list[str]]]:
    """The request's query parameters but ``ignored`` (the page, the sort …), in a fixed order: the part of an
    exact figure's key that the page's filters decide."""
    return sorted((k, v) for k, v in request.GET.lists() if k not in ignored)


def user_key(user, today: dt.date, *parts: Any) -> str:
    """A cache key for one user's figure under the current data version."""
    raw = "|".join(str(p) for p in (user.pk, user.is_superuser, today.isoformat(), data_version(), *parts))
    return "docketapp:fig:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def cached_figure(key: str, compute: Callable[[], Any], ttl: int = BADGE_SECONDS) -> Any:
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


GENERATION_KEY = "docketapp:figures:generation"
_WATCHED = (Deadline, Matter, TeamMembership, Client)


def generation() -> int:
    """A counter in the cache, moved by every single-row save or delete of a deadline, matter, membership or
    client (``connect_generation_receivers``); bulk writes (the recompute) do not move it, which the figures'
    short lifetime covers. When the counter is missing (a cleared cache) it restarts from the clock, never from
    a value an older figure was stored under."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = time.time_ns()
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY, value)
    return int(value)


def bump_generation(**kwargs: Any) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), None)


def connect_generation_receivers() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in _WATCHED:
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"freshness.save.{model.__name__}")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"freshness.delete.{model.__name__}")


def visible_clients_key(user, client_ids=None) -> str:
    """What decides the nav figures for ``user``: the clients they may see (Deadline.objects.visible_to),
    "all" for a superuser. ``client_ids`` when the caller already read them (the docket's filter choices);
    otherwise read once per user and cached like the figures."""
    if not (user.is_authenticated and user.is_active):
        return "none"
    if user.is_superuser:
        return "all"
    if client_ids is None:
        key = f"docketapp:nav-clients:{user.pk}:{generation()}"
        client_ids = cache.get(key)
        if client_ids is None:
            client_ids = list(TeamMembership.objects.filter(user=user).values_list("client_id", flat=True))
            cache.set(key, client_ids, BADGE_SECONDS)
    return ",".join(str(pk) for pk in sorted(set(client_ids)))


def _team_of(user) -> tuple[list[int], list[int]]:
    """The people of ``user``'s client teams (``filters.team_q``'s colleagues) and the clients where ``user``
    is a docketing member (``filters.mine_q``'s last clause): the same memberships those read
    (``filters.team_memberships``, ``filters.docketing_memberships``), in one query, cached like the client
    list."""
    key = f"docketapp:team-of:{user.pk}:{generation()}"
    cached = cache.get(key)
    if cached is None:
        from django.db.models import CharField, Value

        from .filters import docketing_memberships, team_memberships

        text: CharField = CharField()
        colleagues = team_memberships(user).annotate(part=Value("colleague", output_field=text))
        docketing = docketing_memberships(user).annotate(part=Value("docketing", output_field=text))
        rows = list(
            colleagues.order_by().values_list("part", "user_id")
            .union(docketing.order_by().values_list("part", "client_id"))
        )
        cached = (
            sorted({pk for part, pk in rows if part == "colleague"}),
            sorted({pk for part, pk in rows if part == "docketing"}),
        )
        cache.set(key, cached, BADGE_SECONDS)
    return cached


def scope_key(user, scope: str, client_ids=None) -> str:
    """What a docket scope's rows depend on besides the request's filters: users with the same key see the
    same rows for the same filters, so they share the cached counts (``views._docket_counts``) instead of each
    counting the same deadlines. "all" and "unassigned" (``visible_to`` and user-independent conditions): the
    visible clients. "team" (``filters.team_q``): those, the team's people and the user's docketing clients;
    the user's own id is in the team's people whenever they belong to a team, and named apart otherwise (a
    superuser without one). Anything else ("mine"): the user alone."""
    visible = visible_clients_key(user, client_ids)
    if scope in ("all", "unassigned"):
        return f"clients:{visible}"
    if scope == "team":
        colleagues, docketing = _team_of(user)
        me = "" if user.pk in colleagues else f"|me:{user.pk}"
        return f"team:{visible}|people:{colleagues}|docketing:{docketing}{me}"
    return f"user:{user.pk}"


def nav_figures(request, client_ids=None) -> dict[str, int]:
    """The user's "to verify" badge and "unassigned" count: one aggregate over everything the user may see
    (3 s at 100k matters when it ran on every page), cached for BADGE_SECONDS and recounted at once after any
    single-row write of a deadline, matter, membership or client (``generation``); at most once per request.
    No SQL at all when cached. Both figures depend only on which clients the user may see, so they are
    cached per set of clients: the paralegals of the same clients share one count instead of each paying
    for their own (at 50 users, one count per minute and process instead of fifty)."""
    cached = getattr(request, "_nav_figures", None)
    if cached is not None:
        return cached
    from django.db.models import Count, Q
    from django.utils import timezone

    user = request.user

    def compute() -> dict[str, int]:
        docketed = TeamMembership.objects.filter(role=TeamMembership.Role.DOCKETING, user__is_active=True)
        qs = Deadline.objects.visible_to(user).tasks()
        return qs.aggregate(
            # Deadline.objects.unverified() and .unassigned(), as conditions of one scan.
            unverified=Count("pk", filter=Q(verified_at__isnull=True) & ~Q(status=Deadline.Status.SUPERSEDED)),
            unassigned=Count("pk", filter=Q(
                status__in=NEEDS_ACTION, responsible__isnull=True, matter__responsible_paralegal__isnull=True,
                matter__responsible_attorney__isnull=True,
            ) & ~Q(matter__client__in=docketed.values("client"))),
        )

    raw = f"{visible_clients_key(user, client_ids)}|{timezone.localdate().isoformat()}|{generation()}|nav"
    figures = cached_figure("docketapp:nav:" + hashlib.sha256(raw.encode()).hexdigest()[:40], compute)
    request._nav_figures = figures
    return figures
