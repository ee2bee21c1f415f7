"""Proof that no page leaks or changes another client's docket.

Two clients with data everywhere (matters, families, priority claims, events, deadlines, reminders, e-mail
deliveries, office payloads, quarantine and reconciliation items, profiles with a feed token, a reminder
policy). Users of client B — a paralegal without the admin, a staff user with every ``view_*`` permission,
and a staff user with every permission of the docket apps — request EVERY URL pattern of the project (the
urlconf is walked, so a page added later is crawled too), with each path parameter filled with client A's
ids: the dashboard, feeds, outbox, review pages and, for every model registered in the admin, its
changelist (with each admin action on A's row), add, change, delete, history and history-version views.
Each is requested with GET and POST. Asserted per URL pattern: no 5xx, none of client A's texts in any
body (references, titles, e-mail text, payload text, feed token), and client A's rows and their history
exactly as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zlib
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from deadlines import actions
from deadlines.models import Deadline, Delivery, Reminder, ReminderPolicy
from docketapp.audit import attributed
from patents.models import (
    Client,
    Document,
    EventType,
    Family,
    Matter,
    OfficeEvent,
    OfficePayload,
    PriorityClaim,
    QuarantineItem,
    ReconciliationItem,
    TeamMembership,
    UserProfile,
)

# Every text of client A carries it; no page shown to client B may contain it. Long enough that a random
# CSRF token or CSP nonce on a page (mixed-case letters and digits) cannot contain it by chance: with three
# letters, about one crawl in four failed on a 404 page whose CSRF token happened to hold "ZQX".
SECRET = "ZQXSECRETQZ"


# --- the two clients ---------------------------------------------------------------------------------------


def _payload(matter: Matter, text: str) -> OfficePayload:
    body = f"<register><ref>{text}</ref></register>".encode()
    payload = OfficePayload.objects.create(
        office=matter.office, kind="ep-register", endpoint="register", request_key=f"GET /register/{matter.pk}",
        request_hash=hashlib.sha256(f"{matter.pk}".encode()).hexdigest(), size=len(body),
        sha256=hashlib.sha256(body).hexdigest(), body=zlib.compress(body), outcome="quarantined",
    )
    payload.matters.add(matter)
    return payload


def _client_data(reference: str, name: str, users: list, secret: str) -> dict[str, Any]:
    client = Client.objects.create(reference=reference, name=name, contact_emails=f"ip@{reference.lower()}.example")
    for user in users:
        TeamMembership.objects.create(user=user, client=client, role=TeamMembership.Role.PARALEGAL)
    family = Family.objects.create(client=client, reference=f"{reference}-FAM", title=f"{secret} family title")
    matter = Matter.objects.create(
        client=client, family=family, reference=f"{reference}-001", title=f"{secret} lattice anode", office="EP",
        kind=Matter.Kind.PATENT, application_number=f"EP2{abs(hash(reference)) % 10**7:07d}",
        filing_date=dt.date(2021, 3, 15), responsible_paralegal=users[0],
    )
    matter.title = f"{secret} lattice anode (amended)"
    matter.save()  # a second history row: the history-version views have something to show
    claim = PriorityClaim.objects.create(matter=matter, country="US", number="63/111,222", date=dt.date(2020, 3, 16))
    event_type = EventType.objects.get_or_create(code="EP.COMMUNICATION_94_3", defaults={
        "label": "Communication under Art. 94(3) EPC", "office": "EP"})[0]
    event = OfficeEvent.objects.create(
        matter=matter, event_type=event_type, office_code="EXRE", office_text=f"{secret} examiner's letter",
        date=dt.date(2025, 10, 31), natural_key=f"EXRE|{reference}",
    )
    deadline = Deadline.objects.create(
        matter=matter, key=f"manual|{reference}", origin=Deadline.Origin.MANUAL, office="EP",
        title=f"{secret} reply to the examiner", kind=Deadline.Kind.STATUTORY, due_date=dt.date(2026, 6, 1),
        responsible=users[0],
    )
    deadline.due_date = dt.date(2026, 6, 2)
    deadline.save()
    reminder = Reminder.objects.create(deadline=deadline, kind=Reminder.Kind.BEFORE_DUE, offset_days=7,
                                       target_date=deadline.due_date, due_at=timezone.now())
    delivery = Delivery.objects.create(
        reminder=reminder, recipient=users[0], address=users[0].email, status=Delivery.Status.UNCONFIRMED,
        subject=f"Due in 7 days: [{reference}-001] {secret} reply", body=f"{secret} body of the reminder e-mail",
        message_id=f"<{reference.lower()}@docket.example>",
    )
    digest = Delivery.objects.create(
        reminder=Reminder.objects.create(recipient=users[0], kind=Reminder.Kind.DIGEST,
                                         target_date=dt.date(2026, 5, 25), due_at=timezone.now()),
        recipient=users[0], address=users[0].email, subject=f"Your digest: {secret}", body=f"{secret} digest body",
    )
    payload = _payload(matter, f"{secret} office answer")
    quarantine = QuarantineItem.objects.create(
        category="unmapped_code", payload=payload, matter=matter, office="EP", source="register",
        office_code="RFEE2", reason=f"{secret} unknown office code", fingerprint=f"EP|RFEE2|{reference}",
    )
    reconciliation = ReconciliationItem.objects.create(
        matter=matter, field=ReconciliationItem.Field.PUBLICATION_NUMBER, docket_value="",
        office_value=f"EP4{secret}", office="EP", payload=payload,
    )
    policy = ReminderPolicy.objects.create(client=client, before_due_days="30, 7", note=f"{secret} policy note")
    # An uploaded office document with its reading and proposal (the bytes are never reached: no page serves
    # them to another client, so the row alone is enough for the crawl).
    document = Document.objects.create(
        matter=matter, sha256=hashlib.sha256(reference.encode()).hexdigest(),
        storage_name=f"documents/{reference}.pdf",
        file_name=f"{secret} office action.pdf", content_type="application/pdf", size=100, pages=1,
        uploaded_by=users[0], status=Document.Status.PROPOSED,
        reading={"pages": [{"number": 1, "text": f"{secret} page text", "words": []}]},
        extraction={"proposed_event": {"code": "EP.COMMUNICATION_94_3", "date": "2025-10-31", "params": {}},
                    "fields": {"application_number": {"value": f"{secret}123", "confidence": 0.5, "evidence": None}}},
    )
    return {
        "client": client, "family": family, "matter": matter, "priorityclaim": claim, "eventtype": event_type,
        "officeevent": event, "deadline": deadline, "reminder": reminder, "delivery": delivery, "digest": digest,
        "officepayload": payload, "quarantineitem": quarantine, "reconciliationitem": reconciliation,
        "reminderpolicy": policy, "teammembership": TeamMembership.objects.get(user=users[0], client=client),
        "document": document,
    }


@dataclasses.dataclass
class World:
    a: dict[str, Any]
    b: dict[str, Any]
    alice: Any
    token: str  # alice's feed token in clear: only she ever had it
    actors: dict[str, str]  # name → session key of a user of client B

    def secrets(self) -> list[str]:
        a = self.a
        texts = [SECRET, a["client"].reference, a["client"].name, a["matter"].reference, a["family"].reference,
                 a["matter"].application_number, a["delivery"].message_id, self.token,
                 UserProfile.objects.get(user=self.alice).ics_token_hash]
        return [t for t in texts if t]


def _staff(username: str, client: Client, perms) -> Any:
    user = get_user_model().objects.create_user(username, f"{username}@b.example", "pw", is_staff=True)
    user.user_permissions.set(perms)
    with attributed(reason="security crawl set-up", process="tests"):
        TeamMembership.objects.create(user=user, client=client, role=TeamMembership.Role.DOCKETING)
    return user


def _build() -> World:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@a.example", "pw")
    bob = users.create_user("bob", "bob@b.example", "pw")  # client B's paralegal, no admin
    with attributed(reason="security crawl set-up", process="tests"):
        a = _client_data("ZQXACME", "Zqx Acme Secret GmbH", [alice], SECRET)
        b = _client_data("BETA", "Beta Corp", [bob], "BETA")
        # An office-level quarantine item (no matter) with the code of client A's item: staff triage such
        # items for the whole firm, so they show no client's data.
        QuarantineItem.objects.create(
            category="unmapped_code", payload=b["officepayload"], matter=None, office="EP", source="register",
            office_code="RFEE2", reason="unknown office code (no matter)", fingerprint="EP|RFEE2|office",
        )
        for user in (alice, bob):
            UserProfile.objects.create(user=user, time_zone="Europe/Berlin")
    token = actions.regenerate_ics_token(user=alice)
    Group.objects.create(name="Docketing")  # firm-wide, not client data: something for the group admin to show
    view = Permission.objects.filter(codename__startswith="view_")
    docket = Permission.objects.filter(content_type__app_label__in=["patents", "deadlines"])
    viewer = _staff("viewer", b["client"], view)
    editor = _staff("editor", b["client"], list(view) + list(docket))
    actors = {}
    for user in (bob, viewer, editor):
        http = HttpClient()
        http.force_login(user)
        actors[user.username] = http.cookies[settings.SESSION_COOKIE_NAME].value
    return World(a=a, b=b, alice=alice, token=token, actors=actors)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Built once for the ~200 URL patterns: each test runs in its own savepoint inside this transaction
    # (pytest-django's db fixture), so whatever a request manages to write is undone before the next one.
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def snapshot(world: World) -> dict[str, list]:
    """Every row of client A and of its users, with its history: equal before and after = nothing changed."""
    a = world.a
    client, matters = a["client"], Matter.objects.filter(client=a["client"])
    a_users = get_user_model().objects.filter(memberships__client=client)
    scopes: dict[str, Any] = {
        "client": Client.objects.filter(pk=client.pk),
        "membership": TeamMembership.objects.filter(client=client),
        "family": Family.objects.filter(client=client),
        "matter": matters,
        "priorityclaim": PriorityClaim.objects.filter(matter__in=matters),
        "officeevent": OfficeEvent.objects.filter(matter__in=matters),
        "deadline": Deadline.objects.filter(matter__in=matters),
        "reminder": Reminder.objects.filter(deadline__matter__in=matters),
        "digest": Reminder.objects.filter(recipient__in=a_users),
        "delivery": Delivery.objects.filter(recipient__in=a_users),
        "payload": OfficePayload.objects.filter(matters__in=matters).defer("body"),
        "quarantine": QuarantineItem.objects.filter(office_code="RFEE2"),
        "reconciliation": ReconciliationItem.objects.filter(matter__in=matters),
        "policy": ReminderPolicy.objects.filter(client=client),
        "document": Document.objects.filter(matter__in=matters),
        "profile": UserProfile.objects.filter(user__in=a_users),
    }
    out: dict[str, list] = {}
    for name, qs in scopes.items():
        out[name] = list(qs.order_by("pk").values())
        if hasattr(qs.model, "history"):
            ids = [row["id"] for row in out[name]]
            out[f"{name}.history"] = list(qs.model.history.filter(id__in=ids).order_by("history_id").values())
    out["user"] = list(
        a_users.order_by("pk").values("pk", "password", "is_staff", "is_superuser", "is_active", "email")
    )
    out["membership.all_of_client"] = list(TeamMembership.objects.filter(client=client).values_list("user_id"))
    return out


# --- every URL pattern -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    name: str | None
    route: str
    params: tuple[str, ...]  # named parameters
    positional: int  # unnamed regex groups

    @property
    def id(self) -> str:
        return self.name or self.route


def _walk(resolver, namespace: str | None = None, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, ns, prefix + str(entry.pattern))
            continue
        pattern = entry.pattern
        if hasattr(pattern, "_route"):  # path(): named converters
            params, positional = tuple(pattern.converters), 0
        else:
            regex = pattern.regex
            params = tuple(regex.groupindex)
            positional = regex.groups - len(params)
        name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
        yield Pattern(name=name, route=prefix + str(pattern), params=params, positional=positional)


PATTERNS = list({p.id: p for p in _walk(get_resolver())}.values())

def _params():
    for p in PATTERNS:
        yield pytest.param(p, id=p.id)


def _admin_target(name: str | None):
    """(model admin, view) for the admin's per-model URL names, e.g. admin:patents_matter_history."""
    if not name or not name.startswith("admin:"):
        return None, None
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model_admin, name[len(prefix):]
    return None, None


def _object_of_a(world: World, model) -> Any:
    """Client A's row of this model; for firm-wide models any row (or none)."""
    row = world.a.get(model._meta.model_name)
    if row is not None:
        return row
    if model is get_user_model():
        return world.alice
    return model._default_manager.order_by("pk").first()


SITE_PARAMS = {
    # (url name, parameter) → key of client A's object in World.a
    ("patents:matter-detail", "pk"): "matter",
    ("patents:payload-raw", "pk"): "matter",
    ("patents:payload-raw", "payload_pk"): "officepayload",
    ("patents:quarantine-decide", "pk"): "quarantineitem",
    ("patents:reconciliation-decide", "pk"): "reconciliationitem",
    ("deadlines:deadline-add", "matter_pk"): "matter",
    ("deadlines:delivery-detail", "pk"): "delivery",
    ("patents:document-upload", "pk"): "matter",
    ("patents:document-file", "pk"): "document",
    ("patents:document-page", "pk"): "document",
    ("patents:document-page", "page"): "document",
    ("patents:document-review", "pk"): "document",
    ("patents:document-decide", "pk"): "document",
}
# A URL added later whose parameters are not listed above still gets client A's ids, guessed from its name.
GUESS = [("document", "document"), ("quarantine", "quarantineitem"), ("reconciliation", "reconciliationitem"),
         ("payload", "officepayload"),
         ("delivery", "delivery"), ("outbox", "delivery"), ("reminder", "reminder"), ("event", "officeevent"),
         ("family", "family"), ("client", "client"), ("deadline", "deadline"), ("matter", "matter")]


def _fill(world: World, p: Pattern) -> tuple[str, Any]:
    """The URL with client A's ids, and the object of A it points at (or None)."""
    model_admin, view = _admin_target(p.name)
    if model_admin is not None:
        obj = _object_of_a(world, model_admin.model)
        pk = obj.pk if obj is not None else 999999
        if view == "simple_history":
            record = obj.history.order_by("history_id").first() if obj is not None else None
            return reverse(p.name, args=[pk, record.history_id if record else 999999]), obj
        # object_id for the ModelAdmin views; UserAdmin's password view calls it id.
        return reverse(p.name, kwargs={param: pk for param in p.params}), obj
    values: dict[str, Any] = {}
    target = None
    for param in p.params:
        key = SITE_PARAMS.get((p.name, param))
        if param == "token":
            # What someone could read from a database copy or an old history row: never a key to a feed.
            values[param] = UserProfile.objects.get(user=world.alice).ics_token_hash
        elif param == "app_label":
            values[param] = "patents"
        elif param == "content_type_id":
            values[param] = ContentType.objects.get_for_model(Matter).pk
        elif param == "object_id":
            values[param] = world.a["matter"].pk
        elif param == "uidb64":
            values[param] = urlsafe_base64_encode(force_bytes(world.alice.pk))
        elif param == "url":
            values[param] = "patents/no-such-page/"
        else:
            if key is None:
                key = next((k for word, k in GUESS if word in (p.name or p.route) or word in param), "matter")
            target = world.a[key]
            values[param] = target.pk
    if p.name is None:
        url = "/" + p.route
        for param, value in values.items():
            url = re.sub(rf"<(\w+:)?{param}>|\(\?P<{param}>[^)]*\)", str(value), url)
        return url.replace("^", "").replace("$", ""), target
    if p.positional:
        return reverse(p.name, args=list(values.values())), target
    return reverse(p.name, kwargs=values), target


def _post_bodies(world: World, p: Pattern, target) -> list[dict]:
    a = world.a
    generic = {
        "title": "crawl", "reference": "crawl", "due_date": "2031-01-01", "done_on": "2026-01-01",
        "evidence": "crawl", "reason": "crawl", "note": "crawl", "change_reason": "crawl", "post": "yes",
        "client": a["client"].pk, "matter": a["matter"].pk, "deadline": a["deadline"].pk,
        "role": "paralegal", "time_zone": "Asia/Tokyo", "event_type": a["eventtype"].pk, "office": "EP",
        "kind": "procedural", "status": "open", "origin": "manual", "before_due_days": "1",
    }
    model_admin, view = _admin_target(p.name)
    if model_admin is not None and view == "changelist":
        obj = _object_of_a(world, model_admin.model)
        names = ["delete_selected", *[a if isinstance(a, str) else a.__name__ for a in model_admin.actions or []]]
        selected = [obj.pk] if obj is not None else []
        return [{"action": name, "_selected_action": selected, "index": "0", "post": "yes"} for name in names]
    bodies = [generic]
    if p.name and p.name.endswith(("-decide", "quarantine-decide")):
        bodies = [{**generic, "action": action} for action in ("map", "accept", "reject", "ignore")]
    elif p.name == "deadlines:feed-settings":
        bodies = [{"action": "regenerate"}, {"action": "revoke"}]
    return bodies


def _request(http: HttpClient, method: str, url: str, data=None):
    if method == "GET":
        return http.get(url)
    return http.post(url, data or {})


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", list(_params()))
def test_no_url_shows_or_changes_another_clients_data(world, pattern):
    url, target = _fill(world, pattern)
    before = snapshot(world)
    secrets = world.secrets()
    problems = []
    for actor, session in world.actors.items():
        if actor == "editor" and not (pattern.name or pattern.route).startswith("admin"):
            continue  # outside the admin only staff status and memberships count: the viewer covers it
        requests = [("GET", None)] + [("POST", body) for body in _post_bodies(world, pattern, target)]
        for method, data in requests:
            http = HttpClient(raise_request_exception=False)
            http.cookies[settings.SESSION_COOKIE_NAME] = session
            response = _request(http, method, url, data)
            where = f"{actor} {method} {url} {data.get('action', '') if data else ''}".strip()
            if response.status_code >= 500:
                problems.append(f"{where}: HTTP {response.status_code}")
                continue
            body = _body(response) + response.get("Location", "")
            leaked = [s for s in secrets if s in body]
            if leaked:
                problems.append(f"{where}: HTTP {response.status_code} shows client A's {leaked}")
    assert not problems, "\n".join(problems)
    after = snapshot(world)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"{pattern.id}: client A's {changed} changed"


def test_the_crawl_covers_every_admin_model_and_its_history_views():
    names = {p.name for p in PATTERNS}
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        assert {f"{prefix}{view}" for view in ("changelist", "add", "change", "delete", "history")} <= names
    audited = [m for m, a in admin.site._registry.items() if hasattr(a, "history_form_view")]
    assert audited and all(
        f"admin:{m._meta.app_label}_{m._meta.model_name}_simple_history" in names for m in audited
    )
    assert len(PATTERNS) > 150


@pytest.mark.django_db
def test_the_crawl_would_see_client_as_data_if_it_were_shown(world):
    """The oracle works: client A's own user sees the secrets on the pages the crawl fills with A's ids."""
    http = HttpClient()
    http.force_login(world.alice)
    page = http.get(reverse("patents:matter-detail", args=[world.a["matter"].pk]))
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert any(s in page.content.decode() for s in world.secrets()[1:])


@pytest.mark.django_db
def test_no_autocomplete_field_offers_another_clients_rows(world):
    """The admin's search-as-you-type for every autocomplete field of every admin, typed with A's texts."""
    problems = []
    fields = [(m, name) for m, a in admin.site._registry.items() for name in a.autocomplete_fields]
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            fields += [(inline.model, name) for name in inline.autocomplete_fields]
    assert fields
    for actor in ("viewer", "editor"):
        http = HttpClient(raise_request_exception=False)
        http.cookies[settings.SESSION_COOKIE_NAME] = world.actors[actor]
        for model, field in fields:
            for term in (SECRET, world.a["matter"].reference, world.a["client"].reference, ""):
                response = http.get(reverse("admin:autocomplete"), {
                    "app_label": model._meta.app_label, "model_name": model._meta.model_name,
                    "field_name": field, "term": term,
                })
                body = response.content.decode()
                if response.status_code >= 500 or any(s in body for s in world.secrets()):
                    problems.append(f"{actor} {model._meta.label}.{field} {term!r}: HTTP {response.status_code}")
    assert not problems, "\n".join(problems)
