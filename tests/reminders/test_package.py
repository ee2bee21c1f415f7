"""The reminders package keeps the names its callers and the admin's recovery advice rely on."""

from __future__ import annotations


def test_the_admins_recovery_command_finds_the_replanning_service():
    # The policy admin tells staff to run `from deadlines.reminders import *; sync_reminders_for_open_deadlines()`
    # when the broker is down.
    namespace: dict = {}
    exec("from deadlines.reminders import *", namespace)  # noqa: S102 - the admin's own advice, verbatim
    assert callable(namespace["sync_reminders_for_open_deadlines"])
    assert callable(namespace["send_due_reminders"])


def test_every_exported_name_exists():
    import deadlines.reminders as reminders

    missing = [name for name in reminders.__all__ if not hasattr(reminders, name)]
    assert missing == []
