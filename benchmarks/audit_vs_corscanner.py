#!/usr/bin/env python
"""Detection comparison: ``corskit audit`` vs CORScanner on the misconfigured-server corpus.

Every corpus server (tests/doctor/audit/corpus.py, plus the django-cors-headers processes of
tests/doctor/audit/django_site.py) is served on 127.0.0.1 by uvicorn (Flask apps by wsgiref), and
scanned by:

* **CORScanner @127.0.0.1**: CORScanner (PyPI ``corscanner``, run by the Python of a separate
  virtualenv, in its own subprocess) on ``http://127.0.0.1:PORT/``, the plain loopback URL.
  CORScanner derives its probe origins from the scanned URL's host, so on an IP address
  they degenerate (``http://evil``, ``http://``, ``http://127.0.0a1``).
* **CORScanner @app.example.com**: the same servers again over HTTPS (self-signed
  certificate made with the openssl CLI) behind a local CONNECT proxy, scanned as
  ``https://app.example.com:PORT/``: requests honours ``HTTPS_PROXY``, so CORScanner needs no
  patch to see the host name its probes should be derived from.  The corpus trusts
  ``https://app.example.com``, so this is CORScanner's best case (site = trusted origin).
* **corskit --origin**: ``corskit audit http://127.0.0.1:PORT/ --origin https://app.example.com``.
* **corskit (no --origin)**: the same without ``--origin`` (discovery only), for a like-for-like
  comparison with CORScanner's lack of a known-good origin.

CORScanner's command line stops at the first finding per URL; to give it its best shot the
driver calls its library API ``CORSCheck(url, cfg).check_all_in_parallel()``, which runs all
ten tests.  Usage::

    .venv/bin/python benchmarks/audit_vs_corscanner.py [--corscanner-python PATH]
        [--markdown FILE] [--json FILE] [--skip-tls]

Without ``--corscanner-python`` (or ``$CORSCANNER_PYTHON``) a throwaway virtualenv is made in
/tmp/corscanner-venv and ``pip install corscanner`` runs there (never into .venv).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import socket
import socketserver
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corskit.doctor.audit import AuditOptions, run_audit  # noqa: E402
from corskit.doctor.audit_classes import CLASS_IDS, severity_at_least  # noqa: E402
from tests.doctor.audit import corpus, django_site  # noqa: E402
from tests.doctor.audit.helpers import django_servers  # noqa: E402
from tests.servers import serve_asgi, serve_wsgi  # noqa: E402

FRONTEND = corpus.FRONTEND
HOSTNAME = "app.example.com"

#: CORScanner test name -> corskit class id (CORScanner has no test for the other classes).
CORSCANNER_TYPES = {
    "reflect_origin": "origin-reflection",
    "prefix_match": "prefix-match",
    "suffix_match": "suffix-match",
    "trust_null": "null-origin",
    "include_match": "substring-match",
    "not_escape_dot": "unescaped-dot",
    "custom_third_parties": "third-party-origin",
    "special_characters_bypass": "special-characters",
    "trust_any_subdomain": "any-subdomain",
    "https_trust_http": "http-origin-trusted",
}
CORSCANNER_CLASSES = set(CORSCANNER_TYPES.values())

DRIVER = textwrap.dedent(
    """
    import json, os, sys, time
    import CORScanner
    sys.path.insert(0, os.path.dirname(CORScanner.__file__))  # its modules import "common.*"
    from common.corscheck import CORSCheck
    from common.logger import Log
    for url in sys.argv[1:]:
        started = time.time()
        check = CORSCheck(url, {"logger": Log(None, print_level=4), "headers": None})
        results = check.check_all_in_parallel()
        print(json.dumps({"url": url, "results": results, "seconds": time.time() - started}), flush=True)
    """
)


@dataclass
class Entry:
    name: str
    expected: dict[str, str]
    correct: bool
    origin: str | None
    kind: str  # asgi | wsgi | django
    app: Any = None
    plain_url: str = ""
    tls_url: str = ""


def entries() -> list[Entry]:
    out = [
        Entry(s.name, s.expected, s.correct, s.origin, s.kind, getattr(corpus, s.attr))
        for s in corpus.SERVERS
    ]
    for variant, expected in django_site.EXPECTED.items():
        out.append(Entry(f"django-{variant}", expected, not expected, FRONTEND, "django", variant))
    return out


# ------------------------------------------------------------------------------------------
# CORScanner


def corscanner_python(explicit: str | None) -> str:
    """A Python that can import CORScanner, outside .venv (made on demand)."""
    candidate = explicit or os.environ.get("CORSCANNER_PYTHON") or "/tmp/corscanner-venv/bin/python"
    if not Path(candidate).exists():
        if explicit:
            sys.exit(f"no such interpreter: {explicit}")
        venv = Path(candidate).parents[1]
        print(f"creating a throwaway virtualenv for CORScanner in {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([candidate, "-m", "pip", "install", "-q", "corscanner"], check=True)
    probe = subprocess.run([candidate, "-c", "import CORScanner"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"{candidate} cannot import CORScanner: {probe.stderr.strip().splitlines()[-1:]}")
    return candidate


def run_corscanner(
    python: str, urls: list[str], env_extra: dict[str, str], log: Path
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(DRIVER)
        driver = fh.name
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(env_extra)
    started = time.monotonic()
    try:
        with open(log, "a") as err:
            proc = subprocess.run(
                [python, driver, *urls], env=env, capture_output=False, stdout=subprocess.PIPE,
                stderr=err, text=True, timeout=900,
            )  # fmt: skip
    finally:
        os.unlink(driver)
    found: dict[str, set[str]] = {u: set() for u in urls}
    raw: dict[str, list[dict[str, Any]]] = {}
    for line in proc.stdout.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        raw[item["url"]] = item["results"]
        for r in item["results"]:
            found[item["url"]].add(CORSCANNER_TYPES.get(r["type"], r["type"]))
    missing = [u for u in urls if u not in raw]
    return {"found": found, "raw": raw, "seconds": time.monotonic() - started, "missing": missing}


# ------------------------------------------------------------------------------------------
# HTTPS + CONNECT proxy (so CORScanner sees a host name)


def make_certificate(directory: Path) -> tuple[str, str]:
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", f"/CN={HOSTNAME}", "-addext", f"subjectAltName=DNS:{HOSTNAME}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(key), str(cert)


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: _Proxy

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(line) < 2 or line[0] != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = line[1].rpartition(":")
        if host != HOSTNAME or not port.isdigit() or int(port) not in self.server.ports:
            # e.g. tldextract trying to download the public suffix list: stay offline
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [self.request, upstream]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 15)
                if not ready:
                    return
                for s in ready:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    (upstream if s is self.request else self.request).sendall(chunk)
        finally:
            upstream.close()


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, ports: set[int]) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.ports = ports


@contextlib.contextmanager
def connect_proxy(ports: set[int]) -> Iterator[str]:
    proxy = _Proxy(ports)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()


# ------------------------------------------------------------------------------------------
# serving the corpus


@contextlib.contextmanager
def serve_corpus(items: list[Entry], tls: tuple[str, str] | None) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        ssl: dict[str, str] = {}
        if tls:
            ssl = {"ssl_keyfile": tls[0], "ssl_certfile": tls[1]}
        for e in items:
            if e.kind == "django":
                continue
            if tls:
                options = dict(ssl, interface="wsgi") if e.kind == "wsgi" else ssl
                url = stack.enter_context(serve_asgi(e.app, **options))
                e.tls_url = url.replace("http://127.0.0.1", f"https://{HOSTNAME}") + "/"
            else:
                serve = serve_wsgi if e.kind == "wsgi" else serve_asgi
                e.plain_url = stack.enter_context(serve(e.app)) + "/"
        variants = [e.app for e in items if e.kind == "django"]
        extra = ("--ssl-keyfile", tls[0], "--ssl-certfile", tls[1]) if tls else ()
        urls = stack.enter_context(django_servers(*variants, extra_args=extra))
        for e in items:
            if e.kind == "django":
                if tls:
                    e.tls_url = (
                        urls[e.app].replace("https://127.0.0.1", f"https://{HOSTNAME}") + "/"
                    )
                else:
                    e.plain_url = urls[e.app] + "/"
        yield


# ------------------------------------------------------------------------------------------
# tables


def _cell(
    expected: dict[str, str], found: dict[str, str] | set[str], supported: set[str], correct: bool
) -> str:
    if correct:
        if isinstance(found, dict):
            serious = sorted(c for c, sev in found.items() if severity_at_least(sev, "low"))
            info = sorted(c for c, sev in found.items() if sev == "info")
            parts = [f"**{c}**" for c in serious] + [f"{c} (info)" for c in info]
        else:
            parts = [f"**{c}**" for c in sorted(found)]
        return ", ".join(parts) if parts else "clean"
    parts = []
    for cls in expected:
        if cls not in supported:
            parts.append(f"{cls} — (no test)")
        else:
            parts.append(f"{cls} {'✓' if cls in found else '✗'}")
    extra = sorted(set(found) - set(expected))
    if extra:
        parts.append(f"+{len(extra)} more")
    return "; ".join(parts)


def build_tables(items: list[Entry], results: dict[str, dict[str, Any]], columns: list[str]) -> str:
    supported = {
        c: (CORSCANNER_CLASSES if c.startswith("CORScanner") else set(CLASS_IDS)) for c in columns
    }
    lines = ["### Detection per class (planted classes detected / servers where planted)", ""]
    lines.append("| class | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for cls in CLASS_IDS:
        planted = [e for e in items if cls in e.expected and not e.correct]
        row = [f"`{cls}`"]
        for col in columns:
            if cls not in supported[col]:
                row.append("no test")
                continue
            hits = sum(1 for e in planted if cls in results[col].get(e.name, {}))
            row.append(f"{hits}/{len(planted)}")
        lines.append("| " + " | ".join(row) + " |")
    total = sum(len([c for c in e.expected]) for e in items if not e.correct)
    row = ["**all planted**"]
    for col in columns:
        hits = sum(
            1
            for e in items
            if not e.correct
            for c in e.expected
            if c in results[col].get(e.name, {})
        )
        row.append(f"**{hits}/{total}**")
    lines.append("| " + " | ".join(row) + " |")
    row = ["correct servers with a report (corskit: low or above; CORScanner has no severities)"]
    for col in columns:
        bad = 0
        for e in items:
            if not e.correct:
                continue
            found = results[col].get(e.name, {})
            if isinstance(found, dict):
                bad += any(severity_at_least(s, "low") for s in found.values())
            else:
                bad += bool(found)
        row.append(f"{bad}/{sum(1 for e in items if e.correct)} servers")
    lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "### Detection per server (✓ planted class found, ✗ missed; correct servers: what was reported)",
        "",
    ]
    lines.append("| server | planted | " + " | ".join(columns) + " |")
    lines.append("|---|---|" + "---|" * len(columns))
    for e in items:
        planted = (
            "(correct)" if e.correct else ", ".join(f"{c} ({s})" for c, s in e.expected.items())
        )
        if e.correct and e.expected:
            planted = "(correct; info: " + ", ".join(e.expected) + ")"
        row = [e.name, planted]
        for col in columns:
            row.append(_cell(e.expected, results[col].get(e.name, {}), supported[col], e.correct))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corscanner-python", help="interpreter that can import CORScanner")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument("--json", help="write raw results to this file")
    parser.add_argument(
        "--skip-tls", action="store_true", help="skip the HTTPS/host-name CORScanner run"
    )
    parser.add_argument("--from-json", help="re-render the tables from a --json file (no scanning)")
    args = parser.parse_args()
    items = entries()
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        loaded = {
            c: {n: (set(v) if isinstance(v, list) else v) for n, v in r.items()}
            for c, r in saved["results"].items()
        }
        text = (
            build_tables(items, loaded, list(loaded))
            + "\nWall time: "
            + ", ".join(f"{c} {t:.1f} s" for c, t in saved["timings"].items())
            + "\n"
        )
        print(text)
        if args.markdown:
            Path(args.markdown).write_text(text)
        return 0
    python = corscanner_python(args.corscanner_python)
    log = Path(tempfile.gettempdir()) / "corscanner-stderr.log"
    log.write_text("")
    results: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    notes: list[str] = []

    with serve_corpus(items, None):
        print(f"serving {len(items)} servers on 127.0.0.1", file=sys.stderr)
        cs = run_corscanner(python, [e.plain_url for e in items], {}, log)
        col = "CORScanner @127.0.0.1"
        results[col] = {e.name: cs["found"][e.plain_url] for e in items}
        timings[col] = cs["seconds"]
        if cs["missing"]:
            notes.append(f"{col}: no result for {len(cs['missing'])} URL(s)")
        for label, with_origin in (("corskit --origin", True), ("corskit (no --origin)", False)):
            started = time.monotonic()
            results[label] = {}
            for e in items:
                origins = [e.origin] if (with_origin and e.origin) else []
                report = run_audit(e.plain_url, AuditOptions(origins=origins))
                results[label][e.name] = {f.id: f.severity for f in report.findings}
            timings[label] = time.monotonic() - started

    if not args.skip_tls:
        with tempfile.TemporaryDirectory() as tmp:
            tls = make_certificate(Path(tmp))
            with serve_corpus(items, tls):
                ports = {int(e.tls_url.rsplit(":", 1)[1].strip("/")) for e in items}
                with connect_proxy(ports) as proxy:
                    env = {
                        "HTTPS_PROXY": proxy,
                        "HTTP_PROXY": proxy,
                        "https_proxy": proxy,
                        "http_proxy": proxy,
                    }
                    cs = run_corscanner(python, [e.tls_url for e in items], env, log)
                col = f"CORScanner @{HOSTNAME}"
                results[col] = {e.name: cs["found"][e.tls_url] for e in items}
                timings[col] = cs["seconds"]
                if cs["missing"]:
                    notes.append(f"{col}: no result for {len(cs['missing'])} URL(s)")

    columns = [
        c
        for c in (
            "CORScanner @127.0.0.1",
            f"CORScanner @{HOSTNAME}",
            "corskit --origin",
            "corskit (no --origin)",
        )
        if c in results
    ]
    text = build_tables(items, results, columns)
    text += "\nWall time: " + ", ".join(f"{c} {t:.1f} s" for c, t in timings.items()) + "\n"
    for note in notes:
        text += f"\nNote: {note}\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    if args.json:
        raw = {
            c: {n: (sorted(v) if isinstance(v, set) else v) for n, v in r.items()}
            for c, r in ((c, results[c]) for c in columns)
        }
        Path(args.json).write_text(json.dumps({"results": raw, "timings": timings}, indent=2))
    print(f"(CORScanner's stderr is in {log})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
