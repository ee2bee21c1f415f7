"""The demo portfolio: three clients, five users, a hand-entered PCT family, and matters taken from the office
simulator's seeded portfolio, whose events and deadlines arrive through the real office sync.

Idempotent: dates are anchored on the day the demo was first seeded (the ACME client's creation date), and
the simulator is started with that day as its "today", so the same numbers come back on every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from docketapp.audit import attributed

from .models import Client, Family, Matter, TeamMembership, UserProfile
from .offices import get_office
from .services import (
    MatterData,
    add_team_member,
    ensure_client,
    ensure_event_type,
    record_office_event,
    upsert_matter,
)

DEMO_PASSWORD = "docket-demo-2026"


@dataclass
class DemoUser:
    username: str
    first_name: str
    last_name: str
    superuser: bool = False
    time_zone: str = "UTC"
    # Least privilege: paralegals and attorneys work in the dashboard; only the docketing role needs the
    # admin (closures, code mappings, reminder policies, unconfirmed deliveries, the outbox).
    staff: bool = False


USERS = [
    DemoUser("admin", "Ada", "Admin", superuser=True, staff=True),
    DemoUser("alice", "Alice", "Attorney", time_zone="Europe/Berlin"),
    DemoUser("pat", "Pat", "Paralegal", time_zone="America/New_York"),
    DemoUser("sam", "Sam", "Docketing", time_zone="Europe/London", staff=True),
    DemoUser("kenji", "Kenji", "Sato", time_zone="Asia/Tokyo"),
]

# The admin permissions of the docketing role (the "Docketing" group; sam in the demo). Client scoping is
# the admin's own: these rights apply to the clients the user is a member of. Team memberships are not
# here: only superusers change who sees which client.
DOCKETING_GROUP = "Docketing"
DOCKETING_PERMISSIONS = {
    "patents": {
        "view": ["client", "family", "matter", "priorityclaim", "eventtype", "officeevent",
                 "officecodemapping", "officepayload", "syncrun", "quarantineitem", "reconciliationitem",
                 "teammembership", "userprofile", "document"],
        "change": ["userprofile", "matter", "family", "priorityclaim", "officeevent", "eventtype", "officecodemapping",
                   "document"],
        "add": ["matter", "family", "priorityclaim", "officeevent", "eventtype", "officecodemapping", "document"],
    },
    "deadlines": {
        "view": ["deadline", "officeclosure", "reminderpolicy", "reminder", "delivery"],
        "change": ["deadline", "officeclosure", "reminderpolicy", "delivery"],
        "add": ["deadline", "officeclosure", "reminderpolicy"],
    },
}


# Everyone who works a docket uploads office documents and reviews what was read from them (for the
# clients they are members of: the permission opens the door, the membership decides which matters).
DOCUMENT_GROUP = "Office documents"
DOCUMENT_PERMISSIONS = ("add_document", "change_document")


# Everyone who works a docket creates, edits, closes and syncs the matters of their clients from the dashboard
# (the matter form); the admin stays with the docketing role.
MATTER_GROUP = "Matters"
MATTER_PERMISSIONS = ("add_matter", "change_matter")


def ensure_matter_group():
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=MATTER_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="patents",
                                                    codename__in=MATTER_PERMISSIONS))
    return group


def ensure_document_group():
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=DOCUMENT_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="patents",
                                                    codename__in=DOCUMENT_PERMISSIONS))
    return group


def ensure_docketing_group():
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=DOCKETING_GROUP)
    wanted = [(app, f"{action}_{model}") for app, actions in DOCKETING_PERMISSIONS.items()
              for action, models in actions.items() for model in models]
    perms = [p for p in Permission.objects.filter(content_type__app_label__in=DOCKETING_PERMISSIONS)
             if (p.content_type.app_label, p.codename) in wanted]
    group.permissions.set(perms)
    return group

CLIENTS = [
    ("ACME", "Acme Batteries GmbH", "ip@acme.example\nlegal@acme.example"),
    ("GLOBEX", "Globex Corporation", "patents@globex.example"),
    ("NIPPON", "Nippon Optics K.K.", "chizai@nippon-optics.example"),
]

MEMBERSHIPS = [
    ("alice", "ACME", TeamMembership.Role.ATTORNEY),
    ("pat", "ACME", TeamMembership.Role.PARALEGAL),
    ("sam", "ACME", TeamMembership.Role.DOCKETING),
    ("alice", "GLOBEX", TeamMembership.Role.ATTORNEY),
    ("pat", "GLOBEX", TeamMembership.Role.PARALEGAL),
    ("sam", "GLOBEX", TeamMembership.Role.DOCKETING),
    ("kenji", "NIPPON", TeamMembership.Role.PARALEGAL),
]

# (code, label, office): the event types the hand-entered ACME-001 family uses; synced matters get theirs
# from the office code mapping.
EVENT_TYPES = [
    ("US.PROVISIONAL_FILED", "US provisional application filed", "US"),
    ("WO.FILED", "International application filed", "WO"),
    ("WO.ISR_TRANSMITTED", "International search report transmitted", "WO"),
    ("EP.RULE_161_162_COMMUNICATION", "Communication under Rules 161/162 EPC", "EP"),
]


def _matters(anchor: dt.date, users: dict, clients: dict) -> list[tuple[MatterData, list[tuple]]]:
    """(matter data, [(event code, office code, office text, date, params)]) in parent-first order."""
    d = lambda days: anchor - dt.timedelta(days=days)  # noqa: E731
    alice, pat = users["alice"], users["pat"]
    acme = clients["ACME"]
    prov = d(700)
    return [
        (MatterData(client=acme, reference="ACME-001-USP", office="US", kind=Matter.Kind.PROVISIONAL,
                    title="Layered cathode for solid-state batteries", application_number="63/210,417",
                    filing_date=prov, applicant_name="Acme Batteries GmbH",
                    applicant_residence=Matter.Residence.FOREIGN, responsible_attorney=alice,
                    responsible_paralegal=pat, sync_enabled=False),
         [("US.PROVISIONAL_FILED", "PROV", "Provisional application filed", prov, {})]),
        (MatterData(client=acme, reference="ACME-001-WO", office="WO", kind=Matter.Kind.PCT,
                    title="Layered cathode for solid-state batteries", application_number="PCT/EP2024/061234",
                    filing_date=d(340), receiving_office="EP", designated_offices=["EP", "US", "JP"],
                    applicant_name="Acme Batteries GmbH", responsible_attorney=alice, responsible_paralegal=pat,
                    priority_claims=[("US", "63/210,417", prov)], sync_enabled=False),
         [("WO.FILED", "WO-FILED", "International application filed", d(340), {}),
          ("WO.ISR_TRANSMITTED", "ISR", "Transmittal of the international search report", d(120), {})]),
        (MatterData(client=acme, reference="ACME-001-EP", office="EP", kind=Matter.Kind.REGIONAL,
                    title="Layered cathode for solid-state batteries", application_number="EP24801234",
                    filing_date=d(340), applicant_name="Acme Batteries GmbH", responsible_attorney=alice,
                    responsible_paralegal=pat, parent_relation=Matter.Relation.REGIONAL_PHASE,
                    priority_claims=[("US", "63/210,417", prov)], sync_enabled=False),
         [("EP.RULE_161_162_COMMUNICATION", "1226", "Communication pursuant to Rules 161(1) and 162 EPC",
           d(30), {})]),
    ]


def seed_demo(*, stdout=None) -> dict[str, int]:
    user_model = get_user_model()
    counts = {"users": 0, "matters_changed": 0, "events_created": 0}
    with attributed(reason="demo data", process="seed_demo"), transaction.atomic():
        users = {}
        docketing = ensure_docketing_group()
        documents = ensure_document_group()
        matters = ensure_matter_group()
        for spec in USERS:
            user = user_model.objects.filter(username=spec.username).first()
            if user is None:
                user = user_model(
                    username=spec.username, first_name=spec.first_name, last_name=spec.last_name,
                    email=f"{spec.username}@docket.example", is_staff=spec.staff, is_superuser=spec.superuser,
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                counts["users"] += 1
            elif user.is_staff != spec.staff:
                # Demo databases seeded before made every user staff: bring them down to their role.
                user.is_staff = spec.staff
                user.save(update_fields=["is_staff"])
            if spec.staff and not spec.superuser:
                user.groups.add(docketing)
            user.groups.add(documents, matters)
            if not UserProfile.objects.filter(user=user).exists():
                UserProfile.objects.create(user=user, time_zone=spec.time_zone)
            users[spec.username] = user
        clients = {}
        for reference, name, emails in CLIENTS:
            clients[reference], _ = ensure_client(reference=reference, name=name, contact_emails=emails)
        for username, client_ref, role in MEMBERSHIPS:
            add_team_member(client=clients[client_ref], user=users[username], role=role)
        anchor = demo_anchor()
        assert anchor is not None  # the ACME client exists by now (created above)
        event_types = {code: ensure_event_type(code=code, label=label, office=office)
                       for code, label, office in EVENT_TYPES}
        family = Family.objects.filter(client=clients["ACME"], reference="ACME-001").first()
        if family is None:
            family = Family.objects.create(client=clients["ACME"], reference="ACME-001",
                                           title="Layered cathode for solid-state batteries")
        saved: dict[str, Matter] = {}
        for data, events in _matters(anchor, users, clients):
            if data.reference.startswith("ACME-001"):
                data.family = family
            if data.reference == "ACME-001-EP":
                data.parent = saved["ACME-001-WO"]
            matter, changed = _create_missing(data)
            saved[matter.reference] = matter
            counts["matters_changed"] += changed
            for index, (code, office_code, text, date, params) in enumerate(events):
                _, created = record_office_event(
                    matter=matter, event_type=event_types[code], office_code=office_code, office_text=text,
                    date=date, discriminator=f"demo{index}", params=params,
                )
                counts["events_created"] += created
        for data in _office_matters(anchor, users, clients):
            _, changed = _create_missing(data)
            counts["matters_changed"] += changed
    return counts


def _create_missing(data: MatterData) -> tuple[Matter, bool]:
    """Create a demo matter that does not exist yet; leave an existing one alone.

    Seeding never overwrites office data: after the first sync a matter carries publication and grant
    numbers, dates and a status the seed does not know, and an upsert from the seed's data would blank them.
    """
    existing = Matter.objects.filter(reference=data.reference).first()
    if existing is not None:
        return existing, False
    return upsert_matter(data=data)


# The simulator portfolio the demo matters come from (the demo command starts the simulator with the same).
DEMO_SEED = 1
DEMO_SIZE = 200
# (client, office, how many, our reference prefix)
OFFICE_MATTERS = [("ACME", "EP", 5, "ACME-EP"), ("ACME", "WO", 1, "ACME-WO"), ("GLOBEX", "US", 5, "GLX-US"),
                  ("NIPPON", "JP", 3, "NPO-JP")]


def demo_portfolio(anchor: dt.date):
    from patents.simulator.portfolio import SyntheticPortfolio

    return SyntheticPortfolio(DEMO_SEED, DEMO_SIZE, anchor)


def demo_anchor() -> dt.date | None:
    acme = Client.objects.filter(reference="ACME").first()
    return timezone.localdate(acme.created_at, timezone=dt.UTC) if acme else None


def _office_matters(anchor: dt.date, users: dict, clients: dict) -> list[MatterData]:
    """Matters with real office numbers (at the simulator): nothing but the numbers is entered by hand."""
    portfolio = demo_portfolio(anchor)
    people = {"ACME": (users["alice"], users["pat"]), "GLOBEX": (users["alice"], users["pat"]),
              "NIPPON": (None, users["kenji"])}
    out = []
    for client_ref, office, count, prefix in OFFICE_MATTERS:
        known = get_office(office)
        picked = 0
        for m in portfolio.matters(office):
            if picked == count:
                break
            extra = known.simulated_matter(m) if known.simulated_matter else {}
            if extra is None:
                continue  # the simulated office has nothing to show for it yet
            picked += 1
            attorney, paralegal = people[client_ref]
            residence = Matter.Residence.DOMESTIC if m.applicant_country == office else Matter.Residence.FOREIGN
            out.append(MatterData(
                client=clients[client_ref], reference=f"{prefix}-{picked:02d}", office=office,
                kind=Matter.Kind(known.matter_kind), title=m.title,
                application_number=m.application_number, filing_date=m.filing_date,
                publication_number=extra.get("publication_number", ""),
                applicant_name=m.applicant, applicant_residence=residence,
                responsible_attorney=attorney, responsible_paralegal=paralegal,
                receiving_office=extra.get("receiving_office", ""),
                priority_claims=[(p.country, p.number, p.date) for p in m.priorities],
            ))
    return out
