"""The ``corskit`` command: a thin argparse dispatcher.

Subcommands live in ``corskit.commands.<name>``; each module provides
``register(subparsers) -> None``, which adds its parser with
``subparsers.add_parser(...)`` and sets the handler with
``parser.set_defaults(func=run)``, where ``run(args: argparse.Namespace) -> int`` returns
the exit status.  Modules listed in :data:`SUBCOMMANDS` that do not exist (yet) are skipped
silently.  Only the module of the command being run is imported (``corskit --help`` lists
the others from :data:`SUMMARIES`), which keeps start-up fast.

Conventions shared by every subcommand: exit 0 = success / allowed, 1 = a finding (blocked,
lint errors), 2 = a :class:`~corskit.doctor.errors.ToolError` (usage, input, connection, a
missing extra), printed as one line on stderr (never a traceback); 70 = a bug in corskit,
also one line, asking for a report (set ``CORSKIT_DEBUG=1`` to see the traceback).  Heavy imports (starlette, uvicorn,
playwright) happen inside the handlers, so ``corskit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from corskit.doctor.errors import MissingExtra, ToolError, UsageError, extra_for

__all__ = [
    "SUBCOMMANDS",
    "SUMMARIES",
    "CLIError",
    "OneLineParser",
    "available_commands",
    "build_parser",
    "main",
]

#: Subcommand modules, in the order they appear in ``--help``.
SUBCOMMANDS = ("check", "lint", "explain", "audit", "playground")

PROG = "corskit"


#: A usage or connection problem; ``main`` prints ``corskit: <message>`` and exits 2.
CLIError = UsageError


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message> (try --help)`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _version() -> str:
    """The installed package's version: one source, the package metadata (pyproject.toml)."""
    from corskit._version import __version__

    return __version__


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"{PROG} {_version()}")
        parser.exit(0)


#: One-line summaries shown by ``corskit --help`` without importing the command modules.
SUMMARIES = {
    "check": "simulate a browser's cross-origin request and explain why it is blocked",
    "lint": "validate CORS settings (policy, app, environment or TOML) and list every problem",
    "explain": "explain a problem code or a pasted CORS console message (no argument: list codes)",
    "audit": "probe a server for exploitable CORS misconfigurations",
    "playground": "serve a local page to try cross-origin requests in a real browser",
}


def available_commands() -> list[str]:
    """The subcommands whose modules exist, found without importing them."""
    from pathlib import Path

    folder = Path(__file__).with_name("commands")
    return [name for name in SUBCOMMANDS if (folder / f"{name}.py").is_file()]


def _requested(argv: Sequence[str]) -> str | None:
    for token in argv:
        if token == "--":
            return None
        if not token.startswith("-"):
            return token
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the top-level parser.

    Only the requested subcommand's module is imported and registered (so ``corskit --help``
    imports none of them); the others appear in the help with their summary.  With
    ``argv=None`` every available subcommand is registered for real."""
    parser = OneLineParser(
        prog=PROG,
        description=(
            "Correct, safe and fast CORS for Python web APIs, and a doctor that tells you "
            "exactly why the browser blocked your request."
        ),
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=OneLineParser
    )
    wanted = _requested(argv) if argv is not None else None
    for name in available_commands():
        if argv is not None and name != wanted:
            subparsers.add_parser(name, help=SUMMARIES.get(name, ""), add_help=False)
            continue
        modname = f"corskit.commands.{name}"
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name in (modname, "corskit.commands"):
                continue  # not written yet: skip silently
            _warn_broken(name, exc)
            continue
        except Exception as exc:
            _warn_broken(name, exc)
            continue
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def _warn_broken(name: str, exc: BaseException) -> None:
    if os.environ.get("CORSKIT_DEBUG"):
        raise exc
    first = (str(exc).splitlines() or [""])[0]
    print(
        f"{PROG}: warning: the '{name}' command is unavailable ({type(exc).__name__}: {first})",
        file=sys.stderr,
    )


#: exit status of a bug in corskit (sysexits' EX_SOFTWARE), apart from 2 (the user can fix it)
EXIT_BUG = 70


def _bug(exc: Exception) -> int:
    """The last resort: an exception that is not a :class:`ToolError` is a bug in corskit (bad
    input and missing extras raise ToolError).  It still ends in one line on stderr, as every
    failure of the command does, but one that says it is a bug and how to report it, with
    its own exit status so a script can tell it from a usage error; ``CORSKIT_DEBUG=1``
    re-raises it for the traceback."""
    if os.environ.get("CORSKIT_DEBUG"):
        raise exc
    first = (str(exc).splitlines() or [""])[0][:200]
    print(
        f"{PROG}: bug: {type(exc).__name__}: {first} (please report it with the output of the"
        " same command run with CORSKIT_DEBUG=1)",
        file=sys.stderr,
    )
    return EXIT_BUG


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``corskit`` executable; returns the exit status."""
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        try:
            result = func(args)
        except ModuleNotFoundError as exc:  # an optional module imported deep in the doctor
            missing: MissingExtra | None = extra_for(exc)
            if missing is None:
                raise
            raise missing from exc
    except ToolError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last resort: a bug in corskit (see _bug)
        return _bug(exc)
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
