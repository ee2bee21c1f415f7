"""The office clients against the office simulator over loopback HTTP (real sockets, real server threads).

The simulator is a separate component (patents/simulator) speaking each office's protocol; nothing here
mocks the client or the throttle.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from patents.clients import NotFound, ThrottlingControlQuota, TransientError
from patents.clients.throttle import MemoryStore, Throttle, default_limits
from patents.offices.ep.client import EpoOpsClient, docdb
from patents.offices.ep.parser import (
    parse_family,
    parse_inpadoc_legal,
    parse_published_biblio,
    parse_register,
    parse_register_search,
)
from patents.simulator import config as demo
from patents.simulator.ops_documents import is_in_register

pytestmark = pytest.mark.simulator


@pytest.fixture
def office_simulator(simulator_factory):
    return simulator_factory(seed=1, matters=200)


@pytest.fixture
def simulator_factory():
    from patents.simulator.server import start_simulator

    started = []

    def start(**kwargs):
        started.append(start_simulator(**kwargs))
        return started[-1]

    yield start
    for sim in started:
        sim.stop()


def roomy_throttle() -> Throttle:
    return Throttle(MemoryStore(), {k: replace(v, burst=50) for k, v in default_limits().items()})


def ops_client(sim, **kwargs) -> EpoOpsClient:
    kwargs.setdefault("throttle", roomy_throttle())
    return EpoOpsClient(key=demo.OPS_KEY, secret=demo.OPS_SECRET, base_url=f"{sim.base_url}/3.2", **kwargs)


def registered_ep_matters(sim, n: int = 3):
    found = [m for m in sim.portfolio.matters("EP") if is_in_register(m)]
    assert len(found) >= n
    return found[:n]


def test_register_constituents_come_back_as_parseable_register_documents(office_simulator):
    client = ops_client(office_simulator)
    matter = registered_ep_matters(office_simulator, 1)[0]
    response = client.register(matter.epodoc_application, constituents=["biblio", "events", "procedural-steps"])
    (document,) = parse_register(response.body)
    assert document.biblio.application_number.endswith(matter.ep_application_digits)
    assert document.events and document.procedural_steps
    assert response.headers["X-Throttling-Control"].startswith("idle (")


def test_several_register_numbers_in_one_post(office_simulator):
    client = ops_client(office_simulator)
    matters = registered_ep_matters(office_simulator, 3)
    response = client.register_many([m.epodoc_application for m in matters])
    documents = parse_register(response.body)
    assert sorted(d.biblio.application_number[-8:] for d in documents) == sorted(
        m.ep_application_digits for m in matters
    )


def test_legal_published_data_and_family_for_a_publication(office_simulator):
    client = ops_client(office_simulator)
    matter = next(m for m in registered_ep_matters(office_simulator, 10) if m.publication_number)
    number = docdb(matter.publication_number[:2], matter.publication_number[2:], matter.publication_kind)
    assert parse_inpadoc_legal(client.legal(number).body)
    biblios = parse_published_biblio(client.published_data(number).body)
    assert biblios and biblios[0].title
    assert client.published_data(matter.publication_number, input_format="epodoc").status == 200
    family = parse_family(client.family(number, constituents=["biblio"]).body)
    assert family.members


def test_an_unknown_number_is_no_data(office_simulator):
    with pytest.raises(NotFound) as info:
        ops_client(office_simulator).register("EP09999999")
    assert info.value.code == "SERVER.EntityNotFound" and not info.value.retryable


def test_register_search_pages_add_up_to_the_total(office_simulator):
    client = ops_client(office_simulator)
    pages = list(client.iter_register_search("ti=a", page_size=10))
    parsed = [parse_register_search(p.body) for p in pages]
    assert len(pages) >= 2
    assert sum(len(p.items) for p in parsed) == parsed[0].total


def test_a_token_the_office_dropped_is_renewed_once_and_the_call_succeeds(office_simulator):
    client = ops_client(office_simulator)
    matter = registered_ep_matters(office_simulator, 1)[0]
    client.register(matter.epodoc_application)
    office_simulator.simulator.ops.tokens.clear()  # the office forgets every token: HTTP 400 invalid_access_token
    assert client.register(matter.epodoc_application).status == 200
    assert client.token_renewals == 2


def test_the_client_adopts_the_office_limit_and_stops_at_black(simulator_factory):
    sim = simulator_factory(limits="other=3")
    throttle = roomy_throttle()
    client = ops_client(sim, throttle=throttle)
    matter = registered_ep_matters(sim, 1)[0]
    client.register(matter.epodoc_application)
    assert throttle.state("epo", "other").rate == 3  # advertised by X-Throttling-Control
    client.register(matter.epodoc_application)
    client.register(matter.epodoc_application)
    with pytest.raises(ThrottlingControlQuota) as black:
        client.register(matter.epodoc_application)  # our burst allowance outran the office: it says black
    with pytest.raises(ThrottlingControlQuota) as local:
        client.register(matter.epodoc_application)
    assert "before sending" in str(local.value)
    assert black.value.retry_after > 1
    assert sim.stats()["counters"]["ops.rejected.ThrottlingControlQuota"] == 1  # nothing more reached the office


@pytest.mark.parametrize("fault", ["server_error", "overloaded", "truncated"])
def test_injected_office_faults_are_transient(simulator_factory, fault):
    sim = simulator_factory(faults=1.0, fault_mix=fault)
    client = ops_client(sim)
    with pytest.raises(TransientError) as info:
        client.register("EP25100000")
    assert info.value.retryable


def test_an_answer_slower_than_the_read_timeout_is_transient(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_mix="slow", slow_seconds=1.0)
    client = ops_client(sim, timeout=(1.0, 0.2))
    with pytest.raises(TransientError, match="timed out"):
        client.register("EP25100000")


# --- USPTO ODP ---------------------------------------------------------------------------------------------


def odp_client(sim, **kwargs):
    from patents.offices.us.client import UsptoOdpClient

    kwargs.setdefault("throttle", roomy_throttle())
    kwargs.setdefault("max_wait", 10)
    return UsptoOdpClient(api_key=demo.ODP_API_KEY, base_url=sim.base_url, **kwargs)


def test_odp_application_and_transactions_for_a_number_as_users_type_it(office_simulator):
    client = odp_client(office_simulator)
    matter = next(iter(office_simulator.portfolio.matters("US")))
    record = client.application(matter.application_number).json()
    assert record["patentFileWrapperDataBag"][0]["applicationNumberText"] == matter.application_number.replace(
        "/", ""
    ).replace(",", "")
    events = client.transactions(matter.application_number).json()["patentFileWrapperDataBag"][0]["eventDataBag"]
    assert {"eventCode", "eventDate"} <= set(events[0])
    with pytest.raises(NotFound):
        client.application("29/999,999")


def test_odp_search_pages_smaller_after_413_and_gets_every_hit(simulator_factory):
    sim = simulator_factory(limits="odp_max_limit=3")
    client = odp_client(sim)
    pages = list(client.iter_search("*", page_size=8, max_results=12))
    hits = [a for p in pages for a in p.json()["patentFileWrapperDataBag"]]
    assert len(hits) == 12 and len({h["applicationNumberText"] for h in hits}) == 12
    assert sim.stats()["status"]["odp"].get("413", 0) >= 1


def test_odp_workers_sharing_the_throttle_never_have_two_requests_in_flight(simulator_factory):
    import threading

    sim = simulator_factory(odp_processing_seconds=0.05)
    throttle = roomy_throttle()
    numbers = [m.application_number for m in list(sim.portfolio.matters("US"))[:4]]
    errors = []

    def work(number):
        try:
            for _ in range(3):
                odp_client(sim, throttle=throttle).meta_data(number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sim.stats()["counters"].get("odp.rejected.429", 0) == 0


# --- JPO ----------------------------------------------------------------------------------------------------


def jpo_client(sim, **kwargs):
    from patents.offices.jp.client import JpoClient

    kwargs.setdefault("throttle", roomy_throttle())
    return JpoClient(username=demo.JPO_USERNAME, password=demo.JPO_PASSWORD, base_url=sim.base_url, **kwargs)


def test_jpo_progress_registration_and_no_data(office_simulator):
    from patents.offices.jp.parser import parse_app_progress

    client = jpo_client(office_simulator)
    matter = next(iter(office_simulator.portfolio.matters("JP")))
    progress = parse_app_progress(client.app_progress(matter.application_number).body)
    assert progress is not None
    with pytest.raises(NotFound, match="107"):
        client.app_progress("1999-999999")
    assert client.logins == 1


def test_jpo_daily_cap_stops_us_before_the_office_has_to(simulator_factory):
    from patents.clients import DailyCapReached

    sim = simulator_factory(limits="jpo.registration_info=2,jpo_per_minute=100")
    client = jpo_client(sim)
    matter = next(iter(sim.portfolio.matters("JP")))
    for _ in range(2):
        try:
            client.registration_info(matter.application_number)
        except NotFound:
            pass  # not registered yet: still counted by the office
    with pytest.raises(DailyCapReached) as info:
        client.registration_info(matter.application_number)
    assert "before sending" in str(info.value)  # remainAccessCount 0 told us; the office never said 203
    assert sim.stats()["counters"].get("jpo.status.203", 0) == 0


# --- Lens ---------------------------------------------------------------------------------------------------


def test_lens_scroll_walks_every_result_to_the_204(office_simulator):
    from patents.offices.lens.client import LensClient

    client = LensClient(token=demo.LENS_TOKEN, base_url=office_simulator.base_url, throttle=roomy_throttle())
    first = client.search({"match_all": {}}, size=5)
    total = first.json()["total"]
    assert 10 < total < 10_000
    pages = list(client.iter_search({"match_all": {}}, size=50, include=["lens_id"]))
    ids = [r["lens_id"] for p in pages for r in p.json()["data"]]
    assert len(ids) == total == len(set(ids))
