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
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_matter", "change_matter", "view_officeevent"]))
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
