"""Where the user sits: their time zone, their 'today', and rendering a view in their zone.

These read ``UserProfile.time_zone`` (patents.models), so they live beside it; pages, reminders and the
calendar feed all use them, so the dashboard's 'today' and the e-mails' 'today' never disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django.utils import timezone

View = TypeVar("View", bound=Callable[..., Any])


def user_tz(user: Any) -> zoneinfo.ZoneInfo:
    """The user's own zone (UserProfile.time_zone); without one, the firm's default zone (settings.TIME_ZONE),
    the same zone the reminders use, so the dashboard's 'today' and the e-mails' 'today' never disagree."""
    # No profile yet (RelatedObjectDoesNotExist is an AttributeError) or anonymous: no profile.
    profile = getattr(user, "profile", None)
    name = getattr(profile, "time_zone", "") or ""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def in_user_timezone(view: View) -> View:
    """Render the view's times in the user's own zone (UserProfile.time_zone); storage stays UTC."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(user_tz(request.user)):
            return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def user_today(user: Any) -> dt.date:
    """'Today' where the user sits: a paralegal in Tokyo on Monday morning is not on Sunday."""
    return timezone.now().astimezone(user_tz(user)).date()
