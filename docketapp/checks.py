"""System checks for a production deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

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
