"""``Server-Timing: app;dur=<ms>``: how long the application took to answer a request.

The first middleware in settings.MIDDLEWARE, so the figure covers every other middleware, the view and the
template rendering: everything the server spends on a request except the WSGI server's own accept/parse/write.
Browsers show it in their developer tools (Network → Timing) and `python3 manage.py bench load` reads it to
tell server time from queueing and network time. Cost: two clock reads and one header.

For a streamed response (the CSV exports) the body is produced after this header has been sent, so the figure
covers only the work before the first byte; the header says so with ``desc="before streaming"``.

``SERVER_TIMING=false`` turns it off (docs/configuration.md): the figure tells an outsider how long a request
took on the server, which a careful operator may prefer not to publish on a public site.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

HEADER = "Server-Timing"


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        ms = (time.perf_counter() - started) * 1000
        entry = f"app;dur={ms:.1f}"
        if getattr(response, "streaming", False):
            entry += ';desc="before streaming"'
        existing = response.get(HEADER)
        response[HEADER] = f"{existing}, {entry}" if existing else entry
        return response
