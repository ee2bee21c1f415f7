"""Renewal tests: the fee tables exactly as migrations deadlines.0012 and 0014 (USPTO surcharge) seed them, and
renewal deadlines."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deadlines import migrations as deadlines_migrations
from deadlines.models import Deadline, FeeSchedule
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

TODAY = dt.date(2026, 3, 2)
# Found by name, not number: the migration may be renumbered when branches are merged.
SEED_NAME = next(
    m.name for m in pkgutil.iter_modules(deadlines_migrations.__path__) if m.name.endswith("_h16b_renewals")
)
SEED = importlib.import_module(f"deadlines.migrations.{SEED_NAME}")
SURCHARGE_NAME = next(
    m.name for m in pkgutil.iter_modules(deadlines_migrations.__path__) if m.name.endswith("_h16ui_uspto_surcharge")
)
SURCHARGE = importlib.import_module(f"deadlines.migrations.{SURCHARGE_NAME}")


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_fee_tables() -> None:
    """Run the migration's own seed with the migration's frozen models (a transactional test elsewhere may
    have flushed what migrate wrote), so the rows and their history are exactly what migrate writes."""
    if FeeSchedule.objects.exists():
        return
    loader = MigrationExecutor(connection).loader
    editor = SimpleNamespace(connection=connection)
    SEED.seed_fee_tables(loader.project_state(("deadlines", SEED_NAME)).apps, editor)
    SURCHARGE.add_surcharge(loader.project_state(("deadlines", SURCHARGE_NAME)).apps, editor)


@pytest.fixture
def fee_tables(db):
    seed_fee_tables()
    return {s.office: s for s in FeeSchedule.objects.all()}


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def renewal(matter, year: str, due: dt.date, *, rule_id: str = "EP.RENEWAL_FEE", latest: dt.date | None = None,
            **kwargs) -> Deadline:
    """A renewal deadline as the engine stores it (key rule:event:instance)."""
    kwargs.setdefault("title", f"Renewal fee (year {year})")
    return DeadlineFactory(
        matter=matter, rule_id=rule_id, key=f"{rule_id}:ev{matter.pk}:{year}", office=matter.office,
        due_date=due, latest_date=latest, extendable=latest is not None,
        citation="EPC Art. 86(1); Rule 51(1), (2)", **kwargs,
    )


@pytest.fixture
def portfolio(db, today, fee_tables):
    pat, sam, other = UserFactory(username="pat"), UserFactory(username="sam"), UserFactory(username="olga")
    acme, zeta = ClientFactory(reference="ACME"), ClientFactory(reference="ZETA")
    TeamMembershipFactory(user=pat, client=acme)
    TeamMembershipFactory(user=sam, client=acme)
    TeamMembershipFactory(user=other, client=zeta)
    ep = MatterFactory(client=acme, reference="ACME-EP-1", office="EP", filing_date=dt.date(2023, 3, 15))
    jp = MatterFactory(client=acme, reference="ACME-JP-1", office="JP", application_number="2021-012345",
                       claim_count=None)
    secret = MatterFactory(client=zeta, reference="ZETA-EP-9", office="EP")
    y4 = renewal(ep, "4", dt.date(2026, 3, 31), latest=dt.date(2026, 9, 30))
    y5 = renewal(ep, "5", dt.date(2027, 3, 31), latest=dt.date(2027, 9, 30))
    jp4 = renewal(jp, "4", dt.date(2026, 5, 20), rule_id="JP.ANNUITY", latest=dt.date(2026, 11, 20))
    hidden = renewal(secret, "3", dt.date(2026, 4, 30), latest=dt.date(2026, 10, 31))
    return SimpleNamespace(pat=pat, sam=sam, other=other, acme=acme, zeta=zeta, ep=ep, jp=jp, secret=secret,
                           y4=y4, y5=y5, jp4=jp4, hidden=hidden)
