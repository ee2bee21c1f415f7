"""The descriptor every office package fills in: what is specific to one office, in one frozen value.

Pure Python (no Django): the parsers' packages load this module, and parsers must run without Django.
Callables import their office's client lazily, so reading the registry never opens a connection or pulls
in ``requests``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from patents.parsers.types import Document

# (client_or_None_from_settings, simulator_url, **client kwargs) → client, or None without credentials
ClientFactory = Callable[..., Any]
# (kind, body) → documents in the one shape ingestion applies
Parse = Callable[[str, bytes], list[Document]]
# (client, numbers) → one office response; bulk offices get the whole batch, the others one number
Fetch = Callable[[Any, list[str]], Any]
# (compacted value, raw as written) → normalized application number, or raise InvalidNumber
NumberRule = Callable[[str, str], str]
# (lease seconds, settings or None) → {(service, bucket): patents.clients.throttle.Limit}
ThrottleLimits = Callable[[float, Any], Mapping[tuple[str, str], Any]]
# (office, source, code, canonical event type, note)
Mapping_ = tuple[str, str, str, str, str]
# (canonical code, label, office, internal)
EventTypeSeed = tuple[str, str, str, bool]


@dataclass(frozen=True)
class FollowUp:
    """A second request the sync makes for some matters of a batch, after the office's main fetch: facts
    the main answer does not carry (INPADOC legal events of a PCT application, JPO registration data of a
    registered right, the EP family's INPADOC events). ``number`` says which matters need it (None: not this
    matter, e.g. not registered). ``setting`` names a boolean setting that must be on for it (a request per
    matter against a small allowance is opt-in); empty: always asked."""

    kind: str  # the payload kind its answers are stored and parsed as
    fetch: Fetch  # (client, [number]) → one office response for that one matter
    number: Callable[[Any], str | None]
    why: str = ""  # for people: what it brings (docs/offices.md, the sync log)
    setting: str = ""

    def enabled(self, settings: Any) -> bool:
        return not self.setting or bool(getattr(settings, self.setting, False))


@dataclass(frozen=True)
class Office:
    """One office as the docket talks to it. ``code`` is the WIPO ST.3 code stored on ``Matter.office``."""

    code: str
    name: str
    # The service answering for this office: client cache, throttle buckets and error messages use it.
    # Offices answered by one service share it (EP and WO both come from EPO OPS: "epo").
    service: str
    aliases: tuple[str, ...] = ()  # other names accepted where people type an office (get_client)
    make_client: ClientFactory | None = None
    credential_settings: tuple[str, ...] = ()  # the settings the real office needs (all of them)
    # Sync: offices with a ``fetch`` get a beat entry and a sync_office run.
    fetch: Fetch | None = None
    bulk: bool = False  # one request per batch (True) or one request per matter
    batch_size: int = 1  # matters per sync task by default (OFFICE_SYNC_BATCH_<code> overrides)
    freshness_hours: float = 24.0  # sync a matter again after this long (OFFICE_SYNC_FRESHNESS_HOURS_<code>)
    sync_kind: str = ""  # the payload kind a sync request stores
    sync_number: Callable[[Any], str | None] | None = None  # which number of a matter the office is asked by
    # Further requests per matter after the main fetch (one request per matter that needs it).
    follow_ups: tuple[FollowUp, ...] = ()
    # Payloads: the kinds this office's answers are stored as, and ingest_file's --kind names for them.
    payload_kinds: frozenset[str] = frozenset()
    file_kinds: Mapping[str, str] = field(default_factory=dict)
    parse: Parse | None = None
    # Docket data
    normalize_number: NumberRule | None = None
    # Numbers in other offices' answers (OPS family members): the docdb application number when the
    # office's own rule cannot read it (US ``201815919370`` = 15/919,370), and a publication/grant number in
    # one comparable form whichever way it is written (docdb ``US2021210819`` = ``US 2021/0210819 A1``).
    # None: the number as written (docdb application) / without separators and kind code (publication).
    docdb_application: Callable[[str], str | None] | None = None
    publication_key: Callable[[str], str] | None = None
    # Matters created from this office's data (discovery, an unknown number in an answer): their kind
    # (a Matter.Kind value) and, when the biblio's application number is not the one to docket, the rule.
    matter_kind: str = "patent"
    new_matter_number: Callable[[Any], str] | None = None
    # Matter rules (Matter.clean): the matter kinds only this office files, each with the message shown when
    # a matter at another office has it; and, when set, the message refusing a matter here of any other kind
    # (WO files PCT international applications and nothing else).
    exclusive_kinds: Mapping[str, str] = field(default_factory=dict)
    other_kinds_refused: str = ""
    # The answer's parent links that set the matter's parent: office relation code (as in
    # ContinuityLink.relation_code) → Matter.Relation value. EP Register divisions, USPTO continuity.
    parent_relations: Mapping[str, str] = field(default_factory=dict)
    status_map: Mapping[str, str] = field(default_factory=dict)  # office status code → Matter.Status value
    mappings: tuple[Mapping_, ...] = ()  # the code-mapping seed (office codes → canonical event types)
    event_types: tuple[EventTypeSeed, ...] = ()  # canonical event types this office's mappings introduce
    # Deadline-rule triggers of this office that no mapping above produces: a person records them on the
    # matter (a priority filing at another office, a provisional, …). Every other trigger must be mapped
    # (tests/conformance/test_office_registry_conformance.py); add a mapping and the code leaves this list.
    hand_entered: frozenset[str] = frozenset()
    throttle_limits: ThrottleLimits | None = None
    # Demo and benchmarks: given a simulator matter, the extra MatterData fields of a docket matter for
    # it ({} for none), or None when the simulated office has nothing to show for it yet.
    simulated_matter: Callable[[Any], dict[str, Any] | None] | None = None
    # Benchmarks: the simulator's answer body to this office's sync request for one simulator matter
    # (matter, portfolio) → bytes, or None when the office would have nothing.
    simulated_answer: Callable[[Any, Any], bytes | None] | None = None

    @property
    def synced(self) -> bool:
        return self.fetch is not None

    @property
    def credentials(self) -> str:
        """The credential settings as the "no credentials" error names them ("OPS_KEY and OPS_SECRET")."""
        return " and ".join(self.credential_settings)

    def configured(self, settings: Any) -> bool:
        """Credentials for the real office are set (else the simulator stands in, when there is one)."""
        return all(getattr(settings, name, "") for name in self.credential_settings)
