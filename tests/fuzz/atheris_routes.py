"""Coverage-guided fuzz target (atheris/libFuzzer) for the route table's path readings.

The property of ``tests/hostile/test_route_properties.py``, unbounded: for a path built
from dot segments, ``;params``, percent-encodings, doubled and back slashes (or from raw
bytes), readings that plausible servers make (``tests/hostile/server_readings.py``) never
get different policies unless the answer is ``path-ambiguous``; and no input makes
``RouteTable.lookup`` raise. Not collected by pytest (atheris is optional)::

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz/atheris_routes.py -max_total_time=600 -print_final_stats=1
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root


def test_one_input(data: bytes) -> None:
    from urllib.parse import unquote

    from tests.hostile.server_readings import PIECES, check

    if not data:
        return
    if data[0] % 2:  # a path of known pieces, joined by one, two or no slashes
        seps = ["/", "//", ""]
        parts = [PIECES[b % len(PIECES)] for b in data[1:17]]
        raw = "/" + seps[data[0] // 2 % 3].join(parts)
        check(_TABLE[0], raw)
    else:  # arbitrary bytes as the raw path: must never raise
        raw = data[1:].decode("latin-1")
        _TABLE[0].lookup(unquote(raw), data[1:])
        _TABLE[0].match(raw)
        printable = "".join(ch for ch in raw if " " < ch < "\x7f")
        check(_TABLE[0], "/" + printable.lstrip("/"))


_TABLE: list[Any] = []


def main() -> None:
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["corskit"]):
        import corskit.routing  # noqa: F401
    from corskit import RouteTable
    from tests.hostile.server_readings import ROUTES

    _TABLE.append(RouteTable(ROUTES))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
