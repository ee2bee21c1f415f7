"""A real Celery worker process consumes tasks from the embedded broker and from Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import ROOT, redis_url

pytestmark = pytest.mark.worker


def _start_worker(env: dict[str, str], queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "docketapp", "worker", "-P", "solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env={**os.environ, **env, "DOCKETAPP_NO_BOOTSTRAP": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _round_trip(app: Celery, env: dict[str, str]) -> None:
    # A queue of our own: any other worker on the same broker (another test, a developer's demo) must not
    # take these tasks, or the result would never reach this test's backend.
    queue = f"worker-test-{uuid.uuid4().hex[:12]}"
    worker = _start_worker(env, queue)
    try:
        result = app.send_task("docketapp.echo", args=[21], queue=queue)
        assert result.get(timeout=90) == 21
        beat = app.send_task("docketapp.heartbeat", queue=queue)
        assert beat.get(timeout=30) == "ok"
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "Traceback" not in output, output


def test_worker_consumes_from_the_embedded_filesystem_broker(tmp_path: Path, monkeypatch):
    # Celery lets the CELERY_BROKER_URL environment variable override an app's own broker (CI sets Redis).
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    var = tmp_path / "var"
    results = tmp_path / "results"
    results.mkdir()
    env = {"CELERY_BROKER_URL": "filesystem://", "DOCKETAPP_VAR_DIR": str(var),
           "CELERY_RESULT_BACKEND": f"file://{results}"}
    queue = str(var / "broker" / "queue")
    os.makedirs(queue, exist_ok=True)
    os.makedirs(var / "broker" / "processed", exist_ok=True)
    app = Celery("client", broker="filesystem://", backend=f"file://{results}")
    app.conf.broker_transport_options = {"data_folder_in": queue, "data_folder_out": queue,
                                         "processed_folder": str(var / "broker" / "processed"),
                                         "control_folder": str(var / "broker" / "control")}
    _round_trip(app, env)


@pytest.mark.redis
def test_worker_consumes_from_redis():
    url = redis_url()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    broker = broker if broker.startswith("redis") else url
    backend = url.rsplit("/", 1)[0] + "/15"
    app = Celery("client", broker=broker, backend=backend)
    _round_trip(app, {"CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": backend})
