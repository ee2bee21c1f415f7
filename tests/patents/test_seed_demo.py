"""The demo portfolio loads once; running the seeder again changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patents.models import Matter, OfficeEvent, PriorityClaim

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return sum(m.history.count() for m in (Matter, OfficeEvent, PriorityClaim))


def test_seed_demo_builds_a_portfolio_across_offices_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "password" in out.getvalue()
    users = get_user_model().objects
    assert users.filter(username="admin", is_superuser=True).exists()
    assert {"alice", "pat", "sam", "kenji"} <= set(users.values_list("username", flat=True))
    offices = set(Matter.objects.values_list("office", flat=True))
    assert {"EP", "US", "JP", "WO"} <= offices
    pct = Matter.objects.filter(office="WO", kind=Matter.Kind.PCT, children__isnull=False).first()
    assert pct is not None, "the demo has a PCT application with national/regional phases"
    assert pct.children.filter(
        parent_relation__in=[Matter.Relation.NATIONAL_PHASE, Matter.Relation.REGIONAL_PHASE]
    ).exists()
    assert PriorityClaim.objects.exists()
    before = history_rows()
    call_command("seed_demo", stdout=StringIO())
    assert history_rows() == before


def test_demo_users_are_scoped_to_their_clients():
    call_command("seed_demo", stdout=StringIO())
    kenji = get_user_model().objects.get(username="kenji")
    assert set(Matter.objects.visible_to(kenji).values_list("client__reference", flat=True)) == {"NIPPON"}


def test_only_the_docketing_user_and_the_admin_may_use_the_admin():
    call_command("seed_demo", stdout=StringIO())
    users = get_user_model().objects
    assert set(users.filter(is_staff=True).values_list("username", flat=True)) == {"admin", "sam"}
    sam = users.get(username="sam")
    assert sam.has_perm("deadlines.change_officeclosure") and sam.has_perm("patents.view_matter")
    assert not sam.has_perm("patents.add_teammembership")


def test_demo_paralegals_create_and_edit_matters_in_the_dashboard_without_the_admin():
    """Issue 16: a paralegal creates a matter from the dashboard form; the admin stays closed to them."""
    call_command("seed_demo", stdout=StringIO())
    for name in ("pat", "kenji", "alice"):
        user = get_user_model().objects.get(username=name)
        assert user.has_perm("patents.add_matter") and user.has_perm("patents.change_matter")
        assert not user.is_staff and not user.has_perm("patents.add_teammembership")


def test_reseeding_takes_the_admin_away_from_demo_users_made_staff_before():
    call_command("seed_demo", stdout=StringIO())
    get_user_model().objects.filter(username="pat").update(is_staff=True)  # as seeded by older versions
    call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.get(username="pat").is_staff
