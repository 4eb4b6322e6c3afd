"""Serve examples/django_app/app.py with wsgiref in a process of its own.

Django's settings belong to the whole process, so the test suite never configures Django
in its own process. Usage: python -m tests.features.django_example_server PORT
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.servers import _QuietHandler, _ThreadingWSGIServer

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    port = int(sys.argv[1])
    spec = importlib.util.spec_from_file_location(
        "corskit_django_example", ROOT / "examples/django_app/app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Django imports ROOT_URLCONF by this name
    spec.loader.exec_module(module)
    server = _ThreadingWSGIServer(("127.0.0.1", port), _QuietHandler)
    server.set_app(module.application)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
