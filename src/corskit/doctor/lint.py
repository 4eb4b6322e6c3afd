"""``corskit lint``'s library side: load CORS settings from where they live, check them with
corskit's rules, and render the report.

Where the settings come from (the TARGET of ``corskit lint``):

* ``package.module:attr``: a :class:`corskit.CORSPolicy`, a corskit ``CORSMiddleware``, a
  Starlette/FastAPI app (its CORS middleware is found as ``corskit check`` finds it; Starlette's
  own ``CORSMiddleware`` settings are checked with corskit's rules), or a ``dict`` of keywords.
  A module that raises :class:`corskit.CORSConfigError` while importing is reported too.
* ``env`` or ``env:PREFIX``: environment variables ``CORS_ALLOW_ORIGINS``, ``CORS_PROFILE``,
  ... (prefix ``CORS_`` by default), read by :func:`corskit.settings.read_env`, the reader of
  ``CORSPolicy.from_env``: the same parsing, profiles and misspelt-name warnings.
* ``path/to/file.toml``: a ``[cors]`` table, ``[tool.corskit]`` (pyproject.toml), or top-level
  keys, named like the keywords (plus ``profile``, ``dev_ports``), read by
  :func:`corskit.settings.read_toml`.  Needs Python 3.11+ (``tomllib``) or ``tomli``.

A target that cannot be read raises :class:`~corskit.doctor.errors.UsageError` (one line).
"""

from __future__ import annotations

import os
from typing import Any

from corskit.doctor.errors import UsageError
from corskit.policy import SETTING_NAMES  # every keyword CORSPolicy accepts
from corskit.problems import Problem

__all__ = [
    "LintReport",
    "check_settings",
    "lint_json",
    "lint_target",
    "render_lint_text",
]

# ------------------------------------------------------------------------------------------
# checking


class LintReport:
    """What ``corskit lint`` found: one section per source of settings."""

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
            raise UsageError(str(exc)) from None
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


def _layer_notes(found: Any) -> list[Problem]:
    """What the layer model noticed (a misspelt flask-cors option, a middleware order) as problems."""
    layer = getattr(found, "layer", None)
    notes = layer.notes if layer is not None else []
    return [
        Problem(n.code, found.class_name, found.where, n.message, n.fix, "error") for n in notes
    ]


def _lint_object(obj: Any, source: str, report: LintReport) -> None:
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
        raise UsageError(
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
                "hand-written CORS code: its settings cannot be read, only `corskit check` can judge it",
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


def _read_toml(path: str) -> Any:
    from corskit.settings import SettingsFileError, read_toml

    try:
        return read_toml(path)
    except SettingsFileError as exc:
        raise UsageError(str(exc)) from None


def _lint_source(source: Any, report: LintReport) -> None:
    """Settings read by :mod:`corskit.settings` (the reader ``CORSPolicy.from_env`` uses),
    checked exactly as the policy would be built from them."""
    from corskit.settings import evaluate

    policy, problems = evaluate(source)
    note = ""
    if policy is not None and source.profile == "development":
        count = len(policy.allow_origins)
        note = f"profile development: {count} allowed origins (the local development servers)"
    report.add(source.where, problems, note, list(source.unknown))


def _lint_env(prefix: str, report: LintReport) -> None:
    from corskit.settings import read_env

    source = read_env(prefix)
    if not source.given:
        raise UsageError(f"no {prefix}* environment variables are set")
    _lint_source(source, report)


def _load(target: str, report: LintReport) -> None:
    from corskit import CORSConfigError
    from corskit.doctor.transports import TransportError, load_app

    if target == "env" or target.startswith("env:"):
        _lint_env(target[4:] or "CORS_", report)
        return
    if target.endswith(".toml") or os.path.isfile(target):
        _lint_source(_read_toml(target), report)
        return
    try:
        obj = load_app(target)
    except TransportError as exc:
        cause = exc.__cause__ or exc.__context__
        raise UsageError(str(exc)) from cause
    except CORSConfigError as exc:  # pragma: no cover - load_app wraps import errors
        report.add(target, list(exc.problems))
        return
    _lint_object(obj, target, report)


def _load_catching_import(target: str, report: LintReport) -> None:
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


def lint_target(target: str) -> LintReport:
    """Load the settings *target* names and check them (see the module docstring)."""
    report = LintReport()
    _load_catching_import(target, report)
    return report


def lint_json(report: LintReport, target: str) -> dict[str, Any]:
    """``corskit lint --json``: one object."""
    return {
        "target": target,
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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def render_lint_text(report: LintReport, *, colour: bool = False) -> str:
    """``corskit lint``'s text: every problem of every source, then the counts."""
    from corskit.doctor.render import Style

    st = Style(colour)
    out: list[str] = []
    for s in report.sections:
        out.append(st.bold(s["source"]))
        if s["note"]:
            out.append(st.dim("  " + s["note"]))
        for name in s["unknown"]:
            known = ", ".join(SETTING_NAMES[:8])
            out.append(
                f"  {st.red('error')} [unknown-setting] {name}: not a CORS setting ({known}, ...)"
            )
        if not s["problems"] and not s["unknown"]:
            out.append("  " + st.green("no problems"))
        for p in s["problems"]:
            tag = st.red("error") if p.severity == "error" else st.yellow("warning")
            out.append(f"  {tag} [{p.code}] {p.field}: {p.value}")
            out.append(f"      why: {p.why}")
            out.append(f"      fix: {p.fix}")
    summary = f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
    paint = st.red if report.errors else st.yellow if report.warnings else st.green
    out += ["", paint(summary)]
    if report.errors or report.warnings:
        out.append(st.dim("Run `corskit explain CODE` for more about any code."))
    return "\n".join(out) + "\n"
