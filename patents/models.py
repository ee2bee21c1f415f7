"""The docket domain: clients and their teams, families, matters, priority claims and office events.

Every docket model keeps a simple-history trail with who (user or named process) and why; writes go
through ``patents.services`` inside ``docketapp.audit.attributed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from docketapp.audit import AuditedHistoricalModel, AuditedHistoricalRecords
from docketapp.fast_urls import pk_url

from .numbers import REGIONAL_OFFICES, ST3_CODES, InvalidNumber, normalize_application_number


def history(**kwargs) -> AuditedHistoricalRecords:
    return AuditedHistoricalRecords(bases=[AuditedHistoricalModel], cascade_delete_history=False, **kwargs)


def validate_st3(value: str) -> None:
    if value not in ST3_CODES:
        raise ValidationError(f"{value!r} is not a WIPO ST.3 office code (e.g. EP, US, JP, WO)")


def latest_possible_date() -> dt.date:
    # Offices east of UTC (JPO is UTC+9) are already a day ahead; allow one day so a same-day
    # filing in Tokyo is not rejected as "in the future".
    return timezone.now().date() + dt.timedelta(days=1)


def validate_not_future(value: dt.date | None) -> None:
    if value is not None and value > latest_possible_date():
        raise ValidationError(f"{value.isoformat()} is in the future; this date can only be in the past")


class Client(models.Model):
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, unique=True, help_text="The firm's client code, e.g. ACME")
    contact_emails = models.TextField(blank=True, help_text="One e-mail address per line")
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.reference} – {self.name}"

    @property
    def emails(self) -> list[str]:
        return [line.strip() for line in self.contact_emails.splitlines() if line.strip()]

    def clean(self) -> None:
        for address in self.emails:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError({"contact_emails": f"{address!r} is not a valid e-mail address"})


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        ATTORNEY = "attorney", "Attorney"
        PARALEGAL = "paralegal", "Paralegal"
        DOCKETING = "docketing", "Docketing"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    history = history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="one_membership_per_client")]

    def __str__(self) -> str:
        return f"{self.user} – {self.client.reference} ({self.get_role_display()})"


class UserProfile(models.Model):
    """Per-user preferences: display/digest time zone, digest opt-outs and the calendar feed secret."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    class DateFormat(models.TextChoices):
        # Django date-format strings: the one format every dated page uses for this person.
        WEEKDAY = "D j M Y", "Mon 2 Mar 2026"
        ISO = "Y-m-d", "2026-03-02 (ISO 8601)"
        DAY_FIRST = "d.m.Y", "02.03.2026 (day first)"
        MONTH_FIRST = "m/d/Y", "03/02/2026 (month first)"

    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA zone, e.g. Europe/Berlin")
    date_format = models.CharField(
        max_length=12, choices=DateFormat.choices, default=DateFormat.WEEKDAY, help_text="How pages show dates"
    )
    digest_opt_out = models.BooleanField(default=False, help_text="No daily digest (escalations still arrive)")
    weekly_report_opt_out = models.BooleanField(default=False)
    # The calendar feed URL carries a secret token that reads the user's whole docket without a session.
    # Only its SHA-256 is stored (the token is shown once, when made), and not even the hash goes into the
    # history: a history diff is readable in the admin and the history tables are append-only.
    ics_token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    ics_token_created_at = models.DateTimeField(null=True, blank=True)

    history = history(excluded_fields=["ics_token_hash"])

    def __str__(self) -> str:
        return f"profile of {self.user}"

    def clean(self) -> None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": f"{self.time_zone!r} is not an IANA time zone"})

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        # A plain SHA-256 suffices: the token has 256 bits of entropy, so there is nothing to brute-force.
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def has_feed(self) -> bool:
        return bool(self.ics_token_hash)


class Family(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="families")
    reference = models.CharField(max_length=80)
    title = models.CharField(max_length=500, blank=True)

    history = history()

    class Meta:
        verbose_name_plural = "families"
        constraints = [models.UniqueConstraint(fields=["client", "reference"], name="family_ref_unique_per_client")]

    def __str__(self) -> str:
        return self.reference


class MatterQuerySet(models.QuerySet):
    def visible_to(self, user) -> MatterQuerySet:
        """The single door to matters: superusers see all, others only their clients' matters."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(client__memberships__user=user)

    def active(self) -> MatterQuerySet:
        """Matters on the active docket: not closed."""
        return self.filter(closed_at__isnull=True)

    def sync_enabled(self) -> MatterQuerySet:
        return self.filter(sync_enabled=True)

    def stale_for(self, office: str, older_than: dt.datetime) -> MatterQuerySet:
        return (
            self.filter(office=office, sync_enabled=True, closed_at__isnull=True)
            .filter(Q(last_synced__isnull=True) | Q(last_synced__lt=older_than))
            .order_by(models.F("last_synced").asc(nulls_first=True), "pk")
        )


class Matter(models.Model):
    class Kind(models.TextChoices):
        PATENT = "patent", "Patent application"
        UTILITY_MODEL = "utility_model", "Utility model"
        DESIGN = "design", "Design"
        PROVISIONAL = "provisional", "Provisional application"
        PCT = "pct", "PCT international application"
        REGIONAL = "regional", "Regional application"

    class Status(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        FILED = "filed", "Filed"
        PUBLISHED = "published", "Published"
        EXAMINATION = "examination", "Under examination"
        ALLOWED = "allowed", "Allowed / intention to grant"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn / deemed withdrawn"
        ABANDONED = "abandoned", "Abandoned"
        LAPSED = "lapsed", "Lapsed"
        EXPIRED = "expired", "Expired"
        NATIONAL_PHASE = "national_phase", "Entered national/regional phase"

    class Lifecycle(models.TextChoices):
        # Same values as deadlines.rules.lifecycle.State (which derives them; patents never imports deadlines).
        PENDING = "pending", "Pending"
        PUBLISHED = "published", "Published"
        ALLOWED = "allowed", "Allowed / intention to grant"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DEEMED_WITHDRAWN = "deemed_withdrawn", "Deemed withdrawn"
        ABANDONED = "abandoned", "Abandoned"
        LAPSED = "lapsed", "Lapsed (fees not paid)"
        EXPIRED = "expired", "Expired (end of term)"
        REVOKED = "revoked", "Revoked"

    class Residence(models.TextChoices):
        DOMESTIC = "domestic", "Domestic applicant"
        FOREIGN = "foreign", "Foreign (overseas) applicant"

    class EntitySize(models.TextChoices):
        UNKNOWN = "", "Unknown"
        LARGE = "large", "Large (undiscounted)"
        SMALL = "small", "Small entity"
        MICRO = "micro", "Micro entity"

    class Relation(models.TextChoices):
        CONTINUATION = "continuation", "Continuation"
        CONTINUATION_IN_PART = "cip", "Continuation-in-part"
        DIVISIONAL = "divisional", "Divisional"
        NATIONAL_PHASE = "national_phase", "National phase of a PCT application"
        REGIONAL_PHASE = "regional_phase", "Regional phase of a PCT application"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="matters")
    family = models.ForeignKey(Family, on_delete=models.SET_NULL, null=True, blank=True, related_name="matters")
    reference = models.CharField("our reference", max_length=80, unique=True)
    title = models.CharField(max_length=500, blank=True)
    office = models.CharField(max_length=2, validators=[validate_st3], help_text="WIPO ST.3 code, e.g. EP, US, JP, WO")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PATENT)
    application_number = models.CharField(max_length=40, blank=True, help_text="As the office writes it")
    application_number_normalized = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    filing_date = models.DateField(null=True, blank=True, validators=[validate_not_future])
    publication_number = models.CharField(max_length=40, blank=True)
    publication_date = models.DateField(null=True, blank=True, validators=[validate_not_future])
    grant_number = models.CharField(max_length=40, blank=True)
    grant_date = models.DateField(null=True, blank=True, validators=[validate_not_future])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    office_status = models.CharField(max_length=300, blank=True, help_text="The office's own status text")
    responsible_attorney = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_paralegal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_residence = models.CharField(
        max_length=10, choices=Residence.choices, default=Residence.DOMESTIC,
        help_text="Relative to this office; JP periods depend on it",
    )
    applicant_name = models.CharField(max_length=300, blank=True)
    # What official renewal fees depend on (deadlines/fees.py): unknown until someone enters it, and shown
    # as unknown, never guessed.
    claim_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Claims in force (JPO annuities are charged per claim); empty: unknown"
    )
    entity_size = models.CharField(
        max_length=10, choices=EntitySize.choices, blank=True, default=EntitySize.UNKNOWN,
        help_text="USPTO fee entity status (37 CFR 1.27, 1.29); empty: unknown",
    )
    designated_offices = models.JSONField(
        default=list, blank=True, help_text="For PCT applications: ST.3 codes of the offices to enter"
    )
    receiving_office = models.CharField(max_length=2, blank=True, help_text="PCT receiving office (ST.3)")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    parent_relation = models.CharField(max_length=20, choices=Relation.choices, blank=True)
    # The parent as the office names it (USPTO continuity, EP Register division) when it is not a matter of
    # this client in the docket: the relation is kept, with the number, instead of being lost.
    parent_number = models.CharField(
        max_length=40, blank=True,
        help_text="The parent application as the office names it, when it is not in the docket",
    )
    # Derived by deadlines.services from the events and dates: never typed in. Kept apart from
    # ``status``, which is what the office sync reports.
    lifecycle_state = models.CharField(
        max_length=20, choices=Lifecycle.choices, blank=True, help_text="Derived from the office events"
    )
    lifecycle_since = models.DateField(null=True, blank=True)
    lifecycle_event = models.ForeignKey(
        "OfficeEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The event that caused the current state",
    )
    lifecycle_reason = models.CharField(max_length=500, blank=True)
    term_end = models.DateField(null=True, blank=True, help_text="Computed end of the maximum term, if any")
    sync_enabled = models.BooleanField(default=True)
    # Closed (deactivated) by a person: off the active docket and out of the sync, never deleted; reopened
    # by clearing these. Who and why are also in the history.
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When a person closed the matter")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_reason = models.CharField(max_length=500, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True, help_text="Last successful office sync")
    last_changed = models.DateTimeField(null=True, blank=True, help_text="Last time office data changed it")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatterQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "application_number_normalized"],
                condition=~Q(application_number_normalized=""),
                name="one_matter_per_office_application",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, parent_relation="") | Q(parent__isnull=False) & ~Q(parent_relation="")
                | Q(parent__isnull=True) & ~Q(parent_number=""),
                name="parent_and_relation_together",
            ),
        ]
        indexes = [models.Index(fields=["office", "sync_enabled", "last_synced"], name="matter_sync_staleness")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.office_number if self.application_number else f'{self.office} unfiled'})"

    def save(self, *args, **kwargs) -> None:
        # Keep the normalized number in step with the written one on every save path (admin, services,
        # bulk tools). clean() has already rejected malformed numbers for user input.
        try:
            normalized = (
                normalize_application_number(self.office, self.application_number) if self.application_number else ""
            )
        except InvalidNumber:
            normalized = "".join(self.application_number.split()).upper()
        if normalized != self.application_number_normalized:
            self.application_number_normalized = normalized
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "application_number_normalized"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return pk_url("patents:matter-detail", self.pk)

    @property
    def office_number(self) -> str:
        """The office and the number as people read them: "US 18/123,456", "EP (unfiled)" — and a number that
        already starts with its office's code ("EP24700001.2", as pasted from the Register) without the code
        said twice."""
        number = self.application_number or ""
        if not number:
            return f"{self.office} (unfiled)"
        if self.office and number[: len(self.office)].upper() == self.office.upper():
            return number
        return f"{self.office} {number}"

    def _office_kind_error(self) -> str:
        """Which kinds an office files is part of its descriptor (patents/offices); the last rule broken wins,
        in registry order."""
        from .offices import OFFICES

        error = ""
        for office in OFFICES:
            for kind, message in office.exclusive_kinds.items():
                if self.kind == kind and self.office != office.code:
                    error = message
            if office.other_kinds_refused and self.office == office.code and self.kind not in office.exclusive_kinds:
                error = office.other_kinds_refused
        return error

    @staticmethod
    def _offices_filing(kind: str) -> tuple[str, ...]:
        """The offices that alone file matters of ``kind``."""
        from .offices import OFFICES

        return tuple(o.code for o in OFFICES if kind in o.exclusive_kinds)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.office = (self.office or "").upper()
        if self.application_number:
            try:
                self.application_number_normalized = normalize_application_number(
                    self.office, self.application_number
                )
            except InvalidNumber as exc:
                errors["application_number"] = str(exc)
        else:
            self.application_number_normalized = ""
        kind_error = self._office_kind_error()
        if kind_error:
            errors["kind"] = kind_error
        if self.kind == self.Kind.REGIONAL and self.office not in REGIONAL_OFFICES:
            errors["kind"] = f"{self.office} is not a regional office ({', '.join(sorted(REGIONAL_OFFICES))})"
        bad = [c for c in self.designated_offices or [] if c not in ST3_CODES]
        if bad:
            errors["designated_offices"] = f"Not WIPO ST.3 codes: {', '.join(map(str, bad))}"
        if self.receiving_office and self.receiving_office not in ST3_CODES:
            errors["receiving_office"] = f"{self.receiving_office!r} is not a WIPO ST.3 code"
        # The parent may be an unsaved matter (an earlier row of the same import file).
        parent = self.parent if (self.parent_id or "parent" in self._state.fields_cache) else None
        if parent is not None and not self.parent_relation:
            errors["parent_relation"] = "Say how this matter relates to its parent"
        if self.parent_relation and parent is None and not self.parent_number:
            errors["parent"] = "A relation needs a parent matter"
        if parent is not None:
            if parent is self or (parent.pk is not None and parent.pk == self.pk):
                errors["parent"] = "A matter cannot be its own parent"
            elif self.parent_relation in (self.Relation.NATIONAL_PHASE, self.Relation.REGIONAL_PHASE):
                pct_offices = self._offices_filing(self.Kind.PCT)
                if parent.office not in pct_offices:
                    errors["parent"] = (
                        f"A PCT national or regional phase must point at a {'/'.join(pct_offices)} (PCT) matter"
                    )
            elif parent.office != self.office:
                errors["parent"] = (
                    f"A {self.get_parent_relation_display().lower()} is filed at the parent's office "
                    f"({parent.office}), not {self.office}"
                )
        if self.filing_date and self.publication_date and self.publication_date < self.filing_date:
            errors["publication_date"] = "Publication cannot precede filing"
        if self.filing_date and self.grant_date and self.grant_date < self.filing_date:
            errors["grant_date"] = "Grant cannot precede filing"
        if errors:
            raise ValidationError(errors)


class PriorityClaim(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="priority_claims")
    country = models.CharField(max_length=2, validators=[validate_st3])
    number = models.CharField(max_length=40)
    date = models.DateField(validators=[validate_not_future])

    history = history()

    class Meta:
        ordering = ["date", "country"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "country", "number"], name="priority_claim_unique")
        ]
        # "Which matters claim this one as a priority" (same office, same date): the deadline engine's inputs
        # key and the docket truth look it up for every matter they compute (issue 18).
        indexes = [models.Index(fields=["country", "date"], name="priority_claim_country_date")]

    def __str__(self) -> str:
        return f"{self.country} {self.number} of {self.date.isoformat()}"

    def clean(self) -> None:
        if self.matter_id and self.matter.filing_date and self.date > self.matter.filing_date:
            raise ValidationError(
                {"date": "A priority date cannot be later than the filing date of the claiming matter"}
            )


class EventType(models.Model):
    """A canonical event (``EP.RULE_71_3_COMMUNICATION``) that deadline rules are keyed on."""

    code = models.CharField(max_length=80, unique=True)
    label = models.CharField(max_length=200)
    office = models.CharField(max_length=2, validators=[validate_st3])
    internal = models.BooleanField(
        default=False, help_text="An internal office step: kept in the timeline but triggers no deadline"
    )
    description = models.TextField(blank=True)

    history = history()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class OfficeEventQuerySet(models.QuerySet):
    def for_deadlines(self) -> OfficeEventQuerySet:
        return self.filter(event_type__internal=False).select_related("event_type")


class OfficeEvent(models.Model):
    class Source(models.TextChoices):
        OFFICE = "office", "Office"
        MANUAL = "manual", "Entered by hand"
        # Read from an uploaded office document and accepted by a person (params carry the document and page).
        DOCUMENT = "document", "Office document (accepted)"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events")
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    office_code = models.CharField(
        max_length=40, help_text="The office's code exactly as written (may be space-padded)"
    )
    office_text = models.CharField(max_length=500, blank=True)
    date = models.DateField(validators=[validate_not_future])
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OFFICE)
    natural_key = models.CharField(
        max_length=200, help_text="Identity of this event at the office; the same event is never stored twice"
    )
    params = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = OfficeEventQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "source", "natural_key"], name="office_event_natural_key")
        ]
        indexes = [models.Index(fields=["matter", "date"], name="event_matter_date")]

    def __str__(self) -> str:
        return f"{self.event_type.code} on {self.date.isoformat()}"

    @staticmethod
    def build_natural_key(office_code: str, date: dt.date, discriminator: str = "") -> str:
        return f"{office_code.strip()}|{date.isoformat()}|{discriminator}".rstrip("|")


class ThrottleBucket(models.Model):
    """Shared state of one office throttle bucket (the database backend of ``patents.clients.throttle``).

    Not docket data: no history. Instants are epoch seconds (floats) because the token arithmetic runs on
    every request and compares against ``time.time()``; ``version`` makes every change a conditional UPDATE.
    """

    office = models.CharField(max_length=20)
    service = models.CharField(max_length=40)
    rate_per_minute = models.FloatField(null=True, blank=True, help_text="Adopted from the office; empty: configured")
    factor = models.FloatField(default=1.0, help_text="Slow-down factor from the office's load signal")
    tokens = models.FloatField(null=True, blank=True)
    refilled_at = models.FloatField(default=0.0)
    blocked_until = models.FloatField(default=0.0)
    reason = models.CharField(max_length=200, blank=True)
    used = models.IntegerField(default=0, help_text="Requests counted against the daily cap")
    resets_at = models.FloatField(default=0.0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.FloatField(default=0.0)
    version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "service"], name="throttle_bucket_unique")]

    def __str__(self) -> str:
        return f"{self.office}/{self.service}"


# --- Office sync and ingestion ------------------------------------------------------------------------------


class OfficeCodeMapping(models.Model):
    """Which canonical event type an office's own code stands for, per feed. Edited in the admin, with history.

    ``code`` is the office's code stripped of padding (INPADOC pads to four characters: ``"AK  "``); the
    event keeps the code exactly as written. ``source`` is the feed (``patents.parsers.types.EventSource``)
    because the same letters mean different things in different feeds (``ABEX`` is a procedural step,
    ``EPIDOS ABEX`` a dossier event). Source ``biblio`` maps facts of the bibliographic data that are events
    for the deadline engine (``@filing_date``, ``@grant_date``).
    """

    class Source(models.TextChoices):
        REGISTER_EVENT = "register-event", "EPO Register dossier event"
        PROCEDURAL_STEP = "procedural-step", "EPO Register procedural step"
        INPADOC = "inpadoc", "INPADOC legal event"
        ODP_TRANSACTION = "odp-transaction", "USPTO ODP transaction"
        PEDS_TRANSACTION = "peds-transaction", "USPTO PEDS transaction"
        JPO_PROGRESS = "jpo-progress", "JPO progress document"
        BIBLIO = "biblio", "Bibliographic data"

    office = models.CharField(max_length=2, validators=[validate_st3], help_text="Office the code belongs to")
    source = models.CharField(max_length=20, choices=Source.choices)
    code = models.CharField(max_length=40, help_text="The office's code without surrounding spaces")
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="mappings")
    note = models.TextField(blank=True, help_text="Why this code means this event (citations welcome)")
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        ordering = ["office", "source", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "source", "code"], name="office_code_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.source} {self.code} → {self.event_type.code}"


class SyncRun(models.Model):
    """One sync cycle of one office (or one ingested file): what was tried and what it produced.

    Counters are bumped with F() by the batch tasks of the run (several workers at once); this is
    operational bookkeeping, not docket data, so it has no history.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Beat schedule"
        COMMAND = "command", "Management command"
        FILE = "file", "Ingested file"
        REPLAY = "replay", "Replay of stored payloads"
        DEMO = "demo", "Demo start-up"
        MANUAL = "manual", "Sync now (dashboard)"

    office = models.CharField(max_length=4)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.COMMAND)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    matters_tried = models.PositiveIntegerField(default=0)
    matters_synced = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)
    payloads_stored = models.PositiveIntegerField(default=0)
    payloads_unchanged = models.PositiveIntegerField(default=0)
    events_created = models.PositiveIntegerField(default=0)
    events_changed = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error_log = models.JSONField(default=list, blank=True, help_text="Last errors (matter, kind, message)")
    last_progress_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time a batch of this run did something (attempt, retry, finish)"
    )
    interrupted_reason = models.CharField(
        max_length=500, blank=True,
        help_text="Why the run was closed without all its batches done (e.g. its worker died)",
    )
    # "Sync now": the matters a person asked for, so the page polling the run shows it only to people who
    # may see every one of them.
    requested_matters = models.JSONField(default=list, blank=True, help_text="Matter ids of a manual sync")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["office", "started_at"], name="syncrun_office_started")]

    def __str__(self) -> str:
        return f"{self.office} sync {self.started_at:%Y-%m-%d %H:%M} ({self.matters_synced}/{self.matters_tried})"

    @property
    def duration(self) -> dt.timedelta | None:
        return (self.finished_at - self.started_at) if self.finished_at else None

    @property
    def state(self) -> str:
        """running, interrupted, failed (errors recorded) or done: what the sync page shows."""
        if self.finished_at is None:
            return "running"
        if self.interrupted_reason:
            return "interrupted"
        return "failed" if self.errors else "done"


class OfficePayloadQuerySet(models.QuerySet):
    def readable_by(self, user) -> OfficePayloadQuerySet:
        """Payloads whose every matter ``user`` may see.

        A bulk answer (one OPS request for many matters, a family body) carries other clients' data in its
        body, endpoint and matter list; one visible matter among them is not enough to read it. Only
        superusers read every payload, matter-less ones (discovery, unattached files) included: a permission
        such as the docketing admin's decides mappings, it does not lift the wall between clients.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        hidden = Matter.objects.exclude(pk__in=Matter.objects.visible_to(user).values("pk"))
        return self.filter(matters__in=Matter.objects.visible_to(user)).exclude(matters__in=hidden).distinct()


class OfficePayload(models.Model):
    """A raw office answer exactly as received (compressed), with what identifies it. Never credentials.

    Immutable evidence: replay rebuilds events from these rows. ``request_key`` identifies the request
    without credentials; the same request answered with the same bytes (same ``sha256``) is not stored again.
    """

    class Origin(models.TextChoices):
        SYNC = "sync", "Office sync"
        FILE = "file", "Ingested file"
        DISCOVERY = "discovery", "Discovery"

    office = models.CharField(max_length=4, help_text="EP, US, JP, WO or LENS")
    kind = models.CharField(max_length=40, help_text="Format, e.g. ep-register, us-odp-application")
    endpoint = models.CharField(max_length=200)
    request_key = models.CharField(max_length=1000)
    request_hash = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of request_key")
    matters = models.ManyToManyField(Matter, related_name="office_payloads", blank=True)
    status = models.PositiveSmallIntegerField(default=200, help_text="HTTP status")
    fetched_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(help_text="Body size in bytes (uncompressed)")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the body as received")
    content_hash = models.CharField(
        max_length=64, blank=True,
        help_text="SHA-256 of the body without per-answer noise (request ids, remaining-access counters, "
        "date-produced): equal to the last one for the same request → nothing is parsed or written",
    )
    body = models.BinaryField(help_text="zlib-compressed body")
    content_type = models.CharField(max_length=100, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SYNC)
    file_name = models.CharField(max_length=300, blank=True)
    sync_run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="payloads")
    outcome = models.CharField(
        max_length=20, blank=True,
        help_text="parsed, quarantined, no-data; empty: stored but not processed yet (a crash in between) — "
        "the next fetch of the same answer or the pending-payload sweep processes it",
    )
    requested_matter_ids = models.JSONField(
        default=list, blank=True,
        help_text="The matters this answer was fetched for, kept with the body so that a payload whose "
        "processing was interrupted can be processed later for the same matters",
    )

    objects = OfficePayloadQuerySet.as_manager()

    class Meta:
        ordering = ["fetched_at", "pk"]
        indexes = [
            models.Index(fields=["request_hash", "fetched_at"], name="payload_request_latest"),
            # The pending-payload sweep looks for the (few) payloads stored but never processed.
            models.Index(fields=["fetched_at"], name="payload_unprocessed", condition=models.Q(outcome="")),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.endpoint} {self.fetched_at:%Y-%m-%d %H:%M} ({self.size} B)"

    @property
    def raw(self) -> bytes:
        import zlib

        return zlib.decompress(bytes(self.body))


class QuarantineItem(models.Model):
    """Something from an office we could not use as it stands; it waits here for a person. Never dropped."""

    class Category(models.TextChoices):
        MALFORMED = "malformed", "Malformed body"
        SCHEMA = "schema", "Schema violation"
        UNMAPPED_CODE = "unmapped_code", "Unmapped office code"
        MISMATCH = "mismatch", "Number or date mismatch with the docket"
        CONFLICT = "conflict", "Conflicting data"
        TOO_LARGE = "too_large", "Too large to process"
        # The office answered, in its own words, that it holds nothing for the request (OPS
        # SERVER.EntityNotFound, JPO 107/108, ODP 404): not a broken body, but the operator must see it.
        NO_DATA = "no_data", "Office has no data"
        # A readable answer that is not a docketable case file: a trademark, a lookup answer, another
        # office's document than the one it was offered as.
        OUT_OF_SCOPE = "out_of_scope", "Not a docketable case file"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MAPPED = "mapped", "Code mapped and replayed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        RESOLVED = "resolved", "Resolved by a later payload"

    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    payload = models.ForeignKey(OfficePayload, on_delete=models.PROTECT, related_name="quarantine_items")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, null=True, blank=True, related_name="quarantine_items")
    office = models.CharField(max_length=4)
    source = models.CharField(max_length=20, blank=True, help_text="Feed, for unmapped codes")
    office_code = models.CharField(max_length=40, blank=True, help_text="Unmapped code exactly as written")
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=300, help_text="One open item per problem")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    history = history()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=Q(status="open"), name="quarantine_one_open_per_problem"
            )
        ]
        indexes = [models.Index(fields=["status", "category"], name="quarantine_status_category")]
        # A code mapping answers every client's data (and an internal one suppresses deadlines for all of
        # them): only a docketing admin decides it, and items with no matter (bulk answers of many clients).
        permissions = [("decide_global_mapping", "Can map office codes for every client (docketing admin)")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.reason[:80]}"


class ReconciliationItem(models.Model):
    """One field where the docket disagrees with the latest office data, and what a person decided."""

    class Field(models.TextChoices):
        FILING_DATE = "filing_date", "Filing date"
        STATUS = "status", "Status"
        PUBLICATION_NUMBER = "publication_number", "Publication number"
        PUBLICATION_DATE = "publication_date", "Publication date"
        GRANT_NUMBER = "grant_number", "Grant number"
        GRANT_DATE = "grant_date", "Grant date"
        PRIORITY_CLAIMS = "priority_claims", "Priority claims"
        # An event accepted from a document that the office reports with another date (``subject`` names it).
        EVENT_DATE = "event_date", "Event date (document vs office)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Office value accepted"
        IGNORED = "ignored", "Ignored"
        RESOLVED = "resolved", "Docket and office agree again"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reconciliation_items")
    field = models.CharField(max_length=30, choices=Field.choices)
    subject = models.CharField(
        max_length=100, blank=True, default="",
        help_text="Which one, for fields a matter has several of (the event type of an event date)",
    )
    docket_value = models.JSONField(null=True, blank=True)
    office_value = models.JSONField(null=True, blank=True)
    office = models.CharField(max_length=4)
    payload = models.ForeignKey(OfficePayload, on_delete=models.PROTECT, related_name="reconciliation_items")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    history = history()

    class Meta:
        ordering = ["matter__reference", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "field", "subject"], condition=Q(status="open"),
                name="reconciliation_one_open_per_field",
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter.reference} {self.field}: docket {self.docket_value!r} vs office {self.office_value!r}"


# --- Documents on a matter -----------------------------------------------------------------------------------


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """Documents of matters ``user`` may see; a document not matched to a matter yet (it names no number
        we know, or several) only for superusers and docketing admins: nobody knows yet whose it is."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        q = Q(matter__in=Matter.objects.visible_to(user))
        if user.has_perm("patents.decide_global_mapping"):  # the docketing admin, as for quarantine items
            q |= Q(matter__isnull=True)
        else:
            # The uploader still sees an unmatched document they uploaded themselves.
            q |= Q(matter__isnull=True, uploaded_by=user)
        return self.filter(q)

    def waiting_for_review(self) -> DocumentQuerySet:
        return self.filter(status__in=Document.OPEN_STATUSES)


class Document(models.Model):
    """An office document or scan received for a matter: stored once (by SHA-256), read, proposed, reviewed.

    The bytes live in the private ``documents`` storage (``settings.STORAGES``) under ``storage_name``; no
    public URL exists for them. ``reading`` keeps the text and per-word confidence of every page; it is
    written once and left out of the history (large, and never changed after reading). ``extraction`` is the
    reader's proposal as it was made; ``corrections`` what the reviewer changed before accepting.
    """

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        OFFICE = "office", "From the office"
        EMAIL = "email", "By e-mail"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, waiting to be read"
        READING = "reading", "Being read"
        PROPOSED = "proposed", "Proposal waiting for review"
        NOTHING_RECOGNISED = "nothing_recognised", "Nothing recognised"
        REFUSED = "refused", "Refused"
        # The reading never finished (worker killed, hard time limit): found by the stuck-reading sweep.
        FAILED = "failed", "Reading failed: needs attention"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    OPEN_STATUSES = (Status.RECEIVED, Status.READING, Status.PROPOSED, Status.NOTHING_RECOGNISED, Status.REFUSED,
                     Status.FAILED)
    # What a person may send back to be read again (a proposal is decided, not re-read).
    READABLE_AGAIN = (Status.RECEIVED, Status.FAILED, Status.REFUSED, Status.NOTHING_RECOGNISED)

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    # Whose document it is for recognising the same file again: its matter's client, kept with the matter by
    # ``save``. Null while it has no matter: then it is the uploader's (or, uploaded by no one, the process's).
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The client of its matter: the same file is recognised within one client, never across clients",
    )
    sha256 = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the bytes")
    storage_name = models.CharField(max_length=200, help_text="Name in the private documents storage")
    file_name = models.CharField(max_length=255, help_text="The name it was uploaded under")
    content_type = models.CharField(max_length=50, help_text="Sniffed from the bytes, not from the name")
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_reason = models.TextField(blank=True, help_text="Why it was refused, unmatched or rejected")
    ocr_used = models.BooleanField(default=False)
    reading = models.JSONField(default=dict, blank=True, help_text="Text and per-word confidence of every page")
    extraction = models.JSONField(default=dict, blank=True, help_text="What the reader proposed, with evidence")
    corrections = models.JSONField(default=dict, blank=True, help_text="Fields the reviewer corrected")
    event = models.ForeignKey(
        OfficeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents",
        help_text="The office event recorded when the proposal was accepted",
    )
    received_at = models.DateTimeField(default=timezone.now)
    reading_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it up for reading (the stuck-reading sweep's clock)"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DocumentQuerySet.as_manager()
    history = history(excluded_fields=["reading"])

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="document_status_received")]
        # The same file is kept once per scope (the last guard behind ``receive_document``'s look-up). Never
        # across clients: a global "already received as document N" told client B about client A's document.
        constraints = [
            models.UniqueConstraint(fields=["client", "sha256"], condition=Q(client__isnull=False),
                                    name="document_once_per_client"),
            models.UniqueConstraint(fields=["uploaded_by", "sha256"],
                                    condition=Q(client__isnull=True, uploaded_by__isnull=False),
                                    name="document_once_per_uploader_without_matter"),
            models.UniqueConstraint(fields=["sha256"], condition=Q(client__isnull=True, uploaded_by__isnull=True),
                                    name="document_once_per_process_without_matter"),
        ]

    def __str__(self) -> str:
        return f"document {self.pk} ({self.file_name})"

    def save(self, *args, **kwargs) -> None:
        # The client goes with the matter, whoever sets the matter (reading, accepting, the admin).
        client_id = self.matter.client_id if self.matter_id is not None and self.matter is not None else None
        if client_id != self.client_id:
            self.client_id = client_id
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "client" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "client"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("patents:document-review", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def can_be_read_again(self) -> bool:
        return self.status in self.READABLE_AGAIN

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
