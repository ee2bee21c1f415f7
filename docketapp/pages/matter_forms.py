"""Create and edit a matter from the dashboard: the form, the priority-claim formset, and saving them.

The checks are the importer's (``patents.importing``: office codes, spreadsheet formulas, ISO dates) and the
model's (``Matter.clean`` through ``patents.services.validate_matter``), so a matter typed in here is held to
exactly what a matter imported from a file is. Errors land on the field they are about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from docketapp.audit import attributed
from docketapp.csvsafe import formula_like
from patents.dates import UserDateField
from patents.importing import NOT_AN_OFFICE, _office_problem
from patents.models import Client, Family, Matter
from patents.numbers import ST3_CODES, InvalidNumber, normalize_application_number
from patents.offices import OFFICES
from patents.services import MatterData, notify_events_recorded, upsert_matter
from patents.sync_now import SyncRequest, request_sync

CREATED = "created in the dashboard"
EDITED = "edited in the dashboard"


def iso_date(label: str, **kwargs: Any) -> forms.DateField:
    """A date typed in the person's own format or ISO (patents.dates.UserDateField), as on every form."""
    return UserDateField(label=label, required=kwargs.pop("required", False), **kwargs)


def _office_choices() -> list[tuple[str, str]]:
    """The offices with a connection first (by name), then every other ST.3 office code."""
    connected = [(o.code, f"{o.code} — {o.name}") for o in OFFICES if o.code in ST3_CODES]
    rest = [(c, c) for c in sorted(ST3_CODES - {c for c, _ in connected} - set(NOT_AN_OFFICE))]
    return connected + rest


def clients_for(user: Any) -> QuerySet[Client]:
    """The clients this user works for (a superuser: all): the only ones a matter can be created for."""
    qs = Client.objects.order_by("reference")
    return qs if user.is_superuser else qs.filter(memberships__user=user).distinct()


class MatterForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="— choose a client —")
    reference = forms.CharField(label="Our reference", max_length=80)
    office = forms.ChoiceField(label="Office", choices=())
    kind = forms.ChoiceField(choices=Matter.Kind.choices)
    title = forms.CharField(max_length=500, required=False)
    application_number = forms.CharField(
        max_length=60, required=False,
        help_text="As you have it: spaces, check digit and slashes are fine (e.g. 16/123,456; EP 21 123 456.7; "
        "PCT/US2024/012345)",
    )
    filing_date = iso_date("Filing date")
    publication_number = forms.CharField(max_length=60, required=False, help_text="e.g. EP 3 900 012 A1")
    publication_date = iso_date("Publication date")
    grant_number = forms.CharField(max_length=60, required=False)
    grant_date = iso_date("Grant date")
    applicant_name = forms.CharField(max_length=300, required=False)
    applicant_residence = forms.ChoiceField(choices=Matter.Residence.choices, initial=Matter.Residence.DOMESTIC)
    # What the official renewal fees depend on (deadlines/fees.py): the renewals page asks for them when unknown.
    claim_count = forms.IntegerField(
        label="Claims in force", min_value=1, max_value=9999, required=False,
        help_text="JPO annuities are charged per claim; empty: unknown",
    )
    entity_size = forms.ChoiceField(
        label="Fee entity size (US)", choices=Matter.EntitySize.choices, required=False,
        help_text="USPTO entity status, 37 CFR 1.27 / 1.29; empty: unknown",
    )
    receiving_office = forms.ChoiceField(label="PCT receiving office", choices=(), required=False)
    designated_offices = forms.MultipleChoiceField(
        label="Designated offices (PCT)", choices=(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The offices where the national or regional phase is planned",
    )
    family = forms.ModelChoiceField(queryset=Family.objects.none(), required=False, empty_label="— none —")
    new_family = forms.CharField(
        label="…or a new family", max_length=80, required=False, help_text="Reference of a family to create"
    )
    parent_reference = forms.CharField(
        label="Parent matter", max_length=80, required=False, help_text="Our reference of the parent matter"
    )
    parent_relation = forms.ChoiceField(
        label="Relation to the parent", choices=[("", "—"), *Matter.Relation.choices], required=False
    )
    responsible_attorney = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    responsible_paralegal = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    sync_enabled = forms.BooleanField(label="Keep in step with the office (sync)", required=False, initial=True)

    IDENTIFIERS = ("reference", "application_number", "publication_number", "grant_number", "new_family",
                   "parent_reference", "title", "applicant_name")

    def __init__(self, *args: Any, user: Any, instance: Matter | None = None, **kwargs: Any) -> None:
        self.user, self.instance = user, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(instance)
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields  # ModelChoiceFields: their querysets are set per user
        fields["client"].queryset = clients_for(user)
        offices = _office_choices()
        fields["office"].choices = [("", "— choose an office —"), *offices]
        fields["receiving_office"].choices = [("", "—"), *offices]
        # A PCT application designates states and regional offices, never the PCT itself.
        pct = set(Matter._offices_filing(Matter.Kind.PCT))
        fields["designated_offices"].choices = [(c, c) for c, _ in offices if c not in pct]
        clients = clients_for(user)
        fields["family"].queryset = Family.objects.filter(client__in=clients).order_by("reference")
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        if not user.is_superuser:
            people = people.filter(memberships__client__in=clients).distinct()
        fields["responsible_attorney"].queryset = people
        fields["responsible_paralegal"].queryset = people
        if instance is not None:
            # The reference is the matter's name in every file, e-mail and calendar: not renamed here.
            self.fields["reference"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.IDENTIFIERS:
            value = data.get(name) or ""
            if formula_like(value):
                self.add_error(name, f"{value!r} starts with {value[0]!r}: a spreadsheet formula, not a value")
        for name in ("application_number", "publication_number", "grant_number"):
            data[name] = " ".join((data.get(name) or "").split())
        reference = (data.get("reference") or "").strip()
        if self.instance is None and reference and Matter.objects.filter(reference=reference).exists():
            # upsert_matter works by reference: an existing one (perhaps another client's) is never overwritten.
            self.add_error("reference", f"The reference {reference!r} is already used by a matter")
        office = data.get("office", "")
        if office and (problem := _office_problem(office)):
            self.add_error("office", problem)
        self._check_number(data)
        self._check_parent(data)
        self._check_family(data)
        client = data.get("client")
        for name in ("responsible_attorney", "responsible_paralegal"):
            person = data.get(name)
            if person is not None and client is not None and not person.is_superuser and \
                    not person.memberships.filter(client=client).exists():
                self.add_error(name, f"{person.get_username()} is not on {client.reference}'s team")
        return data

    def _check_number(self, data: dict[str, Any]) -> None:
        number, office = data.get("application_number"), data.get("office")
        if not number or not office:
            return
        try:
            normalized = normalize_application_number(office, number)
        except InvalidNumber as exc:
            self.add_error("application_number", str(exc))
            return
        clash = Matter.objects.filter(office=office, application_number_normalized=normalized)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        other = clash.first()
        if other is not None:
            visible = Matter.objects.visible_to(self.user).filter(pk=other.pk).exists()
            where = f"as {other.reference}" if visible else "for a client you do not work for"
            self.add_error("application_number", f"{office} {normalized} is already in the docket {where}")

    def _check_parent(self, data: dict[str, Any]) -> None:
        ref = (data.get("parent_reference") or "").strip()
        data["parent"] = None
        if not ref:
            return
        parent = Matter.objects.visible_to(self.user).filter(reference=ref).first()
        if parent is None:
            self.add_error("parent_reference", f"No matter {ref!r} that you may see")
            return
        if self.instance is not None and _descends_from(parent, self.instance):
            self.add_error("parent_reference", f"{ref} descends from this matter: the links would go in a circle")
            return
        data["parent"] = parent

    def _check_family(self, data: dict[str, Any]) -> None:
        family, new, client = data.get("family"), (data.get("new_family") or "").strip(), data.get("client")
        if family is not None and new:
            self.add_error("new_family", "Choose a family or name a new one, not both")
        elif family is not None and client is not None and family.client_id != client.pk:
            self.add_error("family", f"Family {family.reference} belongs to another client")
        elif new and client is not None and Family.objects.filter(client=client, reference=new).exists():
            self.add_error("new_family", f"{client.reference} already has a family {new}: choose it above")

    def matter_data(self, claims: list[tuple[str, str, dt.date]]) -> MatterData:
        d = self.cleaned_data
        return MatterData(
            client=d["client"], reference=self.instance.reference if self.instance else d["reference"].strip(),
            office=d["office"], kind=d["kind"], title=d.get("title", ""),
            application_number=d.get("application_number", ""), filing_date=d.get("filing_date"),
            publication_number=d.get("publication_number", ""), publication_date=d.get("publication_date"),
            grant_number=d.get("grant_number", ""), grant_date=d.get("grant_date"),
            applicant_name=d.get("applicant_name", ""), applicant_residence=d["applicant_residence"],
            designated_offices=sorted(d.get("designated_offices") or []),
            receiving_office=d.get("receiving_office") or "",
            responsible_attorney=d.get("responsible_attorney"), responsible_paralegal=d.get("responsible_paralegal"),
            family=d.get("family"), parent=d.get("parent"), parent_relation=d.get("parent_relation") or "",
            sync_enabled=bool(d.get("sync_enabled")), priority_claims=claims,
        )


def _descends_from(candidate: Matter, ancestor: Matter) -> bool:
    node: Matter | None = candidate
    for _ in range(50):
        if node is None:
            return False
        if node.pk == ancestor.pk:
            return True
        node = Matter.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    return True


def initial_for(matter: Matter) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(matter, name) for name in MatterData.MATTER_FIELDS}
    initial.update(reference=matter.reference, parent_reference=matter.parent.reference if matter.parent else "")
    for name in ("client", "family", "responsible_attorney", "responsible_paralegal"):
        initial[name] = getattr(matter, f"{name}_id")
    initial.pop("parent", None)
    initial.update(claim_count=matter.claim_count, entity_size=matter.entity_size)
    return initial


class PriorityClaimForm(forms.Form):
    country = forms.CharField(label="Office", max_length=3, help_text="ST.3 code, e.g. US")
    number = forms.CharField(max_length=60, help_text="e.g. 63/123,456")
    date = iso_date("Priority date", required=True)

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].strip().upper()
        if problem := _office_problem(code):
            raise ValidationError(problem)
        return code

    def clean_number(self) -> str:
        number = " ".join(self.cleaned_data["number"].split())
        if formula_like(number):
            raise ValidationError(f"{number!r} starts with {number[0]!r}: a spreadsheet formula, not a number")
        return number


class BasePriorityFormSet(forms.BaseFormSet):
    def claims(self) -> list[tuple[str, str, dt.date]]:
        out = []
        for form in self.forms:
            d = getattr(form, "cleaned_data", None) or {}
            if d and not d.get("DELETE") and d.get("country"):
                out.append((d["country"], d["number"], d["date"]))
        return out

    def clean(self) -> None:
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            d = getattr(form, "cleaned_data", None) or {}
            if not d or d.get("DELETE") or not d.get("country"):
                continue
            key = (d["country"], compact(d["country"], d["number"]))
            if key in seen:
                raise ValidationError(f"{d['country']} {d['number']} is claimed twice")
            seen.add(key)


def compact(country: str, number: str) -> str:
    try:
        return normalize_application_number(country, number)
    except InvalidNumber:
        return "".join(number.split()).upper()


PriorityFormSet = forms.formset_factory(PriorityClaimForm, formset=BasePriorityFormSet, extra=2, can_delete=True)


def priority_initial(matter: Matter | None) -> list[dict[str, Any]]:
    if matter is None:
        return []
    return [{"country": c.country, "number": c.number, "date": c.date} for c in matter.priority_claims.all()]


def _spread(form: MatterForm, formset: Any, exc: ValidationError) -> None:
    """The model's errors onto the form field they are about (priority claims onto the formset)."""
    for name, messages in exc.message_dict.items():
        if name == "priority_claims":
            formset._non_form_errors = formset.error_class([*formset.non_form_errors(), *messages])
        elif name == "parent":
            form.add_error("parent_reference", messages)
        elif name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


def _save_fee_facts(matter: Matter, cleaned: dict[str, Any]) -> bool:
    """Claim count and entity size (not imported data, so not in MatterData): saved in the caller's attributed
    transaction when they changed."""
    facts = {"claim_count": cleaned.get("claim_count"), "entity_size": cleaned.get("entity_size") or ""}
    changed = [name for name, value in facts.items() if getattr(matter, name) != value]
    for name in changed:
        setattr(matter, name, facts[name])
    if changed:
        matter.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def save_matter(*, form: MatterForm, formset: Any, user: Any) -> tuple[Matter | None, SyncRequest | None]:
    """Validate like the importer and save with the user's attribution; a new matter is queued for a sync
    as soon as it is committed. Returns (None, None) and fills the form errors when something is wrong."""
    creating = form.instance is None
    data = form.matter_data(formset.claims())
    new_family = (form.cleaned_data.get("new_family") or "").strip()
    try:
        with transaction.atomic(), attributed(reason=CREATED if creating else EDITED, user=user):
            if new_family:
                family = Family(client=data.client, reference=new_family, title=data.title)
                family.full_clean()
                family.save()
                data.family = family
            matter, changed = upsert_matter(data=data)
            _save_fee_facts(matter, form.cleaned_data)  # fees only: no deadline moves
            if changed and not creating:
                notify_events_recorded(matter_id=matter.pk)  # dates or claims may move deadlines
            sync = request_sync(matters=[matter], user=user) if creating else None
    except ValidationError as exc:
        _spread(form, formset, exc)
        return None, None
    return matter, sync

