"""The errors of corskit's tools: the ``corskit`` command and the doctor behind it.

Every one of them is something the user can fix (an argument, a pasted text, a file, a server
that does not answer, a missing optional package), never a bug; ``str()`` is one line that says
what to do. ``corskit.cli.main`` prints ``corskit: <message>`` on stderr and exits with status 2
for any :class:`ToolError`, so a command raises one of these and needs no ``try`` of its own::

    ToolError                      base class; one-line message, exit status 2
    ├── UsageError                 arguments that do not fit together or cannot be read
    │                              (``corskit.cli.CLIError`` is this class)
    ├── MissingExtra               an optional dependency is not installed; names the extra:
    │                              pip install 'corskit[browser]' (the doctor itself needs none)
    └── InputError (ValueError)    a pasted console message, DevTools copy or HAR file that
        │                          cannot be read (``corskit.doctor.inputs.request``)
        ├── CurlError              "Copy as cURL" (``corskit.doctor.inputs.curl``)
        ├── FetchCopyError         "Copy as fetch" (``corskit.doctor.inputs.fetchcopy``)
        └── HarError               a HAR file (``corskit.doctor.inputs.har``)

The doctor's own failures (an unreachable server, an app that cannot be imported, a request the
simulation refuses, Chromium not found) are raised by its modules as ``TransportError``,
``FetchInputError``, ``AuditError`` and ``BrowserUnavailable``; the commands turn each into a
:class:`UsageError` with the same message. Anything else reaching ``cli.main`` is a bug in corskit.

Standard library only: this module is imported by ``corskit --help``'s code path.
"""

from __future__ import annotations

import importlib.util

__all__ = [
    "BROWSER_HINT",
    "EXTRAS",
    "FIREFOX_HINT",
    "MissingExtra",
    "ToolError",
    "UsageError",
    "extra_for",
    "for_pip_users",
    "require",
]

#: the optional modules the tools import, and the extra that installs each (the doctor's own
#: checks, URL targets included, use the standard library only: its ``doctor`` extra is empty)
EXTRAS = {"playwright": "browser", "uvicorn": "browser"}

#: what a pip user does to get a browser for ``--browser`` and the playground
FIREFOX_HINT = (
    "install Firefox (Debian: apt-get install firefox-esr; no driver is needed)"
    " or name it with --firefox PATH"
)
BROWSER_HINT = (
    "pip install 'corskit[browser]' and run `playwright install chromium`"
    " (or name an installed Chromium with --chromium PATH)"
)


class ToolError(Exception):
    """A problem the user can fix; ``str()`` is one line (exit status 2)."""


class UsageError(ToolError):
    """Arguments that do not fit together, or a value that cannot be read."""


class MissingExtra(ToolError):
    """An optional dependency is missing: the message names the extra that installs it."""

    def __init__(self, module: str, what: str = "this command") -> None:
        self.module = module
        self.extra = EXTRAS.get(module, "browser")
        suffix = " and run `playwright install chromium`" if module == "playwright" else ""
        super().__init__(
            f"{what} needs {module}, which is not installed: pip install"
            f" 'corskit[{self.extra}]'{suffix}"
        )


def extra_for(exc: ModuleNotFoundError) -> MissingExtra | None:
    """The :class:`MissingExtra` for an import of an optional module that failed, else None."""
    name = (exc.name or "").split(".")[0]
    return MissingExtra(name) if name in EXTRAS else None


def for_pip_users(message: str, browser: str = "chromium") -> str:
    """*message* with the browser layer's install hint, which names a script of this repository
    (for the repository's own test runs), replaced by what a pip user does."""
    if "scripts/" not in message:
        return message
    hint = FIREFOX_HINT if browser == "firefox" else BROWSER_HINT
    return f"{message.split(';', 1)[0]}; {hint}"


def require(module: str, what: str) -> None:
    """Raise :class:`MissingExtra` when the optional *module* is not installed (before anything
    is sent, so the user gets the hint and not a half-done run)."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise MissingExtra(module, what)
