"""The one bounded cache of corskit: a ``dict`` limited in entries *and* in bytes.

Every cache the core keeps (the engine's decisions, the origin function's answers) is
one of these, so hostile input can never grow memory without bound: a flood of new
keys evicts the oldest entries, a few at a time, and a key larger than the byte budget
is never stored at all. Reads are plain ``dict.get`` calls (the hot path pays nothing);
only :meth:`BoundedCache.remember` counts.

>>> cache = BoundedCache(max_entries=2, max_bytes=1000)
>>> cache.remember(b"a", 1), cache.remember(b"b", 2), cache.remember(b"c", 3)
(1, 2, 3)
>>> sorted(cache)
[b'b', b'c']
>>> cache.remember(b"x" * 2000, 4), b"x" * 2000 in cache   # too big: answered, not stored
(4, False)
"""

from __future__ import annotations

import threading
from itertools import islice
from typing import Any, TypeVar

__all__ = ["ENTRY_OVERHEAD", "BoundedCache", "key_size"]

K = TypeVar("K")
V = TypeVar("V")

#: Bytes counted per entry on top of its key's own bytes (dict slot, tuple, value).
ENTRY_OVERHEAD = 200


def key_size(key: Any) -> int:
    """Approximate bytes held by *key*: its bytes/str length, summed over a tuple."""
    if isinstance(key, (bytes, str)):
        return len(key) + ENTRY_OVERHEAD
    if isinstance(key, tuple):
        return sum(len(part) for part in key if isinstance(part, (bytes, str))) + ENTRY_OVERHEAD
    return ENTRY_OVERHEAD


class BoundedCache(dict[K, V]):
    """A ``dict`` that never holds more than ``max_entries`` entries or ``max_bytes`` bytes.

    Insert with :meth:`remember`; eviction is oldest-first, a sixteenth of the entries at a
    time, so a flood of new keys costs O(1) per insert. Thread-safe for writers (WSGI
    servers run requests in threads); readers use the dict directly.
    """

    __slots__ = ("_bytes", "_lock", "max_bytes", "max_entries")

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        super().__init__()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_in_bytes(self) -> int:
        """The bytes counted for the entries held now."""
        return self._bytes

    def remember(self, key: K, value: V) -> V:
        """Store *value* under *key* (the newest entry) and return it.

        Not stored when the cache holds no entries at all or the key alone exceeds the
        byte budget: the caller still gets its answer, memory stays bounded.
        """
        size = key_size(key)
        if self.max_entries <= 0 or size > self.max_bytes:
            return value
        with self._lock:
            if key in self:
                self._bytes -= key_size(key)
                del self[key]
            while self and (len(self) >= self.max_entries or self._bytes + size > self.max_bytes):
                for old in list(islice(self, max(1, len(self) // 16))):
                    del self[old]
                    self._bytes -= key_size(old)
            self[key] = value
            self._bytes += size
        return value

    def forget(self, key: K) -> None:
        """Drop *key* if present."""
        with self._lock:
            if key in self:
                del self[key]
                self._bytes -= key_size(key)

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self._bytes = 0
