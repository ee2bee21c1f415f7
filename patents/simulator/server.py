"""The HTTP server: one ThreadingHTTPServer speaking OPS, ODP, JPO and Lens on distinct path prefixes.

Control endpoints (not part of any office's API, for tests and benchmarks):

- ``GET /_sim/stats``: counters of requests, statuses, injected faults and rejections per office.
- ``POST /_sim/reset``: clear counters, rate windows, quotas and per-path fault sequence numbers.
- ``POST /_sim/advance``: JSON ``{"count": 5}`` or ``{"indexes": [3, 17]}``: the offices take their next
  step today on those matters (a new Art. 94(3) communication, a final rejection, …), so a demo or test
  can show a sync picking up new office actions.
- ``POST /_sim/config``: JSON ``{"faults": 0.2, "fault_mix": {"slow": 1}, "ops_system_state": "busy",
  "limits": "retrieval=10"}`` changes the running server.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from patents.simulator import jpo, lens, odp, ops
from patents.simulator.config import Faults, Limits, SimulatorConfig
from patents.simulator.faults import FaultPlan
from patents.simulator.http import Request, Response, json_response
from patents.simulator.portfolio import SyntheticPortfolio

log = logging.getLogger(__name__)

# Faults the server applies itself to a successful answer, whatever the office.
GENERIC_FAULTS = ("slow", "truncated", "malformed")


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters: Counter[str] = Counter()

    def incr(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counters[key] += n

    def snapshot(self) -> dict:
        with self._lock:
            flat = dict(self.counters)
        nested: dict = {"counters": flat, "faults": {}, "requests": {}, "status": {}}
        for key, value in flat.items():
            parts = key.split(".")
            if parts[0] == "faults" and len(parts) == 3:
                nested["faults"].setdefault(parts[1], {})[parts[2]] = value
            elif parts[0] == "requests" and len(parts) == 2:
                nested["requests"][parts[1]] = value
            elif parts[0] == "status" and len(parts) == 3:
                nested["status"].setdefault(parts[1], {})[parts[2]] = value
        nested["faults_total"] = sum(v for k, v in flat.items() if k.startswith("faults."))
        return nested

    def reset(self) -> None:
        with self._lock:
            self.counters.clear()


class Simulator:
    """All state behind one server: portfolio, per-office state, fault plan, stats."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.portfolio = SyntheticPortfolio(config.seed, config.matters, config.today)
        self.stats = Stats()
        self.faults = FaultPlan(config.seed, config.faults)
        self.ops = ops.OpsState(config, self.portfolio, self.stats)
        self.odp = odp.OdpState(config, self.portfolio, self.stats)
        self.jpo = jpo.JpoState(config, self.portfolio, self.stats)
        self.lens = lens.LensState(config, self.portfolio, self.stats)

    def office_of(self, path: str) -> str | None:
        if path.startswith(ops.PREFIX):
            return "ops"
        if path.startswith(odp.PREFIX):
            return "odp"
        if path.startswith(jpo.PREFIXES):
            return "jpo"
        if path.startswith(lens.PREFIXES):
            return "lens"
        return None

    def handle(self, req: Request) -> Response:
        if req.path.startswith("/_sim/"):
            return self._control(req)
        office = self.office_of(req.path)
        if office is None:
            return json_response(404, {"error": "not found", "path": req.path})
        self.stats.incr(f"requests.{office}")
        # Token endpoints never fail on purpose: fault injection targets the data calls.
        is_auth = req.path.rstrip("/") in ("/3.2/auth/accesstoken", "/auth/token")
        fault = None if is_auth else self.faults.decide(office, req.raw_path)
        if fault:
            self.stats.incr(f"faults.{office}.{fault}")
        office_fault = fault if fault not in GENERIC_FAULTS else None
        handlers: dict[str, Callable[..., Response]] = {
            "ops": ops.handle, "odp": odp.handle, "jpo": jpo.handle, "lens": lens.handle,
        }
        handler = handlers[office]
        state = getattr(self, office)
        try:
            resp = handler(state, req, office_fault)
        except Exception:  # a simulator bug must show up as a 500, not a dropped connection
            log.exception("simulator handler failed for %s", req.raw_path)
            resp = json_response(500, {"error": "simulator bug", "path": req.raw_path})
        if fault in GENERIC_FAULTS and resp.status == 200:
            resp = _apply_generic_fault(fault, resp, self.config.faults.slow_seconds)
        self.stats.incr(f"status.{office}.{resp.status}")
        return resp

    def _control(self, req: Request) -> Response:
        if req.path == "/_sim/stats":
            return json_response(200, self.stats.snapshot())
        if req.path == "/_sim/reset" and req.method == "POST":
            self.reset()
            return json_response(200, {"reset": True})
        if req.path == "/_sim/advance" and req.method == "POST":
            try:
                body = req.json() or {}
                indexes = body.get("indexes")
                changed = self.portfolio.advance(
                    count=int(body.get("count", 0)), indexes=None if indexes is None else [int(i) for i in indexes]
                )
            except (AttributeError, IndexError, TypeError, ValueError) as exc:
                return json_response(400, {"error": f"bad advance request: {exc}"})
            self.stats.incr("portfolio.advanced", len(changed))
            return json_response(
                200,
                {
                    "advanced": [
                        {
                            "index": m.index,
                            "office": m.office,
                            "application_number": m.application_number,
                            "stage": m.stage,
                            "new_events": [e.kind for e in m.events if e.date == self.portfolio.today],
                        }
                        for m in changed
                    ]
                },
            )
        if req.path == "/_sim/config" and req.method == "POST":
            try:
                self.reconfigure(**(req.json() or {}))
            except (TypeError, ValueError) as exc:
                return json_response(400, {"error": str(exc)})
            return json_response(200, {"ok": True})
        return json_response(404, {"error": "unknown control endpoint"})

    def reset(self) -> None:
        self.stats.reset()
        self.faults.reset()
        for state in (self.ops, self.odp, self.jpo, self.lens):
            state.reset()

    def reconfigure(
        self,
        faults: float | None = None,
        fault_mix: dict | str | None = None,
        ops_system_state: str | None = None,
        limits: str | None = None,
        slow_seconds: float | None = None,
        odp_processing_seconds: float | None = None,
        jpo_processing_seconds: float | None = None,
    ) -> None:
        if faults is not None:
            self.config.faults.rate = float(faults)
        if fault_mix is not None:
            self.config.faults.mix = Faults.coerce_mix(fault_mix)
        if slow_seconds is not None:
            self.config.faults.slow_seconds = float(slow_seconds)
        if ops_system_state is not None:
            if ops_system_state not in ("idle", "busy", "overloaded", "auto"):
                raise ValueError("ops_system_state must be idle, busy, overloaded or auto")
            self.config.ops_system_state = ops_system_state
        if limits:
            Limits.parse(limits, self.config.limits)
        if odp_processing_seconds is not None:
            self.config.odp_processing_seconds = float(odp_processing_seconds)
        if jpo_processing_seconds is not None:
            self.config.jpo_processing_seconds = float(jpo_processing_seconds)


def _apply_generic_fault(kind: str, resp: Response, slow_seconds: float) -> Response:
    if kind == "slow":
        resp.delay = slow_seconds
    elif kind == "truncated":
        resp.truncate_at = max(1, len(resp.body) // 2)
    elif kind == "malformed":
        body = resp.body
        cut = body[: max(1, len(body) // 3)]
        # Looks like the office's format at first glance, but does not parse.
        resp.body = cut + (b"<<\x00" if body.lstrip().startswith(b"<") else b'{"\x00')
    return resp


class _Handler(BaseHTTPRequestHandler):
    server_version = "Apache"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    simulator: Simulator  # set on the subclass per server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - " + format, self.address_string(), *args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=unquote(split.path),
            raw_path=self.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        resp = self.simulator.handle(req)
        if resp.delay:
            time.sleep(resp.delay)
        self.send_response_only(resp.status)
        names = {k.lower() for k, _ in resp.headers}
        for k, v in resp.headers:
            self.send_header(k, v)
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        if resp.status != 204 and resp.status != 304:
            self.send_header("Content-Length", str(len(resp.body)))
        if resp.truncate_at is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Connection", "keep-alive")
        self.end_headers()
        if self.command == "HEAD" or resp.status in (204, 304):
            return
        payload = resp.body if resp.truncate_at is None else resp.body[: resp.truncate_at]
        try:
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout)
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0) -> tuple[_Server, Simulator]:
    sim = Simulator(config)
    handler = type("SimulatorHandler", (_Handler,), {"simulator": sim})
    return _Server((host, port), handler), sim


@dataclass
class RunningSimulator:
    """A simulator running in a background thread. ``base_url`` has no trailing slash."""

    server: _Server
    simulator: Simulator
    thread: threading.Thread

    @property
    def host(self) -> str:
        host = self.server.server_address[0]
        return host if isinstance(host, str) else bytes(host).decode()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # Per-office base URLs, in the form each office's documentation gives them
    @property
    def ops_auth_url(self) -> str:
        return f"{self.base_url}/3.2/auth/accesstoken"

    @property
    def ops_url(self) -> str:
        return f"{self.base_url}/3.2/rest-services"

    @property
    def odp_url(self) -> str:
        return f"{self.base_url}/api/v1/patent"

    @property
    def jpo_url(self) -> str:
        return self.base_url

    @property
    def lens_url(self) -> str:
        return self.base_url

    @property
    def portfolio(self) -> SyntheticPortfolio:
        return self.simulator.portfolio

    @property
    def config(self) -> SimulatorConfig:
        return self.simulator.config

    def stats(self) -> dict:
        return self.simulator.stats.snapshot()

    def reset(self) -> None:
        self.simulator.reset()

    def reconfigure(self, **kwargs) -> None:
        self.simulator.reconfigure(**kwargs)

    def advance(self, *, count: int = 0, indexes: list[int] | None = None):
        """The offices take their next step today on ``count`` matters (or the given ``indexes``)."""
        return self.simulator.portfolio.advance(count=count, indexes=indexes)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def build_config(
    *,
    seed: int = 1,
    matters: int = 200,
    faults: float = 0.0,
    fault_mix: dict[str, float] | str | None = None,
    slow_seconds: float = 3.0,
    limits: Limits | str | None = None,
    token_lifetime: int | None = None,
    today: date | None = None,
    ops_system_state: str = "idle",
    odp_processing_seconds: float = 0.0,
    jpo_processing_seconds: float = 0.0,
) -> SimulatorConfig:
    """The configuration from plain options (as the command line and tests give them); ValueError if invalid."""
    lim = limits if isinstance(limits, Limits) else Limits.parse(limits)
    if token_lifetime is not None:
        lim.ops_token_lifetime = token_lifetime
    return SimulatorConfig(
        seed=seed,
        matters=matters,
        today=today,
        limits=lim,
        faults=Faults(rate=faults, mix=Faults.coerce_mix(fault_mix), slow_seconds=slow_seconds),
        ops_system_state=ops_system_state,
        odp_processing_seconds=odp_processing_seconds,
        jpo_processing_seconds=jpo_processing_seconds,
    )


def start_simulator(*, host: str = "127.0.0.1", port: int = 0, **options) -> RunningSimulator:
    """Start a simulator in a daemon thread and return it; call ``.stop()`` when done.

    ``options`` are those of ``build_config``.
    """
    server, sim = make_server(build_config(**options), host, port)
    # a short poll interval keeps stop() (and so every test teardown) fast
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="office-simulator", daemon=True
    )
    thread.start()
    return RunningSimulator(server, sim, thread)


@contextlib.contextmanager
def run_simulator(**kwargs) -> Iterator[RunningSimulator]:
    """``with run_simulator(seed=1, matters=200, faults=0.0, limits="retrieval=60") as sim: sim.base_url``"""
    running = start_simulator(**kwargs)
    try:
        yield running
    finally:
        running.stop()


def serve_forever(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8765, stdout=None) -> None:
    server, sim = make_server(config, host, port)
    if stdout is not None:
        h, p = server.server_address[:2]
        h = h if isinstance(h, str) else bytes(h).decode()
        stdout.write(
            f"Office simulator on http://{h}:{p} (seed {config.seed}, {config.matters} matters, "
            f"faults {config.faults.rate:g}, today {sim.portfolio.today})\n"
        )
        stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
