"""corskit.django in a real Django project, served by real servers (WSGI and ASGI).

Django's settings belong to a process, so the project runs in subprocesses: the
standard library's threaded WSGI server and uvicorn, each on 127.0.0.1 port 0
(``tests/frameworks/django_server.py``); ``manage.py check`` runs as ``python -m django check``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.helpers import APP, EVIL, get, preflight, raw_request

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "tests.frameworks.django_project"


def _serve(kind: str, settings: str) -> Iterator[str]:
    with subprocess.Popen(  # closes its pipes on exit
        [sys.executable, "-m", "tests.frameworks.django_server", kind, f"{PROJECT}.{settings}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline().decode()
            if not line.startswith("ready "):
                proc.wait(timeout=30)
                raise AssertionError(
                    f"the {kind} server did not start: {proc.stderr.read().decode()}"
                )
            yield f"http://127.0.0.1:{int(line.split()[1])}"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture(scope="module", params=["wsgi", "asgi"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _serve(request.param, "settings")


@pytest.fixture(scope="module")
def peer_server() -> Iterator[str]:
    yield from _serve("wsgi", "settings_peer")


def _check(settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--settings", f"{PROJECT}.{settings}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_actual_requests(server: str) -> None:
    r = get(server, "/api/items", APP)
    assert r.status == 200
    assert r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-total-count",
    }
    assert r.get("vary") == "Accept-Encoding, Origin"  # the view's Vary, merged into one field
    assert b'"items"' in r.body
    refused = get(server, "/api/items", EVIL)
    assert (refused.status, refused.cors()) == (200, {})
    assert refused.get("vary") == "Accept-Encoding, Origin"
    plain = get(server, "/api/items")  # no Origin: not a CORS request
    assert plain.status == 200 and plain.cors() == {}


def test_preflights_never_reach_the_view(server: str) -> None:
    p = preflight(
        server, "/api/items", APP, method="PATCH", request_headers="content-type,x-csrftoken"
    )
    assert p.status == 204 and p.body == b""
    assert p.get("access-control-allow-origin") == APP
    assert p.get("access-control-allow-methods") == "PATCH"
    assert p.get("access-control-allow-headers") == "content-type,x-csrftoken"
    assert p.get("access-control-allow-credentials") == "true"
    for origin, method in ((EVIL, "PATCH"), (APP, "DELETE")):
        refused = preflight(server, "/api/items", origin, method=method)
        assert refused.status == 403 and refused.acao is None
    # A preflight to a path with no view is answered the same way (the view is never asked).
    assert preflight(server, "/no/such/path", APP, method="PATCH").status == 204


def test_errors_redirects_and_routes(server: str) -> None:
    boom = get(server, "/api/boom", APP)  # Django's own 500 page, with CORS headers
    assert (boom.status, boom.acao) == (500, APP)
    redirect = get(server, "/slashy", APP)  # CommonMiddleware's APPEND_SLASH, below corskit
    assert (
        redirect.status == 301
        and redirect.get(
            "location",
        )
        == "/slashy/"
        and redirect.acao == APP
    )
    public = get(server, "/public/info", EVIL)  # per-route policy (an async view)
    assert (public.status, public.acao) == (200, "*")
    assert preflight(server, "/public/info", EVIL, method="PATCH").status == 403


def test_moved_over_from_django_cors_headers(peer_server: str) -> None:
    r = get(peer_server, "/api/items", APP)
    assert r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
    }
    # django-cors-headers' default methods and headers apply to what CORS_* leaves unset.
    p = preflight(
        peer_server,
        "/api/items",
        APP,
        method="DELETE",
        request_headers="authorization,x-requested-with",
    )
    assert (p.status, p.get("access-control-allow-headers")) == (
        204,
        "authorization,x-requested-with",
    )
    # Outside CORS_URLS_REGEX corskit does nothing at all.
    other = raw_request(peer_server, "GET", "/other", {"Origin": APP})
    assert other.status == 200 and other.cors() == {} and other.get("vary") is None


def test_system_check_reports_a_bad_setting_with_its_code() -> None:
    bad = _check("settings_bad")
    assert bad.returncode != 0
    assert "(corskit.wildcard-origin-with-credentials)" in bad.stderr
    assert "(corskit.origin-trailing-slash)" in bad.stderr
    assert "corskit explain wildcard-origin-with-credentials" in bad.stderr


def test_system_check_warns_about_peer_names_and_order() -> None:
    peer = _check("settings_peer")
    assert peer.returncode == 0, peer.stderr
    out = peer.stdout + peer.stderr
    assert out.count("(corskit.renamed-setting)") == 3
    assert (
        "Write CORSKIT = {'allow_origins': ['https://app.example.com']} instead of CORS_ALLOWED_ORIGINS"
        in out
    )
    order = _check("settings_order")
    assert order.returncode == 0 and "(corskit.middleware-order)" in order.stdout + order.stderr
    good = _check("settings")
    assert good.returncode == 0 and "no issues" in good.stdout


def test_a_bad_setting_stops_the_server_at_start_up() -> None:
    with pytest.raises(AssertionError) as failed:
        next(_serve("wsgi", "settings_bad"))
    assert "ImproperlyConfigured" in str(failed.value)
    assert "[wildcard-origin-with-credentials]" in str(failed.value)


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_origins_from_a_function(kind: str) -> None:
    tenant = "https://tenant.example.com"
    for base in _serve(kind, "settings_dynamic"):
        r = get(base, "/api/items", tenant)
        assert (r.status, r.acao) == (200, tenant)
        assert preflight(base, "/api/items", tenant, method="PATCH").acao == tenant
        assert get(base, "/api/items", EVIL).acao is None
        assert get(base, "/api/items", APP).acao == APP  # the static list still answers first
