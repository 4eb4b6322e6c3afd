"""Replays every input saved in ``tests/fuzz/corpus/`` through the atheris fuzz target.

``scripts/fuzz.sh`` saves crashing inputs there (``crash-*``, ``timeout-*``, ...); the
``regression-*`` files are inputs that crashed before the fix (an Origin with NUL or CR
echoed through a pattern or a loose regex). Replaying needs no atheris: the target
decodes its bytes itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .atheris_target import log_checked
from .atheris_target import test_one_input as fuzz_target

CORPUS = Path(__file__).parent / "corpus"
INPUTS = sorted(p for p in CORPUS.glob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_saved_fuzz_input_does_not_crash(path: Path) -> None:
    with log_checked():
        fuzz_target(path.read_bytes())


def test_corpus_holds_the_regressions() -> None:
    assert any(p.name.startswith("regression-") for p in INPUTS)
