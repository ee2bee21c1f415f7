"""Filters for the matter list. The queryset given in is already limited by ``visible_to``."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from docketapp.widgets import FastSelect

from .models import Client, Matter


class MatterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "reference, number, title"}),
    )
    client = django_filters.ModelChoiceFilter(
        queryset=Client.objects.none(), empty_label="All clients", widget=FastSelect
    )
    office = django_filters.CharFilter(lookup_expr="iexact", widget=forms.TextInput(attrs={"size": 4}))
    status = django_filters.ChoiceFilter(choices=Matter.Status.choices, empty_label="Any status", widget=FastSelect)
    # Closed matters are off the active docket: shown only when asked for.
    state = django_filters.ChoiceFilter(
        label="Show", choices=[("closed", "Closed matters"), ("all", "Active and closed")],
        empty_label="Active matters", method="by_state", widget=FastSelect,
    )

    class Meta:
        model = Matter
        fields: list[str] = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The clients with a matter the user may see: one probe per client (EXISTS on the matters' client
        # index), not a DISTINCT over every visible matter.
        self.filters["client"].queryset = Client.objects.filter(
            Exists(Matter.objects.visible_to(user).filter(client=OuterRef("pk")))
        ).order_by("reference")

    @property
    def qs(self):
        base = super().qs
        if self.form.is_valid() and self.form.cleaned_data.get("state") in ("closed", "all"):
            return base
        return base.filter(closed_at__isnull=True)

    def by_state(self, qs, name, value):
        return qs.filter(closed_at__isnull=False) if value == "closed" else qs

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        compact = "".join(value.split()).upper()
        return qs.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(application_number__icontains=value)
            | Q(application_number_normalized__icontains=compact)
            | Q(publication_number__icontains=value)
            | Q(grant_number__icontains=value)
        )
