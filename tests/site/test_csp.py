"""Every response carries a Content-Security-Policy that allows only our own scripts and styles."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from deadlines.charts import KIND_COLOURS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_files_and_errors_all_carry_the_policy(client):
    user = UserFactory(username="paula")
    responses = [client.get(reverse("login")), client.get("/no-such-page/")]
    client.force_login(user)
    responses += [client.get(reverse("patents:home")), client.get(reverse("admin:index"))]
    for response in responses:
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        for kind in ("script-src", "style-src"):
            # Own files and the request's nonce; never inline code or eval.
            assert policy[kind][0] == "'self'" and policy[kind][1].startswith("'nonce-")
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy[kind])


def test_the_nonce_is_new_for_every_request_and_is_the_one_on_the_htmx_script_tag(client):
    user = UserFactory(username="paula")
    client.force_login(user)
    first, second = client.get(reverse("patents:home")), client.get(reverse("patents:home"))
    nonces = [directives(r)["script-src"][1][len("'nonce-") : -1] for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()


def test_report_only_mode_sends_the_report_only_header(client, settings):
    settings.CSP_REPORT_ONLY = True
    response = client.get(reverse("login"))
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"].startswith("default-src 'self'")


def test_kind_colours_in_the_stylesheet_match_the_chart():
    # The badges and calendar take their colour from CSS classes (no style attributes under the policy);
    # the chart's bars take it from KIND_COLOURS: one legend must read the same everywhere.
    css = open(finders.find("docketapp/docket.css"), encoding="utf-8").read()
    for kind, colour in KIND_COLOURS.items():
        assert re.search(rf"\.kind-{kind.value}\s*{{\s*--kind:\s*{colour};", css), kind
        # The chart legend names its swatch class after the kind's label (deadlines/_chart.html).
        assert kind.label.lower() == kind.value
