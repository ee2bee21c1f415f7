from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _setting_in_fresh_process(name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_")}
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "docketapp.settings", **env},
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def test_audit_strict_is_on_unless_the_environment_turns_it_off():
    assert _setting_in_fresh_process("AUDIT_STRICT") == "True"
    assert _setting_in_fresh_process("AUDIT_STRICT", AUDIT_STRICT="false") == "False"


def test_beat_runs_the_nightly_verify_and_the_checkpoints_with_expiry():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["auditlog.verify"]["task"] == "auditlog.verify"
    assert schedule["auditlog.take_checkpoints"]["task"] == "auditlog.take_checkpoints"
    assert all(schedule[k]["options"]["expires"] for k in ("auditlog.verify", "auditlog.take_checkpoints"))
