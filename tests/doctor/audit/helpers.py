"""Helpers shared by the audit tests and benchmarks/audit_vs_corscanner.py."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[3]


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 20.0
) -> None:
    """Wait until something listens on 127.0.0.1:*port*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"server exited early: {err.strip().splitlines()[-1:]}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on port {port}")


@contextlib.contextmanager
def django_servers(*variants: str, extra_args: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """Start one uvicorn process per django-cors-headers variant (in parallel); yield
    ``{variant: base URL}``.  *extra_args* go to uvicorn (e.g. ``--ssl-keyfile``)."""
    procs: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for variant in variants:
            port = free_port()
            env = {**os.environ, "CORSKIT_AUDIT_DJANGO": variant, "PYTHONPATH": str(ROOT)}
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "tests.doctor.audit.django_site:application",
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--lifespan", "off", *extra_args],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            procs[variant] = (proc, port)
        for proc, port in procs.values():
            wait_for_port(port, proc)
        scheme = "https" if any(a.startswith("--ssl") for a in extra_args) else "http"
        yield {v: f"{scheme}://127.0.0.1:{port}" for v, (_, port) in procs.items()}
    finally:
        for proc, _ in procs.values():
            proc.terminate()
        for proc, _ in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
