"""`manage.py check --deploy` refuses a production configuration whose SECRET_KEY is public."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from docketapp.checks import DEVELOPMENT_SECRET_KEY, ENV_EXAMPLE_SECRET_KEY, _env_example_key

STRONG_KEY = "k3Qv9-Lr2_ZpX8wTn4YhJc6FbMs1EaGu7DiOoRlKe5NqWxVy0tUg"


def deploy_check(**options) -> str:
    out = StringIO()
    call_command("check", deploy=True, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_env_example_placeholder_is_the_one_the_check_knows():
    assert _env_example_key() == ENV_EXAMPLE_SECRET_KEY


@pytest.mark.parametrize("key", [DEVELOPMENT_SECRET_KEY, ENV_EXAMPLE_SECRET_KEY], ids=["development", "env-example"])
def test_check_deploy_fails_with_a_public_secret_key_when_debug_is_off(settings, key):
    settings.DEBUG = False
    settings.SECRET_KEY = key
    with pytest.raises(SystemCheckError, match="docketapp.E001"):
        deploy_check()


def test_check_deploy_passes_the_secret_key_check_with_a_real_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    assert "docketapp.E001" not in deploy_check()


def test_a_development_machine_with_debug_on_is_not_blocked(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = DEVELOPMENT_SECRET_KEY
    assert "docketapp.E001" not in deploy_check()


def _checked() -> str:
    out = StringIO()
    call_command("check", stdout=out, stderr=out)
    return out.getvalue()


def test_the_document_reading_limits_nest_by_default():
    assert "docketapp.W001" not in _checked()


@pytest.mark.parametrize(
    ("reader", "soft", "hard", "celery_soft"),
    [(240, 300, 300, 300), (240, 0, 300, 300), (400, 270, 300, 300)],
    ids=["soft-equals-hard", "soft-off-falls-back-to-the-worker-s", "reader-outlasts-celery"],
)
def test_document_reading_limits_out_of_order_are_reported(settings, reader, soft, hard, celery_soft):
    settings.DOCUMENT_OCR_TIME_LIMIT, settings.DOCUMENT_OCR_SOFT_TIME_LIMIT = reader, soft
    settings.DOCUMENT_OCR_HARD_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT = hard, celery_soft
    out = _checked()
    assert "docketapp.W001" in out and f"DOCUMENT_OCR_TIME_LIMIT = {reader} s" in out
