"""The management command refuses bad options with a message instead of starting a wrong server."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    "option", [{"limits": "retrieval=lots"}, {"limits": "nonsense=1"}, {"fault_mix": "gremlins=1"}]
)
def test_bad_options_are_refused(option):
    with pytest.raises(CommandError):
        call_command("office_simulator", port=0, **option)
