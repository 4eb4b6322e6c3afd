"""The doctor against what Chromium does with unusual answers and URLs: network errors named
as Chromium names them, console lines as Chromium prints them. Unit tests of the browser
model, and ``corskit check`` against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from corskit.cli import main
from corskit.doctor.fetch import FetchInputError, Outcome, simulate
from corskit.doctor.transports import ASGITransport
from tests.doctor.fetch import fidelity_app
from tests.servers import serve_asgi

PAGE = "http://localhost:5173"
STAR = ("Access-Control-Allow-Origin", "*")


def answer(status: int = 200, *headers: tuple[str, str]) -> str:
    """The query that makes :mod:`tests.doctor.fetch.fidelity_app` answer *status* and *headers*."""
    parts = [f"status={status}"] + [f"h={quote(f'{n}~{v}', safe='')}" for n, v in headers]
    return "?" + "&".join(parts)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_asgi(fidelity_app.app) as base:
        yield base


def check_json(*args: str) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", *args, "--origin", PAGE, "--json"])
    return status, json.loads(out.getvalue())


def in_process(url: str, method: str = "GET") -> Outcome:
    transport = ASGITransport(fidelity_app.app)
    try:
        return simulate(transport, url, origin=PAGE, method=method, target_address_space=None)
    finally:
        transport.close()


# -- network errors: a redirect to a non-HTTP(S) URL, a 407 from the server


@pytest.mark.parametrize(
    ("location", "network_error"),
    [
        ("data:,hi", "net::ERR_UNSAFE_REDIRECT"),
        ("DATA:,hi", "net::ERR_UNSAFE_REDIRECT"),
        ("about:blank", "net::ERR_UNSAFE_REDIRECT"),
        ("file:///etc/passwd", "net::ERR_UNSAFE_REDIRECT"),
        ("blob:http://api.test/x", "net::ERR_UNSAFE_REDIRECT"),
        ("ws://api.test/x", "net::ERR_UNKNOWN_URL_SCHEME"),
        ("http://[::1", "net::ERR_INVALID_REDIRECT"),
    ],
)
def test_redirect_refused_by_the_network_stack(location: str, network_error: str) -> None:
    """As Chromium 150 does (tests/doctor/browser/test_fidelity_browser.py)."""
    url = "http://api.test/r" + answer(302, STAR, ("Location", location))
    outcome = in_process(url)
    assert outcome.verdict == "blocked"
    assert outcome.network_error == network_error
    assert outcome.cors_error is None
    # the line Chromium logs for it
    assert outcome.chromium_message == f"Failed to load resource: {network_error}"


@pytest.mark.parametrize(
    "location", ["ftp://api.test/x", "FTP://api.test/x", "javascript:alert(1)"]
)
def test_redirect_to_another_scheme_fails_the_cors_check(location: str) -> None:
    url = "http://api.test/r" + answer(302, STAR, ("Location", location))
    outcome = in_process(url)
    assert outcome.verdict == "blocked"
    assert outcome.cors_error == "CorsDisabledScheme"
    shown = location.replace("FTP:", "ftp:")
    assert outcome.chromium_message == (
        f"Access to fetch at '{shown}' (redirected from '{url}') from origin '{PAGE}' has been"
        " blocked by CORS policy: Cross origin requests are only supported for protocol schemes:"
        " chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app."
    )


@pytest.mark.parametrize("method", ["PUT", "GET"])
@pytest.mark.parametrize("acao", [True, False])
def test_407_is_unexpected_proxy_auth(method: str, acao: bool) -> None:
    headers = [("Access-Control-Allow-Origin", "*")] if acao else []
    outcome = in_process("http://api.test/r" + answer(407, *headers), method=method)
    assert outcome.verdict == "blocked"
    assert outcome.network_error == "net::ERR_UNEXPECTED_PROXY_AUTH"
    assert outcome.cors_error is None
    assert outcome.failed_stage == ("preflight" if method == "PUT" else "actual")
    assert outcome.chromium_message == "Failed to load resource: net::ERR_UNEXPECTED_PROXY_AUTH"


def test_check_redirect_to_data_url_over_the_wire(server: str) -> None:
    url = (
        server + "/r" + answer(302, ("Access-Control-Allow-Origin", "*"), ("Location", "data:,hi"))
    )
    status, report = check_json(url)
    assert status == 1
    assert report["verdict"] == "blocked"
    assert report["network_error"] == "net::ERR_UNSAFE_REDIRECT"
    assert report["chromium_message"] == "Failed to load resource: net::ERR_UNSAFE_REDIRECT"
    assert "http:// or https://" in str(report["fix_text"])


def test_check_preflight_407_over_the_wire(server: str) -> None:
    url = server + "/r" + answer(407, ("Access-Control-Allow-Origin", "*"))
    status, report = check_json(url, "-X", "PUT")
    assert status == 1
    assert report["cors_error"] is None
    assert report["network_error"] == "net::ERR_UNEXPECTED_PROXY_AUTH"
    assert report["chromium_message"] == "Failed to load resource: net::ERR_UNEXPECTED_PROXY_AUTH"


# -- console lines: which Access-Control-Allow-Origin error Chromium names, and the value


INVALID_ACAO = [
    "https://host%23",
    "http://localhost:5173:80",
    "http://localhost:5173%23",
    "http://localhost:5173.",
    "http://host:65536",
    "http://256.1.1.1",
    "http://ho%2Fst",
    "http://ho%zzst",
    "http://ho^st",
    "Null",
]
MISMATCHED_ACAO = [
    "http://host:80",
    "http://localhost:5173/",
    "HTTP://localhost:5173",
    "http://localhost:05173",
    "http://host:",
    "https://ho%20st",
    "http://host%2e",
    'http://ho"st',
    "http://ho%7Bst",
    "http:host",
    "localhost:5173",
    "foo://bar",
    "null",
]


@pytest.mark.parametrize("value", INVALID_ACAO)
def test_acao_chromium_calls_invalid(value: str) -> None:
    """As Chromium 150 decides (tests/doctor/browser/test_fidelity_browser.py)."""
    outcome = in_process("http://api.test/r" + answer(200, ("Access-Control-Allow-Origin", value)))
    assert outcome.cors_error == "InvalidAllowOriginValue"
    assert outcome.chromium_message is not None
    assert f"header contains the invalid value '{value}'." in outcome.chromium_message


@pytest.mark.parametrize("value", MISMATCHED_ACAO)
def test_acao_chromium_calls_not_equal(value: str) -> None:
    outcome = in_process("http://api.test/r" + answer(200, ("Access-Control-Allow-Origin", value)))
    assert outcome.cors_error == "AllowOriginMismatch"
    assert outcome.chromium_message is not None
    assert f"has a value '{value}' that is not equal" in outcome.chromium_message


@pytest.mark.parametrize(
    ("values", "shown"),
    [(["*", ""], "*, "), (["  *  ", " "], "*, "), (["", "*"], ", *"), (["*", "*"], "*, *")],
)
def test_several_acao_headers_quoted_as_chromium_joins_them(values: list[str], shown: str) -> None:
    headers = [("Access-Control-Allow-Origin", v) for v in values]
    outcome = in_process("http://api.test/r" + answer(200, *headers))
    assert outcome.cors_error == "MultipleAllowOriginValues"
    assert outcome.chromium_message is not None
    assert f"contains multiple values '{shown}', but only one" in outcome.chromium_message


def test_check_invalid_acao_over_the_wire(server: str) -> None:
    url = server + "/r" + answer(200, ("Access-Control-Allow-Origin", PAGE + ":80"))
    status, report = check_json(url)
    assert status == 1
    assert report["cors_error"] == "InvalidAllowOriginValue"
    assert f"contains the invalid value '{PAGE}:80'" in str(report["chromium_message"])


# -- URLs parsed and serialised as Chromium does: the target and every Location


def test_target_with_space_and_quotes_is_sent_encoded() -> None:
    outcome = in_process("http://api.test/a b/c\"d?x='y'#frag")
    sent = "http://api.test/a%20b/c%22d?x=%27y%27"
    assert outcome.url == sent
    assert any(sent in s.text and "URL Standard" in s.text for s in outcome.steps)
    assert outcome.chromium_message == (
        f"Access to fetch at '{sent}' from origin '{PAGE}' has been blocked by CORS policy:"
        " No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )


def test_location_with_space_is_followed_encoded() -> None:
    first = "http://api.test/r" + answer(302, STAR, ("Location", "/moved here?x='y'"))
    outcome = in_process(first)
    assert outcome.final_url == "http://api.test/moved%20here?x=%27y%27"
    assert outcome.chromium_message is not None
    assert outcome.chromium_message.startswith(
        f"Access to fetch at 'http://api.test/moved%20here?x=%27y%27' (redirected from '{first}')"
    )


def test_check_url_with_space_over_the_wire(server: str) -> None:
    status, report = check_json(server + '/a b/c"d' + answer(200, STAR) + "&x='y'")
    assert status == 0
    sent = server + "/a%20b/c%22d" + answer(200, STAR) + "&x=%27y%27"
    assert report["url"] == sent
    assert report["verdict"] == "allowed"
    # the server saw the request target Chromium sends (it echoes it in x-target)
    steps = report["steps"]
    assert isinstance(steps, list)
    echoed = [
        value
        for step in steps
        for name, value in step.get("response", {}).get("headers", [])
        if name == "x-target"
    ]
    assert echoed == [sent[len(server) :]]


# -- a page whose origin is null (a sandboxed iframe): where it was served from decides LNA


def lna(url: str, *, page_url: str | None, granted: bool = False) -> Outcome:
    transport = ASGITransport(fidelity_app.app)
    try:
        return simulate(
            transport,
            url,
            origin="null",
            page_url=page_url,
            local_network_permission=granted,
            target_address_space="auto",
        )
    finally:
        transport.close()


def test_null_origin_page_served_from_loopback_may_call_loopback() -> None:
    """Chromium: the sandboxed page is a secure context in the loopback address space."""
    url = "http://127.0.0.1:9/r" + answer(200, STAR)
    outcome = lna(url, page_url="http://localhost:5173/sandboxed.html")
    assert outcome.verdict == "allowed", outcome.chromium_message
    assert outcome.cors_error is None


def test_null_origin_page_without_page_url_stays_public_and_insecure() -> None:
    outcome = lna("http://127.0.0.1:9/r" + answer(200, STAR), page_url=None, granted=True)
    assert outcome.cors_error == "InsecureLocalNetwork"


def test_null_origin_page_served_over_https_needs_the_permission() -> None:
    url = "http://127.0.0.1:9/r" + answer(200, STAR)
    denied = lna(url, page_url="https://sandbox.example/page")
    assert denied.cors_error == "LocalNetworkAccessPermissionDenied"
    granted = lna(url, page_url="https://sandbox.example/page", granted=True)
    assert granted.verdict == "allowed"


def test_page_url_must_be_at_the_page_origin() -> None:
    transport = ASGITransport(fidelity_app.app)
    try:
        with pytest.raises(FetchInputError, match="not at the page's origin"):
            simulate(
                transport,
                "http://api.test/r",
                origin="https://app.example",
                page_url="https://other.example/",
            )
    finally:
        transport.close()


def test_check_page_url_for_a_sandboxed_page_over_the_wire(server: str) -> None:
    url = server + "/r" + answer(200, STAR)
    page = "http://localhost:5173/sandboxed.html"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", url, "--origin", "null", "--page-url", page, "--json"])
    report = json.loads(out.getvalue())
    assert status == 0, report["chromium_message"]
    assert report["verdict"] == "allowed"
    assert report["origin"] == "null"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["check", url, "--origin", "null", "--json"]) == 1
