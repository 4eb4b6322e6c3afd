"""Pasted console messages: every message the docs list (read from the docs' tables, so a new
row is covered automatically), pasted whole and in part; the doctor's own message templates
round-trip; unknown text is refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corskit.doctor import messages
from corskit.doctor.inputs.console import (
    MAX_TEXT,
    ConsoleMessage,
    NotACORSMessage,
    parse_console_message,
)
from corskit.doctor.inputs.console_causes import (
    check_command,
    explain_console_message,
    likely_causes,
    render_console_explanation,
)

DOCS = Path(__file__).resolve().parents[3] / "docs"

#: sample values for the docs' placeholders
SAMPLE = {
    "url": "http://127.0.0.1:8000/api/items?page=2",
    "initial_url": "http://127.0.0.1:8000/api/items/",
    "origin": "http://localhost:5173",
    "value": "https://app.example.com/",
    "method": "PUT",
    "header": "x-api-key",
    "status": "403",
    "location": "http://user:pw@127.0.0.1:8001/x",
    "space": "loopback",
    "target_space": "local",
    "token": "GET POST",
    "kind": "fetch",
}


def doc_rows() -> list[tuple[str, str, str, str]]:
    """(doc, browser, message, expected error) for every row of a docs table whose header has
    a "Console message" column."""
    rows = []
    for doc in sorted(DOCS.glob("*.md")):
        header: list[str] | None = None
        for line in doc.read_text().splitlines():
            if not line.startswith("|"):
                header = None
                continue
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if set(line) <= set("|-: ") or "console message" not in header:
                continue
            message = cells[header.index("console message")].strip()
            message = message.strip("`").strip()
            error = cells[-1].strip("`")
            rows.append((doc.name, cells[0], message, error))
    return rows


ROWS = doc_rows()


def fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], template)


def test_the_docs_list_messages_of_the_three_browsers() -> None:
    browsers = {b.split()[0] for _, b, _, _ in ROWS}
    assert {"Chromium", "Firefox", "Safari"} <= browsers
    assert len(ROWS) >= 50


def expected_fields(template: str) -> dict[str, object]:
    """The fields the parse must recover: each placeholder the template carries."""
    fields: dict[str, object] = {}
    for name in re.findall(r"\{(\w+)\}", template):
        if name == "status":
            fields["status"] = int(SAMPLE["status"])
        elif name == "value" and "{value}, {value}" in template:
            fields["value"] = f"{SAMPLE['value']}, {SAMPLE['value']}"
        elif name == "token":
            fields["token"] = SAMPLE["token"]
        else:
            fields[name] = SAMPLE[name]
    return fields


def check(message: ConsoleMessage, error: str, fields: dict[str, object]) -> None:
    wanted = None if error == "unknown" else error
    assert message.cors_error == wanted
    for name, value in fields.items():
        if name == "method" and message.cors_error is None:
            continue
        assert getattr(message, name) == value, name


@pytest.mark.parametrize(("doc", "browser", "template", "error"), ROWS)
def test_doc_message_whole(doc: str, browser: str, template: str, error: str) -> None:
    parsed = parse_console_message(fill(template))
    check(parsed, error, expected_fields(template))
    assert parsed.browser == browser.split()[0].lower()


@pytest.mark.parametrize(("doc", "browser", "template", "error"), ROWS)
def test_doc_message_in_part(doc: str, browser: str, template: str, error: str) -> None:
    """Only the part after "blocked by CORS policy:" (Chromium) or "(Reason: " (Firefox); a
    Safari line is pasted with the console's "[Error]" tag and a source location."""
    text = fill(template)
    fields = expected_fields(template)
    for frame_field in ("url", "initial_url", "origin", "kind"):
        fields.pop(frame_field, None)
    if "blocked by CORS policy: " in text:
        part = text.split("blocked by CORS policy: ", 1)[1]
    elif "(Reason: " in text:
        part = text.split("(Reason: ", 1)[1].rsplit(")", 1)[0]
        fields.pop("status", None)
    else:
        part = f"[Error] {text}"
    parsed = parse_console_message(part)
    check(parsed, error, fields)


@pytest.mark.parametrize(("doc", "browser", "template", "error"), ROWS)
def test_doc_message_with_console_decorations(
    doc: str, browser: str, template: str, error: str
) -> None:
    """As copied from a console: a source location before it, DevTools' failed-request line
    after it, curly quotes, wrapped over two lines."""
    text = fill(template).replace("'", "’") if browser.startswith("Chromium") else fill(template)
    pasted = f"main.js:42 {text}\nPUT {SAMPLE['url']} net::ERR_FAILED 403 (Forbidden)\n"
    parsed = parse_console_message(pasted)
    assert parsed.cors_error == (None if error == "unknown" else error)
    if browser.startswith("Chromium") and "{url}" in template:
        assert parsed.url == SAMPLE["url"]
        assert parsed.method == (SAMPLE["method"] if "{method}" in template else "PUT")


def _params(error: str) -> dict[str, str]:
    return {
        "value": "https://app.example.com, https://app.example.com"
        if "Multiple" in error
        else "https://other.example",
        "method": "DELETE",
        "header": "X-Trace-Id",
        "location": "http://u:p@127.0.0.1:9/",
        "space": "loopback",
        "target_space": "local",
    }


VALUE_ERRORS = (
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "AllowOriginMismatch",
    "InvalidAllowCredentials",
)


@pytest.mark.parametrize("kind", ["fetch", "XMLHttpRequest"])
@pytest.mark.parametrize("error", messages.CORS_ERRORS)
def test_doctor_templates_round_trip(error: str, kind: str) -> None:
    params = _params(error)
    text = messages.chromium_message(
        error,
        url="http://127.0.0.1:8000/b",
        origin="https://app.example.com",
        initial_url="http://127.0.0.1:8000/a",
        kind=kind,
        **params,
    )
    parsed = parse_console_message(text)
    assert parsed.cors_error == error
    assert parsed.url == "http://127.0.0.1:8000/b"
    assert parsed.initial_url == "http://127.0.0.1:8000/a"
    assert parsed.origin == "https://app.example.com"
    assert parsed.kind == kind
    assert parsed.preflight == (error in messages.PREFLIGHT_PREFIXED or "Preflight" in error)
    if error.endswith(VALUE_ERRORS):
        assert parsed.value == params["value"]
    if error == "MethodDisallowedByPreflightResponse":
        assert parsed.method == "DELETE"
    if error == "HeaderDisallowedByPreflightResponse":
        assert parsed.header == "x-trace-id"
    # the part after the colon alone gives the same error
    detail = messages.chromium_detail(error, kind=kind, **params)
    assert parse_console_message(detail).cors_error == error


#: the Chromium error Firefox's wording maps back to (Firefox uses one text for several)
FIREFOX_BACK = {
    "InvalidAllowOriginValue": "AllowOriginMismatch",
    "MultipleAllowOriginValues": "AllowOriginMismatch",
    "RedirectContainsCredentials": "network-error",
}


FIREFOX_ERRORS = [
    e for e in messages.CORS_ERRORS if messages.firefox_message(e, url="http://x/") is not None
]


def test_firefox_has_no_message_for_chromium_only_errors() -> None:
    assert len(FIREFOX_ERRORS) == len(messages.CORS_ERRORS) - 6


@pytest.mark.parametrize("error", FIREFOX_ERRORS)
def test_doctor_firefox_templates_round_trip(error: str) -> None:
    text = messages.firefox_message(
        error,
        url="http://127.0.0.1:8000/b",
        status=404,
        value="https://other.example",
        header="X-Trace-Id",
        bad_token="GET POST",
    )
    assert text is not None
    parsed = parse_console_message(text)
    base = error[len("Preflight") :] if error.startswith("Preflight") else error
    if error in ("PreflightInvalidStatus", "PreflightDisallowedRedirect"):
        base = error
    assert parsed.cors_error == FIREFOX_BACK.get(base, base)
    assert parsed.browser == "firefox"
    assert parsed.url == "http://127.0.0.1:8000/b"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n  ",
        "TypeError: Failed to fetch",
        "Uncaught ReferenceError: x is not defined",
        "Access to fetch at 'http://x/' from origin 'http://y' has been blocked by CORS policy: Something new.",
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://x/. (Reason: something new).",
        "x" * (MAX_TEXT + 1),
    ],
)
def test_unknown_text(text: str) -> None:
    with pytest.raises(NotACORSMessage) as info:
        parse_console_message(text)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_firefox_two_lines_for_a_405_preflight() -> None:
    text = (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote"
        " resource at http://127.0.0.1:8000/x. (Reason: CORS header ‘Access-Control-Allow-Origin’"
        " missing). Status code: 405.\n"
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote"
        " resource at http://127.0.0.1:8000/x. (Reason: CORS request did not succeed). Status"
        " code: (null)."
    )
    parsed = parse_console_message(text)
    assert parsed.cors_error == "MissingAllowOriginHeader"
    assert parsed.status == 405


def test_missing_acao_causes_ranked_by_status() -> None:
    base = "Access to fetch at 'http://127.0.0.1:8000/x' from origin 'http://localhost:5173' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    plain = [c.code for c in likely_causes(parse_console_message(base))]
    assert plain[:3] == [
        "origin-not-allowed",
        "cors-middleware-missing",
        "server-error-without-cors",
    ]
    assert {"preflight-redirect", "proxy"} <= set(plain)
    failed = parse_console_message(
        base + "\nGET http://127.0.0.1:8000/x net::ERR_FAILED 500 (Internal Server Error)"
    )
    assert likely_causes(failed)[0].code == "server-error-without-cors"
    gateway = parse_console_message(
        base + "\nGET http://127.0.0.1:8000/x net::ERR_FAILED 502 (Bad Gateway)"
    )
    assert likely_causes(gateway)[0].code == "proxy"
    redirected = base.replace(
        "' from origin", "' (redirected from 'http://127.0.0.1:8000/y') from origin"
    )
    assert likely_causes(parse_console_message(redirected))[0].code == "preflight-redirect"
    preflight = base.replace(
        "CORS policy: ",
        "CORS policy: Response to preflight request doesn't pass access control check: ",
    )
    assert likely_causes(parse_console_message(preflight))[0].code == "preflight-rejected"


def test_mismatch_causes() -> None:
    frame = "Access to fetch at 'http://127.0.0.1:8000/x' from origin 'http://localhost:5173' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '{}' that is not equal to the supplied origin."
    slash = parse_console_message(frame.format("http://localhost:5173/"))
    assert likely_causes(slash)[0].code == "origin-typo"
    loop = parse_console_message(frame.format("http://127.0.0.1:5173"))
    assert likely_causes(loop)[0].code == "localhost-vs-127"
    other = parse_console_message(frame.format("https://admin.example.com"))
    assert likely_causes(other)[0].code == "origin-mismatch"


def test_lowercase_method_and_authorization() -> None:
    m = parse_console_message(
        "Method patch is not allowed by Access-Control-Allow-Methods in preflight response."
    )
    assert [c.code for c in likely_causes(m)] == ["lowercase-method", "method-not-allowed"]
    h = parse_console_message(
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."
    )
    assert "authorization-wildcard" in [c.code for c in likely_causes(h)]


def test_check_command_filled_from_the_message() -> None:
    text = (
        "Access to XMLHttpRequest at 'https://api.example.com/me?x=1&y=2' from origin"
        " 'https://app.example.com' has been blocked by CORS policy: The value of the"
        " 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true'"
        " when the request's credentials mode is 'include'. The credentials mode of requests"
        " initiated by the XMLHttpRequest is controlled by the withCredentials attribute."
    )
    command, missing = check_command(parse_console_message(text))
    assert command == (
        "corskit check 'https://api.example.com/me?x=1&y=2' --origin https://app.example.com"
        " --credentials include --xhr"
    )
    assert missing == []
    header = parse_console_message(
        "Access to fetch at 'http://127.0.0.1:8000/x' from origin 'http://localhost:5173' has"
        " been blocked by CORS policy: Request header field x-api-key is not allowed by"
        " Access-Control-Allow-Headers in preflight response.\n"
        "POST http://127.0.0.1:8000/x net::ERR_FAILED"
    )
    command, missing = check_command(header)
    assert command == (
        "corskit check http://127.0.0.1:8000/x --origin http://localhost:5173 -X POST"
        " -H 'x-api-key: x'"
    )
    firefox = parse_console_message(
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote"
        " resource at http://127.0.0.1:8000/x. (Reason: CORS preflight response did not"
        " succeed). Status code: 401."
    )
    command, missing = check_command(firefox)
    assert command == "corskit check http://127.0.0.1:8000/x --origin ORIGIN"
    assert len(missing) == 2


def test_rendered_explanation() -> None:
    text = (
        "Access to fetch at 'http://127.0.0.1:8000/items' from origin 'http://localhost:5173'"
        " has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present"
        " on the requested resource."
    )
    out = render_console_explanation(parse_console_message(text))
    assert out.startswith("Chromium console message (MissingAllowOriginHeader)\n")
    assert "What the browser saw:\n  The page at http://localhost:5173 called" in out
    assert "  1. [origin-not-allowed] " in out
    assert out.rstrip().endswith(
        "corskit check http://127.0.0.1:8000/items --origin http://localhost:5173"
    )
    data = explain_console_message(parse_console_message(text))
    assert set(data) == {"message", "saw", "causes", "check", "check_needs"}


def test_unknown_text_lists_the_codes() -> None:
    from corskit.doctor.inputs.console_causes import unknown_text

    line = unknown_text("TypeError: Failed to fetch\nmore", ["a-code", "b-code"])
    assert line.startswith("'TypeError: Failed to fetch' is not a CORS console message I know")
    assert line.endswith("a-code, b-code")
    assert "\n" not in line
