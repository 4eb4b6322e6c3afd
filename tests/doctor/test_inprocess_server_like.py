"""In-process targets behave as under a server: the ASGI lifespan runs around the request,
and reports show the path (or ``--base-url``) instead of the in-process placeholder host."""

from __future__ import annotations

import json
import time

import pytest

from corskit.doctor.transports import ASGITransport, TransportError, open_transport
from corskit.doctor.wire import WireRequest, for_display
from corskit.testing import assert_cors_allowed, check_cors

from . import lifespan_apps
from .lifespan_apps import (
    failing,
    ignores_scope_type,
    never_answers_lifespan,
    raises_on_lifespan,
    with_state,
)
from .test_cli import corskit

ORIGIN = "http://localhost:5173"
APP = "tests.doctor.lifespan_apps:with_state"


def test_lifespan_state_reaches_the_route_and_shutdown_runs_after() -> None:
    lifespan_apps.EVENTS.clear()
    result = assert_cors_allowed(with_state, origin=ORIGIN, path="/groups/")
    assert result.outcome.status == 200
    assert lifespan_apps.EVENTS == ["startup", "request", "shutdown"]


def test_cli_check_of_a_lifespan_app_is_allowed() -> None:
    result = corskit("check", APP, "--origin", ORIGIN, "--path", "/groups/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "server-error" not in result.stdout


def test_failed_startup_is_one_line_naming_the_apps_exception() -> None:
    result = corskit(
        "check", "tests.doctor.lifespan_apps:failing", "--origin", ORIGIN, "--path", "/groups/"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert "lifespan start-up failed" in line
    assert "ConnectionRefusedError: database at 127.0.0.1:5432 refused the connection" in line
    with pytest.raises(RuntimeError, match="ConnectionRefusedError"):
        check_cors(failing, origin=ORIGIN, path="/groups/")


@pytest.mark.parametrize("app", [raises_on_lifespan, ignores_scope_type])
def test_app_without_lifespan_support_still_works(app: object) -> None:
    result = assert_cors_allowed(app, origin=ORIGIN, path="/x")
    assert result.outcome.status == 200


def test_app_that_never_answers_lifespan_is_sent_requests_without_it() -> None:
    transport = ASGITransport(never_answers_lifespan, timeout=0.5)
    start = time.monotonic()
    try:
        response = transport.send(WireRequest("GET", "http://testserver/x", []))
    finally:
        transport.close()
    assert response.status == 200
    assert time.monotonic() - start < 10  # bounded by the timeout (0.5 s), generous margin


def test_reports_show_the_path_not_the_placeholder_host() -> None:
    result = corskit("check", APP, "--origin", "http://evil.example", "--path", "/groups/")
    assert result.returncode == 1
    assert "testserver" not in result.stdout
    assert "Access to fetch at '/groups/' from origin 'http://evil.example'" in result.stdout
    data = json.loads(
        corskit(
            "check", APP, "--origin", "http://evil.example", "--path", "/groups/", "--json"
        ).stdout
    )
    assert "testserver" not in json.dumps(data)


def test_redirect_advice_shows_the_path_or_the_base_url() -> None:
    args = ("--origin", ORIGIN, "--path", "/groups", "-X", "PUT")
    result = corskit("check", "tests.doctor.lifespan_apps:slash_redirect", *args)
    assert result.returncode == 1
    assert "call the final URL directly: /groups/" in result.stdout
    assert "testserver" not in result.stdout
    given = corskit(
        "check",
        "tests.doctor.lifespan_apps:slash_redirect",
        *args,
        "--base-url",
        "http://localhost:8000",
    )
    assert "call the final URL directly: http://localhost:8000/groups/" in given.stdout


def test_base_url_sets_the_host_and_the_shown_url() -> None:
    transport, url = open_transport(
        "tests.doctor.lifespan_apps:echo_host", path="/x", base_url="http://localhost:8000/"
    )
    try:
        response = transport.send(WireRequest("GET", url, []))
    finally:
        transport.close()
    assert url == "http://localhost:8000/x"
    assert response.get("x-seen-host") == "localhost:8000"
    cli = corskit(
        "check",
        APP,
        "--origin",
        "http://evil.example",
        "--path",
        "/groups/",
        "--base-url",
        "http://localhost:8000",
    )
    assert "Access to fetch at 'http://localhost:8000/groups/'" in cli.stdout


@pytest.mark.parametrize(
    "bad", ["localhost:8000", "ftp://x", "http://x/api", "http://u@x", "http://x:99999"]
)
def test_bad_base_url_is_a_usage_error(bad: str) -> None:
    with pytest.raises(TransportError, match="--base-url"):
        open_transport(APP, base_url=bad)
    result = corskit("check", APP, "--origin", ORIGIN, "--base-url", bad)
    assert result.returncode == 2 and "--base-url" in result.stderr


def test_base_url_with_a_url_target_is_refused() -> None:
    with pytest.raises(TransportError, match="in-process"):
        open_transport("http://127.0.0.1:1/", base_url="http://localhost:8000")


def test_for_display_keeps_other_hosts() -> None:
    assert for_display("at 'http://testserver/a?b'") == "at '/a?b'"
    assert for_display("the page calls http://testserver") == "the page calls the app"
    assert for_display("http://other.testserver/x http://testserver.example/") == (
        "http://other.testserver/x http://testserver.example/"
    )


def test_audit_of_an_app_whose_startup_fails_is_one_line() -> None:
    result = corskit("audit", "tests.doctor.lifespan_apps:failing")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "lifespan start-up failed: ConnectionRefusedError: database at 127.0.0.1:5432 refused"
        " the connection"
    )


def test_failed_shutdown_is_kept_and_does_not_block_close() -> None:
    transport = ASGITransport(lifespan_apps.shutdown_fails, timeout=2)
    response = transport.send(WireRequest("GET", "http://testserver/x", []))
    lifespan = transport._lifespan
    transport.close()
    assert response.status == 200
    assert lifespan is not None
    assert lifespan.errors == ["the app's lifespan shut-down failed: OSError: pool close failed"]
