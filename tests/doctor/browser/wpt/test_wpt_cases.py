"""The WPT-derived suite's case table and server, without a browser: ids, counts, and the
handlers' answers on the wire."""

from __future__ import annotations

import re
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from tests.doctor.browser.wpt.cases import PLACEHOLDER, SKIPPED, all_cases
from tests.doctor.browser.wpt.model import LENIENT, Case
from tests.doctor.browser.wpt.server import wpt_server


def _raw_get(url: str, headers: str = "") -> bytes:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    with socket.create_connection(("127.0.0.1", parts.port or 80), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_case_ids_are_unique_and_stable() -> None:
    cases = all_cases()
    assert len({c.id for c in cases}) == len(cases) == 693
    assert [c.id for c in all_cases(PLACEHOLDER)] == [c.id for c in cases]
    assert sum(s.count for s in SKIPPED) == 239


def test_every_case_url_is_unique_per_run() -> None:
    urls = [c.url_for(run) for c in all_cases() for run in ("c", "d")]
    assert len(set(urls)) == len(urls)


def test_lenient_reader_cases_are_those_with_control_bytes() -> None:
    lenient = [c for c in all_cases() if c.doctor_xfail == LENIENT]
    assert len(lenient) == 17
    assert all(any(ch in c.url for ch in ("%00", "%0B", "%0C")) for c in lenient)


def test_server_sends_control_bytes_and_repeated_lines() -> None:
    with wpt_server() as (_server, origins):
        answer = _raw_get(origins.a + "/cors/makeheader?origin=%00*&origin2=x")
        assert b"Access-Control-Allow-Origin: \x00*\r\n" in answer
        assert b"Access-Control-Allow-Origin: x\r\n" in answer
        expose = _raw_get(origins.a + "/cors/expose?expose=A%3A%20b%0Bc")
        assert expose.startswith(b"HTTP/1.1 221 ")
        assert b"\r\nA: b\x0bc\r\n" in expose


def test_redirect_keeps_the_query_and_counts() -> None:
    with wpt_server() as (_server, origins):
        answer = _raw_get(origins.a + "/fetch/redirect?token=t1&redirect_status=307&location=%2Fx")
        assert answer.startswith(b"HTTP/1.1 307 ")
        assert b"Location: /x?token=t1&redirect_status=307&location=%2Fx&count=1\r\n" in answer
        assert b"Access-Control-Allow-Origin: *\r\n" in answer


def test_preflight_handler_remembers_the_preflight() -> None:
    with wpt_server() as (_server, origins):
        url = origins.a + "/fetch/preflight?token=t2&allow_methods=PUT"
        options = "Access-Control-Request-Method: PUT\r\nAccept: */*\r\n"
        parts = urlsplit(url)
        with socket.create_connection(("127.0.0.1", parts.port or 80), timeout=5) as sock:
            sock.sendall(
                f"OPTIONS {parts.path}?{parts.query} HTTP/1.1\r\nHost: x\r\n{options}\r\n".encode()
            )
            preflight = sock.recv(65536)
        assert b"Access-Control-Allow-Methods: PUT\r\n" in preflight
        assert b"x-did-preflight: 1\r\n" in _raw_get(url)


def test_cases_describe_their_request() -> None:
    case: Case = all_cases()[0]
    assert case.url_for("c").endswith("wpt=f-basic-01.c")
    assert case.page == PLACEHOLDER.a


def test_docs_table_matches_the_case_table() -> None:
    """docs/wpt.md lists, per WPT file, the cases run and the tests left out."""
    text = (Path(__file__).resolve().parents[4] / "docs" / "wpt.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)`[^|]* \| (\d+) \| (\d+) \|$", text, flags=re.M)
    documented = {name: (int(run), int(left)) for name, run, left in rows}
    run = Counter(c.source for c in all_cases())
    left: Counter[str] = Counter()
    for skipped in SKIPPED:
        left[skipped.source] += skipped.count
    expected = {name: (run[name], left[name]) for name in set(run) | set(left)}
    assert documented == expected
    assert f"| **total** | **{sum(run.values())}** | **{sum(left.values())}** |" in text
