"""The doctor's layout: the names other code imports keep working after the split into
packages, and no module or function grows past the project's limits."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

DOCTOR = Path(__file__).resolve().parents[2] / "src" / "corskit" / "doctor"

#: module kept for older imports -> where its code lives now
MOVED = {
    "corskit.doctor.spec": "corskit.doctor.fetch.spec",
    "corskit.doctor.netspace": "corskit.doctor.fetch.netspace",
    "corskit.doctor.cookies": "corskit.doctor.fetch.cookies",
    "corskit.doctor.messages": "corskit.doctor.fetch.messages",
    "corskit.doctor.audit_classes": "corskit.doctor.audit.classes",
    "corskit.doctor.audit_probes": "corskit.doctor.audit.probes",
    "corskit.doctor.sarif": "corskit.doctor.audit.sarif",
    "corskit.doctor.audit_report": "corskit.doctor.audit.report",
}

#: names the docs, the commands and the tests import from the packages
PUBLIC = {
    "corskit.doctor.fetch": [
        "simulate", "Outcome", "Step", "FetchInputError", "cors_check", "max_age_per_browser",
        "readable_response_headers", "check_preflight_response", "prepare", "messages",
    ],
    "corskit.doctor.audit": [
        "run_audit", "audit_transport", "AuditOptions", "AuditReport", "AuditError", "Finding",
        "find_cors_configs",
    ],
    "corskit.doctor.browser": [
        "BrowserUnavailable", "SimulationUnavailable", "simulate_request", "browser_check",
        "BrowserSession", "BrowserRequest", "BrowserOutcome", "SimulationView", "find_chromium",
        "browser_available", "run_in_browser", "add_cache_buster", "serve_target",
    ],
    "corskit.doctor.diagnose": ["diagnose", "Diagnosis", "Finding", "SYMPTOMS"],
    "corskit.doctor.transports": [
        "open_transport", "HTTPTransport", "ASGITransport", "WSGITransport", "TransportError",
        "WireRequest", "WireResponse", "load_app", "detect_app_kind", "transport_for_app",
        "validate_http_url", "MAX_BODY",
    ],
    "corskit.doctor.render": ["Style", "render_json", "render_text", "use_colour"],
}  # fmt: skip


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_names_re_export_the_new_modules(old: str) -> None:
    before, after = importlib.import_module(old), importlib.import_module(MOVED[old])
    assert after.__all__
    for name in after.__all__:
        assert getattr(before, name) is getattr(after, name), name


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names_import(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in PUBLIC[module] if not hasattr(mod, name)]
    assert missing == []


def _own_files() -> list[Path]:
    # doctor/inputs/ and the playground's server are laid out by their own changes
    return [
        p
        for p in DOCTOR.rglob("*.py")
        if "inputs" not in p.parts and p.name != "playground_server.py"
    ]


def test_no_doctor_module_over_700_lines() -> None:
    long = {
        str(p.relative_to(DOCTOR)): n
        for p in _own_files()
        if (n := len(p.read_text().splitlines())) > 700
    }
    assert long == {}


def test_no_doctor_function_over_100_lines() -> None:
    long = []
    for path in _own_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > 100:
                    long.append(f"{path.relative_to(DOCTOR)}:{node.lineno} {node.name} {size}")
    assert long == []


def test_tests_mirror_the_doctor_packages() -> None:
    """Each sub-package of ``corskit.doctor`` has its tests in the same place under ``tests/``."""
    tests = Path(__file__).resolve().parent
    packages = sorted(p.name for p in DOCTOR.iterdir() if (p / "__init__.py").is_file())
    missing = [name for name in packages if not (tests / name / "__init__.py").is_file()]
    assert packages and not missing, f"no tests/doctor/<name>/ for: {missing}"
