"""Template filters for history rows: who made a change, in words (``docketapp.audit.actor_label``)."""

from __future__ import annotations

from django import template

from docketapp.audit import actor_label

register = template.Library()


@register.filter
def changed_by(record) -> str:
    """The actor of a history row: a user's name, or what the process is; never "None"."""
    return actor_label(
        getattr(record, "history_actor", "") or "",
        getattr(record, "history_change_reason", "") or "",
        getattr(record, "history_user", None),
    )


@register.simple_tag(takes_context=True)
def labelled(context, text: str) -> str:
    """``text`` (a reason the engine wrote) with each canonical event code replaced by its event type's
    label; the labels are read once per page render."""
    if not text:
        return ""
    from deadlines.presentation import EVENT_CODE

    if not EVENT_CODE.search(text):
        return text
    labels = context.render_context.get("_event_labels")
    if labels is None:
        from patents.models import EventType

        labels = dict(EventType.objects.exclude(label="").values_list("code", "label"))
        context.render_context["_event_labels"] = labels
    return EVENT_CODE.sub(lambda m: labels.get(m.group(0), m.group(0)), text)
