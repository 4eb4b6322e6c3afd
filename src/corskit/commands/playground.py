"""``corskit playground --api URL [--origin ORIGIN]``: a local page to try cross-origin requests.

Thin: the arguments go to :func:`corskit.doctor.playground_server.serve`, which holds the
server, the validation and the browser runs.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``playground`` subcommand."""
    parser = subparsers.add_parser(
        "playground",
        help="serve a local page to try cross-origin requests against your API",
        description=(
            "Serve a small page on a loopback port where you compose a request (page origin, "
            "method, headers, credentials, body) against your API. It runs in headless "
            "Chromium from a page at the origin you choose, and the corskit doctor explains "
            "the outcome beside it."
        ),
    )
    parser.add_argument(
        "--api",
        required=True,
        metavar="URL",
        help="base URL of your API, e.g. http://127.0.0.1:8000/items",
    )
    parser.add_argument(
        "--origin",
        metavar="ORIGIN",
        help="page origin the form starts with, e.g. https://app.example.com "
        "(default: the playground's own origin)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8377,
        metavar="N",
        help="port of the playground page (default 8377; 0 = any free port)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="timeout of each request, in the browser and the doctor (default 10 s)",
    )
    parser.add_argument(
        "--chromium", metavar="PATH", help="Chromium binary (default: found on the system)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``corskit playground``: serve until interrupted."""
    from corskit.cli import CLIError
    from corskit.doctor.playground_server import PlaygroundConfigError, serve

    try:
        return serve(
            args.api,
            origin=args.origin,
            host=args.host,
            port=args.port,
            timeout=args.timeout,
            chromium_path=args.chromium,
        )
    except PlaygroundConfigError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
