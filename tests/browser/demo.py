"""A small demo-like portfolio for browser tests and the screenshot in docs/dashboard.md.

Deadlines come from the real (pure) rule engine, so their explanations have exactly the structure the
dashboard must render. Dates are relative to today, so the docket always has overdue and upcoming items.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from deadlines.models import Deadline
from deadlines.rules.engine import compute
from deadlines.rules.model import EventFact, MatterFacts
from docketapp.audit import attributed
from patents import services
from patents.models import Matter
from patents.signals import events_committed_to
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"

EVENT_LABELS = {
    "EP.COMMUNICATION_94_3": ("Communication under Art. 94(3) EPC", "EXRE"),
    "EP.RULE_71_3_COMMUNICATION": ("Communication under Rule 71(3) EPC (intention to grant)", "IGRA"),
    "EP.FILED": ("European application filed", "FILED"),
    "US.NON_FINAL_REJECTION": ("Non-final rejection", "CTNF"),
    "US.FINAL_REJECTION": ("Final rejection", "CTFR"),
    "US.RESTRICTION_REQUIREMENT": ("Restriction requirement", "CTRS"),
    "US.NOTICE_OF_ALLOWANCE": ("Notice of allowance", "NOA"),
}


def _user(username: str, **extra):
    user = UserFactory(username=username, **extra)
    return user


def build_demo(today: dt.date | None = None) -> dict:
    today = today or timezone.now().date()
    paula = _user("paula", first_name="Paula", last_name="Meyer")
    victor = _user("victor", first_name="Victor", last_name="Osei")
    alex = _user("alex", first_name="Alex", last_name="Tanaka")
    outsider = _user("olga")
    out: dict = {"paula": paula, "victor": victor, "alex": alex, "olga": outsider, "deadlines": {}}

    with attributed(reason="demo portfolio", process="demo"):
        acme, _ = services.ensure_client(reference="ACME", name="Acme Batteries GmbH")
        nord, _ = services.ensure_client(reference="NORD", name="Nordlicht Optics AB")
        other, _ = services.ensure_client(reference="ZETA", name="Zeta Pharma Ltd")
        for client in (acme, nord):
            services.add_team_member(client=client, user=paula, role="paralegal")
            services.add_team_member(client=client, user=victor, role="docketing")
            services.add_team_member(client=client, user=alex, role="attorney")
        services.add_team_member(client=other, user=outsider, role="paralegal")

        def matter(client, ref, office, number, filed, title, kind=Matter.Kind.PATENT, **kw):
            m, _ = services.upsert_matter(
                data=services.MatterData(
                    client=client,
                    reference=ref,
                    office=office,
                    kind=kind,
                    title=title,
                    application_number=number,
                    filing_date=filed,
                    responsible_paralegal=paula,
                    responsible_attorney=alex,
                    **kw,
                )
            )
            return m

        d = lambda days: today - dt.timedelta(days=days)  # noqa: E731
        pct = matter(
            acme,
            "ACME-PCT-01",
            "WO",
            "PCT/EP2023/061234",
            d(1000),
            "Layered cathode for solid-state cells",
            kind=Matter.Kind.PCT,
            receiving_office="EP",
            designated_offices=["EP", "US", "JP"],
        )
        ep1 = matter(
            acme,
            "ACME-EP-01",
            "EP",
            "EP23812345.6",
            d(1000),
            "Layered cathode for solid-state cells",
            parent=pct,
            parent_relation=Matter.Relation.REGIONAL_PHASE,
        )
        us1 = matter(
            acme,
            "ACME-US-01",
            "US",
            "18/345,678",
            d(1000),
            "Layered cathode for solid-state cells",
            parent=pct,
            parent_relation=Matter.Relation.NATIONAL_PHASE,
        )
        us2 = matter(
            acme,
            "ACME-US-02",
            "US",
            "18/999,001",
            d(300),
            "Cathode coating process (continuation)",
            parent=us1,
            parent_relation=Matter.Relation.CONTINUATION,
        )
        ep2 = matter(nord, "NORD-EP-07", "EP", "EP22701234.5", d(1200), "Aspheric lens array with anti-glare layer")
        us3 = matter(nord, "NORD-US-03", "US", "17/555,010", d(900), "Optical sensor housing")
        ep3 = matter(nord, "NORD-EP-09", "EP", "EP24705555.1", d(700), "Diffractive waveguide")
        secret = matter(other, "ZETA-EP-01", "EP", "EP21900001.2", d(800), "Confidential compound")
        out.update(pct=pct, ep1=ep1, us1=us1, us2=us2, ep2=ep2, us3=us3, ep3=ep3, secret=secret)

    plan = [
        (ep1, "EP.COMMUNICATION_94_3", d(150), {"period_months": 4}),
        (ep2, "EP.RULE_71_3_COMMUNICATION", d(70), {}),
        (ep3, "EP.COMMUNICATION_94_3", d(60), {"period_months": 4}),
        (us1, "US.NON_FINAL_REJECTION", d(75), {}),
        (us2, "US.RESTRICTION_REQUIREMENT", d(40), {}),
        (us3, "US.FINAL_REJECTION", d(20), {}),
        (secret, "EP.COMMUNICATION_94_3", d(80), {"period_months": 4}),
    ]
    for m, code, date, params in plan:
        _record_and_compute(m, code, date, params, today, out)

    with attributed(reason="demo: internal reminders", user=paula):
        for m, title, days in (
            (ep2, "Send grant text to client for approval", 9),
            (us1, "Order IDS references from client", -2),
            (ep3, "Prepare claim amendments draft", 24),
        ):
            out["deadlines"][title] = Deadline.objects.create(
                matter=m,
                key=f"manual:demo:{title}",
                origin=Deadline.Origin.MANUAL,
                office=m.office,
                title=title,
                kind=Deadline.Kind.INTERNAL,
                due_date=today + dt.timedelta(days=days),
                responsible=paula,
                explanation={
                    "manual": {
                        "entered_by": "paula",
                        "reason": "demo: internal reminder",
                        "entered_at": timezone.now().isoformat(),
                    }
                },
                last_changed_by=paula,
            )
    # Some deadlines were already checked by the docketing team; the rest wait in the queue.
    with attributed(reason="verified: demo", user=victor):
        for i, dl in enumerate(Deadline.objects.filter(origin=Deadline.Origin.ENGINE).order_by("pk")):
            if i % 3 == 0:
                dl.verified_by, dl.verified_at = victor, timezone.now()
                dl.save(update_fields=["verified_by", "verified_at", "updated_at"])
    return out


@contextlib.contextmanager
def _without_event_hooks():
    # The deadlines below are computed here, synchronously; the engine's on-commit hook would only queue
    # a Celery task that no worker runs in these tests.
    with events_committed_to(lambda matter_id: None):
        yield


def _record_and_compute(matter: Matter, code: str, date: dt.date, params: dict, today: dt.date, out: dict) -> None:
    label, office_code = EVENT_LABELS.get(code, (code, code))
    with (
        _without_event_hooks(),
        attributed(reason="office event from the register", process=f"sync.{matter.office.lower()}"),
    ):
        event_type = services.ensure_event_type(code=code, label=label, office=matter.office)
        event, _ = services.record_office_event(
            matter=matter,
            event_type=event_type,
            office_code=office_code,
            date=date,
            office_text=label,
            params=params,
        )
    facts = MatterFacts(office=matter.office, filing_date=matter.filing_date)
    result = compute(facts, [EventFact(ref=str(event.pk), code=code, date=date, params=params)], today=today)
    with attributed(reason=f"computed from {code} of {date.isoformat()}", process="engine"):
        for c in result.deadlines:
            if c.due_date > today + dt.timedelta(days=200) and "RENEWAL" in c.rule:
                continue
            status = Deadline.Status.SUPERSEDED if c.status == "superseded" else Deadline.Status.OPEN
            dl = Deadline.objects.create(
                matter=matter,
                key=c.key,
                rule_id=c.rule,
                rule_version=str(c.rule_version),
                trigger_event=event,
                office=matter.office,
                title=c.title,
                kind=c.kind,
                due_date=c.due_date,
                extendable=c.extendable,
                latest_date=c.latest_date,
                status=status,
                responsible=out["paula"] if matter.client.reference != "ZETA" else out["olga"],
                citation=c.citation,
                explanation=c.explanation,
                remedies=[{**r, "until": r["until"].isoformat() if r.get("until") else None} for r in c.remedies],
            )
            out["deadlines"][f"{matter.reference}:{c.rule}"] = dl
