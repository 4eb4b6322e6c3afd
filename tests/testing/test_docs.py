"""docs/testing.md is true: its Python examples run (and their own test functions pass)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_testing_doc_examples_run(index: int) -> None:
    block = python_blocks()[index]
    exec(compile(block, f"docs/testing.md[python block {index}]", "exec"), {"__name__": "docs_ex"})


def test_doc_has_a_fastapi_and_a_flask_example() -> None:
    blocks = python_blocks()
    assert any("FastAPI()" in b for b in blocks)
    assert any("Flask(__name__)" in b for b in blocks)
