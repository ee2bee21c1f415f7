"""Matter.objects.visible_to(user) is the single door: other clients' matters are 404 everywhere."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from patents.models import Matter, OfficeEvent
from tests.factories import DeadlineFactory, MatterFactory, OfficeEventFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def two_clients(db):
    a = TeamMembershipFactory(client__reference="A")
    b = TeamMembershipFactory(client__reference="B")
    matter_a = MatterFactory(client=a.client)
    matter_b = MatterFactory(client=b.client)
    return a.user, matter_a, matter_b


def test_visible_to_returns_only_the_users_clients(two_clients):
    user, matter_a, matter_b = two_clients
    assert list(Matter.objects.visible_to(user)) == [matter_a]
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert set(Matter.objects.visible_to(superuser)) == {matter_a, matter_b}


def test_inactive_or_anonymous_users_see_nothing(two_clients):
    from django.contrib.auth.models import AnonymousUser

    user, _, _ = two_clients
    user.is_active = False
    assert not Matter.objects.visible_to(user).exists()
    assert not Matter.objects.visible_to(AnonymousUser()).exists()


def test_other_clients_matter_and_deadline_pages_are_404(client, two_clients):
    user, matter_a, matter_b = two_clients
    deadline_b = DeadlineFactory(matter=matter_b)
    deadline_a = DeadlineFactory(matter=matter_a)
    client.force_login(user)
    assert client.get(reverse("patents:matter-detail", args=[matter_a.pk])).status_code == 200
    assert client.get(reverse("patents:matter-detail", args=[matter_b.pk])).status_code == 404
    assert client.get(reverse("deadlines:deadline-detail", args=[deadline_a.pk])).status_code == 200
    assert client.get(reverse("deadlines:deadline-detail", args=[deadline_b.pk])).status_code == 404


def test_admin_shows_a_staff_user_only_their_clients_matters(client, two_clients):
    user, matter_a, matter_b = two_clients
    user.is_staff = True
    user.save()
    codenames = ["view_matter", "change_matter", "view_officeevent"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    event_b = OfficeEventFactory(matter=matter_b)
    client.force_login(user)
    listing = client.get(reverse("admin:patents_matter_changelist"))
    assert listing.status_code == 200
    assert matter_a.reference in listing.content.decode()
    assert matter_b.reference not in listing.content.decode()
    # Django's admin answers a hidden object with a redirect and "doesn't exist", never the object.
    hidden = client.get(reverse("admin:patents_matter_change", args=[matter_b.pk]))
    assert hidden.status_code == 302
    assert client.get(reverse("admin:patents_officeevent_change", args=[event_b.pk])).status_code == 302
    events = client.get(reverse("admin:patents_officeevent_changelist"))
    assert event_b.office_code not in events.content.decode() or OfficeEvent.objects.count() == 1
    search = client.get(reverse("admin:autocomplete"), {
        "app_label": "patents", "model_name": "officeevent", "field_name": "matter", "term": matter_b.reference,
    })
    assert matter_b.reference not in search.content.decode()


def test_admin_hides_other_clients_payloads_and_email_deliveries(client, two_clients):
    """Raw office payloads and sent e-mail texts are docket data too: scoped like the matters."""
    import datetime as dt
    import hashlib
    import zlib

    from django.utils import timezone

    from deadlines.models import Delivery, Reminder
    from patents.models import OfficePayload

    user, matter_a, matter_b = two_clients
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_officepayload", "view_delivery"]))
    payloads = {}
    deliveries = {}
    for matter in (matter_a, matter_b):
        body = f"<register>{matter.reference}</register>".encode()
        payload = OfficePayload.objects.create(
            office="EP", kind="ep-register", endpoint="register", request_key=f"GET /{matter.reference}",
            request_hash=hashlib.sha256(matter.reference.encode()).hexdigest(), size=len(body),
            sha256=hashlib.sha256(body).hexdigest(), body=zlib.compress(body),
        )
        payload.matters.add(matter)
        payloads[matter] = payload
        deadline = DeadlineFactory(matter=matter)
        reminder = Reminder.objects.create(deadline=deadline, kind=Reminder.Kind.BEFORE_DUE, offset_days=7,
                                           target_date=deadline.due_date, due_at=timezone.now())
        deliveries[matter] = Delivery.objects.create(
            reminder=reminder, recipient=UserFactory(), address="x@example.test",
            subject=f"Reminder for {matter.reference}", body="due soon",
        )
    own_digest = Delivery.objects.create(
        reminder=Reminder.objects.create(recipient=user, kind=Reminder.Kind.DIGEST, target_date=dt.date.today(),
                                         due_at=timezone.now()),
        recipient=user, address=user.email, subject="Your daily digest",
    )
    client.force_login(user)
    listing = client.get(reverse("admin:patents_officepayload_changelist")).content.decode()
    assert payloads[matter_a].sha256[:12] in listing and payloads[matter_b].sha256[:12] not in listing
    assert client.get(reverse("admin:patents_officepayload_change", args=[payloads[matter_b].pk])).status_code == 302
    sent = client.get(reverse("admin:deadlines_delivery_changelist")).content.decode()
    assert deliveries[matter_a].subject in sent and own_digest.subject in sent
    assert deliveries[matter_b].subject not in sent
