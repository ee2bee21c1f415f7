"""Wrong passwords lock a user name out from one address for a while, on the login page and the admin's."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
OFFICE = "203.0.113.7"
HOME = "198.51.100.20"


def text_of(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def attempt(client, username, password, ip=OFFICE, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def alice():
    return UserFactory(username="alice", is_staff=True, is_superuser=True)


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def test_wrong_passwords_lock_the_user_name_out_from_that_address_with_a_clear_message(client, alice, limits):
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(2):
            response = attempt(client, "alice", "wrong")
            assert response.status_code == 200 and "didn't match" in text_of(response)
        locked = attempt(client, "alice", "wrong")
        assert locked.status_code == 429
        message = text_of(locked)
        assert "Too many failed sign-in attempts" in message
        assert "paused for 15 minutes" in message
        # Even the right password is refused while paused, so guessing on cannot succeed.
        assert attempt(client, "alice", PASSWORD).status_code == 429
        assert "_auth_user_id" not in client.session
        # The pause is for this user name from this address: alice at home, and bob at the office, get in.
        assert attempt(client, "alice", PASSWORD, ip=HOME).status_code == 302
        client.logout()
        UserFactory(username="bob")
        assert attempt(client, "bob", PASSWORD).status_code == 302
        client.logout()
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 16, tzinfo=dt.UTC), tick=False):
        assert attempt(client, "alice", PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_lock_out_does_not_reveal_whether_a_user_name_exists(client, alice, limits):
    for _ in range(3):
        attempt(client, "alice", "wrong")
        attempt(client, "nobody-here", "wrong")
    real, unknown = attempt(client, "alice", "wrong"), attempt(client, "nobody-here", "wrong")
    assert real.status_code == unknown.status_code == 429
    assert text_of(real) == text_of(unknown)
    assert "alice" not in text_of(real)


def test_a_successful_login_starts_the_count_again(client, alice, limits):
    for _ in range(2):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert attempt(client, "alice", "wrong").status_code == 200
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, alice, limits):
    admin_login = reverse("admin:login")
    for _ in range(2):
        assert attempt(client, "alice", "wrong", url=admin_login).status_code == 200
    locked = attempt(client, "alice", "wrong", url=admin_login)
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in text_of(locked)
    # One counter for both doors: the ordinary login page is paused as well.
    assert attempt(client, "alice", PASSWORD).status_code == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, alice, limits, settings):
    settings.LOGIN_TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        # Same proxy (REMOTE_ADDR), same client; a forged left-hand entry changes nothing.
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{_}, {OFFICE}",
        )
    office = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": OFFICE}
    home = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": HOME}
    credentials = {"username": "alice", "password": PASSWORD}
    assert client.post(reverse("login"), credentials, **office).status_code == 429
    assert client.post(reverse("login"), credentials, **home).status_code == 302


def test_test_client_and_shell_logins_without_a_request_still_work(client, alice):
    assert client.login(username="alice", password=PASSWORD)
