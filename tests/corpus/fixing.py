"""Running the doctor on a corpus case, and applying its printed fix literally.

:func:`diagnose_case` builds the case's app, simulates the page's ``fetch()`` in-process and
returns the doctor's outcome and diagnosis. :func:`apply_fix` turns the primary finding into
a new app variant: the structured fix (``Finding.change``: the library's own setting names
and their complete new values) when the fix is a change of settings; otherwise the printed
instruction, read as written (move a middleware above another, call the final URL, add CORS
after the authentication middleware or with ``corskit.outermost``, remove the proxy's
``Access-Control-*`` headers, let ``OPTIONS`` through the authentication hook, write
``name=value``). Anything else is not applicable and fails.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.causes import Finding
from corskit.doctor.diagnose import Diagnosis, diagnose
from corskit.doctor.fetch import Outcome, simulate
from corskit.doctor.layers.base import Fix, fmt_value
from corskit.doctor.transports import transport_for_app
from corskit.doctor.verify import verify_diagnosis
from tests.corpus.apps import Shape, build, django_settings, served
from tests.corpus.cases import Case


@dataclass(frozen=True)
class Variant:
    """One app of a case: configuration (library's names), shape and the path fetched."""

    config: dict[str, Any]
    shape: Shape
    path: str
    how: str = "as reported"

    def app(self, case: Case) -> Any:
        return build(case.framework, case.library, self.config, self.shape)

    def served(self, case: Case) -> Any:
        """The app to serve beside the other cases' apps (see :func:`~tests.corpus.apps.served`)."""
        return served(case.framework, case.library, self.config, self.shape)


def broken(case: Case) -> Variant:
    return Variant(case.config, case.shape, case.path)


def true_fix(case: Case) -> Variant:
    config = {**case.config, **case.true_fix}
    return Variant(config, case.true_shape or case.shape, case.true_path or case.path, "true fix")


@contextlib.contextmanager
def running(case: Case, variant: Variant) -> Iterator[None]:
    """The process state the app needs while the doctor looks at it (Django's settings)."""
    if case.framework == "django":
        with django_settings(variant.config, variant.shape):
            yield
    else:
        yield


def diagnose_case(
    case: Case, variant: Variant, *, verify: bool = False
) -> tuple[Outcome, Diagnosis]:
    """The doctor's simulation and diagnosis of the page's request to *variant*, in-process,
    as ``corskit check`` makes them: with *verify*, the doctor also tries its fix on a copy of
    the app (``diagnosis.verification``). Behind a reverse proxy the doctor is given the URL
    only (``corskit check URL``): a proxy is never part of the app object, so its settings are
    not read and nothing can be verified."""
    url = f"http://testserver{variant.path}"
    options: dict[str, Any] = {
        "origin": case.origin,
        "method": case.method,
        "headers": list(case.headers),
        "credentials": case.credentials,
        "body": case.body,
        "target_address_space": None,
    }
    with running(case, variant):
        app = variant.app(case)
        transport = transport_for_app(app)
        try:
            outcome = simulate(transport, url, **options)
        finally:
            transport.close()
        target = None if variant.shape.proxy else app
        settings = find_cors_settings(app) if target is not None else None
        diagnosis = diagnose(outcome, settings, in_process=target is not None, app=target)
        if verify:
            diagnosis.verification = verify_diagnosis(diagnosis, target, url, options)
    return outcome, diagnosis


# ---------------------------------------------------------------- applying the printed fix


def _merge(case: Case, config: dict[str, Any], fix: Fix) -> dict[str, Any]:
    """*config* with the structured fix's settings set, where the library keeps them."""
    out = dict(config)
    changes = dict(fix.changes)
    if case.framework == "django" and case.library == "corskit":
        out["CORSKIT"] = {**out.get("CORSKIT", {}), **changes}
    elif (
        "resources=" in fix.text
        and isinstance(out.get("resources"), dict)
        and "resources" not in changes
    ):
        from flask_cors.core import re_fix  # the resource key as flask-cors reads it ("*": ".*")

        out["resources"] = {
            pattern: (
                {**options, **changes} if f"r{fmt_value(re_fix(pattern))}:" in fix.text else options
            )
            for pattern, options in out["resources"].items()
        }
    else:
        out.update(changes)
    return out


_MOVE = re.compile(r"move '([\w.]+)' above '([\w.]+)' in MIDDLEWARE", re.IGNORECASE)
_FINAL_URL = re.compile(r"call the final URL(?: \((\S+)\))? directly(?:: (\S+))?")
_ASSIGN = re.compile(r"\b([a-z_]+)=(True|False|\[[^\]]*\]|\"[^\"]*\")")


def _moved(config: dict[str, Any], what: str, above: str) -> dict[str, Any]:
    stack = [m for m in config["MIDDLEWARE"] if m != what]
    stack.insert(stack.index(above), what)
    return {**config, "MIDDLEWARE": stack}


def apply_fix(case: Case, finding: Finding) -> Variant:
    """The app variant the doctor's printed fix describes (see the module's docstring)."""
    base = broken(case)
    text = finding.fix
    if finding.change is not None:  # the app rebuilt from its settings with the change
        shape = replace(base.shape, written_in="")
        config = _merge(case, base.config, finding.change)
        return replace(base, config=config, shape=shape, how="settings")
    if move := _MOVE.search(text):
        return replace(base, config=_moved(base.config, move[1], move[2]), how="middleware order")
    if final := _FINAL_URL.search(text):
        url = (final[1] or final[2] or "").rstrip(".,;")
        return replace(base, path=urlsplit(url).path, how="final URL")
    if "after adding" in text and "add_middleware(" in text:
        return replace(base, shape=replace(base.shape, auth="inside"), how="CORS outside auth")
    if "corskit.outermost(app" in text:
        return replace(base, shape=replace(base.shape, outermost=True), how="corskit.outermost")
    if "remove the proxy's Access-Control-* headers" in text:
        return replace(base, shape=replace(base.shape, proxy=""), how="proxy headers removed")
    if 'return early when request.method == "OPTIONS"' in text:
        return replace(
            base, shape=replace(base.shape, auth="skip-options"), how="OPTIONS let through"
        )
    assigned = {m[1]: ast.literal_eval(m[2]) for m in _ASSIGN.finditer(text)}
    if assigned:  # the app as configured, with the settings the fix writes out
        shape = replace(base.shape, written_in="")
        return replace(base, config={**base.config, **assigned}, shape=shape, how="name=value")
    raise AssertionError(f"the printed fix is not applicable as written: {text!r}")


def _shown(value: Any, text: str) -> bool:
    """Whether the printed fix *text* shows *value* (a string in either quoting, every key
    and value of a mapping, every item of a list)."""
    if isinstance(value, dict):
        return all(_shown(k, text) and _shown(v, text) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_shown(item, text) for item in value)
    return fmt_value(value) in text or repr(value) in text


def printed_values_missing(case: Case, finding: Finding) -> list[str]:
    """The structured fix's settings whose name or new values the printed fix does not show
    (new list items only: a django-cors-headers fix may write ``(*default_headers, ...)``)."""
    if finding.change is None:
        return []
    missing = []
    old = case.config.get("CORSKIT", case.config) if case.library == "corskit" else case.config
    for name, value in finding.change.changes:
        if name not in finding.fix:
            missing.append(name)
            continue
        before = old.get(name) if isinstance(old, dict) else None
        if name == "CORS_ALLOW_HEADERS" and before is None and "*default_headers" in finding.fix:
            from corsheaders.defaults import default_headers

            before = list(default_headers)
        if isinstance(value, (list, tuple)) and isinstance(before, (list, tuple)):
            value = [item for item in value if item not in before]
        if not _shown(value, finding.fix):
            missing.append(f"{name}={value!r}")
    return missing
