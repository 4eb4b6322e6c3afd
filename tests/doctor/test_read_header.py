"""``corskit check --read-header NAME``: whether the page's script can read a response header,
and the expose_headers fix in the words of the CORS layer found. The apps' download route
sends ``Content-Disposition`` without exposing it (before, the doctor said nothing of it).

Fetch standard, CORS-safelisted response-header name:
https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
"""

from __future__ import annotations

import json

import pytest

from tests.servers import serve_asgi

from . import download_apps
from .test_cli import corskit

APPS = "tests.doctor.download_apps"
REQ = ["--origin", download_apps.FRONT, "--path", "/download"]


def test_unexposed_header_is_named_with_the_corskit_fix_and_exit_1() -> None:
    result = corskit(
        "check", f"{APPS}:corskit_download", *REQ, "--read-header", "Content-Disposition"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "Verdict: ALLOWED" in out
    assert "Cause (header-not-exposed):" in out
    assert "cannot read the response header(s) Content-Disposition" in out
    # the fix keeps the name already exposed
    assert 'expose_headers=["x-request-id", "Content-Disposition"]' in out


def test_without_read_header_unreadable_headers_are_a_note_not_an_error() -> None:
    result = corskit("check", f"{APPS}:corskit_download", *REQ)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Cause" not in result.stdout
    notes = result.stdout.split("Notes:", 1)[1]
    assert "content-disposition" in notes
    assert "x-request-id" not in notes  # exposed
    assert "[headers-not-readable]" in notes


def test_json_carries_the_verdict_per_header_and_the_structured_finding() -> None:
    result = corskit(
        "check",
        f"{APPS}:corskit_download",
        *REQ,
        "--read-header",
        "Content-Disposition",
        "--read-header",
        "x-request-id",
        "--json",
    )
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "allowed"
    assert data["read_headers"] == [
        {"name": "Content-Disposition", "readable": False},
        {"name": "x-request-id", "readable": True},
    ]
    assert "content-disposition" in data["unreadable_headers"]
    assert data["findings"][0]["code"] == "header-not-exposed"
    assert data["findings"][0]["setting"] == "expose_headers"
    assert data["symptom"] == "header-not-exposed"
    assert "Content-Disposition" in data["fix_text"] and data["fix"]["verified"] is True


def test_readable_header_exits_0() -> None:
    result = corskit(
        "check", f"{APPS}:exposed_download", *REQ, "--read-header", "Content-Disposition"
    )
    assert result.returncode == 0, result.stdout
    assert "header-not-exposed" not in result.stdout


def test_starlette_layer_gets_its_own_fix() -> None:
    result = corskit(
        "check", f"{APPS}:starlette_download", *REQ, "--read-header", "Content-Disposition"
    )
    assert result.returncode == 1
    assert (
        'app.add_middleware(CORSMiddleware, ..., expose_headers=["X-Request-Id",'
        ' "Content-Disposition"])' in result.stdout.replace("\n  ", " ")
    )


def test_set_cookie_is_never_readable() -> None:
    result = corskit("check", f"{APPS}:exposed_download", *REQ, "--read-header", "Set-Cookie")
    assert result.returncode == 1
    assert "header-never-readable" in result.stdout


def test_wildcard_expose_does_not_cover_a_credentialed_request() -> None:
    args = ["check", f"{APPS}:wildcard_download", *REQ, "--read-header", "Content-Disposition"]
    assert corskit(*args).returncode == 0
    result = corskit(*args, "--credentials", "include")
    assert result.returncode == 1, result.stdout
    assert "'*'" in result.stdout and "credentials" in result.stdout


def test_url_target_under_uvicorn_gets_the_header_to_send() -> None:
    with serve_asgi(download_apps.corskit_app()) as base:
        result = corskit(
            "check",
            f"{base}/download",
            "--origin",
            download_apps.FRONT,
            "--read-header",
            "Content-Disposition",
        )
    assert result.returncode == 1, result.stdout + result.stderr
    flat = result.stdout.replace("\n  ", " ")
    assert "send Access-Control-Expose-Headers: x-request-id, Content-Disposition" in flat


def test_flask_cors_fix_in_its_words() -> None:
    pytest.importorskip("flask_cors")
    from corskit.testing import assert_cors_allowed

    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(
            download_apps.flask_cors_app(),
            origin=download_apps.FRONT,
            path="/download",
            read_headers=["Content-Disposition"],
        )
    text = str(info.value)
    assert "expose_headers=" in text and "Content-Disposition" in text
    assert "X-Request-Id" in text


def test_read_header_with_har_is_a_usage_error(tmp_path: object) -> None:
    result = corskit("check", "--har", "x.har", "--read-header", "X-A")
    assert result.returncode == 2
    assert "--read-header" in result.stderr


def test_litestar_fix_in_its_words() -> None:
    pytest.importorskip("litestar")
    from litestar import Litestar, get
    from litestar.config.cors import CORSConfig
    from litestar.datastructures import ResponseHeader

    from corskit.testing import assert_cors_allowed

    disposition = ResponseHeader(name="Content-Disposition", value="attachment")

    @get("/download", response_headers=[disposition])
    async def download() -> str:  # a builtin: Litestar resolves the annotation at run time
        return "a,b\n"

    config = CORSConfig(allow_origins=[download_apps.FRONT], expose_headers=["X-Request-Id"])
    app = Litestar([download], cors_config=config)
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(
            app, origin=download_apps.FRONT, path="/download", read_headers=["Content-Disposition"]
        )
    assert 'CORSConfig(..., expose_headers=["X-Request-Id", "Content-Disposition"])' in str(
        info.value
    )
