"""The documentation is true: the error catalogue is complete and the examples run."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from corskit import CATALOGUE

from .errors_doc import render

DOCS = Path(__file__).resolve().parents[2] / "docs"
UPSTREAM_CONFTEST = Path(__file__).resolve().parents[1] / "starlette_upstream" / "conftest.py"


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


def test_every_catalogue_code_is_documented_and_nothing_else() -> None:
    text = (DOCS / "errors.md").read_text()
    documented = re.findall(r"^### (\S+)$", text, flags=re.M)
    assert sorted(documented) == sorted(CATALOGUE)
    assert len(documented) == len(set(documented))
    for code, info in CATALOGUE.items():
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        assert info.title in section and info.why in section and info.fix in section, code


def test_errors_md_is_up_to_date() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = render()
    assert (DOCS / "errors.md").read_text() == expected, (
        "docs/errors.md is out of date: run `.venv/bin/python -m tests.core.errors_doc > docs/errors.md`"
    )


@pytest.mark.parametrize("index", range(len(python_blocks(DOCS / "migration.md"))))
def test_migration_examples_run(index: int) -> None:
    block = python_blocks(DOCS / "migration.md")[index]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2")  # Starlette's TestClient with httpx
        exec(
            compile(block, f"docs/migration.md[python block {index}]", "exec"),
            {"__name__": "docs_example"},
        )


def test_migration_has_examples() -> None:
    assert len(python_blocks(DOCS / "migration.md")) >= 6


def test_differences_lists_every_upstream_xfail() -> None:
    text = (DOCS / "differences.md").read_text()
    conftest = UPSTREAM_CONFTEST.read_text()
    names = re.findall(r'^    "(test_\w+)": ', conftest, flags=re.M)
    assert len(names) >= 10
    for name in names:
        assert f"`{name}`" in text, f"docs/differences.md does not mention {name}"


def test_docs_link_to_each_other() -> None:
    migration = (DOCS / "migration.md").read_text()
    assert "(differences.md)" in migration and "(errors.md)" in migration
