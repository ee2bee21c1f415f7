"""Another client's data is a 404 on every URL (never a 500, never a leak); anonymous users go to login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def other_client_urls(p):
    d, m = p["other"].pk, p["matter_b"].pk
    return [
        ("get", reverse("deadlines:deadline-detail", args=[d]), {}),
        ("post", reverse("deadlines:deadline-done", args=[d]), {"done_on": "2026-03-01", "evidence": "x"}),
        ("post", reverse("deadlines:deadline-extend", args=[d]), {"until": "2026-05-01", "reason": "x"}),
        ("post", reverse("deadlines:deadline-waive", args=[d]), {"reason": "x"}),
        ("post", reverse("deadlines:deadline-verify", args=[d]), {}),
        ("get", reverse("deadlines:deadline-add", args=[m]), {}),
        (
            "post",
            reverse("deadlines:deadline-add", args=[m]),
            {"title": "x", "kind": "internal", "due_date": "2026-04-01", "reason": "x"},
        ),
        ("get", reverse("patents:matter-detail", args=[m]), {}),
    ]


def test_other_clients_deadlines_and_matters_are_404_on_every_url(client, portfolio):
    client.force_login(portfolio["alice"])
    for method, url, data in other_client_urls(portfolio):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        # Headers of the htmx variant must not change that.
        response = getattr(client, method)(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="docket-results")
        assert response.status_code == 404, (method, url)
    other = Deadline.objects.get(pk=portfolio["other"].pk)
    assert other.status == Deadline.Status.OPEN and other.verified_at is None
    assert not Deadline.objects.filter(matter=portfolio["matter_b"]).exclude(pk=other.pk).exists()


def test_staff_without_membership_cannot_read_raw_payloads_of_other_clients(client, portfolio):
    alice = portfolio["alice"]
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    url = reverse("patents:payload-raw", args=[portfolio["matter_b"].pk, 1])
    assert client.get(url).status_code == 404


LIST_PAGES = [
    ("patents:home", {"scope": "all", "status": "any", "due_from": "2000-01-01"}),
    ("deadlines:docket-export", {"scope": "all", "status": "any"}),
    ("deadlines:verification-queue", {}),
    ("deadlines:calendar", {"month": "2026-03", "scope": "all", "status": "any"}),
    ("deadlines:docket-as-of", {"at": "2026-03-02", "open_only": "0"}),
    ("patents:matter-list", {}),
]


@pytest.mark.parametrize("name,params", LIST_PAGES, ids=[n for n, _ in LIST_PAGES])
def test_lists_never_show_another_clients_data(client, portfolio, name, params):
    client.force_login(portfolio["alice"])
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"BETA" not in body
    assert b"ACME-001" in body


def test_client_filter_with_another_clients_id_is_rejected_not_leaked(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(reverse("patents:home"), {"client": portfolio["client_b"].pk, "scope": "all"})
    assert response.status_code == 200
    assert b"BETA secret deadline" not in response.content
    assert b"Select a valid choice" in response.content


@pytest.mark.parametrize(
    "name",
    [
        "patents:home",
        "patents:matter-list",
        "deadlines:verification-queue",
        "deadlines:calendar",
        "deadlines:docket-as-of",
        "deadlines:feed-settings",
        "deadlines:docket-export",
        "password_change",
    ],
)
def test_anonymous_users_are_sent_to_login(client, portfolio, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_post_to_an_action_changes_nothing(client, portfolio):
    url = reverse("deadlines:deadline-done", args=[portfolio["soon"].pk])
    response = client.post(url, {"done_on": "2026-03-01", "evidence": "receipt"})
    assert response.status_code == 302
    assert Deadline.objects.get(pk=portfolio["soon"].pk).status == Deadline.Status.OPEN


def test_superuser_sees_every_client(client, portfolio):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("deadlines:deadline-detail", args=[portfolio["other"].pk])).status_code == 200
    response = client.get(reverse("patents:home"), {"scope": "all"})
    assert b"BETA secret deadline" in response.content


BAD_PARAMS = [
    (
        "patents:home",
        {
            "page": "abc",
            "sort": "-nonsense",
            "client": "x",
            "responsible": "999999",
            "due_from": "2026-13-45",
            "scope": "everyone",
            "status": "bogus",
            "kind": "?",
        },
    ),
    ("patents:home", {"page": "99999"}),
    ("deadlines:docket-export", {"due_to": "yesterday", "client": "-1"}),
    ("deadlines:calendar", {"month": "2026-13"}),
    ("deadlines:calendar", {"month": "99999-01"}),
    ("deadlines:docket-as-of", {"at": "31/02/2026"}),
    ("deadlines:verification-queue", {"page": "-3"}),
    ("patents:matter-list", {"client": "abc", "status": "x", "page": "0"}),
]


@pytest.mark.parametrize("name,params", BAD_PARAMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD_PARAMS)])
def test_malformed_parameters_never_cause_a_server_error(client, portfolio, name, params):
    client.force_login(portfolio["alice"])
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


def test_unknown_feed_tokens_and_ids_are_404(client, portfolio):
    assert client.get(reverse("deadlines:ics-feed", args=["x" * 43])).status_code == 404
    assert client.get(reverse("deadlines:ics-feed", args=["short"])).status_code == 404
    client.force_login(portfolio["alice"])
    assert client.get(reverse("deadlines:deadline-detail", args=[999999])).status_code == 404
    assert client.get(reverse("patents:matter-detail", args=[999999])).status_code == 404
