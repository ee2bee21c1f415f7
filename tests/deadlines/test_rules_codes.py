"""Every event code a rule names is a seeded canonical event type, and the new office codes map to it."""

import pytest

from deadlines.rules.registry import event_codes
from patents.code_seed import EVENT_TYPES, MAPPINGS


def test_every_code_a_rule_names_is_a_seeded_event_type():
    seeded = {code for code, *_ in EVENT_TYPES}
    assert sorted(event_codes() - seeded) == []


def test_codes_rules_react_to_are_not_internal():
    internal = {code for code, _label, _office, is_internal in EVENT_TYPES if is_internal}
    # Internal events never reach the engine (deadlines.services loads non-internal events only), so a rule
    # triggered by one would never fire.
    from deadlines.rules.registry import trigger_codes

    assert sorted(trigger_codes() & internal) == []


@pytest.mark.parametrize(
    ("office", "code", "canonical"),
    [
        pytest.param("US", "N/AP", "US.NOTICE_OF_APPEAL_FILED", id="37CFR41.37-notice-of-appeal"),
        pytest.param("US", "MCTEQ", "US.EX_PARTE_QUAYLE", id="MPEP714.14-Quayle-mailing"),
        pytest.param("US", "MCTAV", "US.ADVISORY_ACTION", id="MPEP706.07(f)-advisory-mailing"),
    ],
)
def test_office_codes_map_to_the_rule_triggers(office, code, canonical):
    assert [m[3] for m in MAPPINGS if m[0] == office and m[2] == code] == [canonical]


@pytest.mark.django_db
def test_migration_0010_seeds_idempotently():
    from importlib import import_module

    from django.apps import apps

    from docketapp.audit import attributed
    from patents.models import EventType, OfficeCodeMapping

    before = (EventType.objects.count(), OfficeCodeMapping.objects.count())
    import_module("patents.migrations.0009_rule_mappings").forwards(apps, None)
    assert (EventType.objects.count(), OfficeCodeMapping.objects.count()) == before  # already there: nothing added
    assert EventType.objects.filter(code="EP.APPEALABLE_DECISION", internal=False).exists()
    with attributed(reason="test: an admin removed the type", process="tests"):
        OfficeCodeMapping.objects.filter(event_type__code="US.EX_PARTE_QUAYLE").delete()
        EventType.objects.filter(code="US.EX_PARTE_QUAYLE").delete()
        import_module("patents.migrations.0009_rule_mappings").forwards(apps, None)
    quayle = EventType.objects.get(code="US.EX_PARTE_QUAYLE")
    assert quayle.history.first().history_change_reason.startswith("seeded by migration patents.0009")
    assert OfficeCodeMapping.objects.get(office="US", code="MCTEQ").event_type == quayle
