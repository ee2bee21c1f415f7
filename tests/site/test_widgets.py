"""docketapp.widgets.FastSelect writes the HTML Django's Select writes, byte for byte: the docket's filter form
looks and submits the same, only without a template include per option."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.safestring import mark_safe

from docketapp.widgets import FastSelect

CHOICES = [
    ("", "All clients"),
    (3, "ACME – Acme & Sons <Ltd>"),
    ("7", 'BETA "quoted"'),
    (mark_safe("<b>"), mark_safe("<i>safe label</i>")),
    ("Group", [("g1", "In a group"), ("g2", "Also")]),
]


@pytest.mark.parametrize("value", [None, "", 3, "3", "7", "g2", "missing", ["7"]])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_client", "class": "wide", "aria-label": 'Client "x"', "required": True, "disabled": False}],
)
def test_fast_select_writes_what_select_writes(value, attrs):
    assert FastSelect(choices=CHOICES).render("client", value, attrs) == forms.Select(choices=CHOICES).render(
        "client", value, attrs
    )


def test_the_docket_filter_form_renders_the_same_with_either_widget(rf, django_user_model, db):
    from deadlines.filters import DeadlineFilter

    user = django_user_model.objects.create_user("pat", password="x")
    data = rf.get("/", {"scope": "team", "status": "open", "kind": "statutory"}).GET
    fast = DeadlineFilter(data, user=user).form
    plain = DeadlineFilter(data, user=user).form
    for field in plain.fields.values():
        if isinstance(field.widget, FastSelect):
            widget = forms.Select(attrs=field.widget.attrs)
            widget.choices = field.widget.choices
            field.widget = widget
    assert str(fast) == str(plain)
    assert str(fast).count("<option") >= 10


def test_a_model_choice_select_writes_what_select_writes(db):
    from patents.models import Client
    from tests.factories import ClientFactory

    for reference in ("ACME", "B&B <GmbH>"):
        ClientFactory(reference=reference)
    field = forms.ModelChoiceField(queryset=Client.objects.order_by("reference"), empty_label="All clients")
    chosen = Client.objects.get(reference="ACME").pk
    for value in (None, chosen, str(chosen)):
        fast = FastSelect(choices=field.choices).render("client", value, {"id": "id_client"})
        assert fast == forms.Select(choices=field.choices).render("client", value, {"id": "id_client"})
        assert "B&amp;B &lt;GmbH&gt;" in fast
