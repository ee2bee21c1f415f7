"""Login throttling (django-axes, configured in settings) and the Content-Security-Policy header."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come from a web request (the login page, the admin's login).

    Django calls ``authenticate()`` without a request from the shell, management commands and the test
    client's ``login()``; axes refuses those outright (it cannot tell an IP address), which would break
    them for nothing: there is no browser on the other side to throttle. Every web login path (LoginView,
    the admin's login) passes its request and so is throttled.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ProfileModelBackend(ModelBackend):
    """Django's ModelBackend, with the signed-in person's profile (time zone, date format) read in the query
    that reads the person on every request, instead of in a second query the first date shown asks for.
    Sessions record the backend that signed them in, so sessions of ``ModelBackend`` end when this replaces
    it in AUTHENTICATION_BACKENDS: everyone signs in once more."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def client_ip(request) -> str | None:
    """The browser's address, as the lock-out counts it.

    Behind our own reverse proxies REMOTE_ADDR is the proxy, so every user would share one counter; the
    proxies append the address they saw to X-Forwarded-For, so with N trusted proxies the N-th entry from
    the right is the one no client can forge (entries further left are whatever the client sent).
    """
    hops = settings.LOGIN_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429): what happened, how long to wait, what to do.

    It never says whether the user name exists: axes counts failures for any name typed, and this page
    is the same for all of them.
    """
    from django.shortcuts import render

    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


# --- Content-Security-Policy ----------------------------------------------------------------------------------


def build_policy(directives: dict[str, list[str]], nonce: str) -> str:
    parts = []
    for name, sources in directives.items():
        sources = list(sources)
        if name in ("script-src", "style-src") and nonce:
            sources.append(f"'nonce-{nonce}'")
        parts.append(" ".join([name, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response, with a fresh nonce per request.

    The pages load their scripts and styles from our own static files only (htmx is served by django-htmx
    through whitenoise), so the policy allows no inline script, style element or style attribute: injected
    markup cannot run or restyle anything. A template that really needs an inline <script>/<style> gives it
    ``nonce="{{ csp_nonce }}"`` (docketapp.security.csp_context). django-htmx adds the nonce to its tags.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import secrets

        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        if header not in response:
            response[header] = build_policy(settings.CONTENT_SECURITY_POLICY, request.csp_nonce)
        return response


def csp_context(request) -> dict[str, str]:
    """``csp_nonce`` for templates (the name django-htmx's script tags read)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
