"""Serve ``tests/frameworks/django_project`` in a process of its own (settings are per process).

Usage: ``python -m tests.frameworks.django_server wsgi|asgi SETTINGS_MODULE``. The server
listens on 127.0.0.1, port 0 (the system picks a free one), and prints ``ready PORT``
when it accepts connections. WSGI: the standard library's server (threaded); ASGI: uvicorn.
"""

from __future__ import annotations

import os
import socket
import sys


def main() -> None:
    kind, settings_module = sys.argv[1], sys.argv[2]
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if kind == "wsgi":
        serve_wsgi()
    else:
        serve_asgi()


def serve_wsgi() -> None:
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    from tests.servers import _QuietHandler, _ThreadingWSGIServer

    application = get_wsgi_application()  # loads MIDDLEWARE: corskit validates here
    server = _ThreadingWSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(application)
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()


def serve_asgi() -> None:
    import uvicorn
    from django.core.asgi import get_asgi_application  # type: ignore[import-untyped]

    application = get_asgi_application()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(f"ready {port}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
