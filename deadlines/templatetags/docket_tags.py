from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from deadlines.models import Deadline
from docketapp.fast_urls import pk_url

register = template.Library()


@register.simple_tag(takes_context=True)
def unverified_count(context) -> int:
    """Deadlines waiting for a second person. Counting them scans everything the user may see (3 s at 100k
    matters), on every page: the figure is cached per user under the data version (deadlines.freshness), so
    any change of a deadline, matter or membership counts afresh, and at most a minute in any case."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    from deadlines.freshness import nav_figures

    return nav_figures(request)["unverified"]


@register.simple_tag(name="pk_url")
def pk_url_tag(name: str, pk: int) -> str:
    """``{% url name pk %}`` for a route whose one argument is a row's key, in a loop over rows
    (docketapp.fast_urls: the route is resolved once, not once per row)."""
    return pk_url(name, pk)


@register.simple_tag
def kind_badge(kind: str, label: str = "") -> str:
    # The colour comes from the kind-<kind> class in docket.css (same as KIND_COLOURS): no style attribute,
    # which the Content-Security-Policy would block.
    return format_html(
        '<span class="kind kind-{}">{}</span>',
        kind,
        label or dict(Deadline.Kind.choices).get(kind, kind),
    )


@register.filter
def days_phrase(days: int) -> str:
    """'3 days overdue' / 'today' / 'in 12 days': a sign that cannot be misread."""
    if days is None:
        return ""
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "due today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


@register.simple_tag(takes_context=True)
def query_with(context, base: str, **kwargs) -> str:
    """``base`` querystring with some parameters replaced (sorting and paging keep the filters)."""
    from django.http import QueryDict

    params = QueryDict(base, mutable=True)
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


class DocketingTeams:
    """The active docketing members of each client's team, read in one query the first time a deadline with
    nobody on it needs them (instead of one query per such row: CSV, ICS and the docket list them by the
    thousand). ``user``: only the clients that user belongs to (all for a superuser or None)."""

    def __init__(self, user=None) -> None:
        self.user = user
        self._names: dict[int, list[str]] | None = None

    def names(self, client_id: int) -> list[str]:
        if self._names is None:
            from patents.models import TeamMembership

            rows = TeamMembership.objects.filter(role=TeamMembership.Role.DOCKETING, user__is_active=True)
            if self.user is not None and not self.user.is_superuser:
                rows = rows.filter(client__memberships__user=self.user)
            self._names = {}
            for client, name in rows.order_by("user__username").values_list("client_id", "user__username"):
                if name not in self._names.setdefault(client, []):
                    self._names[client].append(name)
        return self._names.get(client_id, [])


def responsible_of(deadline, teams: DocketingTeams | None = None) -> tuple[str, bool]:
    """Who must act: the assigned person, else the matter's paralegal, else its attorney (inherited)."""
    if deadline.responsible_id:
        return deadline.responsible.get_username(), False
    matter = deadline.matter
    for person in (matter.responsible_paralegal, matter.responsible_attorney):
        if person is not None:
            return person.get_username(), True
    # Nobody on the matter: the client team's docketing members (who also receive its reminders).
    docketing = (teams or DocketingTeams()).names(matter.client_id)
    if docketing:
        return ", ".join(docketing) + " (docketing)", True
    return "", False


def _request_teams(context) -> DocketingTeams | None:
    request = context.get("request")
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return None
    if not hasattr(request, "_docketing_teams"):
        request._docketing_teams = DocketingTeams(request.user)
    return request._docketing_teams


@register.simple_tag(takes_context=True)
def responsible(context, deadline) -> str:
    name, inherited = responsible_of(deadline, _request_teams(context))
    if not name:
        return mark_safe('<span class="days-soon" title="Nobody is responsible for this deadline">unassigned</span>')  # noqa: S308
    if name.endswith(" (docketing)"):
        return format_html(
            '{} <span class="small muted" title="Nobody on the matter: the client team\'s docketing members">'
            "(docketing)</span>",
            name.removesuffix(" (docketing)"),
        )
    if inherited:
        return format_html(
            '{} <span class="small muted" title="Not assigned: the responsible person of the matter">(matter)</span>',
            name,
        )
    return name


def _viewer_preferences(context) -> tuple[str, object]:
    """(date format, zone) of the viewer: UserProfile.date_format and .time_zone of the signed-in person, or
    of the e-mail's recipient (``recipient`` in the context); the format in force (patents.dates) and UTC
    without either. The profile comes with the signed-in user (security.ProfileModelBackend); the answer is
    kept for the rest of the template's rendering (a docket page asks 130-210 times, once per date)."""
    request = context.get("request")
    person = getattr(request, "user", None) if request is not None else context.get("recipient")
    key = ("docket_tags.viewer_preferences", id(person))
    known = context.render_context.get(key)
    if known is None:
        known = context.render_context[key] = _preferences_of(person)
    return known


def _preferences_of(person) -> tuple[str, object]:
    import zoneinfo

    from patents.dates import active_format, format_of

    profile = getattr(person, "profile", None) if getattr(person, "is_authenticated", False) else None
    try:
        zone = zoneinfo.ZoneInfo(getattr(profile, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return (format_of(person) if profile is not None else active_format()), zone


def _in_zone(value, zone):
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, zone)
    return value


@register.simple_tag(takes_context=True)
def user_date(context, value) -> str:
    """A date in the viewer's chosen format (UserProfile.date_format); a moment is first put on the viewer's
    clock, so its day is the viewer's day."""
    from patents.dates import format_date

    if not value:
        return ""
    day, zone = _viewer_preferences(context)
    return format_date(_in_zone(value, zone), day)


@register.simple_tag(takes_context=True)
def user_datetime(context, value, seconds: bool = False, time_only: bool = False) -> str:
    """A moment in the viewer's date format and time zone with the zone named ("2026-03-02, 14:05 CET"), so
    a time never reaches a page without saying which clock it is on (UserProfile.time_zone; UTC without one)."""
    from django.utils.dateformat import format as date_format

    if not value:
        return ""
    day, zone = _viewer_preferences(context)
    clock = r"H:i:s T" if seconds else r"H:i T"
    return date_format(_in_zone(value, zone), clock if time_only else day + ", " + clock)


@register.simple_tag
def date_placeholder() -> str:
    """How the viewer writes a date ("DD.MM.YYYY"), for a date box not made by a form (patents.dates)."""
    from patents.dates import HINTS, active_format

    return HINTS.get(active_format(), HINTS["Y-m-d"])[0]


@register.simple_tag
def date_hint() -> str:
    """What a date box accepts, in words: the viewer's format with an example, or ISO."""
    from patents.dates import hint

    return hint()


@register.filter
def history_value(value) -> str:
    """A field value in a history diff, in words: "—" for nothing (never "None"), dates in the viewer's format
    (patents.dates), yes/no for flags; times keep UTC named."""
    import datetime as dt

    from patents.dates import format_date

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return f"{format_date(moment)}, {moment:%H:%M} UTC"
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)
