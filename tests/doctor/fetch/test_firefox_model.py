"""The doctor's Firefox model: the lines Firefox prints (checked against Firefox ESR by
tests/doctor/browser/test_differential_firefox.py) and Firefox's verdict where it differs from
Chromium's (Local Network Access)."""

from __future__ import annotations

import pytest

from corskit.doctor.fetch import messages
from corskit.doctor.inputs.console import parse_console_message
from corskit.doctor.transports import WireRequest
from tests.doctor.fetch.test_fetch import permissive, run

URL = "http://127.0.0.1:8000/r"
FRAME = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)
DID_NOT_SUCCEED = f"{FRAME}{URL}. (Reason: CORS request did not succeed). Status code: (null)."


def test_a_failed_preflight_adds_did_not_succeed() -> None:
    lines = messages.firefox_messages(
        "PreflightMissingAllowOriginHeader", url=URL, stage="preflight", status=405
    )
    assert lines == (
        f"{FRAME}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 405.",
        DID_NOT_SUCCEED,
    )


def test_a_failed_redirect_adds_did_not_succeed_and_a_final_response_does_not() -> None:
    redirect = messages.firefox_messages(
        "MissingAllowOriginHeader", url=URL, stage="redirect", status=302
    )
    actual = messages.firefox_messages(
        "MissingAllowOriginHeader", url=URL, stage="actual", status=200
    )
    assert redirect[1:] == (DID_NOT_SUCCEED,)
    assert len(actual) == 1 and actual[0].endswith("Status code: 200.")


def test_credentials_with_star_quotes_the_url() -> None:
    (line,) = messages.firefox_messages("WildcardOriginNotAllowed", url=URL, stage="actual")
    assert line.startswith(f"{FRAME}‘{URL}’. (Reason: Credential is not supported")
    assert parse_console_message(line).url == URL


def test_several_acao_values_read_as_a_mismatch_with_the_combined_value() -> None:
    value = "https://app.example.com, https://app.example.com"
    (line,) = messages.firefox_messages(
        "MultipleAllowOriginValues", url=URL, stage="actual", value=value
    )
    assert line.endswith(
        f"(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’)."
    )
    assert parse_console_message(line).cors_error == "MultipleAllowOriginValues"


def test_credentials_in_a_redirect_location_is_only_did_not_succeed() -> None:
    lines = messages.firefox_messages("RedirectContainsCredentials", url=URL, stage="redirect")
    assert lines == (DID_NOT_SUCCEED,)


@pytest.mark.parametrize(
    "error", [None, "LocalNetworkAccessPermissionDenied", "CorsDisabledScheme"]
)
def test_no_firefox_line_where_it_is_not_known(error: str | None) -> None:
    assert messages.firefox_messages(error, url=URL, stage="actual", network_error="net::X") == ()


def test_outcome_carries_both_lines_and_the_first_as_firefox_message() -> None:
    def refuse_preflight(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
        return (405, []) if req.method == "OPTIONS" else (200, [])

    outcome, _ = run(refuse_preflight, method="PUT")
    assert len(outcome.firefox_messages) == 2
    assert outcome.firefox_message == outcome.firefox_messages[0]
    assert outcome.firefox_verdict == "blocked"
    assert outcome.to_json()["firefox_messages"] == list(outcome.firefox_messages)


def test_firefox_ignores_local_network_access() -> None:
    outcome, _ = run(permissive, target_address_space="local")
    assert outcome.verdict == "blocked"
    assert outcome.firefox_verdict == "allowed"
    assert outcome.firefox_messages == ()
    assert outcome.to_json()["firefox_verdict"] == "allowed"


def test_firefox_verdict_is_unknown_when_chromium_sends_nothing() -> None:
    outcome, app = run(permissive, origin="http://app.example.com", target_address_space="loopback")
    assert outcome.cors_error == "InsecureLocalNetwork"
    assert app.seen == []
    assert outcome.firefox_verdict == "unknown"
