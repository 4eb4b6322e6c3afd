"""``corskit lint``: validate CORS settings and print every problem from the catalogue.

Where the settings come from (TARGET):

* ``package.module:attr`` — a :class:`corskit.CORSPolicy`, a corskit ``CORSMiddleware``, a
  Starlette/FastAPI app (its CORS middleware is found as ``corskit check`` finds it; Starlette's
  own ``CORSMiddleware`` settings are checked with corskit's rules), or a ``dict`` of keywords.
  A module that raises :class:`corskit.CORSConfigError` while importing is reported too.
* ``env`` or ``env:PREFIX`` — environment variables ``CORS_ALLOW_ORIGINS``, ``CORS_ALLOW_METHODS``,
  ... (prefix ``CORS_`` by default).  Lists are JSON arrays or comma-separated; booleans are
  ``true``/``false``/``1``/``0``/``yes``/``no``.
* ``path/to/file.toml`` — a ``[cors]`` table, ``[tool.corskit]`` (pyproject.toml), or top-level
  keys, named like the keywords.  Needs Python 3.11+ (``tomllib``) or the ``tomli`` package.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from ..policy import SETTING_NAMES  # every keyword CORSPolicy accepts

__all__ = ["SETTING_NAMES", "load_env", "load_toml", "register", "run"]

_LISTS = {"allow_origins", "allow_methods", "allow_headers", "expose_headers"}
_INTS = {"max_age", "preflight_status"}


class _Usage(Exception):
    pass


def register(subparsers: Any) -> None:
    """Add the ``lint`` subcommand."""
    p = subparsers.add_parser(
        "lint",
        help="validate CORS settings (policy, app, environment or TOML) and list every problem",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target", metavar="TARGET", help="package.module:attr, env[:PREFIX], or a .toml file"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    p.set_defaults(func=run)


# ------------------------------------------------------------------------------------------
# sources


def _parse_list(raw: str) -> Any:
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw  # let the policy report it (a string where a list is expected)
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_bool(raw: str) -> Any:
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    return raw


def _parse_int(raw: str) -> Any:
    text = raw.strip()
    if text.lower() in ("", "none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        return raw


def load_env(prefix: str = "CORS_", environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings from environment variables ``<PREFIX><KEYWORD>`` (upper-case)."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for name in SETTING_NAMES:
        raw = env.get(prefix + name.upper())
        if raw is None:
            continue
        if name in _LISTS:
            settings[name] = _parse_list(raw)
        elif name in _INTS:
            settings[name] = _parse_int(raw)
        elif name == "allow_origin_regex":
            settings[name] = raw or None
        else:
            settings[name] = _parse_bool(raw)
    return settings


def load_toml(path: str) -> dict[str, Any]:
    """Settings from a TOML file: ``[cors]``, ``[tool.corskit]`` or top-level keys."""
    try:
        import tomllib as toml  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ModuleNotFoundError:
            raise _Usage("reading TOML needs Python 3.11+ or the 'tomli' package") from None
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = toml.load(fh)
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # tomllib.TOMLDecodeError
        raise _Usage(
            f"{path} is not valid TOML: {str(exc).splitlines()[0] if str(exc) else exc}"
        ) from None
    table: Any = data.get("cors")
    if table is None:
        table = data.get("tool", {}).get("corskit") if isinstance(data.get("tool"), dict) else None
    if table is None:
        table = {k: v for k, v in data.items() if k in SETTING_NAMES}
    if not isinstance(table, dict) or not table:
        raise _Usage(
            f"{path} has no CORS settings ([cors] table, [tool.corskit] or top-level keys)"
        )
    return dict(table)


# ------------------------------------------------------------------------------------------
# checking


class _Report:
    def __init__(self) -> None:
        self.sections: list[dict[str, Any]] = []

    def add(
        self, source: str, problems: list[Any], note: str = "", unknown: list[str] | None = None
    ) -> None:
        self.sections.append(
            {"source": source, "problems": problems, "note": note, "unknown": unknown or []}
        )

    @property
    def errors(self) -> int:
        return sum(1 for s in self.sections for p in s["problems"] if p.severity == "error") + sum(
            len(s["unknown"]) for s in self.sections
        )

    @property
    def warnings(self) -> int:
        return sum(1 for s in self.sections for p in s["problems"] if p.severity == "warning")


def check_settings(settings: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """Validate keyword *settings* with :class:`corskit.CORSPolicy`; returns (problems incl.
    warnings, unknown keyword names)."""
    import warnings

    from corskit import CORSConfigError, CORSPolicy

    unknown = [k for k in settings if k not in SETTING_NAMES]
    known = {k: v for k, v in settings.items() if k in SETTING_NAMES}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            policy = CORSPolicy(**known)
        except CORSConfigError as exc:
            return list(exc.problems), unknown
        except TypeError as exc:  # pragma: no cover - defensive
            raise _Usage(str(exc)) from None
    return list(policy.warnings), unknown


def _starlette_only(settings: dict[str, Any], found: list[Any]) -> list[Any]:
    """Problems that exist only with Starlette's CORSMiddleware (it does not normalise)."""
    from corskit.problems import Problem

    extra: list[Any] = []
    seen = {(p.code, p.value) for p in found}
    methods = settings.get("allow_methods") or ()
    if isinstance(methods, list | tuple):
        for m in methods:
            if (
                isinstance(m, str)
                and m != "*"
                and m != m.upper()
                and ("method-lowercase", m) not in seen
            ):
                extra.append(
                    Problem(
                        "method-lowercase",
                        "allow_methods",
                        m,
                        "Starlette compares Access-Control-Request-Method with allow_methods"
                        f" case-sensitively and browsers send '{m.upper()}', so '{m}' never matches.",
                        f"Use {m.upper()!r}.",
                        "error",
                    )
                )
    return extra


def _layer_notes(found: Any) -> list[Any]:
    """What the layer model noticed (a misspelt flask-cors option, a middleware order) as problems."""
    from corskit.problems import Problem

    layer = getattr(found, "layer", None)
    notes = layer.notes if layer is not None else []
    return [
        Problem(n.code, found.class_name, found.where, n.message, n.fix, "error") for n in notes
    ]


def _lint_object(obj: Any, source: str, report: _Report) -> None:
    from corskit import CORSPolicy
    from corskit.doctor.appinfo import find_cors_settings

    if isinstance(obj, CORSPolicy):
        report.add(source, list(obj.warnings))
        return
    if isinstance(obj, dict):
        problems, unknown = check_settings(obj)
        report.add(source, problems, unknown=unknown)
        return
    found = find_cors_settings(obj)
    if not found:
        raise _Usage(
            f"no CORS settings found in {source} (expected a CORSPolicy, a CORSMiddleware, an app using one, or a dict)"
        )
    for s in found:
        where = f"{source} [{s.class_name} at {s.where}]"
        notes = _layer_notes(s)
        if s.kind == "corskit" and s.policy is not None:
            report.add(where, list(s.policy.warnings) + notes)
            continue
        if s.kind == "handwritten":
            report.add(
                where,
                notes,
                "hand-written CORS code: its settings cannot be read, only the doctor's check can judge it",
            )
            continue
        settings = s.given if s.given is not None else s.settings
        problems, unknown = check_settings(dict(settings))
        note = ""
        if s.kind == "starlette":
            problems += _starlette_only(settings, problems)
            note = (
                "Starlette's CORSMiddleware accepts these settings silently; this is what corskit's"
                " rules say about them (corskit.CORSMiddleware takes the same keywords)"
            )
        elif s.kind != "corskit":
            note = f"the settings of {s.class_name}, read in corskit's keywords: this is what corskit's rules say about them"
        report.add(where, problems + notes, note, unknown)


def _load(target: str, report: _Report) -> None:
    from corskit import CORSConfigError
    from corskit.doctor.transports import TransportError, load_app

    if target == "env" or target.startswith("env:"):
        prefix = target[4:] if target.startswith("env:") else "CORS_"
        settings = load_env(prefix or "CORS_")
        if not settings:
            raise _Usage(f"no {prefix or 'CORS_'}* environment variables are set")
        problems, unknown = check_settings(settings)
        report.add(f"environment ({prefix or 'CORS_'}*)", problems, unknown=unknown)
        return
    if target.endswith(".toml") or os.path.isfile(target):
        problems, unknown = check_settings(load_toml(target))
        report.add(target, problems, unknown=unknown)
        return
    try:
        obj = load_app(target)
    except TransportError as exc:
        cause = exc.__cause__ or exc.__context__
        raise _Usage(str(exc)) from cause
    except CORSConfigError as exc:  # pragma: no cover - load_app wraps import errors
        report.add(target, list(exc.problems))
        return
    _lint_object(obj, target, report)


def _load_catching_import(target: str, report: _Report) -> None:
    """Like :func:`_load`, but a CORSConfigError raised while importing the module is a
    lint result (the configuration is broken), not a usage error."""
    import importlib
    import sys

    from corskit import CORSConfigError

    module_name, sep, _ = target.partition(":")
    if sep and module_name and not target.startswith("env") and not target.endswith(".toml"):
        cwd = os.getcwd()
        if cwd not in sys.path:
            sys.path.insert(0, cwd)
        try:
            importlib.import_module(module_name)
        except CORSConfigError as exc:
            report.add(f"{module_name} (raised while importing)", list(exc.problems))
            return
        except BaseException:
            pass  # load_app reports other import errors as one line
    _load(target, report)


def run(args: argparse.Namespace) -> int:
    """Run ``corskit lint``; returns the exit status."""
    import sys

    from corskit.cli import CLIError
    from corskit.doctor.render import Style, use_colour

    report = _Report()
    try:
        _load_catching_import(args.target, report)
    except _Usage as exc:
        raise CLIError(str(exc)) from None
    if args.json:
        data = {
            "target": args.target,
            "errors": report.errors,
            "warnings": report.warnings,
            "sources": [
                {
                    "source": s["source"],
                    "note": s["note"] or None,
                    "unknown_settings": s["unknown"],
                    "problems": [
                        {
                            "code": p.code,
                            "severity": p.severity,
                            "field": p.field,
                            "value": p.value,
                            "why": p.why,
                            "fix": p.fix,
                        }
                        for p in s["problems"]
                    ],
                }
                for s in report.sections
            ],
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 1 if report.errors else 0
    st = Style(use_colour(sys.stdout, disabled=args.no_color))
    out: list[str] = []
    for s in report.sections:
        out.append(st.bold(s["source"]))
        if s["note"]:
            out.append(st.dim("  " + s["note"]))
        for name in s["unknown"]:
            out.append(
                f"  {st.red('error')} [unknown-setting] {name}: not a CORS setting ({', '.join(SETTING_NAMES[:8])}, ...)"
            )
        if not s["problems"] and not s["unknown"]:
            out.append("  " + st.green("no problems"))
        for p in s["problems"]:
            tag = st.red("error") if p.severity == "error" else st.yellow("warning")
            out.append(f"  {tag} [{p.code}] {p.field}: {p.value}")
            out.append(f"      why: {p.why}")
            out.append(f"      fix: {p.fix}")
    out.append("")
    summary = f"{report.errors} error{'s' if report.errors != 1 else ''}, {report.warnings} warning{'s' if report.warnings != 1 else ''}"
    out.append(
        st.red(summary)
        if report.errors
        else st.green(summary)
        if not report.warnings
        else st.yellow(summary)
    )
    if report.errors or report.warnings:
        out.append(st.dim("Run `corskit explain CODE` for more about any code."))
    sys.stdout.write("\n".join(out) + "\n")
    return 1 if report.errors else 0
