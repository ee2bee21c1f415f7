"""Placeholder; filled in below."""

from patents.simulator.http import json_response

PREFIX = "/api/v1/patent/"
PREFIXES = ("/__none_lens",)


class LensState:
    def __init__(self, config, portfolio, stats):
        pass

    def reset(self):
        pass


def handle(state, req, fault):
    return json_response(404, {})
