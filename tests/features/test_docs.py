"""docs/features.md is true: its Python examples run."""

from __future__ import annotations

import re
import warnings

import pytest

from .helpers import ROOT

FEATURES = ROOT / "docs" / "features.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", FEATURES.read_text(), flags=re.S | re.M)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_features_examples_run(index: int) -> None:
    block = python_blocks()[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(
            compile(block, f"docs/features.md[python block {index}]", "exec"),
            {"__name__": "docs_example"},
        )


def test_features_doc_covers_every_new_code() -> None:
    from corskit import CATALOGUE, Reason

    text = FEATURES.read_text()
    for code in CATALOGUE:
        if code.startswith(("origin-func-", "route-", "env-")):
            assert f"`{code}`" in text, code
    for reason in (Reason.ORIGIN_CHECK_TIMEOUT, Reason.ORIGIN_CHECK_ERROR, Reason.PATH_AMBIGUOUS):
        assert f"`{reason}`" in text
    assert len(python_blocks()) >= 10
