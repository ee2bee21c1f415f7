"""A person's display preferences: time zone and date format (UserProfile), changed by that person, with
history."""

from __future__ import annotations

import zoneinfo
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from docketapp.audit import attributed
from docketapp.widgets import FastSelect
from patents.models import UserProfile
from patents.timezones import in_user_timezone


class PreferencesForm(forms.ModelForm):
    # ~600 zones: a template include per option was most of the page.
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())], widget=FastSelect
    )

    class Meta:
        model = UserProfile
        fields = ["time_zone", "date_format"]
        labels = {"time_zone": "Time zone", "date_format": "Date format"}


@login_required
@in_user_timezone
def preferences(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic(), attributed(reason="display preferences changed by the user", user=user):
            form.save()
        messages.success(request, "Preferences saved.")
        return redirect("deadlines:preferences")
    return render(request, "deadlines/preferences.html", {"form": form}, status=400 if form.is_bound else 200)


urlpatterns = [path("preferences/", preferences, name="preferences")]
