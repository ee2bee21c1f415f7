"""Admin pages are scoped like every other page: another client's rows (and their history) are a 404, history
is read-only for everyone, and only superusers change who belongs to which client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import Matter, TeamMembership, UserProfile
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff(username: str, client, *, actions=("view",)):
    user = UserFactory(username=username, is_staff=True)
    perms = Permission.objects.filter(content_type__app_label__in=["patents", "deadlines"])
    user.user_permissions.set([p for p in perms if p.codename.split("_", 1)[0] in actions])
    if client is not None:
        TeamMembershipFactory(user=user, client=client)
    return user


@pytest.fixture
def two_clients(db):
    acme, beta = ClientFactory(reference="ACME"), ClientFactory(reference="BETA")
    matter = MatterFactory(client=acme, reference="ACME-SECRET", title="Acme secret cathode")
    with attributed(reason="docketed by hand", process="tests"):
        matter.title = "Acme secret cathode v2"
        matter.save()
    deadline = DeadlineFactory(matter=matter, title="Acme secret deadline", due_date=dt.date(2026, 6, 1))
    return {"acme": acme, "beta": beta, "matter": matter, "deadline": deadline}


def history_urls(obj) -> tuple[str, str]:
    opts = obj._meta
    record = obj.history.order_by("history_id").first()
    return (
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id]),
    )


@pytest.mark.parametrize("name", ["matter", "deadline"])
def test_another_clients_history_is_a_404_and_its_form_cannot_change_the_live_row(client, two_clients, name):
    obj = two_clients[name]
    client.force_login(staff("beta-viewer", two_clients["beta"]))
    history, form = history_urls(obj)
    assert client.get(history).status_code == 404
    assert client.get(form).status_code == 404
    field = "title" if name == "matter" else "due_date"
    posted = client.post(form, {field: "2030-01-01" if name == "deadline" else "pwned", "change_reason": "x"})
    assert posted.status_code in (403, 404, 405)
    fresh = type(obj).objects.get(pk=obj.pk)
    assert (fresh.title, getattr(fresh, "due_date", None)) == (obj.title, getattr(obj, "due_date", None))
    assert fresh.history.count() == obj.history.count()


def test_history_form_never_saves_not_even_for_a_superuser(client, two_clients):
    matter = two_clients["matter"]
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    _history, form = history_urls(matter)
    before = matter.history.count()
    data = {"client": two_clients["acme"].pk, "reference": "ACME-SECRET", "title": "Reverted",
            "office": "EP", "kind": "patent", "application_number": matter.application_number,
            "applicant_residence": matter.applicant_residence, "change_reason": "revert"}
    response = client.post(form, data)
    assert response.status_code == 405
    matter.refresh_from_db()
    assert matter.title == "Acme secret cathode v2" and matter.history.count() == before


def test_history_pages_of_ones_own_client_show_versions_read_only_with_actor_and_reason(client, two_clients):
    client.force_login(staff("acme-viewer", two_clients["acme"]))
    history, form = history_urls(two_clients["matter"])
    listing = client.get(history)
    assert listing.status_code == 200
    page = listing.content.decode()
    # Who, in words ("Changed by"), and why; the raw actor ("process:tests") is not a column of its own.
    assert "tests (automatic)" in page and "docketed by hand" in page and "process:tests" not in page
    version = client.get(form)
    assert version.status_code == 200
    body = version.content.decode()
    assert "Acme secret cathode" in body  # the first version's title
    assert 'name="title"' not in body and 'name="_save"' not in body and "Revert" not in body


def test_view_only_staff_cannot_add_a_deadline_to_another_clients_matter(client, two_clients):
    user = staff("beta-editor", two_clients["beta"], actions=("view", "add", "change"))
    client.force_login(user)
    data = {"matter": two_clients["matter"].pk, "office": "EP", "title": "planted", "kind": "procedural",
            "status": "open", "origin": "manual", "due_date": "2026-07-01", "change_reason": "planted"}
    response = client.post(reverse("admin:deadlines_deadline_add"), data)
    assert response.status_code == 200  # the form again, with an error on the matter
    assert "Select a valid choice" in response.content.decode()
    assert not Deadline.objects.filter(title="planted").exists()


def test_staff_cannot_move_a_matter_into_another_client(client, two_clients):
    own = MatterFactory(client=two_clients["beta"], reference="BETA-1")
    client.force_login(staff("beta-editor", two_clients["beta"], actions=("view", "add", "change")))
    url = reverse("admin:patents_matter_change", args=[own.pk])
    page = client.get(url).content.decode()
    assert "ACME" not in page.split('id="id_client"')[1].split("</select>")[0]
    data = {"client": two_clients["acme"].pk, "reference": "BETA-1", "title": "t", "office": "EP", "kind": "patent",
            "application_number": own.application_number, "applicant_residence": own.applicant_residence,
            "status": own.status, "sync_enabled": "on", "change_reason": "move",
            "priority_claims-TOTAL_FORMS": "0", "priority_claims-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Matter.objects.get(pk=own.pk).client == two_clients["beta"]
    assert client.post(url, {**data, "client": two_clients["beta"].pk}).status_code == 302  # the same, own client


def test_only_superusers_change_team_memberships(client, two_clients):
    user = staff("beta-admin", two_clients["beta"], actions=("view", "add", "change", "delete"))
    client.force_login(user)
    add = reverse("admin:patents_teammembership_add")
    assert client.get(add).status_code == 403
    response = client.post(add, {"user": user.pk, "client": two_clients["acme"].pk, "role": "paralegal",
                                 "change_reason": "let me in"})
    assert response.status_code == 403
    assert not TeamMembership.objects.filter(user=user, client=two_clients["acme"]).exists()
    listing = client.get(reverse("admin:patents_teammembership_changelist")).content.decode()
    assert "ACME" not in listing  # not even the list of who is on another client
    own = TeamMembership.objects.get(user=user)
    delete = reverse("admin:patents_teammembership_delete", args=[own.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert TeamMembership.objects.filter(pk=own.pk).exists()

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(add, {"user": user.pk, "client": two_clients["acme"].pk, "role": "paralegal",
                                 "change_reason": "joins the Acme team"})
    assert response.status_code == 302
    membership = TeamMembership.objects.get(user=user, client=two_clients["acme"])
    record = membership.history.get()
    assert record.history_actor == "user:root" and record.history_change_reason == "admin: joins the Acme team"


def test_a_non_superuser_sees_and_edits_only_his_own_profile(client, two_clients):
    me = staff("me", two_clients["beta"], actions=("view", "change"))
    other = UserFactory(username="other")
    with attributed(reason="test set-up", process="tests"):
        mine = UserProfile.objects.create(user=me)
        theirs = UserProfile.objects.create(user=other, time_zone="Asia/Tokyo")
    client.force_login(me)
    listing = client.get(reverse("admin:patents_userprofile_changelist")).content.decode()
    assert "profile of me" in listing or ">me<" in listing
    assert "other" not in listing
    assert client.get(reverse("admin:patents_userprofile_change", args=[theirs.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:patents_userprofile_history", args=[theirs.pk])).status_code == 404
    url = reverse("admin:patents_userprofile_change", args=[mine.pk])
    response = client.post(
        url, {"user": other.pk, "time_zone": "Europe/Paris", "date_format": "D j M Y", "change_reason": "moving"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.time_zone == "Europe/Paris" and mine.user == me


def test_profile_history_shows_no_feed_token(client, two_clients):
    from deadlines import actions

    alice = staff("alice", two_clients["acme"])
    first = actions.regenerate_ics_token(user=alice)
    second = actions.regenerate_ics_token(user=alice)
    actions.revoke_ics_token(user=alice)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    profile = UserProfile.objects.get(user=alice)
    page = client.get(reverse("admin:patents_userprofile_history", args=[profile.pk])).content.decode()
    assert "calendar feed token regenerated" in page
    for record in profile.history.all():
        page += client.get(history_urls(profile)[1].rsplit("/", 2)[0] + f"/{record.history_id}/").content.decode()
    assert first not in page and second not in page


def _document(matter, name: str, **kwargs):
    from patents.models import Document

    with attributed(reason="received for the admin test", process="tests"):
        return Document.objects.create(
            matter=matter, sha256=(name.encode().hex() * 64)[:64], storage_name=f"documents/{name}.pdf",
            file_name=f"{name}.pdf", content_type="application/pdf", size=100, pages=1,
            status=Document.Status.PROPOSED, **kwargs,
        )


def test_document_admin_lists_only_own_clients_documents_and_never_changes_or_deletes(client, two_clients):
    beta_matter = MatterFactory(client=two_clients["beta"], reference="BETA-1")
    theirs = _document(two_clients["matter"], "acme-secret-action")
    mine = _document(beta_matter, "beta-action")
    user = staff("beta-doc-admin", two_clients["beta"], actions=("view", "add", "change", "delete"))
    client.force_login(user)
    listing = client.get(reverse("admin:patents_document_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "beta-action.pdf" in page and "acme-secret-action" not in page
    assert client.get(reverse("admin:patents_document_change", args=[theirs.pk])).status_code in (302, 404)
    own = client.get(reverse("admin:patents_document_change", args=[mine.pk]))
    assert own.status_code == 200 and "page text" not in own.content.decode()  # the reading is not shown
    # Read-only: a post changes nothing, there is no add or delete page even with every permission.
    client.post(reverse("admin:patents_document_change", args=[mine.pk]), {"file_name": "renamed.pdf"})
    assert client.get(reverse("admin:patents_document_add")).status_code == 403
    assert client.post(reverse("admin:patents_document_delete", args=[mine.pk]), {"post": "yes"}).status_code == 403
    mine.refresh_from_db()
    assert mine.file_name == "beta-action.pdf"
