"""Every answer says how long the application took (``Server-Timing: app;dur=<ms>``): what `bench load` and a
browser's developer tools read to tell server time from queueing and network time."""

import re

from django.test import Client
from django.urls import reverse

DUR = re.compile(r"^app;dur=(\d+\.\d)$")


def test_pages_and_the_login_page_say_how_long_the_server_took(client, portfolio):
    anonymous = Client().get(reverse("login"))
    assert DUR.match(anonymous["Server-Timing"])
    client.force_login(portfolio["alice"])
    docket = client.get(reverse("patents:home"))
    assert docket.status_code == 200
    assert float(DUR.match(docket["Server-Timing"]).group(1)) > 0


def test_a_streamed_export_says_its_figure_stops_before_the_body(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:docket-export") + "?scope=all")
    assert re.match(r'^app;dur=\d+\.\d;desc="before streaming"$', response["Server-Timing"])
    assert "Reply to Art. 94(3) communication" in b"".join(response.streaming_content).decode()


def test_server_timing_false_sends_no_header(settings, portfolio):
    settings.SERVER_TIMING = False
    browser = Client()  # a new client builds its middleware chain with the setting in force
    browser.force_login(portfolio["alice"])
    response = browser.get(reverse("patents:home"))
    assert response.status_code == 200
    assert "Server-Timing" not in response
