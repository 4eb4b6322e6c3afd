"""What the middleware does, in-process: a preflight, an actual request, and the
start-up error an insecure configuration gets. Run: python -m examples.foundation_demo
"""

from __future__ import annotations

from urllib.parse import urlsplit

from corskit import CORSConfigError, CORSPolicy
from corskit.doctor.transports import WireRequest, open_transport

ORIGIN = "http://localhost:5173"


def show(title: str, request: WireRequest) -> None:
    transport, _ = open_transport("examples.quickstart:fixed")
    try:
        response = transport.send(request)
    finally:
        transport.close()
    path = urlsplit(request.url).path  # in-process: the app sees only the path
    print(f"\n{title}\n  -> {request.method} {path}")
    for name, value in request.headers:
        print(f"     {name}: {value}")
    print(f"  <- {response.status}")
    for name, value in response.headers:
        if name.startswith("access-control-") or name == "vary":
            print(f"     {name}: {value}")


def main() -> None:
    print(
        "corskit middleware on the bundled FastAPI app (examples/quickstart.py:fixed), in-process"
    )
    url = "http://testserver/items"
    show(
        "1. The browser's preflight for a JSON POST with a bearer token",
        WireRequest(
            "OPTIONS",
            url,
            [
                ("origin", ORIGIN),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "authorization,content-type"),
            ],
        ),
    )
    show(
        "2. The actual request",
        WireRequest(
            "POST",
            url,
            [
                ("origin", ORIGIN),
                ("content-type", "application/json"),
                ("authorization", "Bearer t0ken"),
            ],
            b'{"name": "apple"}',
        ),
    )
    print("\n3. An insecure configuration is refused at start-up, every problem at once:\n")
    try:
        CORSPolicy(
            allow_origins=["*", "http://localhost:5173/"],
            allow_credentials=True,
            allow_origin_regex=r"https://.*.example.com",
        )
    except CORSConfigError as exc:
        print(exc)


if __name__ == "__main__":
    main()
