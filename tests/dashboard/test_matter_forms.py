"""Create and edit a matter from the dashboard: the importer's checks, field errors, pasted numbers, dates in
the user's format or ISO, client scoping, permissions and attributed history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import Family, Matter, PriorityClaim, SyncRun
from tests.factories import MatterFactory

pytestmark = pytest.mark.django_db


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="patents", codename__in=codenames))


def form_data(client_pk: int, **overrides) -> dict:
    data = {
        "client": client_pk, "reference": "ACME-100", "office": "US", "kind": "patent", "title": "Widget",
        "application_number": "", "filing_date": "", "publication_number": "", "publication_date": "",
        "grant_number": "", "grant_date": "", "applicant_name": "Acme Corp", "applicant_residence": "domestic",
        "receiving_office": "", "family": "", "new_family": "", "parent_reference": "", "parent_relation": "",
        "responsible_attorney": "", "responsible_paralegal": "", "sync_enabled": "on",
        "priority-TOTAL_FORMS": "2", "priority-INITIAL_FORMS": "0", "priority-MIN_NUM_FORMS": "0",
        "priority-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def alice(portfolio):
    grant(portfolio["alice"], "add_matter", "change_matter")
    return portfolio["alice"]


def test_creating_a_matter_stores_pasted_numbers_in_canonical_form_with_claims_and_attributed_history(
    client, portfolio, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = form_data(
        portfolio["client_a"].pk, application_number=" 18/ 123, 457 ", filing_date="2024-03-15",
        new_family="FAM-W", responsible_paralegal=alice.pk,
        **{"priority-0-country": "us", "priority-0-number": "63/123,456", "priority-0-date": "2023-03-16"},
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("patents:matter-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    matter = Matter.objects.get(reference="ACME-100")
    assert matter.application_number == "18/ 123, 457"
    assert matter.application_number_normalized == "18123457"
    assert matter.filing_date == dt.date(2024, 3, 15)
    assert matter.family == Family.objects.get(reference="FAM-W", client=portfolio["client_a"])
    claim = PriorityClaim.objects.get(matter=matter)
    assert (claim.country, claim.number, claim.date) == ("US", "63/123,456", dt.date(2023, 3, 16))
    record = matter.history.order_by("-history_id").first()
    assert record.history_user == alice and record.history_change_reason == "created in the dashboard"
    assert claim.history.order_by("-history_id").first().history_change_reason == "created in the dashboard"
    # A new matter is queued for a sync at once (after commit), through the sync path's SyncRun.
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.MANUAL)
    assert run.requested_matters == [matter.pk] and run.office == "US" and run.batches_total == 1
    assert f"sync={run.pk}" in response["Location"]


@pytest.mark.parametrize(
    ("office", "pasted", "canonical"),
    [
        ("WO", "PCT/US2024/012345", "PCT/US2024/012345"),
        ("WO", "pct/us24/12345", "PCT/US2024/012345"),
        ("EP", "EP 21 123 456.7", "EP21123456"),
        ("JP", "特願2020-123456", "2020123456"),
        ("US", "16/123,456", "16123456"),
    ],
)
def test_pasted_application_numbers_are_normalised_like_the_importer(client, portfolio, alice, office, pasted,
                                                                      canonical):
    client.force_login(alice)
    kind = "pct" if office == "WO" else "patent"
    response = client.post(reverse("patents:matter-create"),
                           form_data(portfolio["client_a"].pk, office=office, kind=kind, application_number=pasted))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Matter.objects.get(reference="ACME-100").application_number_normalized == canonical


def test_bad_input_gives_field_errors_and_writes_nothing(client, portfolio, alice):
    client.force_login(alice)
    before = Matter.objects.count()
    response = client.post(reverse("patents:matter-create"), form_data(
        portfolio["client_a"].pk, office="US", application_number="12", filing_date="15/03/2024",
        kind="pct", **{"priority-0-country": "XX", "priority-0-number": "1", "priority-0-date": "2023-13-01"},
    ))
    assert response.status_code == 400
    form = response.context["form"]
    assert "application_number" in form.errors
    assert form.errors["filing_date"] == [
        "“15/03/2024” is not in your date format. Write D MMM YYYY (e.g. 2 Mar 2026) or YYYY-MM-DD."
    ]
    assert "kind" in form.errors or response.context["formset"].errors  # PCT only at WO (Matter.clean)
    claim_errors = response.context["formset"].forms[0].errors
    assert "not an office" in claim_errors["country"][0] and "date" in claim_errors
    assert Matter.objects.count() == before
    assert "Nothing was saved" in response.content.decode()


def test_model_validation_lands_on_the_field(client, portfolio, alice):
    client.force_login(alice)
    response = client.post(reverse("patents:matter-create"), form_data(portfolio["client_a"].pk, office="EP",
                                                                       kind="pct"))
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]
    response = client.post(reverse("patents:matter-create"), form_data(
        portfolio["client_a"].pk, filing_date="2024-01-01",
        **{"priority-0-country": "US", "priority-0-number": "63/000,001", "priority-0-date": "2024-02-01"},
    ))
    assert response.status_code == 400
    assert "later than the filing date" in str(response.context["formset"].non_form_errors())
    assert not Matter.objects.filter(reference="ACME-100").exists()


def test_a_number_or_reference_already_docketed_for_another_client_is_refused_without_naming_it(
    client, portfolio, alice
):
    client.force_login(alice)
    beta = portfolio["matter_b"]
    beta.office, beta.application_number = "US", "17/999,001"
    with attributed(reason="test setup", process="tests"):
        beta.save()
    response = client.post(reverse("patents:matter-create"),
                           form_data(portfolio["client_a"].pk, application_number="17999001"))
    assert response.status_code == 400
    message = response.context["form"].errors["application_number"][0]
    assert "already in the docket for a client you do not work for" in message and "BETA" not in message
    response = client.post(reverse("patents:matter-create"), form_data(portfolio["client_a"].pk,
                                                                       reference="BETA-001"))
    assert response.status_code == 400 and response.context["form"].errors["reference"]
    beta.refresh_from_db()
    assert beta.client == portfolio["client_b"]


def test_only_the_users_own_clients_are_offered_and_accepted(client, portfolio, alice):
    client.force_login(alice)
    page = client.get(reverse("patents:matter-create")).content.decode()
    assert "ACME" in page and "BETA" not in page
    response = client.post(reverse("patents:matter-create"), form_data(portfolio["client_b"].pk))
    assert response.status_code == 400 and response.context["form"].errors["client"]
    assert not Matter.objects.filter(reference="ACME-100").exists()


def test_without_the_permission_the_form_is_forbidden(client, portfolio):
    client.force_login(portfolio["bob"])
    assert client.get(reverse("patents:matter-create")).status_code == 403
    assert client.post(reverse("patents:matter-create"), form_data(portfolio["client_a"].pk)).status_code == 403
    assert client.get(reverse("patents:matter-edit", args=[portfolio["matter_a"].pk])).status_code == 403


def test_another_clients_matter_cannot_be_edited(client, portfolio, alice):
    client.force_login(alice)
    assert client.get(reverse("patents:matter-edit", args=[portfolio["matter_b"].pk])).status_code == 404


def test_editing_keeps_the_reference_links_a_parent_and_designations_and_records_who(client, portfolio, alice):
    acme = portfolio["client_a"]
    pct = MatterFactory(client=acme, reference="ACME-PCT", office="WO", kind=Matter.Kind.PCT,
                        application_number="PCT/US2024/012345")
    us = portfolio["matter_a2"]
    client.force_login(alice)
    page = client.get(reverse("patents:matter-edit", args=[pct.pk])).content.decode()
    assert 'type="checkbox" name="designated_offices" value="EP"' in page  # checkboxes, not a raw [] box
    assert 'placeholder="D MMM YYYY"' in page  # the firm's default format (no preference); ISO is read too
    response = client.post(reverse("patents:matter-edit", args=[pct.pk]), form_data(
        acme.pk, reference="RENAMED", office="WO", kind="pct", application_number="PCT/US2024/012345",
        filing_date="2024-01-10", designated_offices=["EP", "JP", "US"],
    ))
    assert response.status_code == 302, response.content.decode()[:3000]
    pct.refresh_from_db()
    assert pct.reference == "ACME-PCT" and pct.designated_offices == ["EP", "JP", "US"]
    assert pct.history.order_by("-history_id").first().history_change_reason == "edited in the dashboard"
    response = client.post(reverse("patents:matter-edit", args=[us.pk]), form_data(
        acme.pk, office="US", application_number="17/123,456", parent_reference="ACME-PCT",
        parent_relation="national_phase",
    ))
    assert response.status_code == 302, response.content.decode()[:3000]
    us.refresh_from_db()
    assert us.parent == pct and us.parent_relation == "national_phase"
    # A parent the user may not see is "not found", and a loop is refused.
    response = client.post(reverse("patents:matter-edit", args=[us.pk]), form_data(
        acme.pk, office="US", application_number="17/123,456", parent_reference="BETA-001",
        parent_relation="continuation",
    ))
    assert "No matter 'BETA-001' that you may see" in response.context["form"].errors["parent_reference"][0]
    response = client.post(reverse("patents:matter-edit", args=[pct.pk]), form_data(
        acme.pk, office="WO", kind="pct", application_number="PCT/US2024/012345", parent_reference=us.reference,
        parent_relation="continuation",
    ))
    assert response.status_code == 400 and "circle" in response.context["form"].errors["parent_reference"][0]


def test_claim_count_and_entity_size_are_set_in_the_form_so_the_renewals_page_can_price_it(client, portfolio, alice):
    """The renewals page says "claim count unknown: set it on the matter": the matter form is where (no admin)."""
    matter = MatterFactory(client=portfolio["client_a"], reference="ACME-JP", office="JP", kind="patent",
                           claim_count=None, entity_size="")
    client.force_login(alice)
    data = form_data(portfolio["client_a"].pk, reference="ACME-JP", office="JP", claim_count="12",
                     entity_size="small")
    response = client.post(reverse("patents:matter-edit", args=[matter.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    matter.refresh_from_db()
    assert (matter.claim_count, matter.entity_size) == (12, "small")
    latest = matter.history.order_by("-history_id").first()
    assert latest.history_user == alice and latest.history_change_reason == "edited in the dashboard"
    page = client.get(reverse("patents:matter-edit", args=[matter.pk])).content.decode()
    assert 'name="claim_count" value="12"' in page
    bad = client.post(reverse("patents:matter-edit", args=[matter.pk]), {**data, "claim_count": "0"})
    assert bad.status_code == 400 and "claim_count" in bad.context["form"].errors
