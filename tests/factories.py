"""factory_boy factories. Creation runs under a "tests" attribution so strict audit mode accepts it."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from deadlines.models import Deadline, OfficeClosure
from docketapp.audit import attributed
from patents.models import Client, EventType, Family, Matter, OfficeEvent, PriorityClaim, TeamMembership


class AuditedFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with attributed(reason="test fixture", process="tests"):
            return super()._create(model_class, *args, **kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(AuditedFactory):
    class Meta:
        model = Client
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"CL{n:03d}")
    name = factory.LazyAttribute(lambda c: f"Client {c.reference}")


class TeamMembershipFactory(AuditedFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)
    role = TeamMembership.Role.PARALEGAL


class FamilyFactory(AuditedFactory):
    class Meta:
        model = Family

    client = factory.SubFactory(ClientFactory)
    reference = factory.Sequence(lambda n: f"FAM{n:04d}")


class MatterFactory(AuditedFactory):
    class Meta:
        model = Matter

    client = factory.SubFactory(ClientFactory)
    reference = factory.Sequence(lambda n: f"M{n:05d}")
    title = "Battery electrode with layered cathode"
    office = "EP"
    kind = Matter.Kind.PATENT
    application_number = factory.Sequence(lambda n: f"EP{21000000 + n}")
    filing_date = dt.date(2021, 3, 15)


class PriorityClaimFactory(AuditedFactory):
    class Meta:
        model = PriorityClaim

    matter = factory.SubFactory(MatterFactory)
    country = "US"
    number = factory.Sequence(lambda n: f"63{n:06d}")
    date = dt.date(2020, 3, 16)


class EventTypeFactory(AuditedFactory):
    class Meta:
        model = EventType
        django_get_or_create = ("code",)

    code = "EP.COMMUNICATION_94_3"
    label = "Communication under Art. 94(3) EPC"
    office = "EP"


class OfficeEventFactory(AuditedFactory):
    class Meta:
        model = OfficeEvent

    matter = factory.SubFactory(MatterFactory)
    event_type = factory.SubFactory(EventTypeFactory)
    office_code = "EXRE"
    office_text = "Communication from the examining division"
    date = dt.date(2025, 10, 31)
    natural_key = factory.Sequence(lambda n: f"EXRE|2025-10-31|{n}")


class DeadlineFactory(AuditedFactory):
    class Meta:
        model = Deadline

    matter = factory.SubFactory(MatterFactory)
    key = factory.Sequence(lambda n: f"manual|{n}")
    origin = Deadline.Origin.ENGINE
    rule_id = "EP.R71_3.reply"
    rule_version = "1"
    office = "EP"
    title = "Reply to Rule 71(3) communication"
    kind = Deadline.Kind.STATUTORY
    due_date = dt.date(2026, 3, 2)
    citation = "Rule 71(3) EPC"


class OfficeClosureFactory(AuditedFactory):
    class Meta:
        model = OfficeClosure

    office = "EP"
    date = dt.date(2026, 12, 24)
    reason = "EPO closed"
    source = "test"
