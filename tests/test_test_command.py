"""`manage.py test`: the whole suite on every core in two passes, and the caller's own choice kept."""

from __future__ import annotations

import pytest

from patents.management.commands import test as command


def test_the_suite_runs_in_two_parallel_passes_the_committing_tests_last_grouped(monkeypatch):
    monkeypatch.setattr(command.os, "cpu_count", lambda: 2)
    first, second = command.passes(["tests/renewals"])
    assert first == ["-n", "2", "--dist", "loadfile", "tests/renewals", "-m", "not transactional"]
    assert second == ["-n", "2", "--dist", "loadgroup", "tests/renewals", "-m", "transactional"]


@pytest.mark.parametrize("args", [["-x"], ["-n", "0"], ["-p", "no:xdist"], ["-m", "postgres"], ["--pdb"]])
def test_debugging_or_an_explicit_choice_runs_one_pass_as_given(args, monkeypatch):
    monkeypatch.setattr(command.os, "cpu_count", lambda: 2)
    assert command.passes(args) == [args]


def test_one_core_runs_one_pass_in_one_process(monkeypatch):
    monkeypatch.setattr(command.os, "cpu_count", lambda: 1)
    assert command.passes([]) == [[]]


@pytest.mark.django_db
def test_an_ordinary_database_test_stays_in_the_first_pass(request):
    assert request.node.get_closest_marker("transactional") is None


@pytest.mark.django_db(transaction=True)
def test_transaction_true_is_marked_transactional_and_grouped_by_module(request):
    assert request.node.get_closest_marker("transactional") is not None
    if request.config.pluginmanager.hasplugin("xdist"):
        group = request.node.get_closest_marker("xdist_group")
        assert group is not None and group.args == ("tests/test_test_command.py",)
