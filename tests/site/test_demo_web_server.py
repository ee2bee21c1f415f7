"""The demo's web server runs as production does: DEBUG off, so a user who mistypes an address sees
docketapp's own "Page not found" page (never Django's debug page listing the URL patterns and settings),
while the stylesheet, script and favicon still load (collected, served by WhiteNoise).

This starts the real web server process the way `manage.py demo` starts it (patents.management.commands.demo.
web_server) and talks to it over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local test server)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def demo_web(tmp_path, settings, monkeypatch):
    from patents.management.commands.demo import web_server

    monkeypatch.delenv("DEBUG", raising=False)
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    port = _free_port()
    argv, extra = web_server("127.0.0.1", port)
    env = {**os.environ, "DOCKETAPP_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", **extra}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(base + "/accounts/login/")
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stdout.read().decode()) from None
                time.sleep(0.25)
        yield base, extra
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_demo_shows_the_friendly_404_page_with_its_styles_not_the_debug_page(demo_web):
    base, _extra = demo_web
    status, html = _get(base + "/no-such-page/")
    assert status == 404
    assert "Page not found" in html and 'id="error-page"' in html
    assert "URLconf" not in html and "DEBUG = True" not in html
    assets = re.findall(r'(?:href|src)="(/static/docketapp/[^"]+)"', html)
    assert {a.split("/")[-1].split(".")[0] for a in assets} >= {"favicon", "docket", "site"}
    for asset in assets:
        assert _get(base + asset)[0] == 200, asset
