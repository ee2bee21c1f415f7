"""`bench load` end to end at a small size, so the load test cannot rot: it starts a real gunicorn on the test
database, logs three users in through the login form and has them request every page kind of the mix. The
figures themselves are not asserted (docs/benchmarks.md has them); that every page answered, and was timed by
the client and by the server (Server-Timing), is.

Takes a few seconds (gunicorn start-up, collectstatic, three logins at production password strength, two seconds
of load): the one test that proves the pages work behind the production server with DEBUG off.
"""

import io
import json

import pytest
from django.core.management import call_command

from deadlines.benchmarks.load import MIX

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_bench_load_logs_users_in_and_every_page_kind_answers_under_a_started_gunicorn(settings):
    # The server process checks passwords with the production hasher; the users' hash must be one it knows.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    out = io.StringIO()
    call_command(
        "bench", "load", "--users", "3", "--seconds", "2", "--min-rounds", "1", "--deadlines", "200",
        "--clients", "3", "--workers", "2", "--allow-any-database", "--json", stdout=out,
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])

    assert result["errors"] == 0, result["errors_by_page"]
    assert result["users"] == 3 and result["login_p50_ms"] > 0
    assert result["url"].startswith("http://127.0.0.1:") and result["server"].startswith("gunicorn")
    assert result["deadlines_visible"] >= 200
    # At least one whole round each: every kind requested by every user, every answer a 200.
    assert result["requests"] >= 3 * sum(MIX.values())
    assert set(result["pages"]) == set(MIX)
    for kind, page in result["pages"].items():
        assert page["requests"] >= 3 * MIX[kind], kind
        assert page["statuses"] == {"200": page["requests"]}, kind
        for p in (50, 95, 99):
            assert page[f"client_p{p}_ms"] > 0, kind
            assert page[f"server_p{p}_ms"] > 0, kind  # the Server-Timing header reached the client
        if kind != "csv_export":  # streamed: its server figure stops before the body
            assert page["client_p50_ms"] >= page["server_p50_ms"], kind  # the client's time includes the server's
    assert result["throughput_rps"] > 0
    assert all(result["overall"][f"{side}_p{p}_ms"] > 0 for side in ("client", "server") for p in (50, 95, 99))
