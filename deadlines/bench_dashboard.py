"""`python manage.py bench dashboard [--deadlines N] [--json]`: the dashboard pages on a large portfolio.

Builds (once) a synthetic portfolio for one paralegal (clients, matters, N deadlines spread over a year,
with history rows so "docket as of" has something to rebuild), then requests each page in-process through
Django's test client, as the logged-in user, and reports p50/p95 milliseconds and the SQL query count
(the docket's bound of 10 queries is asserted by tests/dashboard/test_docket.py; here it is measured).

It refuses to write into a database whose name does not contain "bench" unless --allow-any-database.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

PREFIX = "BENCH-DASH"
USERNAME = "bench-paralegal"


# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--deadlines", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)


def _ensure_portfolio(n: int, n_clients: int, seed: int, stdout):
    from django.contrib.auth import get_user_model
    from simple_history.utils import bulk_create_with_history

    from deadlines.models import Deadline
    from docketapp.audit import attributed, history_kwargs
    from patents.models import Client, Matter, TeamMembership

    user_model = get_user_model()
    user = user_model.objects.filter(username=USERNAME).first()
    if user and Deadline.objects.filter(matter__client__reference__startswith=PREFIX).count() >= n:
        return user
    stdout.write(f"building a portfolio of {n} deadlines …")
    rng = random.Random(seed)
    today = timezone.now().date()
    with attributed(reason="bench: synthetic portfolio", process="bench.dashboard"):
        user = user or user_model.objects.create_user(USERNAME, password="bench-" + str(seed))
        clients = [
            Client.objects.get_or_create(reference=f"{PREFIX}-{c:02d}", defaults={"name": f"Bench client {c}"})[0]
            for c in range(n_clients)
        ]
        for client in clients:
            TeamMembership.objects.get_or_create(user=user, client=client, defaults={"role": "paralegal"})
        per_matter = 8
        matters = [
            Matter(
                client=clients[i % n_clients],
                reference=f"{PREFIX}-M{i:06d}",
                office=rng.choice("EU"),
                responsible_paralegal=user,
            )
            for i in range(n // per_matter + 1)
        ]
        for m in matters:
            m.office = {"E": "EP", "U": "US"}[m.office]
        Matter.objects.bulk_create(matters, batch_size=1000, ignore_conflicts=True)
        matters = list(Matter.objects.filter(reference__startswith=f"{PREFIX}-M"))
        kinds = list(Deadline.Kind)
        deadlines = [
            Deadline(
                matter=matters[i // per_matter % len(matters)],
                key=f"bench:{i}",
                office="EP",
                title=f"Bench {i}",
                kind=kinds[i % 3],
                due_date=today + dt.timedelta(days=rng.randint(-30, 330)),
                responsible=user if i % 3 else None,
            )
            for i in range(n)
        ]
        bulk_create_with_history(deadlines, Deadline, batch_size=1000, **history_kwargs())
    return user


RENEWAL_MATTERS = 1000  # EP matters that get renewal years 3-10: 8,000 renewal deadlines for the renewals page


def _ensure_renewals(seed: int, stdout) -> None:
    """Renewal deadlines (EP.RENEWAL_FEE, years 3-10) on the first EP matters, once: the renewals page reads
    only these, the docket and the verification queue must leave the later years (forecast) out."""
    from simple_history.utils import bulk_create_with_history

    from deadlines.models import Deadline
    from docketapp.audit import attributed, history_kwargs
    from patents.models import Matter

    if Deadline.objects.filter(matter__reference__startswith=PREFIX, rule_id="EP.RENEWAL_FEE").exists():
        return
    stdout.write(f"adding renewal years 3-10 to {RENEWAL_MATTERS} matters …")
    rng = random.Random(seed)
    today = timezone.now().date()
    matters = Matter.objects.filter(reference__startswith=f"{PREFIX}-M", office="EP").order_by("pk")
    rows = []
    for matter in matters[:RENEWAL_MATTERS]:
        first = today + dt.timedelta(days=rng.randint(-60, 300))
        for year in range(3, 11):
            due = first.replace(year=first.year + year - 3, day=min(first.day, 28))
            rows.append(Deadline(
                matter=matter, key=f"EP.RENEWAL_FEE:bench:{year}", rule_id="EP.RENEWAL_FEE", office="EP",
                title=f"Renewal fee (year {year})", kind=Deadline.Kind.STATUTORY, due_date=due, extendable=True,
                latest_date=due + dt.timedelta(days=183),
            ))
    with attributed(reason="bench: synthetic renewals", process="bench.dashboard"):
        bulk_create_with_history(rows, Deadline, batch_size=1000, **history_kwargs())


FAMILY_SIZE = 12  # a large family: a US first filing, a PCT and national/regional phases claiming it


def _ensure_family(stdout):
    """One family of FAMILY_SIZE bench matters of one client (each with its ~8 deadlines), every member
    claiming priority from the first, which holds that number: the family page's tree, claim links and
    family-wide deadline list. Returns the family."""
    from docketapp.audit import attributed
    from patents.models import Family, Matter, PriorityClaim

    family = Family.objects.filter(reference=f"{PREFIX}-FAMILY").first()
    if family is not None:
        return family
    stdout.write(f"grouping {FAMILY_SIZE} matters into one family …")
    first = Matter.objects.filter(reference__startswith=f"{PREFIX}-M", office="US").order_by("pk").first()
    if first is None:
        raise RuntimeError("the benchmark portfolio has no US matter to start a family")
    members = list(Matter.objects.filter(client=first.client, reference__startswith=f"{PREFIX}-M")
                   .exclude(pk=first.pk).order_by("pk")[: FAMILY_SIZE - 1])
    with attributed(reason="bench: synthetic family", process="bench.dashboard"):
        family = Family.objects.create(client=first.client, reference=f"{PREFIX}-FAMILY", title="Bench family")
        first.family, first.application_number = family, "63/100,001"
        first.application_number_normalized = "63100001"
        first.save()
        for m in members:
            m.family = family
            m.save()
            PriorityClaim.objects.create(matter=m, country="US", number="63/100,001",
                                         date=timezone.now().date() - dt.timedelta(days=300))
    return family


def _first_deadline_pk(matter) -> int:
    from deadlines.models import Deadline

    pk = Deadline.objects.filter(matter=matter).order_by("pk").values_list("pk", flat=True).first()
    if pk is None:
        raise RuntimeError("the benchmark portfolio's first matter has no deadline")
    return pk


def _time(client, url: str, samples: int, stream: bool = False) -> dict:
    timings, queries = [], 0
    for _ in range(samples):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            if stream:
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "queries": queries,
    }


def analyze(*models) -> None:
    """Fresh planner statistics for the tables the portfolio was written to, as autovacuum would have them by
    the time users arrive on a production site (a freshly bulk-loaded table has none, and the planner's guesses
    would make the figures worse than production's)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _analyze_portfolio() -> None:
    """Right after a build the tables have no statistics: the first run after building measured a 51 s count on
    a 168,000-deadline portfolio (2026-12-05) where the same query takes milliseconds once analysed."""
    from django.contrib.auth import get_user_model

    from deadlines.models import Deadline
    from patents.models import Client as OfficeClient
    from patents.models import Matter, TeamMembership

    analyze(Deadline, Deadline.history.model, Matter, OfficeClient, TeamMembership, get_user_model())


def run(options: dict, stdout) -> dict:
    from django.conf import settings
    from django.test import override_settings

    # Rendering without collectstatic: plain static URLs (the manifest lookup is not what is measured).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return _run(options, stdout)


def _run(options: dict, stdout) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from deadlines.actions import regenerate_ics_token
    from patents.models import Matter

    user = _ensure_portfolio(options["deadlines"], options["clients"], options["seed"], stdout)
    _ensure_renewals(options["seed"], stdout)
    family = _ensure_family(stdout)
    _analyze_portfolio()
    client = Client()
    client.force_login(user)
    matter = Matter.objects.filter(reference__startswith=f"{PREFIX}-M").order_by("pk").first()
    if matter is None:
        raise RuntimeError("the benchmark portfolio has no matter: _ensure_portfolio did not build it")
    samples = options["samples"]
    home = reverse("patents:home")
    pages = {
        "docket": home,
        "docket_all_sorted_page5": home + "?scope=all&sort=-client&page=5",
        "docket_filtered": home + "?scope=all&kind=statutory&unverified=on&office=EP",
        "docket_search": home + f"?q={PREFIX}-M000123",
        "docket_page3": home + "?page=3",
        "verification_queue": reverse("deadlines:verification-queue"),
        "verification_queue_page3": reverse("deadlines:verification-queue") + "?page=3",
        "matter_list": reverse("patents:matter-list"),
        "deadline_page": reverse("deadlines:deadline-detail", args=[_first_deadline_pk(matter)]),
        "calendar": reverse("deadlines:calendar") + "?scope=all",
        "as_of_yesterday": reverse("deadlines:docket-as-of")
        + f"?at={(timezone.now().date() - dt.timedelta(days=1)).isoformat()}&open_only=1",
        "matter_page": matter.get_absolute_url(),
        "family_page": reverse("patents:family-detail", args=[family.pk]),
        "renewals": reverse("deadlines:renewals"),
        "renewals_12_months_ep_page2": reverse("deadlines:renewals") + "?office=EP&end="
        + (timezone.now().date() + dt.timedelta(days=330)).strftime("%Y-%m") + "&page=2",
    }
    result: dict = {"deadlines": options["deadlines"], "database": connection.vendor}
    for key, url in pages.items():
        result[key] = _time(client, url, samples)
    client.defaults.update({"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "docket-results"})
    result["docket_htmx_fragment"] = _time(client, home + "?scope=team", samples)
    client.defaults.clear()
    result["csv_export_all_open"] = _time(
        client, reverse("deadlines:docket-export") + "?scope=all&due_to=2100-01-01", max(1, samples // 5), stream=True
    )
    result["renewals_csv_24_months"] = _time(
        client, reverse("deadlines:renewals-export") + "?end="
        + (timezone.now().date() + dt.timedelta(days=700)).strftime("%Y-%m"), max(1, samples // 5), stream=True,
    )
    from django.core.cache import cache

    from deadlines.feeds import scoped_rows

    # The feed of a person who sees the whole portfolio but owns FEED_DEADLINES of it: what a calendar
    # program polls (the paralegal above owns every deadline, a feed of 100k+ events no calendar takes).
    feed_user = _ensure_feed_user(stdout)
    token = regenerate_ics_token(user=feed_user)
    feed_url = reverse("deadlines:ics-feed", args=[token])
    result["ics_events_mine"] = scoped_rows(feed_user, timezone.now().date(), "mine").count()
    cache.clear()
    result["ics_feed_cold"] = _time(client, feed_url, 1)  # builds every event (icalendar: ~0.7 ms each)
    result["ics_feed_warm"] = _time(client, feed_url, samples)  # unchanged data: cached body
    # The admin changelists a superuser opens on the whole table, with a search.
    users = get_user_model().objects
    admin_user = users.filter(username="bench-admin").first() or users.create_superuser("bench-admin", password="x")
    client.force_login(admin_user)
    for name, url in {
        "admin_deadlines": reverse("admin:deadlines_deadline_changelist"),
        "admin_deadlines_search": reverse("admin:deadlines_deadline_changelist") + f"?q={PREFIX}-M00012",
        "admin_matters": reverse("admin:patents_matter_changelist"),
        "admin_matters_search": reverse("admin:patents_matter_changelist") + f"?q={PREFIX}-M00012",
    }.items():
        result[name] = _time(client, url, samples)
    return result


FEED_DEADLINES = 500


def _ensure_feed_user(stdout):
    from django.contrib.auth import get_user_model
    from simple_history.utils import bulk_update_with_history

    from deadlines.models import Deadline
    from docketapp.audit import attributed, history_kwargs
    from patents.models import Client, TeamMembership

    user_model = get_user_model()
    feed_user = user_model.objects.filter(username="bench-feed").first()
    if feed_user is not None:
        return feed_user
    stdout.write(f"assigning {FEED_DEADLINES} deadlines to a second person for the ICS feed …")
    with attributed(reason="bench: feed user", process="bench.dashboard"):
        feed_user = user_model.objects.create_user("bench-feed", password="bench-feed")
        for client in Client.objects.filter(reference__startswith=PREFIX):
            TeamMembership.objects.get_or_create(user=feed_user, client=client, defaults={"role": "paralegal"})
        rows = list(Deadline.objects.filter(matter__reference__startswith=PREFIX).order_by("pk")[:FEED_DEADLINES])
        for row in rows:
            row.responsible = feed_user
        bulk_update_with_history(rows, Deadline, ["responsible"], batch_size=500, **history_kwargs())
    return feed_user
