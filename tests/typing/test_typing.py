"""``mypy --strict`` accepts the documented installations and reports misspelt keywords.

One mypy run over ``check_public_api.py`` (no error allowed) and ``misspelt_keywords.py``
(exactly the errors its ``# error: <code>`` markers name, on those lines).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GOOD = HERE / "check_public_api.py"
BAD = HERE / "misspelt_keywords.py"
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<text>.*)  \[(?P<code>[a-z-]+)\]$")


def _expected() -> dict[int, str]:
    marks = {}
    for number, line in enumerate(BAD.read_text().splitlines(), start=1):
        found = re.search(r"# error: ([a-z-]+)$", line)
        if found:
            marks[number] = found.group(1)
    return marks


@pytest.fixture(scope="module")
def mypy_errors() -> dict[str, list[tuple[int, str, str]]]:
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("mypy is not installed in this environment (pip install -e '.[dev]')")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--show-error-codes",
            str(GOOD.relative_to(ROOT)),
            str(BAD.relative_to(ROOT)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: errors found; anything else: mypy failed
    found: dict[str, list[tuple[int, str, str]]] = {GOOD.name: [], BAD.name: []}
    for line in done.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            found[Path(match["path"]).name].append(
                (int(match["line"]), match["code"], match["text"])
            )
    return found


def test_documented_installations_pass_mypy_strict(
    mypy_errors: dict[str, list[tuple[int, str, str]]],
) -> None:
    assert mypy_errors[GOOD.name] == []


def test_misspelt_keywords_fail_mypy_strict(
    mypy_errors: dict[str, list[tuple[int, str, str]]],
) -> None:
    errors = mypy_errors[BAD.name]
    assert {line: code for line, code, _ in errors} == _expected()
    assert len(errors) == len(_expected())
    texts = " | ".join(text for _, _, text in errors)
    assert 'Unexpected keyword argument "allow_origin" for "add_middleware"' in texts
    assert 'did you mean "allow_origins"?' in texts
    assert 'Unexpected keyword argument "allow_credential" for "Middleware"' in texts
