"""System checks for a production deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# The key settings.py falls back to when SECRET_KEY is unset, and the placeholder shipped in .env.example.
# Both are public (they are in the repository), and both pass Django's own length/entropy warning (W009),
# so nothing else would stop a deployment that forgot to set its own key.
DEVELOPMENT_SECRET_KEY = "dev-insecure-" + "x" * 50
ENV_EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string-of-at-least-fifty-characters-xxxxxxxx"
PUBLIC_KEY_PREFIXES = ("dev-insecure-", "django-insecure-", "change-me")


def _env_example_key() -> str:
    """SECRET_KEY as written in the .env.example beside the code (if a deployment still has one)."""
    path = Path(settings.BASE_DIR) / ".env.example"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        name, _, value = line.partition("=")
        if name.strip() == "SECRET_KEY":
            return value.strip().strip("'\"")
    return ""


@register(Tags.security, deploy=True)
def check_secret_key_is_not_public(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    known = {DEVELOPMENT_SECRET_KEY, ENV_EXAMPLE_SECRET_KEY, _env_example_key()} - {""}
    if key in known or key.startswith(PUBLIC_KEY_PREFIXES):
        return [
            Error(
                "SECRET_KEY is the development default or the .env.example placeholder, which anyone can "
                "read in the repository: sessions, password-reset links and feed tokens could be forged.",
                hint='Set SECRET_KEY in the environment to a new random value: python -c "import secrets; '
                'print(secrets.token_urlsafe(50))"',
                id="docketapp.E001",
            )
        ]
    return []


@register()
def check_document_reading_limits_in_order(app_configs=None, **kwargs) -> list[Warning]:
    """The three limits of a document reading must nest, innermost first (patents/documents/tasks.py): the
    reader's own (DOCUMENT_OCR_TIME_LIMIT) < Celery's soft limit < its hard limit. Celery arms a task's hard
    limit only once the soft one has fired, and a soft limit of 0 means the worker's CELERY_TASK_SOFT_TIME_LIMIT:
    out of order, the hard limit comes late, and the stuck-reading sweep (timed from the hard limit) may mark a
    reading failed that a worker is still doing."""
    reader = settings.DOCUMENT_OCR_TIME_LIMIT
    soft = settings.DOCUMENT_OCR_SOFT_TIME_LIMIT or getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    hard = settings.DOCUMENT_OCR_HARD_TIME_LIMIT or getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    limits = [("DOCUMENT_OCR_TIME_LIMIT", reader), ("the soft limit", soft), ("the hard limit", hard)]
    given = [(name, value) for name, value in limits if value]
    if all(a[1] < b[1] for a, b in zip(given, given[1:], strict=False)):
        return []
    return [
        Warning(
            f"document reading limits out of order: DOCUMENT_OCR_TIME_LIMIT = {reader} s, soft = {soft} s "
            f"(DOCUMENT_OCR_SOFT_TIME_LIMIT, else CELERY_TASK_SOFT_TIME_LIMIT), hard = {hard} s "
            "(DOCUMENT_OCR_HARD_TIME_LIMIT, else CELERY_TASK_TIME_LIMIT). Celery kills a reading at its hard limit "
            "only after the soft one, and the stuck-reading sweep counts from the hard one.",
            hint="Set DOCUMENT_OCR_TIME_LIMIT < DOCUMENT_OCR_SOFT_TIME_LIMIT < DOCUMENT_OCR_HARD_TIME_LIMIT "
            "(defaults 240, 270, 300).",
            id="docketapp.W001",
        )
    ]
