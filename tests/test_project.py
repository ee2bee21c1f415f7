"""Project-level guarantees: migrations match the models, deploy checks pass, every admin page renders."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import ROOT
from tests.factories import DeadlineFactory, MatterFactory, OfficeEventFactory, UserFactory


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3", "DOCKETAPP_NO_BOOTSTRAP": "1",
                "DOCKETAPP_VAR_DIR": str(tmp_path / "var"),
                # The .env.example key is a placeholder every deployment replaces (docketapp.E001 otherwise).
                "SECRET_KEY": secrets.token_urlsafe(50)})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "DOCKETAPP_REQUIRE_SECRET_KEY": "true", "SECRET_KEY": "",
           "DOCKETAPP_NO_BOOTSTRAP": "1"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_every_admin_changelist_and_add_page_renders_for_a_superuser(client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    DeadlineFactory(matter=OfficeEventFactory().matter)
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert listing.status_code == 200, f"{info}: {listing.status_code}"
        if model_admin.has_add_permission(listing.wsgi_request):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info


@pytest.mark.django_db
def test_admin_list_never_counts_the_whole_table(client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    MatterFactory.create_batch(3)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:patents_matter_changelist"), {"office": "EP"}).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # Only bounded counts: every COUNT runs over a LIMITed subquery.
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
