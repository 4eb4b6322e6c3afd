"""DevTools' "Copy as cURL" (bash, cmd) and "Copy as fetch", parsed.

The Chromium samples in samples/chromium_devtools.json are real: recorded from headless
Chromium's own DevTools front end by record_devtools.py (see its docstring), for fetches and an
XHR against live loopback servers, together with the HAR DevTools exported for the same requests
and what the page's script saw.  The Firefox samples are described in firefox_samples.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from corskit.doctor.inputs.curl import CurlError, bash_words, cmd_words, parse_curl
from corskit.doctor.inputs.fetchcopy import FetchCopyError, parse_fetch_copy
from corskit.doctor.inputs.request import InputError, mask, split_headers
from corskit.testing import check_cors

from .firefox_samples import FIREFOX_CURL_BASH, FIREFOX_CURL_CMD, FIREFOX_FETCH
from .record_devtools import _apps

SAMPLES = json.loads((Path(__file__).with_name("samples") / "chromium_devtools.json").read_text())
REQUESTS: list[dict[str, Any]] = SAMPLES["requests"]
HAR_ENTRIES: list[dict[str, Any]] = SAMPLES["har"]["log"]["entries"]
FRONT = "http://localhost:5173"


def ids(r: dict[str, Any]) -> str:
    return f"{r['method']} {urlsplit(r['url']).path}"


@pytest.mark.parametrize("rec", REQUESTS, ids=ids)
def test_chromium_bash_and_cmd_copies_agree(rec: dict[str, Any]) -> None:
    bash = parse_curl(rec["curl_bash"])
    cmd = parse_curl(rec["curl_cmd"])
    assert bash.source == "curl-bash" and cmd.source == "curl-cmd"
    assert (bash.url, bash.method, bash.headers, bash.body, bash.cookie) == (
        cmd.url,
        cmd.method,
        cmd.headers,
        cmd.body,
        cmd.cookie,
    )


@pytest.mark.parametrize(
    ("rec", "entry"), list(zip(REQUESTS, HAR_ENTRIES, strict=True)), ids=[ids(r) for r in REQUESTS]
)
def test_chromium_copies_match_the_recorded_request(
    rec: dict[str, Any], entry: dict[str, Any]
) -> None:
    """What the copies say is what DevTools recorded for the request (its HAR entry)."""
    copied = parse_curl(rec["curl_bash"])
    fetched = parse_fetch_copy(rec["fetch"])
    request = entry["request"]
    assert copied.url == fetched.url == request["url"]
    body = request.get("postData", {}).get("text")
    assert copied.body == fetched.body == body
    har_headers = {(h["name"].lower(), h["value"]) for h in request["headers"]}
    assert {(n.lower(), v) for n, v in copied.headers} <= har_headers
    assert copied.origin == FRONT
    if request["method"] == "OPTIONS":
        assert copied.from_preflight
        acrm = next(
            h["value"]
            for h in request["headers"]
            if h["name"].lower() == "access-control-request-method"
        )
        assert copied.method == acrm
    else:
        assert copied.method == fetched.method == request["method"]
        # the headers that decide the preflight are the same in both copies
        assert [(n.lower(), v) for n, v in copied.script_headers] == [
            (n.lower(), v) for n, v in fetched.script_headers
        ]
        assert fetched.origin == FRONT and fetched.origin_from == "referrer"


def test_provisional_headers_give_the_origin_from_referer() -> None:
    blocked = next(r for r in REQUESTS if r["method"] == "PUT")
    parsed = parse_curl(blocked["curl_bash"])
    assert not any(n.lower() == "origin" for n, _ in parsed.headers)
    assert (parsed.origin, parsed.origin_from) == (FRONT, "referer")
    assert parsed.script_headers == (("Content-Type", "application/json"), ("X-Trace-Id", "abc123"))
    assert {n.lower() for n, _ in parsed.browser_headers} == {
        "sec-ch-ua-platform", "referer", "user-agent", "sec-ch-ua", "sec-ch-ua-mobile"
    }  # fmt: skip


def test_cookie_means_credentials_and_is_masked() -> None:
    xhr = REQUESTS[-1]
    parsed = parse_curl(xhr["curl_bash"])
    assert parsed.cookie == "sid=s3cr3t"
    assert parsed.credentials == "include"
    command = parsed.check_command()
    assert "s3cr3t" not in command
    assert "--cookie 'sid=***'" in command
    auth = parse_curl(
        next(r for r in REQUESTS if r["url"].endswith("/c/me") and r["method"] == "GET")[
            "curl_bash"
        ]
    )
    assert "Bearer ***" in auth.check_command()
    assert "s3cr3t-t0ken" not in auth.check_command()
    assert "Authorization: Bearer s3cr3t-t0ken" in auth.check_argv()


def test_ansi_c_quoted_body() -> None:
    post = next(r for r in REQUESTS if r["method"] == "POST" and r["url"].endswith("/c/items"))
    assert "$'" in post["curl_bash"]  # Chromium quoted the ' and the ! this way
    assert parse_curl(post["curl_bash"]).body == '{"name":"it\'s ok!","tags":["a","b"]}'


# ------------------------------------------------------------------------------------------
# the copies lead to the browser's verdict


def scenario_for(rec: dict[str, Any]) -> dict[str, Any] | None:
    path = urlsplit(rec["url"]).path
    table = {
        ("GET", "/c/items"): "xhr-with-credentials",
        ("POST", "/c/items"): "post-json-credentials",
        ("PUT", "/c/items/7"): "put-custom-header-blocked",
        ("GET", "/c/me"): "get-authorization-blocked",
        ("GET", "/plain/items"): "no-cors-middleware",
        ("POST", "/c/login"): "form-post-with-cookie",
    }
    name = "simple-get" if "page=2" in rec["url"] else table.get((rec["method"], path))
    return next((s for s in SAMPLES["scenarios"] if s["name"] == name), None)


ACTUAL = [r for r in REQUESTS if r["method"] != "OPTIONS"]


@pytest.mark.parametrize("kind", ["curl_bash", "curl_cmd", "fetch"])
@pytest.mark.parametrize("rec", ACTUAL, ids=ids)
def test_copy_replayed_gives_the_browsers_verdict(rec: dict[str, Any], kind: str) -> None:
    """Each copy, replayed by the doctor in-process against the same app the browser called,
    gives the verdict the browser gave (and for blocked ones Chromium's own console line)."""
    scenario = scenario_for(rec)
    assert scenario is not None
    parsed = parse_fetch_copy(rec[kind]) if kind == "fetch" else parse_curl(rec[kind])
    _, api = _apps(FRONT)
    parts = urlsplit(parsed.url)
    result = check_cors(
        api,
        origin=parsed.origin or "",
        method=parsed.method,
        path=parts.path + (f"?{parts.query}" if parts.query else ""),
        headers=parsed.script_headers,
        credentials=parsed.credentials,
        body=parsed.body,
        cookie=parsed.cookie,
    )
    browser_allowed = scenario["result"].startswith("resolved")
    assert result.allowed == browser_allowed, result.explain()
    if not browser_allowed:
        console = [c for c in scenario["console"] if c.startswith("Access to")]
        expected = console[0].replace("http://127.0.0.1:8000", "http://testserver")
        assert result.outcome.chromium_message == expected


# ------------------------------------------------------------------------------------------
# Firefox


def test_firefox_curl_bash() -> None:
    parsed = parse_curl(FIREFOX_CURL_BASH)
    assert parsed.method == "PUT"
    assert parsed.url == "http://127.0.0.1:8000/c/items/7"
    assert parsed.body == '{"n":7,"note":"a b"}'
    assert parsed.script_headers == (("Content-Type", "application/json"), ("X-Trace-Id", "abc123"))
    assert parsed.origin == FRONT and parsed.origin_from == "origin"
    assert parsed.credentials == "include" and parsed.cookie == "sid=s3cr3t; theme=dark"


def test_firefox_curl_cmd_equals_bash() -> None:
    bash, cmd = parse_curl(FIREFOX_CURL_BASH), parse_curl(FIREFOX_CURL_CMD)
    assert (cmd.url, cmd.method, cmd.headers, cmd.body) == (
        bash.url,
        bash.method,
        bash.headers,
        bash.body,
    )


def test_firefox_fetch() -> None:
    parsed = parse_fetch_copy(FIREFOX_FETCH)
    assert FIREFOX_FETCH.startswith(
        'await fetch("http://127.0.0.1:8000/c/items/7", {\n    "credentials": "include",'
    )
    assert parsed.method == "PUT"
    assert parsed.credentials == "include"
    assert parsed.script_headers == (("Content-Type", "application/json"), ("X-Trace-Id", "abc123"))
    assert parsed.origin == FRONT and parsed.origin_from == "referrer"
    assert parsed.body == '{"n":7,"note":"a b"}'


# ------------------------------------------------------------------------------------------
# the pieces, and bad input


def test_split_headers_rules() -> None:
    script, browser = split_headers(
        [
            ("Accept", "*/*"),
            ("Accept", "application/json"),
            ("Accept-Language", "de"),
            ("Cache-Control", "no-cache"),
            ("Cache-Control", "max-age=0"),
            ("sec-ch-ua", "x"),
            ("Sec-Fetch-Mode", "cors"),
            ("X-Api-Key", "k"),
            ("Cookie", "a=b"),
            ("Priority", "u=1, i"),
        ]
    )
    assert script == (
        ("Accept", "application/json"),
        ("Cache-Control", "max-age=0"),
        ("X-Api-Key", "k"),
    )
    assert len(browser) == 7


def test_mask() -> None:
    assert mask("Cookie", "sid=abc; theme=dark") == "sid=***; theme=***"
    assert mask("Authorization", "Bearer abc.def") == "Bearer ***"
    assert mask("Authorization", "opaque") == "***"
    assert mask("X-Trace-Id", "abc") == "abc"


def test_word_splitters() -> None:
    assert bash_words("curl 'a b' \\\n  -H $'x\\u0021\\'' \"c\\\"d\"") == [
        "curl",
        "a b",
        "-H",
        "x!'",
        'c"d',
    ]
    assert cmd_words('curl ^"a b^" ^\n  -H ^"x: ^\\^"q^\\^"^" ^"l1^\n\nl2^"') == [
        "curl", "a b", "-H", 'x: "q"', "l1\nl2"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "empty text"),
        ("wget http://x/", "not a curl command"),
        ("curl", "has no URL"),
        ("curl 'http://127.0.0.1/' -F 'a=b'", "unsupported curl option '-F'"),
        ("curl 'http://127.0.0.1/' -H", "option -H has no value"),
        ("curl 'http://127.0.0.1/' -H 'nocolon'", "malformed header"),
        ("curl 'http://127.0.0.1/", "unterminated"),
        ("curl 'ftp://x/'", "not an absolute http(s) URL"),
        ("curl 'http://a/' 'http://b/'", "two URLs"),
        ("curl $'http://a/\\uZZZZ'", "bad escape"),
    ],
)
def test_bad_curl(text: str, error: str) -> None:
    with pytest.raises(CurlError) as info:
        parse_curl(text)
    assert error in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, (InputError, ValueError))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "not a fetch() call"),
        ("fetch(url)", "not a fetch() call"),
        ('fetch("http://127.0.0.1/", {method: "POST"});', "not the JSON DevTools writes"),
        ('fetch("http://127.0.0.1/", {"credentials": "sometimes"});', '"credentials" is'),
        ('fetch("http://127.0.0.1/", {"headers": ["a"]});', '"headers" is not an object'),
        ('fetch("http://127.0.0.1/", {"body": 5});', "must be strings"),
        ('fetch("/relative", {});', "not an absolute http(s) URL"),
    ],
)
def test_bad_fetch_copy(text: str, error: str) -> None:
    with pytest.raises(FetchCopyError) as info:
        parse_fetch_copy(text)
    assert error in str(info.value)
    assert "\n" not in str(info.value)


def test_copy_without_any_origin_needs_one() -> None:
    parsed = parse_curl("curl 'http://127.0.0.1:8000/x' -H 'X-A: 1'")
    assert parsed.origin is None
    with pytest.raises(InputError, match="give --origin"):
        parsed.check_argv()
    assert parsed.check_argv(origin=FRONT)[:3] == ["http://127.0.0.1:8000/x", "--origin", FRONT]


def test_scrub_secrets_in_verbose_output() -> None:
    from corskit.doctor.inputs.request import scrub_secrets

    parsed = parse_curl(REQUESTS[-1]["curl_bash"])
    text = "-> GET /c/items\n       cookie: sid=s3cr3t\n"
    assert "s3cr3t" not in scrub_secrets(text, (*parsed.headers, ("Cookie", parsed.cookie or "")))
