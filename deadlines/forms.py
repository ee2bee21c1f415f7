from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator

from patents.dates import UserDateField

from .models import Deadline


class MarkDoneForm(forms.Form):
    done_on = UserDateField(label="Done on")
    evidence = forms.CharField(
        label="Evidence",
        max_length=2000,
        help_text="What proves it was done: filing receipt, fee payment reference, letter …",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionForm(forms.Form):
    until = forms.TypedChoiceField(label="New date", coerce=dt.date.fromisoformat)
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        help_text="E.g. extension fee paid on …, request filed on …",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, options: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        until = self.fields["until"]
        assert isinstance(until, forms.TypedChoiceField)
        until.choices = [(o["until"].isoformat(), o["label"]) for o in options]


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Reason (required)",
        max_length=2000,
        help_text="E.g. client instructed to let the application lapse (letter of …)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VerifyForm(forms.Form):
    seen = forms.IntegerField(widget=forms.HiddenInput())


class ManualDeadlineForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Deadline.Kind.choices, initial=Deadline.Kind.INTERNAL)
    due_date = UserDateField(label="Due date")
    responsible = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="(the matter's paralegal/attorney)",
    )
    citation = forms.CharField(max_length=300, required=False, label="Legal basis (if any)")
    reason = forms.CharField(
        label="Where does it come from?",
        max_length=2000,
        help_text="E.g. client instruction of 3 May; reminder to order translations",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["responsible"].queryset = users


class AsOfForm(forms.Form):
    # The view reads up to the next midnight, which does not exist after the last representable day.
    at = UserDateField(
        label="Docket as it stood at the end of",
        validators=[MaxValueValidator(dt.date.max - dt.timedelta(days=1))],
    )
