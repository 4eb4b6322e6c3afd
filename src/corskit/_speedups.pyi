"""Type stubs of the optional C module (see _speedups.c and corskit._loops)."""

from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[Any], Awaitable[None]]

def find_origin(raw: Any, /) -> Any: ...
def send_filter(send: Send, tail: tuple[tuple[bytes, bytes], ...], /) -> Send: ...
def preflight_fields(raw: Any, /) -> tuple[bytes, list[bytes], bytes | None] | None: ...
def setup(
    several: object,
    watched: tuple[bytes, ...],
    fallback: Callable[[Any, Any], Any],
    fields_fallback: Callable[[Any], Any],
    /,
) -> None: ...
