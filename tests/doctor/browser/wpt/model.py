"""One case of the suite: a ``fetch()`` from a page, described as data, with what the
web-platform-tests expect of it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

#: The web-platform-tests commit whose tests and handlers this suite was written from.
WPT_COMMIT = "077700f9850d358be790ff1fb86b79871f2ccf9a"

LENIENT = "needs the lenient response reader"


@dataclass(frozen=True)
class Origins:
    """The origins the suite uses, as ``scheme://host:port`` strings."""

    a: str  # the page: http://127.0.0.1:A
    b: str  # http://127.0.0.1:B (same host, another port)
    ra: str  # http://localhost:A (another host, same port)
    rb: str  # http://localhost:B
    sa: str  # https://127.0.0.1:C (same host, https)
    sra: str  # https://localhost:C (another host, https)

    def all(self) -> list[str]:
        """Every origin, for the browser's list of loopback targets."""
        return [self.a, self.b, self.ra, self.rb, self.sa, self.sra]


@dataclass(frozen=True)
class Case:
    """``fetch(url, {method, headers, credentials, body})`` from a page whose origin is
    *page*. ``url`` may hold ``{T}``, replaced per run by a token unique to the case and the
    runner (Chromium or the doctor), so the server's stash and Chromium's preflight cache never
    mix two runs. ``wpt`` is what the web-platform-tests expect (``allowed`` when the promise
    resolves); ``readable`` names headers whose readability the original test checks.
    ``doctor_xfail`` gives the reason when the doctor cannot yet agree with Chromium."""

    id: str
    source: str
    what: str
    url: str
    page: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    body: str | None = None
    wpt: str = "allowed"
    readable: tuple[str, ...] = ()
    doctor_xfail: str | None = None

    def url_for(self, run: str) -> str:
        """The URL with a token unique to this case and *run*; a ``wpt=`` parameter keeps
        every URL unique for Chromium's preflight cache."""
        token = f"{self.id}.{run}"
        url = self.url.replace("{T}", token)
        head, hash_, fragment = url.partition("#")
        joiner = "&" if "?" in head else "?"
        return head + f"{joiner}wpt={token}" + hash_ + fragment


@dataclass(frozen=True)
class Skipped:
    """Tests of a WPT file that the suite does not run, how many and why."""

    source: str
    count: int
    reason: str


def enc(text: str) -> str:
    """Percent-encode as JavaScript's ``encodeURIComponent`` does."""
    return quote(text, safe="-_.!~*'()")


def allowed(flag: bool) -> str:
    """``allowed`` or ``blocked``."""
    return "allowed" if flag else "blocked"


class Numbered:
    """Builds the cases of one WPT file with ids ``<prefix>-NN`` in order."""

    def __init__(self, prefix: str, source: str, page: str) -> None:
        self.prefix = prefix
        self.source = source
        self.page = page
        self.cases: list[Case] = []

    def add(self, what: str, url: str, **fields: object) -> None:
        """Append a case; *fields* are the other :class:`Case` fields."""
        page = str(fields.pop("page", self.page))
        case_id = f"{self.prefix}-{len(self.cases) + 1:02d}"
        self.cases.append(
            Case(id=case_id, source=self.source, what=what, url=url, page=page, **fields)  # type: ignore[arg-type]
        )
