"""The framework pages and the two migration guides are true: their Python runs, their links resolve."""

from __future__ import annotations

import importlib.util
import re
import sys
import types
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = [
    *sorted((DOCS / "frameworks").glob("*.md")),
    DOCS / "migrate-django-cors-headers.md",
    DOCS / "migrate-flask-cors.md",
]
FRAMEWORKS = ("fastapi", "starlette", "litestar", "quart", "falcon", "django", "flask")


def _blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


BLOCKS = [(page, index, block) for page in PAGES for index, block in enumerate(_blocks(page))]


def test_one_page_per_framework() -> None:
    names = {page.stem for page in PAGES}
    assert set(FRAMEWORKS) <= names
    index = (DOCS / "frameworks" / "index.md").read_text()
    for name in FRAMEWORKS:
        assert f"]({name}.md)" in index


@pytest.mark.parametrize(
    ("page", "index", "block"), BLOCKS, ids=[f"{p.name}[{i}]" for p, i, _ in BLOCKS]
)
def test_python_blocks_run(page: Path, index: int, block: str) -> None:
    for name in re.findall(r"^(?:from|import) (\w+)", block, flags=re.M):
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"{name} is not installed here (the page shows how to install it)")
    module = types.ModuleType("docs_example")  # a real module: Litestar resolves annotations in it
    sys.modules[module.__name__] = module
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a documented configuration warns about nothing
            exec(
                compile(block, f"{page.relative_to(DOCS)}[python block {index}]", "exec"),
                vars(module),
            )
    finally:
        del sys.modules[module.__name__]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", page.read_text()):
        assert (page.parent / target).resolve().is_file(), (
            f"{page.name} links to a missing {target}"
        )
