"""HAR files: the HAR Chromium's DevTools exported in record_devtools.py (real, with preflights
and cookies), a Firefox-shaped HAR (no ``_resourceType``, responses without content), and bad
files.  The browser test (test_inputs_browser.py) checks real HARs against live servers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from corskit.doctor.inputs.har import HarError, parse_har
from corskit.doctor.inputs.har_check import (
    check_offline,
    har_json,
    render_har_report,
)
from corskit.doctor.verify import REMOTE

SAMPLES = json.loads((Path(__file__).with_name("samples") / "chromium_devtools.json").read_text())
HAR = SAMPLES["har"]


def test_devtools_har_requests() -> None:
    items = parse_har(json.dumps(HAR))
    assert [i.label for i in items] == [
        "GET http://127.0.0.1:8000/c/items?page=2",
        "POST http://127.0.0.1:8000/c/items",
        "PUT http://127.0.0.1:8000/c/items/7",
        "GET http://127.0.0.1:8000/c/me",
        "GET http://127.0.0.1:8000/plain/items",
        "POST http://127.0.0.1:8000/c/login",
        "GET http://127.0.0.1:8000/c/items",
    ]
    assert all(i.request.origin == "http://localhost:5173" for i in items)
    assert [i.preflight is not None for i in items] == [
        False,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert [i.failed_in_browser for i in items] == [False, False, True, True, True, False, False]
    assert items[-1].kind == "XMLHttpRequest" and items[-1].request.credentials == "include"
    assert items[2].hops == ()  # never sent: stopped by its preflight


def test_devtools_har_offline_matches_the_browser() -> None:
    results = {s["name"]: s for s in SAMPLES["scenarios"]}
    order = [
        "simple-get",
        "post-json-credentials",
        "put-custom-header-blocked",
        "get-authorization-blocked",
        "no-cors-middleware",
        "form-post-with-cookie",
        "xhr-with-credentials",
    ]
    for name, item in zip(order, parse_har(json.dumps(HAR)), strict=True):
        verdict = check_offline(item)
        assert verdict.outcome is not None, verdict.unavailable
        assert (verdict.verdict == "allowed") == results[name]["result"].startswith("resolved")
        console = [c for c in results[name]["console"] if c.startswith("Access to")]
        assert verdict.outcome.chromium_message == (console[0] if console else None)


def test_report_masks_secrets() -> None:
    results = [check_offline(i) for i in parse_har(json.dumps(HAR))]
    text = render_har_report(results)
    assert text.splitlines()[0].split() == ["request", "verdict", "cause"]
    assert "GET http://127.0.0.1:8000/plain/items" in text
    assert "7 requests: 3 blocked, 0 not diagnosable offline" in text
    assert "s3cr3t" not in text
    data = har_json(results)
    dumped = json.dumps(data)
    assert "s3cr3t" not in dumped
    assert "Bearer ***" in dumped and "sid=***" in dumped
    assert [d["verdict"] for d in data] == [
        "allowed", "allowed", "blocked", "blocked", "blocked", "allowed", "allowed"
    ]  # fmt: skip
    assert data[2]["symptom"] == "preflight-rejected"
    fix = data[2]["fix"]  # the same object as ``corskit check --json``'s
    assert set(fix) == {"text", "layer", "where", "changes", "verified", "not_verified_reason"}
    assert fix["text"] == data[2]["fix_text"] and fix["text"]
    assert (fix["verified"], fix["not_verified_reason"]) == (None, REMOTE)
    assert data[0]["fix"] is None and data[0]["fix_text"] is None  # allowed


def firefox_har() -> dict[str, Any]:
    """A HAR in the shape Firefox exports: pages titled by the document title, no
    _resourceType, header names as sent, a response without content, a preflight entry."""
    page = "http://localhost:5173"
    req_headers = [
        {"name": "Host", "value": "127.0.0.1:8000"},
        {"name": "Accept", "value": "*/*"},
        {"name": "Content-Type", "value": "application/json"},
        {"name": "Origin", "value": page},
        {"name": "Referer", "value": page + "/"},
        {"name": "Cookie", "value": "sid=s3cr3t"},
        {"name": "Sec-Fetch-Mode", "value": "cors"},
    ]
    preflight = {
        "pageref": "page_1",
        "request": {
            "method": "OPTIONS",
            "url": "http://127.0.0.1:8000/api",
            "headers": [
                {"name": "Origin", "value": page},
                {"name": "Access-Control-Request-Method", "value": "POST"},
                {"name": "Access-Control-Request-Headers", "value": "content-type"},
            ],
        },
        "response": {
            "status": 204,
            "headers": [
                {"name": "Access-Control-Allow-Origin", "value": page},
                {"name": "Access-Control-Allow-Methods", "value": "POST"},
                {"name": "Access-Control-Allow-Headers", "value": "content-type"},
                {"name": "Access-Control-Allow-Credentials", "value": "true"},
            ],
        },
    }
    actual = {
        "pageref": "page_1",
        "request": {
            "method": "POST",
            "url": "http://127.0.0.1:8000/api",
            "headers": req_headers,
            "postData": {"mimeType": "application/json", "text": "{}"},
        },
        "response": {
            "status": 200,
            "headers": [{"name": "Access-Control-Allow-Origin", "value": page}],
        },
    }
    navigation = {
        "pageref": "page_1",
        "request": {"method": "GET", "url": page + "/", "headers": []},
        "response": {"status": 200, "headers": [], "content": {"size": 0}},
    }
    same_origin: dict[str, Any] = copy.deepcopy(actual)
    same_origin["request"]["url"] = page + "/local"
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "Firefox", "version": "128.0"},
            "pages": [{"id": "page_1", "title": "My app"}],
            "entries": [navigation, preflight, actual, same_origin],
        }
    }


def test_firefox_shaped_har() -> None:
    items = parse_har(json.dumps(firefox_har()))
    assert [i.label for i in items] == ["POST http://127.0.0.1:8000/api"]
    item = items[0]
    assert item.preflight is not None and item.request.credentials == "include"
    verdict = check_offline(item)
    assert verdict.verdict == "blocked"
    assert verdict.outcome.cors_error == "InvalidAllowCredentials"
    assert verdict.diagnosis.symptom == "credentials-not-allowed"


def test_har_without_preflights_says_so() -> None:
    har = firefox_har()
    del har["log"]["entries"][1]
    verdict = check_offline(parse_har(json.dumps(har))[0])
    assert verdict.outcome is None
    assert "needs a preflight and the HAR holds no preflight" in (verdict.unavailable or "")
    assert verdict.cause.startswith("not diagnosable offline")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "not JSON"),
        ("[]", "not a HAR file"),
        ('{"log": {}}', "not a HAR file"),
        ('{"log": {"entries": [5]}}', "entry 0 is not an object"),
        ('{"log": {"entries": [{"request": {"method": 1, "url": "x"}}]}}', "must be strings"),
        (
            '{"log": {"entries": [{"request": {"method": "GET", "url": "http://a/", "headers": 3}}]}}',
            "request.headers is not a list",
        ),
    ],
)
def test_bad_har(text: str, error: str) -> None:
    with pytest.raises(HarError) as info:
        parse_har(text)
    assert error in str(info.value)
    assert "\n" not in str(info.value)


def test_empty_report() -> None:
    assert render_har_report([]) == "No cross-origin fetch/XHR requests in this HAR file.\n"
