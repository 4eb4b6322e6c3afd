"""HTTP/1.x responses read the way Chromium's network stack reads them (sans-IO).

A browser is lenient where servers are commonly sloppy and strict where leniency would be a
security hole; the doctor reads a response the same way, so that a misbehaving server gets
the verdict a browser would give it rather than a parser error of the doctor's own.

What is accepted (Chromium's ``HttpStreamParser`` and ``HttpResponseHeaders``):

* up to four bytes of junk before the status line, which starts with ``HTTP`` in any case;
* lines ending in LF as well as CRLF; a header block ends at the first empty line;
* a status line without a reason phrase, or without a status code (read as 200), and any
  version (1.1 and above count as 1.1, anything unparsable as 1.0);
* obs-fold: a line starting with a space or a tab continues the previous header's value
  (joined with one space);
* header lines without a colon, or whose name is not a token, are ignored;
* a value keeps every byte but NUL, CR and LF, including VT and FF; only the spaces and tabs
  around it are trimmed;
* a body framed by ``Transfer-Encoding: chunked`` (HTTP/1.1), ``Content-Length`` or the end
  of the connection; interim 1xx responses are skipped.

What fails, with the name Chromium gives the failure (:class:`ResponseError`):

* a NUL byte anywhere in the header block: ``net::ERR_INVALID_HTTP_RESPONSE``;
* ``Content-Length`` values that differ (a response-smuggling risk), unless the response is
  chunked: ``net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH``; differing
  ``Content-Disposition`` or ``Location`` values likewise;
* no end of the header block within 256 KiB: ``net::ERR_RESPONSE_HEADERS_TOO_BIG``;
* the connection closed before any byte: ``net::ERR_EMPTY_RESPONSE``; over TLS, closed in the
  middle of the headers: ``net::ERR_RESPONSE_HEADERS_TRUNCATED`` (over plain HTTP the headers
  received so far are used);
* a reply that does not start with a status line (HTTP/0.9 style) is read as a body only on
  the scheme's default port (``ICY`` replies on any plain-HTTP port);
  otherwise ``net::ERR_INVALID_HTTP_RESPONSE``.

Body errors (``net::ERR_CONTENT_LENGTH_MISMATCH``, ``net::ERR_INCOMPLETE_CHUNKED_ENCODING``,
``net::ERR_INVALID_CHUNKED_ENCODING``) come after the headers; :attr:`ResponseError.in_body`
tells them apart.

Use: ``parser.receive_data(chunk)`` with what the socket gave (``b""`` at the end of the
connection), then ``parser.next_event()`` until it returns :data:`NEED_DATA` (read more) or
:class:`EndOfMessage`.  Every problem in the bytes is a :class:`ResponseError`; nothing else
is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_HEADER_BYTES",
    "NEED_DATA",
    "Data",
    "EndOfMessage",
    "NeedData",
    "ResponseError",
    "ResponseHead",
    "ResponseParser",
    "parse_head",
]

#: Chromium gives up on a header block that has not ended within 256 KiB.
MAX_HEADER_BYTES: Final = 256 * 1024
#: A chunk-size line (with its extensions) longer than this is an invalid chunked encoding.
MAX_CHUNK_LINE: Final = 16384
_MAX_STATUS: Final = 2**31 - 1
_LWS = b" \t"
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_LINE_BREAKS = re.compile(rb"[\r\n]+")
_NON_COALESCING = frozenset(
    {
        b"date",
        b"expires",
        b"last-modified",
        b"location",
        b"retry-after",
        b"set-cookie",
        b"www-authenticate",
        b"proxy-authenticate",
        b"strict-transport-security",
    }
)


class ResponseError(Exception):
    """The response cannot be used; Chromium fails the request with :attr:`net_error`.

    ``str()`` is ``"net::ERR_… (what was wrong)"``; :attr:`in_body` is True when the headers
    were fine and the body was not."""

    def __init__(self, net_error: str, detail: str, *, in_body: bool = False) -> None:
        super().__init__(f"{net_error} ({detail})")
        self.net_error = net_error
        self.detail = detail
        self.in_body = in_body


@dataclass(frozen=True)
class ResponseHead:
    """The final response's status line and headers, as Chromium keeps them: names as sent,
    values trimmed of spaces and tabs around them, order and duplicates kept."""

    version: tuple[int, int]
    status: int
    reason: bytes
    headers: tuple[tuple[bytes, bytes], ...]

    def get_all(self, name: bytes) -> list[bytes]:
        """Every value of header *name* (ASCII case-insensitive), in order."""
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]


@dataclass(frozen=True)
class Data:
    """A piece of the body (chunked framing removed)."""

    data: bytes


@dataclass(frozen=True)
class EndOfMessage:
    """The body is complete."""


class NeedData:
    """More bytes are needed (see :data:`NEED_DATA`)."""

    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA: Final = NeedData()


# --------------------------------------------------------------------------------------------
# the header block


def locate_status_line(buf: bytes) -> int | None:
    """Where ``HTTP`` (any case) starts within the first five positions, or None."""
    for i in range(min(len(buf) - 4, 4) + 1):
        if buf[i : i + 4].lower() == b"http":
            return i
    return None


def locate_end_of_headers(buf: bytes, start: int) -> int | None:
    """The offset just after the first empty line at or after *start* (LF LF, LF CR LF),
    or None."""
    was_lf = False
    last = 0
    for i in range(start, len(buf)):
        c = buf[i]
        if c == 0x0A:
            if was_lf:
                return i + 1
            was_lf = True
        elif c != 0x0D or last != 0x0A:
            was_lf = False
        last = c
    return None


def _continuable(line: bytes) -> bool:
    colon = line.find(b":")
    return colon > 0 and line[0] not in _LWS


def _assemble(block: bytes) -> tuple[bytes, list[bytes]]:
    """(status line, header lines) with obs-fold lines joined to the line they continue."""
    start = locate_status_line(block)
    if start is not None:
        block = block[start:]
    end = len(block)
    for brk in (block.find(b"\r"), block.find(b"\n")):
        if brk != -1:
            end = min(end, brk)
    status_line, rest = block[:end], block[end:]
    lines: list[bytes] = []
    continuable = False
    for line in _LINE_BREAKS.split(rest):
        if not line:
            continue
        if continuable and line[0] in _LWS:
            lines[-1] += b" " + line.lstrip(_LWS)
        else:
            lines.append(line)
            continuable = _continuable(line)
    return status_line, lines


def _version(line: bytes, has_headers: bool) -> tuple[int, int]:
    """The version as Chromium clamps it: 0.9 (only without headers), 1.0, 1.1 or 2.0."""
    parsed = (0, 0)
    if line[:4].lower() == b"http" and line[4:5] == b"/":
        dot = line.find(b".", 5)
        major, minor = line[5:6], line[dot + 1 : dot + 2] if dot != -1 else b""
        if dot != -1 and major.isdigit() and minor.isdigit():
            parsed = (int(major), int(minor))
    if parsed == (0, 9) and not has_headers:
        return (0, 9)
    if parsed == (2, 0):
        return (2, 0)
    return (1, 1) if parsed >= (1, 1) else (1, 0)


def _status(line: bytes) -> tuple[int, bytes]:
    """(status code, reason phrase): no code at all is 200; only spaces are skipped."""
    space = line.find(b" ")
    if space == -1:
        return 200, b"OK"
    rest = line[space + 1 :].lstrip(b" ")
    digits = len(rest) - len(rest.lstrip(b"0123456789"))
    if digits == 0:
        return 200, b""
    code = _MAX_STATUS if digits > 10 else min(int(rest[:digits]), _MAX_STATUS)
    return code, rest[digits:].strip(b" ")


def _header(line: bytes) -> tuple[bytes, bytes] | None:
    """(name, value) of one assembled header line, or None for a line Chromium skips."""
    colon = line.find(b":")
    if colon <= 0 or line[0] in _LWS:
        return None
    name = line[:colon].rstrip(_LWS)
    if not _TOKEN.fullmatch(name):
        return None
    return name, line[colon + 1 :].strip(_LWS)


def parse_head(block: bytes) -> ResponseHead:
    """Parse a complete header block (status line to the empty line, junk before the status
    line allowed).  Raises :class:`ResponseError` for what Chromium refuses."""
    if b"\0" in block:
        raise ResponseError("net::ERR_INVALID_HTTP_RESPONSE", "a NUL byte in the response headers")
    status_line, lines = _assemble(block)
    version = _version(status_line, bool(lines))
    status, reason = _status(status_line)
    headers = tuple(h for h in map(_header, lines) if h is not None)
    head = ResponseHead(version, status, reason, headers)
    _refuse_conflicts(head)
    return head


def split_values(name: bytes, value: bytes) -> list[bytes]:
    """The comma-separated items of one header line as Chromium stores them (commas inside
    double quotes do not split; empty items are kept), each trimmed of spaces and tabs."""
    if name.lower() in _NON_COALESCING or not value:
        return [value]
    items: list[bytes] = []
    current = bytearray()
    quoted = escaped = False
    for byte in value:
        if quoted and escaped:
            escaped = False
        elif quoted and byte == 0x5C:
            escaped = True
        elif byte == 0x22:
            quoted = not quoted
        elif byte == 0x2C and not quoted:
            items.append(bytes(current).strip(_LWS))
            current.clear()
            continue
        current.append(byte)
    items.append(bytes(current).strip(_LWS))
    return items


def _all_items(head: ResponseHead, name: bytes) -> list[bytes]:
    return [item for value in head.get_all(name) for item in split_values(name, value)]


def is_chunked(head: ResponseHead) -> bool:
    """HTTP/1.1 (or later) with ``chunked`` among the ``Transfer-Encoding`` items."""
    return head.version >= (1, 1) and any(
        item.lower() == b"chunked" for item in _all_items(head, b"transfer-encoding")
    )


def content_length(head: ResponseHead) -> int | None:
    """The first ``Content-Length`` item as a number, or None (absent, empty, signed,
    not a number)."""
    items = _all_items(head, b"content-length")
    if not items or not items[0].isdigit() or len(items[0]) > 19:
        return None
    value = int(items[0])
    return value if value < 2**63 else None


_CONFLICTS = (
    (b"content-length", "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH"),
    (b"content-disposition", "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_DISPOSITION"),
    (b"location", "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"),
)


def _refuse_conflicts(head: ResponseHead) -> None:
    """Differing copies of a framing header are refused: a response-smuggling risk."""
    for name, error in _CONFLICTS:
        if name == b"content-length" and is_chunked(head):
            continue
        items = _all_items(head, name)
        if any(item != items[0] for item in items[1:]):
            shown = ", ".join(repr(i.decode("latin-1")) for i in items[:4])
            raise ResponseError(error, f"{name.decode()} values differ: {shown}")


# --------------------------------------------------------------------------------------------
# the body


class _Chunked:
    """Chromium's chunked decoder: hex sizes (trailing spaces allowed, extensions after
    ``;`` ignored), CRLF or LF line ends, trailers skipped."""

    def __init__(self) -> None:
        self.remaining = 0
        self.terminator = False
        self.last_chunk = False
        self.done = False
        self.line = bytearray()

    def feed(self, buf: bytes) -> tuple[bytes, int]:
        """(body bytes, bytes consumed) for *buf*; stops consuming once done."""
        out = bytearray()
        pos = 0
        while pos < len(buf) and not self.done:
            if self.remaining:
                take = min(self.remaining, len(buf) - pos)
                out += buf[pos : pos + take]
                pos += take
                self.remaining -= take
                self.terminator = self.remaining == 0
                continue
            pos = self._scan(buf, pos)
        return bytes(out), pos

    def _scan(self, buf: bytes, pos: int) -> int:
        lf = buf.find(b"\n", pos)
        if lf == -1:
            piece = buf[pos:]
            self.line += piece[:-1] if piece.endswith(b"\r") else piece
            if len(self.line) > MAX_CHUNK_LINE:
                raise _chunk_error("a chunk-size line over 16 KiB")
            return len(buf)
        piece = buf[pos:lf]
        line = bytes(self.line) + (piece[:-1] if piece.endswith(b"\r") else piece)
        self.line.clear()
        self._line(line)
        return lf + 1

    def _line(self, line: bytes) -> None:
        if self.last_chunk:
            self.done = not line  # a trailer line otherwise, ignored
        elif self.terminator:
            if line:
                raise _chunk_error("chunk data not followed by a line end")
            self.terminator = False
        elif not line:
            raise _chunk_error("a missing chunk size")
        else:
            size = line.split(b";", 1)[0].rstrip(b" ")
            if not _HEX.fullmatch(size) or int(size, 16) >= 2**63:
                raise _chunk_error(f"chunk size {size[:20].decode('latin-1')!r} is not hexadecimal")
            self.remaining = int(size, 16)
            self.last_chunk = self.remaining == 0


def _chunk_error(detail: str) -> ResponseError:
    return ResponseError("net::ERR_INVALID_CHUNKED_ENCODING", detail, in_body=True)


# --------------------------------------------------------------------------------------------
# the parser


class ResponseParser:
    """Reads one response to a request sent with *method*.

    *secure* is True over TLS (truncated headers are then refused); *default_port* is True
    when the URL's port is the scheme's default (the only place an HTTP/0.9 reply is read);
    *plain_http* allows ``ICY`` replies on other ports.
    """

    def __init__(
        self,
        *,
        method: str = "GET",
        secure: bool = False,
        default_port: bool = False,
        plain_http: bool = True,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        self.method = method
        self.secure = secure
        self.default_port = default_port
        self.plain_http = plain_http
        self.max_header_bytes = max_header_bytes
        self.head: ResponseHead | None = None
        self._buf = bytearray()
        self._eof = False
        self._start: int | None = None
        self._scanned = 0
        self._seen_status_line = False
        self._framing: str = ""
        self._left = 0
        self._chunked: _Chunked | None = None
        self._ended = False

    def receive_data(self, data: bytes) -> None:
        """Add bytes from the connection; ``b""`` means the connection was closed."""
        if data:
            self._buf += data
        else:
            self._eof = True

    def next_event(self) -> ResponseHead | Data | EndOfMessage | NeedData:
        """The next event: the final :class:`ResponseHead`, then :class:`Data` pieces and
        :class:`EndOfMessage`; :data:`NEED_DATA` when more bytes are needed."""
        if self._ended:
            return EndOfMessage()
        if self.head is None:
            head = self._next_head()
            if head is None:
                return NEED_DATA
            return head
        return self._next_body()

    # -- headers
    def _next_head(self) -> ResponseHead | None:
        while True:
            head = self._read_head()
            if head is None:
                return None
            if head.status // 100 != 1:
                self._set_framing(head)
                self.head = head
                return head
            # an interim 1xx response: the final one follows, and it must have a status line
            self._seen_status_line = True
            self._start, self._scanned = None, 0

    def _read_head(self) -> ResponseHead | None:
        buf = bytes(self._buf)
        if self._start is None:
            self._start = locate_status_line(buf)
        if self._start is not None:
            window = buf[: self.max_header_bytes]
            end = locate_end_of_headers(window, max(self._start, self._scanned - 3))
            self._scanned = len(window)
            if end is not None:
                del self._buf[:end]
                return parse_head(buf[:end])
            if len(buf) >= self.max_header_bytes:
                raise ResponseError(
                    "net::ERR_RESPONSE_HEADERS_TOO_BIG",
                    f"no end of the headers within {self.max_header_bytes // 1024} KiB",
                )
        elif len(buf) >= 8:
            return self._headless()
        if self._eof:
            return self._closed_in_head(buf)
        return None

    def _closed_in_head(self, buf: bytes) -> ResponseHead:
        if not buf:
            raise ResponseError("net::ERR_EMPTY_RESPONSE", "the server closed the connection")
        if self.secure:
            raise ResponseError(
                "net::ERR_RESPONSE_HEADERS_TRUNCATED", "the connection closed inside the headers"
            )
        if self._start is None:
            return self._headless()
        self._buf.clear()
        head = parse_head(buf)
        self._framing = "none"  # the headers took every byte
        return head

    def _headless(self) -> ResponseHead:
        """A reply without a status line, read as HTTP/0.9 where Chromium does."""
        icy = self.plain_http and self._buf[:3].lower() == b"icy"
        if self._seen_status_line or not (self.default_port or icy):
            raise ResponseError(
                "net::ERR_INVALID_HTTP_RESPONSE",
                "the reply does not start with an HTTP status line",
            )
        if self.method == "PUT":
            raise ResponseError("net::ERR_METHOD_NOT_SUPPORTED", "an HTTP/0.9 reply to PUT")
        return ResponseHead((0, 9), 200, b"OK", ())

    def _set_framing(self, head: ResponseHead) -> None:
        if self._framing:
            return
        if head.status in (204, 205, 304) or self.method == "HEAD":
            self._framing = "none"
        elif is_chunked(head):
            self._framing, self._chunked = "chunked", _Chunked()
        else:
            length = content_length(head)
            self._framing = "close" if length is None else "length"
            self._left = length or 0
            if self._framing == "length" and self._left == 0:
                self._framing = "none"

    # -- body
    def _next_body(self) -> Data | EndOfMessage | NeedData:
        if self._framing == "none":
            return self._end()
        if self._framing == "chunked":
            return self._next_chunked()
        if self._buf:
            take = len(self._buf) if self._framing == "close" else min(self._left, len(self._buf))
            data = bytes(self._buf[:take])
            del self._buf[:take]
            self._left -= take
            if self._framing == "length" and self._left == 0:
                self._framing = "none"
            return Data(data)
        if not self._eof:
            return NEED_DATA
        if self._framing == "length":
            raise ResponseError(
                "net::ERR_CONTENT_LENGTH_MISMATCH",
                f"the connection closed {self._left} bytes short of Content-Length",
                in_body=True,
            )
        return self._end()

    def _next_chunked(self) -> Data | EndOfMessage | NeedData:
        assert self._chunked is not None
        if self._chunked.done:
            return self._end()
        if self._buf:
            data, used = self._chunked.feed(bytes(self._buf))
            del self._buf[:used]
            return Data(data) if data else self._next_chunked()
        if self._eof:
            raise ResponseError(
                "net::ERR_INCOMPLETE_CHUNKED_ENCODING",
                "the connection closed before the last chunk",
                in_body=True,
            )
        return NEED_DATA

    def _end(self) -> EndOfMessage:
        self._ended = True
        return EndOfMessage()
