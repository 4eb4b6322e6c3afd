"""The core is a stack: a module imports only modules above it (docs/architecture.md).

Imports are read with ``ast`` from the source, so imports inside functions and inside
``if TYPE_CHECKING:`` blocks count too: no cycle, even at type level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "corskit"

# Top to bottom; modules on one line are one layer and do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("bounded", "_calls", "defaults", "public_suffix", "regex_linear"),
    ("problems",),
    ("headers", "origins"),
    ("environment",),  # the CORS_* and TOML reader: builds a policy only with the class given
    ("dynamic",),
    ("engine",),
    ("policy",),
    ("routing", "settings"),
    ("live",),
    ("options",),
    ("_speedups",),  # the C twins of the ASGI loops: imports nothing
    ("_loops",),  # the ASGI loops in Python (the reference) and the loader of their C twins
    ("asgi", "wsgi"),
]
LEVEL = {name: depth for depth, layer in enumerate(LAYERS) for name in layer}
# Edges allowed to point down or sideways: none.
KNOWN_DOWNWARD: set[tuple[str, str]] = set()


def corskit_imports(module: str) -> set[str]:
    """The corskit modules *module* imports anywhere in its source (``corskit.x`` names)."""
    path = SRC / f"{module}.py"
    if not path.exists():  # a C extension
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:  # from . import x
                    found.update(alias.name.split(".")[0] for alias in node.names)
            elif node.module and node.module.startswith("corskit."):
                found.add(node.module.split(".")[1])
            elif node.module == "corskit":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("corskit."):
                    found.add(alias.name.split(".")[1])
    found.discard(module)
    return found


@pytest.mark.parametrize("module", sorted(LEVEL))
def test_a_core_module_imports_only_modules_above_it(module: str) -> None:
    imported = corskit_imports(module)
    outside = sorted(name for name in imported if name not in LEVEL)
    assert not outside, f"corskit.{module} imports modules outside the core: {outside}"
    below = sorted(
        n for n in imported if LEVEL[n] >= LEVEL[module] and (module, n) not in KNOWN_DOWNWARD
    )
    assert not below, (
        f"corskit.{module} imports {below}, not above it (layer rule: docs/architecture.md)"
    )


def test_no_import_cycle_among_core_modules() -> None:
    graph = {
        m: {n for n in corskit_imports(m) & set(LEVEL) if (m, n) not in KNOWN_DOWNWARD}
        for m in LEVEL
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                raise AssertionError(" -> ".join([*path, node, child]))
            if child not in state:
                visit(child, [*path, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_the_reader_sees_type_only_and_local_imports() -> None:
    # The checks above are only as good as the reader: it must see what a plain
    # "import at the top" scan would miss.
    assert "policy" not in corskit_imports("engine")
    source = ast.parse(
        "if TYPE_CHECKING:\n    from .policy import CORSPolicy\ndef f():\n    from . import engine\n"
    )
    names = {
        (n.module or n.names[0].name)
        for n in ast.walk(source)
        if isinstance(n, ast.ImportFrom) and n.level == 1
    }
    assert names == {"policy", "engine"}


def test_the_rule_is_written_where_it_is_owned() -> None:
    engine_doc = ast.get_docstring(ast.parse((SRC / "engine.py").read_text(encoding="utf-8"))) or ""
    assert "imports" in engine_doc and "only modules above it" in engine_doc
    architecture = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "only modules above it" in architecture
