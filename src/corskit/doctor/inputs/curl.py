"""DevTools' "Copy as cURL" (bash and cmd) -> :class:`~.request.CopiedRequest`.

Formats read (both browsers copy the request's URL, method, headers, cookies and body):

* Chromium, bash: ``curl 'URL' \\`` then one option per line, ``-X 'PUT'`` only when the method
  is not the one curl infers, ``-H 'Name: value'`` (``-H 'Name;'`` for an empty value),
  cookies as ``-b '...'``, the body as ``--data-raw '...'``; a value with ``'``, ``!`` or a
  control character is written ``$'...'`` (ANSI-C quoting, ``\\uXXXX`` escapes).  Some versions
  start ``curl --url 'URL'``.
* Chromium, cmd: the same options, each argument written ``^"...^"`` with every character
  other than letters, digits and ``_-:=+~'/.,?;()*` &`` caret-escaped, ``"`` as ``\\^"``,
  ``%`` before a name character as ``^%^``, lines continued with `` ^``.
* Firefox, bash: one line, ``curl 'URL' -X POST -H 'Name: value' ... --data-raw '...'``.
* Firefox, cmd: ``curl.exe`` or ``curl``, then the same caret-escaped arguments.

Only the options these copies contain are read; any other option is refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .request import CopiedRequest, InputError, build_request

__all__ = ["CurlError", "parse_curl"]

MAX_TEXT = 1 << 20  # a copy with a large body is still far below this

#: options that take no argument and do not change the request CORS sees
_FLAGS = frozenset(
    {"--compressed", "--insecure", "-k", "-s", "--silent", "-L", "--location", "-i", "-v"}
)
_DATA = frozenset({"--data-raw", "--data", "-d", "--data-binary", "--data-ascii"})


class CurlError(InputError):
    """A "Copy as cURL" text that cannot be read."""


# ------------------------------------------------------------------------------------------
# bash


def _ansi_c(text: str, i: int) -> tuple[str, int]:
    """Read ``$'...'`` starting after the opening quote; returns (value, index after)."""
    simple = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", '"': '"', "a": "\a",
              "b": "\b", "e": "\x1b", "f": "\f", "v": "\v", "0": "\0"}  # fmt: skip
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "'":
            return "".join(out), i + 1
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        code = text[i + 1]
        width = {"u": 4, "U": 8, "x": 2}.get(code)
        if width is not None:
            digits = text[i + 2 : i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise CurlError(f"bad escape \\{code}{digits} in $'...'") from None
            i += 2 + width
        else:
            out.append(simple.get(code, "\\" + code))
            i += 2
    raise CurlError("unterminated $'...' string")


def _double_quoted(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\$`\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    raise CurlError('unterminated "..." string')


def _bash_quoted(text: str, i: int) -> tuple[str, int]:
    """Read one quoted or escaped piece of a word starting at *i*; (value, next index)."""
    ch = text[i]
    if ch == "'":
        end = text.find("'", i + 1)
        if end < 0:
            raise CurlError("unterminated '...' string")
        return text[i + 1 : end], end + 1
    if ch == "$" and text.startswith("$'", i):
        return _ansi_c(text, i + 2)
    if ch == '"':
        return _double_quoted(text, i + 1)
    # a backslash: escapes the next character; before a newline it continues the line
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return ("" if nxt in ("\n", "") else nxt), i + 2


def bash_words(text: str) -> list[str]:
    """Split a bash command line the way bash does for the quoting DevTools writes."""
    words: list[str] = []
    current: list[str] | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            if current is not None:
                words.append("".join(current))
                current = None
            i += 1
        elif ch in "'\"\\" or text.startswith("$'", i):
            piece, i = _bash_quoted(text, i)
            if ch == "\\" and piece == "" and current is None:
                continue  # a line continuation between words
            current = (current or []) + [piece]
        else:
            current = (current or []) + [ch]
            i += 1
    if current is not None:
        words.append("".join(current))
    return words


# ------------------------------------------------------------------------------------------
# cmd


def _cmd_level(text: str) -> str:
    """What cmd.exe passes on: ``^x`` -> ``x``, ``^`` + newline + newline -> newline, ``^`` +
    newline -> nothing (a continued line); inside a bare ``"..."`` carets are literal."""
    out: list[str] = []
    quoted = False
    i = 0
    text = text.replace("\r\n", "\n")
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
            out.append(ch)
            i += 1
        elif ch == "^" and not quoted and i + 1 < len(text):
            if text[i + 1] == "\n":
                is_newline = i + 2 < len(text) and text[i + 2] == "\n"
                out.append("\n" if is_newline else "")
                i += 3 if is_newline else 2
            else:
                out.append(text[i + 1])
                i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _crt_words(text: str) -> list[str]:
    """Split a command line as the Microsoft C runtime does (backslashes before a quote)."""
    words: list[str] = []
    current: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            j = i
            while j < len(text) and text[j] == "\\":
                j += 1
            count = j - i
            if j < len(text) and text[j] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    j += 1
            else:
                current.append("\\" * count)
            in_word = True
            i = j
        elif ch == '"':
            quoted = not quoted
            in_word = True
            i += 1
        elif ch in " \t\n" and not quoted:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
            i += 1
        else:
            current.append(ch)
            in_word = True
            i += 1
    if quoted:
        raise CurlError('unterminated "..." string')
    if in_word:
        words.append("".join(current))
    return words


def cmd_words(text: str) -> list[str]:
    """Split a cmd.exe command line the way cmd.exe and then curl.exe do."""
    return _crt_words(_cmd_level(text))


# ------------------------------------------------------------------------------------------
# curl options


def _header(value: str) -> tuple[str, str]:
    name, sep, rest = value.partition(":")
    if sep:
        return name.strip(), rest.strip()
    if value.endswith(";"):  # curl's way to send an empty header
        return value[:-1].strip(), ""
    raise CurlError(f"malformed header {value!r}: expected 'Name: value'")


@dataclass
class _Options:
    headers: list[tuple[str, str]] = field(default_factory=list)
    url: str | None = None
    method: str | None = None
    data: str | None = None
    cookie: str | None = None


_TAKES_VALUE = frozenset({"-X", "--request", "-H", "--header", "-b", "--cookie", "--url", *_DATA})


def _apply(found: _Options, word: str, value: str) -> None:
    if word in ("-X", "--request"):
        found.method = value
    elif word in ("-H", "--header"):
        found.headers.append(_header(value))
    elif word in ("-b", "--cookie"):
        found.cookie = value
    elif word in _DATA:
        found.data = value if found.data is None else f"{found.data}&{value}"
    else:  # --url or a bare word
        if found.url is not None:
            raise CurlError(f"two URLs: {found.url!r} and {value!r}")
        found.url = value


def _read_options(words: list[str]) -> _Options:
    found = _Options()
    i = 1
    while i < len(words):
        word = words[i]
        if word in _TAKES_VALUE:
            if i + 1 >= len(words):
                raise CurlError(f"option {word} has no value")
            _apply(found, word, words[i + 1])
            i += 2
            continue
        if not word.startswith("-"):
            _apply(found, "--url", word)
        elif word in ("-I", "--head"):
            found.method = "HEAD"
        elif word not in _FLAGS:
            raise CurlError(f"unsupported curl option {word!r}")
        i += 1
    return found


def parse_curl(text: str) -> CopiedRequest:
    """Parse a "Copy as cURL" text, bash or cmd (detected from its quoting).

    Raises :class:`CurlError` (a :class:`ValueError`) with a one-line message."""
    if len(text) > MAX_TEXT:
        raise CurlError(f"the text is {len(text)} characters long (at most {MAX_TEXT})")
    stripped = text.strip()
    if not stripped:
        raise CurlError("empty text: paste a 'Copy as cURL' command")
    is_cmd = '^"' in stripped or stripped.endswith("^") or " ^\n" in stripped
    words = cmd_words(stripped) if is_cmd else bash_words(stripped)
    if not words or words[0].lower() not in ("curl", "curl.exe"):
        raise CurlError("not a curl command: it must start with 'curl'")
    found = _read_options(words)
    if found.url is None:
        raise CurlError("the curl command has no URL")
    method = found.method or ("POST" if found.data is not None else "GET")
    try:
        return build_request(
            url=found.url,
            method=method,
            headers=found.headers,
            body=found.data,
            source="curl-cmd" if is_cmd else "curl-bash",
            cookie=found.cookie,
        )
    except InputError as exc:
        raise CurlError(str(exc)) from None
