"""The data flows one way (docs/ARCHITECTURE.md): checked on the source, not by convention.

- ``issuer/`` and ``verifier/`` never import each other;
- ``policy/`` (the adoption decision) reads the verifier's results and never imports the
  issuer; neither the issuer nor the verifier imports it (verifier → trust policy →
  verdict → decision);
- the lower layers import none of them (imports under ``if TYPE_CHECKING:`` excepted);
- ``requests`` is imported only by ``net.py``;
- nothing outside ``cli/`` (and ``__main__``) imports the command line;
- the service (``serve/``) may use both the issuer and the verifier, never the command line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "innopass"


def _runtime_imports(source: Path) -> Iterator[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _role(source: Path) -> str:
    parts = source.relative_to(SRC).parts
    if parts[0] in ("issuer", "verifier", "policy", "cli", "serve"):
        return parts[0]
    if parts[0] in ("__init__.py", "__main__.py"):
        return "facade"
    return "lower"


FORBIDDEN = {
    "issuer": ("innopass.verifier", "innopass.policy", "innopass.cli", "requests"),
    "verifier": ("innopass.issuer", "innopass.policy", "innopass.cli", "requests"),
    "policy": ("innopass.issuer", "innopass.cli", "requests"),
    "lower": (
        "innopass.issuer",
        "innopass.verifier",
        "innopass.policy",
        "innopass.cli",
        "requests",
    ),
    "facade": ("requests",),
    "cli": ("requests",),
    "serve": ("innopass.cli", "requests"),
}


@pytest.mark.parametrize("source", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_layers(source: Path) -> None:
    role = _role(source)
    forbidden = FORBIDDEN[role]
    if source.name == "net.py" and role == "lower":
        forbidden = tuple(f for f in forbidden if f != "requests")
    bad = [
        name
        for name in _runtime_imports(source)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert bad == [], f"{source.relative_to(SRC)} ({role}) imports {bad}"


def test_the_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from innopass.verifier import Verifier\nimport requests\n")
    assert {"innopass.verifier", "requests"} <= set(_runtime_imports(sample))
    guarded = tmp_path / "guarded.py"
    guarded.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import requests\n")
    assert "requests" not in set(_runtime_imports(guarded))


# --- no import circles -------------------------------------------------------------------


def _module_name(source: Path) -> str:
    parts = list(source.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_of(source: Path, known: set[str]) -> set[str]:
    """Every innopass module ``source`` imports, at module level or inside functions
    (deferred imports count too), leaving out ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()
    for name in _runtime_imports(source):
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _modules()}
    known = set(modules)
    return {name: _imports_of(path, known) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its own private submodules is not a circle
    # unless a submodule imports the package back: keep the edges as they are.
    assert _cycles(graph) == []


def test_the_circle_check_can_fail() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
