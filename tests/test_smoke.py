import pytest

from tests.factories import MatterFactory


@pytest.mark.django_db
def test_matter_factory_creates_attributed_history():
    matter = MatterFactory()
    record = matter.history.get()
    assert record.history_actor == "process:tests"
    assert record.history_change_reason == "test fixture"
