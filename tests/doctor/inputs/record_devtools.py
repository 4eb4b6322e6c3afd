"""Record the DevTools copies the input tests read (run by hand; the output is committed).

    .venv/bin/python -m tests.doctor.inputs.record_devtools

Provenance: real headless Chromium (Debian's /usr/lib/chromium/chromium) with
``--remote-debugging-port``; its own DevTools front end (served by the browser at
``/devtools/devtools_app.html``) is opened on the page's target, the page's script runs the
fetches below against live loopback servers, and then the front end's own functions behind the
Network panel's menu items produce the copies: ``NetworkLogView.generateCurlCommand(request,
'unix')`` ("Copy as cURL (bash)"), ``(request, 'win')`` ("Copy as cURL (cmd)"),
``generateFetchCall(request, 0)`` ("Copy as fetch") and ``HAR.Log.Log.build`` ("Export HAR (with
sensitive data)").  Console messages come from Playwright's console events.  The page is a real
server at ``http://localhost:FRONT`` and the API a real server at ``http://127.0.0.1:API``
(loopback to loopback, so Local Network Access does not apply and no request is intercepted).
Ports are rewritten to fixed ones (5173 and 8000) in the saved file so it is stable.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from corskit import CORSMiddleware
from tests.servers import free_port, serve_asgi

OUT = Path(__file__).with_name("samples") / "chromium_devtools.json"
FRONT_PORT, API_PORT = 5173, 8000

#: (name, JavaScript fetch call with API standing for the API's base URL)
SCENARIOS: list[tuple[str, str]] = [
    ("simple-get", "fetch(API + '/c/items?page=2')"),
    (
        "post-json-credentials",
        "fetch(API + '/c/items', {method: 'POST', credentials: 'include', headers:"
        " {'Content-Type': 'application/json', 'Accept-Language': 'de'},"
        " body: JSON.stringify({name: \"it's ok!\", tags: ['a', 'b']})})",
    ),
    (
        "put-custom-header-blocked",
        "fetch(API + '/c/items/7', {method: 'PUT', headers: {'X-Trace-Id': 'abc123',"
        " 'Content-Type': 'application/json'}, body: '{\"n\":7}'})",
    ),
    (
        "get-authorization-blocked",
        "fetch(API + '/c/me', {headers: {'Authorization': 'Bearer s3cr3t-t0ken'}})",
    ),
    ("no-cors-middleware", "fetch(API + '/plain/items')"),
    (
        "form-post-with-cookie",
        "fetch(API + '/c/login', {method: 'POST', credentials: 'include', body:"
        " new URLSearchParams({user: 'ann', next: '/a b%'})})",
    ),
    (
        "xhr-with-credentials",
        "new Promise(r => { const x = new XMLHttpRequest(); x.open('GET', API + '/c/items');"
        " x.withCredentials = true; x.onloadend = () => r(x.status); x.send(); })",
    ),
]

DEVTOOLS_JS = """async () => {
  const Logs = await import('./models/logs/logs.js');
  const Network = await import('./panels/network/network.js');
  const HAR = await import('./models/har/har.js');
  const View = Network.NetworkLogView.NetworkLogView;
  const reqs = Logs.NetworkLog.NetworkLog.instance().requests();
  const out = [];
  for (const r of reqs) {
    out.push({
      url: r.url(), method: r.requestMethod,
      curl_bash: await View.generateCurlCommand(r, 'unix'),
      curl_cmd: await View.generateCurlCommand(r, 'win'),
      fetch: await View.prototype.generateFetchCall.call(null, r, 0),
    });
  }
  const har = await HAR.Log.Log.build(reqs, {sanitize: false});
  return {requests: out, har: JSON.stringify({log: har}, null, 2)};
}"""


def _apps(front_origin: str) -> tuple[Starlette, Starlette]:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><link rel=icon href='data:,'><title>front</title>")

    async def items(request: Request) -> Response:
        await request.body()
        resp = JSONResponse({"ok": True})
        if request.url.path.endswith("/login"):
            resp.set_cookie("sid", "s3cr3t", samesite="none", secure=True)
        return resp

    routes = [Route("/{path:path}", items, methods=["GET", "POST", "PUT", "DELETE"])]
    cors_app = Starlette(routes=routes)
    cors_app.add_middleware(
        CORSMiddleware,
        allow_origins=[front_origin],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        allow_credentials=True,
    )
    api = Starlette(
        routes=[Mount("/c", app=cors_app), Mount("/plain", app=Starlette(routes=routes))]
    )
    return Starlette(routes=[Route("/", page)]), api


def _stable(text: str, front: int, api: int) -> str:
    return text.replace(f":{front}", f":{FRONT_PORT}").replace(f":{api}", f":{API_PORT}")


def run_in_chromium(
    front: Any,
    api: Any,
    calls: list[tuple[str, str]],
    *,
    front_port: int,
    api_port: int,
    har_path: Path | None = None,
) -> dict[str, Any]:
    """Serve *front* at ``http://localhost:FRONT_PORT`` and *api* at ``http://127.0.0.1:API_PORT``,
    run each ``(name, JavaScript)`` of *calls* in the page (``API`` is the API's base URL), and
    (both None: already served there) return what the script saw, the console lines of each call, DevTools' copies of every
    request and DevTools' HAR.  With *har_path*, Playwright records its own HAR there too."""
    from playwright.sync_api import sync_playwright

    debug_port = free_port()
    front_origin = f"http://localhost:{front_port}"
    profile = Path(tempfile.mkdtemp(prefix="corskit-devtools-"))
    (profile / "Default").mkdir()
    (profile / "Default" / "Preferences").write_text('{"profile":{"cookie_controls_mode":0}}')
    console: dict[str, list[str]] = {}
    results: dict[str, str] = {}
    api_url = f"http://127.0.0.1:{api_port}"
    with contextlib.ExitStack() as servers:
        if front is not None:  # else both are already served on those ports
            servers.enter_context(serve_asgi(front, port=front_port))
            servers.enter_context(serve_asgi(api, port=api_port))
        with sync_playwright() as p:
            extra: dict[str, Any] = {"record_har_path": str(har_path)} if har_path else {}
            ctx = p.chromium.launch_persistent_context(
                str(profile),
                executable_path="/usr/lib/chromium/chromium",
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    f"--remote-debugging-port={debug_port}",
                    "--remote-allow-origins=*",
                ],
                **extra,
            )
            try:
                page = ctx.new_page()
                current = ["load"]
                page.on("console", lambda m: console.setdefault(current[0], []).append(m.text))
                page.goto(front_origin + "/")
                with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json") as resp:
                    targets = json.load(resp)
                target = next(t for t in targets if t["url"].startswith(front_origin))
                devtools = ctx.new_page()
                devtools.goto(
                    f"http://127.0.0.1:{debug_port}/devtools/devtools_app.html"
                    f"?ws=127.0.0.1:{debug_port}/devtools/page/{target['id']}"
                )
                devtools.wait_for_function(
                    "() => document.title.includes('DevTools')", timeout=30000
                )
                time.sleep(2)
                for name, call in calls:
                    current[0] = name
                    results[name] = page.evaluate(
                        f"() => {{ const API = {api_url!r}; return Promise.resolve({call})"
                        ".then(r => 'resolved ' + (r.status ?? r), e => 'rejected ' + e); }"
                    )
                    time.sleep(0.2)
                time.sleep(1)
                captured = devtools.evaluate(DEVTOOLS_JS)
            finally:
                ctx.close()
    return {
        "results": results,
        "console": console,
        "requests": captured["requests"],
        "har": json.loads(captured["har"]),
    }


def record() -> dict[str, Any]:
    front_port, api_port = free_port(), free_port()
    front, api = _apps(f"http://localhost:{front_port}")
    run = run_in_chromium(front, api, SCENARIOS, front_port=front_port, api_port=api_port)
    data = {
        "browser": "Chromium (Debian /usr/lib/chromium/chromium), DevTools front end",
        "scenarios": [
            {
                "name": n,
                "call": c,
                "result": run["results"][n],
                "console": run["console"].get(n, []),
            }
            for n, c in SCENARIOS
        ],
        "requests": run["requests"],
        "har": run["har"],
    }
    result: dict[str, Any] = json.loads(_stable(json.dumps(data), front_port, api_port))
    return result


if __name__ == "__main__":
    data = record()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}: {len(data['requests'])} requests")
