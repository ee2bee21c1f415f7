"""The docket's filters (django-filter). The queryset given in is already limited by ``visible_to``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Replace, Upper

from docketapp.widgets import FastSelect
from patents.dates import UserDateField
from patents.models import Client, TeamMembership

from .models import NEEDS_ACTION, Deadline

DEFAULT_WINDOW_DAYS = 90

# NEEDS_ACTION (deadlines.models) is the one definition of "needs action": the default docket shows those
# deadlines, and ``overdue_rank`` 0 is DeadlineQuerySet.overdue / Deadline.is_overdue as an annotation.
ACTIVE = "active"

SCOPE_CHOICES = [("mine", "Mine"), ("team", "My teams"), ("all", "All I may see"), ("unassigned", "Unassigned")]

# Column key → (label, ORDER BY expression name). Every column of the docket can be sorted.
SORTABLE = {
    "due": ("Due", "effective"),
    "latest": ("Latest possible", "latest_date"),
    "matter": ("Matter", "matter__reference"),
    "matter_title": ("Matter title", "matter__title"),
    "application": ("Application no.", "matter__application_number"),
    "client": ("Client", "matter__client__reference"),
    "office": ("Office", "office"),
    "title": ("Deadline", "title"),
    "kind": ("Kind", "kind"),
    "status": ("Status", "status"),
    "responsible": ("Responsible", "responsible__username"),
    "verified": ("Verified", "verified_at"),
}


def with_docket_annotations(qs: QuerySet, today: dt.date) -> QuerySet:
    """``effective``: the date work is due now (an extension moves it); ``overdue_rank`` 0: overdue."""
    return qs.annotate(
        effective=Coalesce("extended_to", "due_date"),
        overdue_rank=Case(
            When(status__in=NEEDS_ACTION, effective__lt=today, optional=False, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )


def window_passed_q(today: dt.date) -> Q:
    """On ``with_docket_annotations`` rows: DeadlineQuerySet.window_passed (an optional act past its date,
    still needing action)."""
    return Q(optional=True, status__in=NEEDS_ACTION, effective__lt=today)


def docketing_memberships(user) -> QuerySet:
    """``user``'s memberships as the docketing member of a client's team (``mine_q``'s last clause)."""
    return TeamMembership.objects.filter(user=user, role=TeamMembership.Role.DOCKETING)


def team_memberships(user) -> QuerySet:
    """Every membership of the clients ``user`` is on the team of: their users are ``team_q``'s colleagues."""
    return TeamMembership.objects.filter(client__in=TeamMembership.objects.filter(user=user).values("client"))


def mine_q(user) -> Q:
    # A deadline with nobody assigned falls to the matter's responsible paralegal or attorney; with no one on
    # the matter either, to the docketing members of the client's team: the same people the reminders go to,
    # so "mine" and the reminders never disagree about who owns a deadline.
    docketing = docketing_memberships(user).values("client")
    return (
        Q(responsible=user)
        | Q(responsible__isnull=True) & (Q(matter__responsible_paralegal=user) | Q(matter__responsible_attorney=user))
        | Q(
            responsible__isnull=True,
            matter__responsible_paralegal__isnull=True,
            matter__responsible_attorney__isnull=True,
            matter__client__in=docketing,
        )
    )


def mine_ids(user) -> QuerySet:
    """The ids of ``mine_q``'s deadlines (the same rows) as a UNION of three reads, each from an index: assigned
    to the user; nobody assigned on a matter the user is responsible for; nobody anywhere, at a client the user
    dockets. For a person who owns few deadlines this reads those few; ``mine_q`` tests every visible
    deadline (0.1-0.2 s at 168,000 for a user who owns none). For one who owns most of the portfolio the OR
    is the cheaper plan: callers choose (``feeds.scoped_rows``)."""
    from patents.models import Matter

    docketing = docketing_memberships(user).values("client")
    responsible = Matter.objects.filter(Q(responsible_paralegal=user) | Q(responsible_attorney=user))
    nobody_on_matter = Matter.objects.filter(
        responsible_paralegal__isnull=True, responsible_attorney__isnull=True, client__in=docketing
    )
    unassigned = Deadline.objects.filter(responsible__isnull=True).order_by()
    return (
        Deadline.objects.filter(responsible=user).order_by().values("pk")
        .union(
            unassigned.filter(matter__in=responsible.order_by().values("pk")).values("pk"),
            unassigned.filter(matter__in=nobody_on_matter.order_by().values("pk")).values("pk"),
            all=True,
        )
    )


def team_q(user) -> Q:
    colleagues = team_memberships(user).values("user")
    return (
        Q(responsible__in=colleagues)
        | Q(responsible=user)
        | Q(responsible__isnull=True)
        & (Q(matter__responsible_paralegal__in=colleagues) | Q(matter__responsible_attorney__in=colleagues))
        | mine_q(user)
    )


class UserDateFilter(django_filters.DateFilter):
    """A date typed in the viewer's format or ISO (patents.dates): not the browser's locale."""

    field_class = UserDateField


# What people type around a number: "EP 3 123 456 A1", "17/123,456", "PCT/US2024/012345".
NUMBER_PUNCTUATION = (" ", "/", ",", ".", "-")


def compact_number(value: str) -> str:
    """A number as typed, reduced to its letters and digits (upper case): the form search compares."""
    return re.sub(r"[^0-9A-Z]", "", (value or "").upper())


def _compacted(field: str):
    expr: Any = F(field)
    for mark in NUMBER_PUNCTUATION:
        expr = Replace(expr, Value(mark), Value(""))
    return Upper(expr)


class AnyOf(Func):
    """``column IN (subquery)``, written for PostgreSQL as ``column = ANY(ARRAY(subquery))``: the same rows.

    PostgreSQL runs ``ARRAY(subquery)`` once, before the outer query (an InitPlan), then reads the column's
    index for the values found and can OR that with other index conditions (a BitmapOr). ``IN (subquery)``
    inside an OR becomes a filter tested on every row, so the OR reads the whole table: a docket search read
    every open deadline three times (count, overdue part, the rest), 0.3-0.4 s at 168,000 deadlines."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, queryset: QuerySet):
        super().__init__(F(column), Subquery(queryset))

    def _parts(self, compiler) -> tuple[str, str, tuple]:
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])  # "(SELECT …)"
        return column, subquery, (*column_params, *subquery_params)

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} IN {subquery}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} = ANY(ARRAY{subquery})", params


class AnyOfValues(Func):
    """``column IN (values)`` for values read beforehand, sent as one parameter whatever their number:
    ``column = ANY(%s)`` (an array) on PostgreSQL, ``column IN (SELECT value FROM json_each(%s))`` on SQLite.
    Unlike ``AnyOf`` the planner sees the values, and a query that needs them twice does not look them up
    twice."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, values: Sequence[int]):
        super().__init__(F(column))
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        # The column comes from the compiler; the values go as one parameter.
        return f"{column} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.values))  # noqa: S608

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.values)


def search_q(text: str) -> Q:
    """Free-text search over the matter's reference and title, the deadline's title, the client (code and
    name) and the application, publication and grant numbers, as written and with spaces and punctuation
    stripped on both sides.

    The matching matters are read here, once, in one query: a ``SELECT`` per field of the matter, each
    answered from its column of the trigram index ``matter_search_trgm`` (migration patents 0022), and the
    matching clients' matters. The condition holds their ids (``AnyOfValues``), OR-ed with the deadline's
    title, which its own trigram index answers (``deadline_title_trgm``, deadlines 0019): a search reads the
    rows it finds, not every deadline the user may see."""
    from patents.models import Matter

    text = text.strip()
    clients = Client.objects.filter(Q(reference__icontains=text) | Q(name__icontains=text)).order_by().values("pk")
    conditions: list[tuple[dict[str, Any], Q]] = [
        ({}, Q(reference__icontains=text)),
        ({}, Q(title__icontains=text)),
        ({}, Q(application_number__icontains=text)),
        ({}, Q(publication_number__icontains=text)),
        ({}, Q(grant_number__icontains=text)),
    ]
    compact = compact_number(text)
    if len(compact) >= 3:
        conditions += [
            ({}, Q(application_number_normalized__icontains=compact)),
            ({"search_application": _compacted("application_number")}, Q(search_application__contains=compact)),
            ({"search_publication": _compacted("publication_number")}, Q(search_publication__contains=compact)),
            ({"search_grant": _compacted("grant_number")}, Q(search_grant__contains=compact)),
        ]
    # One SELECT per field, UNION-ed (each with only the expression it matches): PostgreSQL reads each from
    # its column of the trigram index. As one OR of nine LIKEs it priced the index's nine scans above reading
    # the table and read every matter (80 ms at 100,000 matters, twice a page).
    per_field = [Matter.objects.alias(**alias).filter(c).order_by().values("pk") for alias, c in conditions]
    # The client's matters apart: inside the matters' OR, "client in (matching clients)" is a condition no
    # trigram index answers, and PostgreSQL estimated it at a client's share of every matter and read the
    # whole matter table instead (130 ms at 100,000 matters, twice a page).
    of_clients = Matter.objects.filter(AnyOf("client_id", clients)).order_by().values("pk")
    # Read once, here: the page's row queries (overdue part, the rest) each looked them up again (12 ms at
    # 100,000 matters), and with the ids in hand PostgreSQL knows how few deadlines they hold.
    found = list(per_field[0].union(*per_field[1:], of_clients).values_list("pk", flat=True))
    return Q(AnyOfValues("matter_id", found)) | Q(title__icontains=text)


def team_choices(user) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The clients the user may see and the active people of their teams (everyone's for a superuser), as
    choices, in one query (a UNION of the two small tables)."""
    clients = Client.objects.all()
    users = get_user_model().objects.filter(is_active=True)
    if not getattr(user, "is_superuser", False):
        clients = clients.filter(memberships__user=user)
        users = users.filter(memberships__client__memberships__user=user)
    rows = clients.order_by().values_list(Value("c"), "pk", "reference", "name").union(
        users.order_by().values_list(Value("u"), "pk", "username", Value(""))
    )
    found = sorted(set(rows), key=lambda r: (r[0], r[2], r[1]))
    return (
        [(str(pk), f"{ref} – {name}") for what, pk, ref, name in found if what == "c"],
        [(str(pk), ref) for what, pk, ref, _name in found if what == "u"],
    )


class DeadlineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Reference, title, number, client…",
                "size": 28,
                "maxlength": 100,
                "autocomplete": "off",
            }
        ),
    )
    scope = django_filters.ChoiceFilter(
        label="Show", choices=SCOPE_CHOICES, method="filter_scope", empty_label=None, widget=FastSelect
    )
    # Choices filled in __init__ from one query (team_choices): no scan of the matters for the clients present.
    client = django_filters.ChoiceFilter(
        label="Client", method="filter_client", empty_label="All clients", widget=FastSelect
    )
    office = django_filters.CharFilter(
        label="Office",
        field_name="office",
        lookup_expr="iexact",
        widget=forms.TextInput(
            attrs={
                "list": "office-codes",
                "size": 4,
                "placeholder": "EP, US…",
                "maxlength": 2,
                "autocomplete": "off",
            }
        ),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=Deadline.Kind.choices, empty_label="All kinds", widget=FastSelect
    )
    responsible = django_filters.ChoiceFilter(
        label="Responsible", method="filter_responsible", empty_label="Anyone", widget=FastSelect
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(ACTIVE, "Open or missed"), ("any", "Any status"), *Deadline.Status.choices],
        method="filter_status",
        empty_label=None,
        widget=FastSelect,
    )
    due_from = UserDateFilter(label="Due from", field_name="effective", lookup_expr="gte")
    due_to = UserDateFilter(label="Due to", field_name="effective", lookup_expr="lte")
    unverified = django_filters.BooleanFilter(
        label="Unverified only", method="filter_unverified", widget=forms.CheckboxInput()
    )

    class Meta:
        model = Deadline
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            # Defaults a paralegal expects when arriving on the page: my open deadlines.
            if not data.get("scope"):
                # A search looks for one matter wherever it is: across everything the user may see.
                data["scope"] = "all" if (data.get("q") or "").strip() else "mine"
            if not data.get("status"):
                data["status"] = ACTIVE
        super().__init__(data, *args, **kwargs)
        self.user = user
        clients, users = team_choices(user)
        # The clients this user may see (a superuser: every client): the nav figures' cache key.
        self.client_ids = [int(pk) for pk, _label in clients]
        self.filters["client"].extra["choices"] = clients
        self.filters["responsible"].extra["choices"] = users

    def filter_client(self, qs, name, value):
        return qs.filter(matter__client_id=int(value)) if value else qs

    def filter_responsible(self, qs, name, value):
        return qs.filter(responsible_id=int(value)) if value else qs

    def filter_scope(self, qs, name, value):
        if value == "mine":
            return qs.filter(mine_q(self.user))
        if value == "team":
            return qs.filter(team_q(self.user))
        if value == "unassigned":
            return qs.unassigned()
        return qs

    def filter_search(self, qs, name, value):
        if not value or not value.strip():
            return qs
        return qs.filter(search_q(value[:100]))

    def filter_status(self, qs, name, value):
        if not value or value == "any":
            return qs
        if value == ACTIVE:
            return qs.needs_action()
        return qs.filter(status=value)

    def filter_unverified(self, qs, name, value):
        return qs.unverified() if value else qs

    @property
    def _cleaned(self) -> dict:
        return getattr(self.form, "cleaned_data", {}) or {}

    @property
    def scope_in_force(self) -> str:
        """The scope in force ("mine" when the form did not validate, as the default docket)."""
        return self._cleaned.get("scope") or "mine"

    @property
    def uses_default_window(self) -> bool:
        """No date range chosen, no search, and looking at open deadlines: overdue + the next 90 days."""
        cleaned = self._cleaned
        return (
            not (cleaned.get("q") or "").strip()
            and not cleaned.get("due_from")
            and not cleaned.get("due_to")
            and cleaned.get("status") in (ACTIVE, Deadline.Status.OPEN)
        )


def apply_default_window(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.filter(effective__lte=today + dt.timedelta(days=DEFAULT_WINDOW_DAYS))


def docket_ordering(sort: str) -> tuple[list, str, bool]:
    """The chosen column (``sort``, ``-`` for descending; unknown: by date), then date and id: the order
    within "overdue" and within the rest (``order_docket`` puts overdue first)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTABLE:
        key, descending = "due", False
    column = F(SORTABLE[key][1])
    expr = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return [expr, "effective", "pk"], key, descending


def order_docket(qs: QuerySet, sort: str) -> tuple[QuerySet, str, bool]:
    """Overdue always first (a missed date must never sort out of sight), then the chosen column."""
    ordering, key, descending = docket_ordering(sort)
    return qs.order_by("overdue_rank", *ordering), key, descending


def overdue_q(today: dt.date) -> Q:
    """On ``with_docket_annotations`` rows: ``overdue_rank`` 0 (DeadlineQuerySet.overdue) written as plain
    conditions, which the planner can answer from an index range instead of computing a CASE per row."""
    return Q(status__in=NEEDS_ACTION, effective__lt=today, optional=False)


class RowsInParts:
    """One ordered list read as consecutive parts, for the Paginator: each part is a queryset with its own
    ORDER BY and its row count, and only the parts a page overlaps are queried, each with its own LIMIT/OFFSET.

    "Overdue first, then by date" as one ORDER BY over a CASE has to read and sort every row of the window
    before it can return the first 50 (54,000 rows for one person at 100k matters); as two parts (the overdue
    rows by date, then the others by date) an index delivers each part in order and the query stops after
    the page. The parts must together be exactly the rows of the one query, in its order, and ``counts`` the
    number of rows of each part: the caller derives both from the same filtered queryset."""

    def __init__(self, parts: list[tuple[QuerySet, int]]):
        self.parts = parts

    def count(self) -> int:
        return sum(n for _qs, n in self.parts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("RowsInParts supports slices only")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list = []
        offset = 0
        for i, (qs, n) in enumerate(self.parts):
            # The last part may hold more rows than counted (a count read a moment earlier): they are shown
            # rather than cut off. A part counted empty is not read (a search's few rows are found by the
            # count; reading an empty part in order would walk the whole index range to find nothing).
            last = i == len(self.parts) - 1
            low, high = max(start - offset, 0), stop - offset if last and n else min(stop - offset, n)
            if low < high:
                rows.extend(qs[low:high])
            offset += n
            if offset >= stop:
                break
        return rows
