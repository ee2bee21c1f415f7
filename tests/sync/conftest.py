"""Fixtures for the office sync tests: seeded mappings, a fast throttle, simulator clients, deadline hooks."""

from __future__ import annotations

import pytest

from patents.simulator.testing import office_simulator, simulator_factory  # noqa: F401


@pytest.fixture
def mappings(db):
    """The seeded code mappings (a transactional test elsewhere may have flushed the migration's rows)."""
    from patents.normalize import seed_code_mappings

    seed_code_mappings()


@pytest.fixture
def fast_throttle():
    """The production limits, except JPO's 10 a minute (a test cannot wait minutes for three answers)."""
    from patents.clients.throttle import Limit, MemoryStore, Throttle, default_limits

    limits = default_limits(lease_seconds=10.0)
    limits[("jpo", "*")] = Limit(per_minute=600, concurrency=True, lease_seconds=10.0)
    return Throttle(MemoryStore(), limits)


@pytest.fixture
def sim_client(settings, fast_throttle):
    """``sim_client(sim, office)``: the real client for ``office`` pointed at a running simulator."""
    from patents.clients import get_client

    made = []

    def make(sim, office: str, **kwargs):
        settings.OFFICE_SIMULATOR_URL = sim.base_url
        for name in ("OPS_KEY", "OPS_SECRET", "USPTO_ODP_API_KEY", "JPO_USERNAME", "JPO_PASSWORD", "LENS_TOKEN"):
            setattr(settings, name, "")
        kwargs.setdefault("throttle", fast_throttle)
        kwargs.setdefault("max_wait", 5.0)
        client = get_client(office, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def inline_deadlines():
    """Deadline recompute runs in-process when an event is recorded (the hook, without a broker).

    Use with ``django_capture_on_commit_callbacks(execute=True)`` in non-transactional tests.
    """
    from deadlines.services import recompute_deadlines
    from patents.signals import events_committed_to

    def recompute(matter_id: int) -> None:
        recompute_deadlines(matter_id=matter_id, reason="office event recorded or changed")

    with events_committed_to(recompute):
        yield


@pytest.fixture
def no_hooks():
    """No deadline hooks at all (tests about office data only)."""
    from patents.signals import events_committed_to

    with events_committed_to(lambda matter_id: None):
        yield


def history_count() -> int:
    """Every history row of the docket models the sync writes to."""
    from deadlines.models import Deadline
    from patents.models import Matter, OfficeCodeMapping, OfficeEvent, PriorityClaim, QuarantineItem, ReconciliationItem

    return sum(m.history.count() for m in (Matter, OfficeEvent, PriorityClaim, QuarantineItem, ReconciliationItem,
                                           OfficeCodeMapping, Deadline))


def row_counts() -> dict[str, int]:
    from deadlines.models import Deadline
    from patents.models import Matter, OfficeEvent, OfficePayload, PriorityClaim, QuarantineItem, ReconciliationItem

    return {m.__name__: m.objects.count() for m in (Matter, OfficeEvent, OfficePayload, PriorityClaim,
                                                    QuarantineItem, ReconciliationItem, Deadline)} | {
        "history": history_count()}


def docketing_admin(username: str = "dora", *, clients=()):
    """A user holding ``patents.decide_global_mapping`` (maps office codes for every client), in ``clients``' teams."""
    from django.contrib.auth.models import Permission

    from tests.factories import TeamMembershipFactory, UserFactory

    user = UserFactory(username=username)
    for client in clients:
        TeamMembershipFactory(user=user, client=client)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="patents",
                                                     codename="decide_global_mapping"))
    return user


def confirmed(item, event_type=None) -> tuple[int, int]:
    """What a docketing admin confirms after seeing the impact page: (items, clients) of the mapping."""
    from patents.review import mapping_impact

    impact = mapping_impact(item=item, event_type=event_type)
    return impact.items, impact.clients
