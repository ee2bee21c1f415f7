"""get_client: real office with credentials, else the simulator with its demo credentials, else a clear error."""

from __future__ import annotations

import pytest

from patents.clients import ConfigurationError, get_client
from patents.clients.throttle import MemoryStore, Throttle
from patents.offices.ep.client import EpoOpsClient
from patents.offices.jp.client import JpoClient
from patents.offices.lens.client import LensClient
from patents.offices.us.client import UsptoOdpClient


@pytest.fixture
def no_credentials(settings):
    settings.OPS_KEY = settings.OPS_SECRET = ""
    settings.USPTO_ODP_API_KEY = ""
    settings.JPO_USERNAME = settings.JPO_PASSWORD = ""
    settings.LENS_TOKEN = ""
    settings.OFFICE_SIMULATOR_URL = ""
    return settings


@pytest.fixture
def throttle():
    return Throttle(MemoryStore())


def test_real_credentials_point_the_client_at_the_office(no_credentials, throttle):
    no_credentials.OPS_KEY, no_credentials.OPS_SECRET = "key", "secret"
    no_credentials.OFFICE_SIMULATOR_URL = "http://127.0.0.1:8765"  # credentials win over the simulator
    client = get_client("EP", throttle=throttle)
    assert isinstance(client, EpoOpsClient) and client.base_url == "https://ops.epo.org/3.2"
    assert client.weekly_quota_bytes == no_credentials.OPS_WEEKLY_QUOTA_BYTES


@pytest.mark.parametrize(
    ("office", "cls", "base"),
    [
        ("EP", EpoOpsClient, "http://127.0.0.1:8765/3.2"),
        ("US", UsptoOdpClient, "http://127.0.0.1:8765"),
        ("jpo", JpoClient, "http://127.0.0.1:8765"),
        ("LENS", LensClient, "http://127.0.0.1:8765"),
    ],
)
def test_without_credentials_the_simulator_is_used(no_credentials, throttle, office, cls, base):
    no_credentials.OFFICE_SIMULATOR_URL = "http://127.0.0.1:8765/"
    client = get_client(office, throttle=throttle)
    assert isinstance(client, cls) and client.base_url == base


@pytest.mark.parametrize(
    ("office", "variables"),
    [
        ("EP", "OPS_KEY and OPS_SECRET"),
        ("US", "USPTO_ODP_API_KEY"),
        ("JP", "JPO_USERNAME and JPO_PASSWORD"),
        ("LENS", "LENS_TOKEN"),
    ],
)
def test_neither_credentials_nor_simulator_is_a_configuration_error_naming_the_variables(
    no_credentials, throttle, office, variables
):
    with pytest.raises(ConfigurationError, match=variables) as info:
        get_client(office, throttle=throttle)
    assert "OFFICE_SIMULATOR_URL" in str(info.value) and not info.value.retryable


def test_an_unknown_office_is_a_configuration_error(no_credentials):
    with pytest.raises(ConfigurationError, match="known: EP, US, JP, LENS"):
        get_client("XX")
