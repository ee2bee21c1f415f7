"""`python manage.py office_simulator`: EPO OPS, USPTO ODP, JPO and Lens on one local port.

A thin wrapper over ``patents.simulator`` (which runs without Django). Point the clients at it with
OPS_BASE_URL=http://HOST:PORT/3.2, USPTO_ODP_BASE_URL / JPO_BASE_URL / LENS_BASE_URL=http://HOST:PORT and
the simulator's credentials (printed at start-up).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from patents.simulator import config as simconfig
from patents.simulator.server import build_config, serve_forever


class Command(BaseCommand):
    help = "Run the office simulator (OPS, ODP, JPO, Lens) in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--matters", type=int, default=200, help="portfolio size (up to 100k is fine)")
        parser.add_argument("--faults", type=float, default=0.0, help="fault rate 0..1, deterministic per seed")
        parser.add_argument(
            "--fault-mix",
            default="",
            help=f"weights, e.g. 'server_error=2,slow=1' (kinds: {', '.join(simconfig.FAULT_KINDS)})",
        )
        parser.add_argument("--slow-seconds", type=float, default=3.0, help="delay of a 'slow' fault")
        parser.add_argument(
            "--limits",
            default="",
            help="e.g. 'retrieval=60,inpadoc=30,search=10,odp_retry_after=1,jpo_per_minute=5,"
            "jpo.app_progress=20' (see patents.simulator.config.Limits)",
        )
        parser.add_argument("--token-lifetime", type=int, default=None, help="OPS access-token lifetime (s)")
        parser.add_argument("--ops-state", default="idle", choices=["idle", "busy", "overloaded", "auto"])

    def handle(self, *args, **o):
        try:
            config = build_config(
                seed=o["seed"],
                matters=o["matters"],
                faults=o["faults"],
                fault_mix=o["fault_mix"] or None,
                slow_seconds=o["slow_seconds"],
                limits=o["limits"],
                token_lifetime=o["token_lifetime"],
                ops_system_state=o["ops_state"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        base = f"http://{o['host']}:{o['port']}"
        self.stdout.write(
            f"OPS_BASE_URL={base}/3.2 OPS_KEY={simconfig.OPS_KEY} OPS_SECRET={simconfig.OPS_SECRET}\n"
            f"USPTO_ODP_BASE_URL={base} USPTO_ODP_API_KEY={simconfig.ODP_API_KEY}\n"
            f"JPO_BASE_URL={base} JPO_USERNAME={simconfig.JPO_USERNAME} "
            f"JPO_PASSWORD={simconfig.JPO_PASSWORD}\n"
            f"LENS_BASE_URL={base} LENS_TOKEN={simconfig.LENS_TOKEN}\n"
            f"stats: {base}/_sim/stats\n"
        )
        serve_forever(config, o["host"], o["port"], stdout=self.stdout)
