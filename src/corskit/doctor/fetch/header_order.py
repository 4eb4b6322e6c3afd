"""The order in which Chromium hands a ``fetch()``'s request headers to its CORS check.

When a preflight response allows none of several CORS-unsafe request headers, Chromium's
console line names only one: "Request header field X is not allowed by
Access-Control-Allow-Headers in preflight response." The network service walks the request's
header list and names the first name Access-Control-Allow-Headers does not list
(``services/network/cors/preflight_result.cc``, ``EnsureAllowedCrossOriginHeaders``, with the
names from ``services/network/cors/cors_util.cc``, ``CorsUnsafeNotForbiddenRequestHeaderNames``:
unsafe names in list order, then the safelisted ones when their values add up to more than
1,024 bytes). That list is neither the script's order nor sorted: it is the iteration order of
Blink's ``HTTPHeaderMap``, copied entry by entry into the network request
(``third_party/blink/renderer/platform/loader/fetch/url_loader/request_conversion.cc``,
``PopulateResourceRequest``).

``HTTPHeaderMap`` is a ``WTF::HashMap`` keyed by case-insensitive names, and this module
replays it exactly:

* **Key hash** (``wtf/text/case_folding_hash.h``, ``wtf/text/string_hasher.h``,
  ``third_party/rapidhash``): the name is case-folded (ASCII lower case for a header name),
  widened to UTF-16 and hashed with rapidhash (default seed and secrets); the low 24 bits are
  kept (0 becomes ``0x800000``). A one-character name is read as the folded code unit itself.
* **Table** (``wtf/hash_table.h``): open addressing in a power-of-two table of at least 8
  slots; probing goes ``i, i+1, i+3, i+6, ...`` (``i = (i + probe_count) & mask``). After an
  insertion the table grows when ``2 * (keys + deleted) >= size`` (doubling, or rehashing at the
  same size when ``6 * keys < 2 * size``); growing re-inserts the entries in slot order. Iteration
  walks the slots in order. Copying a table keeps every slot where it was.
* **Insertion order**: ``fetch()`` adds the script's headers in the order of its header list,
  which Blink keeps sorted by lower-cased name with duplicates combined
  (``core/fetch/fetch_manager.cc``, ``PerformHTTPFetch``); Blink's loader then adds its own
  headers (:data:`CHROMIUM_ADDED_HEADERS`) before the request leaves the renderer.

:func:`cors_check_order` gives the names in the order Chromium's check sees them, and
:func:`first_refused` the one its console line names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "CHROMIUM_ADDED_HEADERS",
    "blink_map_order",
    "case_folding_hash",
    "cors_check_order",
    "first_refused",
    "in_chromium_order",
    "rapidhash",
]

_MASK64 = (1 << 64) - 1
_SEED = 0xBDD89AA982704029
_SECRET = (0x2D358DCCAA6C78A5, 0x8BB84B93962EACC9, 0x4B33A62ED433D4A3)

# Headers Blink's loader adds to the map after the script's ones, in this order: the
# user-agent client hints (https://wicg.github.io/ua-client-hints/), only for a potentially
# trustworthy URL, then User-Agent. Measured on the wire with Chromium 150 (docs/browser.md).
CLIENT_HINT_HEADERS: tuple[str, ...] = ("sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform")
CHROMIUM_ADDED_HEADERS: tuple[str, ...] = (*CLIENT_HINT_HEADERS, "user-agent")


def _mix(a: int, b: int) -> int:
    product = a * b
    return (product & _MASK64) ^ (product >> 64)


def _read(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "little")


def _rapidhash_long(data: bytes, seed: int) -> tuple[int, int, int]:
    """rapidhash over more than 16 bytes: the final ``(a, b, seed)``."""
    s0, s1, s2 = _SECRET
    p, i = 0, len(data)
    if i > 48:
        see1 = see2 = seed
        while i >= 48:
            seed = _mix(_read(data, p, 8) ^ s0, _read(data, p + 8, 8) ^ seed)
            see1 = _mix(_read(data, p + 16, 8) ^ s1, _read(data, p + 24, 8) ^ see1)
            see2 = _mix(_read(data, p + 32, 8) ^ s2, _read(data, p + 40, 8) ^ see2)
            p, i = p + 48, i - 48
        seed ^= see1 ^ see2
    if i > 16:
        seed = _mix(_read(data, p, 8) ^ s2, _read(data, p + 8, 8) ^ seed ^ s1)
        if i > 32:
            seed = _mix(_read(data, p + 16, 8) ^ s2, _read(data, p + 24, 8) ^ seed)
    return _read(data, p + i - 16, 8), _read(data, p + i - 8, 8), seed


def rapidhash(data: bytes, *, small: int | None = None) -> int:
    """64-bit rapidhash of *data* with the default seed and secrets (the version Chromium
    vendors in ``third_party/rapidhash``). *small* replaces the value read for inputs of 1-3
    bytes (Chromium's case-folding reader supplies its own)."""
    s0, s1, _ = _SECRET
    n = len(data)
    seed = _SEED ^ _mix(_SEED ^ s0, s1) ^ n
    if n > 16:
        a, b, seed = _rapidhash_long(data, seed)
    elif n >= 4:
        delta = (n & 24) >> (n >> 3)
        last = n - 4
        a = (_read(data, 0, 4) << 32) | _read(data, last, 4)
        b = (_read(data, delta, 4) << 32) | _read(data, last - delta, 4)
    elif n > 0:
        a = small if small is not None else (data[0] << 56) | (data[n >> 1] << 32) | data[n - 1]
        b = 0
    else:
        a = b = 0
    product = (a ^ s1) * (b ^ seed)
    a, b = product & _MASK64, product >> 64
    return _mix(a ^ s0 ^ n, b ^ s1)


def case_folding_hash(name: str) -> int:
    """Blink's ``CaseFoldingHash`` of a header name (24 bits, never 0)."""
    folded = name.lower()
    data = folded.encode("utf-16-le", "surrogatepass")
    small = ord(folded[0]) if len(data) == 2 else None
    value = rapidhash(data, small=small) & 0xFFFFFF
    return value or 0x800000


class _Table:
    """The slots of a ``WTF::HashTable`` of names (no deletions: fetch() never removes)."""

    def __init__(self) -> None:
        self.slots: list[str | None] = []
        self.count = 0

    def insert(self, name: str) -> None:
        key = name.lower()
        if not self.slots:
            self.slots = [None] * 8
        if self._find_slot(key) is not None:
            return
        self._place(self.slots, key)
        self.count += 1
        size = len(self.slots)
        if 2 * self.count >= size:
            self._rehash(size if 6 * self.count < 2 * size else size * 2)

    def _find_slot(self, key: str) -> int | None:
        mask = len(self.slots) - 1
        i, probe = case_folding_hash(key) & mask, 0
        while self.slots[i] is not None:
            if self.slots[i] == key:
                return i
            probe += 1
            i = (i + probe) & mask
        return None

    @staticmethod
    def _place(slots: list[str | None], key: str) -> None:
        mask = len(slots) - 1
        i, probe = case_folding_hash(key) & mask, 0
        while slots[i] is not None:
            probe += 1
            i = (i + probe) & mask
        slots[i] = key

    def _rehash(self, size: int) -> None:
        fresh: list[str | None] = [None] * size
        for key in self.slots:
            if key is not None:
                self._place(fresh, key)
        self.slots = fresh

    def order(self) -> list[str]:
        return [key for key in self.slots if key is not None]


def blink_map_order(
    names: Iterable[str], added: Sequence[str] = CHROMIUM_ADDED_HEADERS
) -> list[str]:
    """Lower-cased header names in the iteration order of Blink's ``HTTPHeaderMap`` after
    ``fetch()`` inserted *names* (sorted, as its header list keeps them) and the loader added
    *added*."""
    table = _Table()
    for name in sorted({n.lower() for n in names}):
        table.insert(name)
    for name in added:
        table.insert(name)
    return table.order()


def in_chromium_order(
    headers: Sequence[tuple[str, str]], *, trustworthy_url: bool = True
) -> list[tuple[str, str]]:
    """*headers* (name, value; one entry per name, as ``fetch()`` combines them) in the order
    Chromium's network service receives them for a request to a URL that is (or is not)
    potentially trustworthy. Feeding the result to Chromium's "CORS-unsafe request-header
    names" gives the names in the order its preflight check visits them."""
    added = CHROMIUM_ADDED_HEADERS if trustworthy_url else ("user-agent",)
    by_name = {name.lower(): (name, value) for name, value in headers}
    return [by_name[n] for n in blink_map_order(by_name, added) if n in by_name]


def cors_check_order(
    names: Iterable[str], added: Sequence[str] = CHROMIUM_ADDED_HEADERS
) -> list[str]:
    """*names* (lower-cased, each once) in the order Chromium's preflight header check visits
    them; names Chromium added itself are left out."""
    wanted = {n.lower() for n in names}
    return [n for n in blink_map_order(wanted, added) if n in wanted]


def first_refused(
    unsafe_names: Iterable[str],
    allowed: Iterable[str],
    *,
    all_names: Iterable[str] = (),
    added: Sequence[str] = CHROMIUM_ADDED_HEADERS,
) -> str | None:
    """The header Chromium's console line names: the first of *unsafe_names* (CORS-unsafe
    request-header names) that *allowed* (Access-Control-Allow-Headers) does not list, in
    Chromium's order. *all_names* are every header name of the request (they share the hash
    table, so they move the others); *unsafe_names* are added to them."""
    unsafe = [n.lower() for n in unsafe_names]
    allowed_l = {a.lower() for a in allowed}
    everything = {n.lower() for n in all_names} | set(unsafe)
    for name in cors_check_order(everything, added):
        if name in unsafe and name not in allowed_l:
            return name
    return None
