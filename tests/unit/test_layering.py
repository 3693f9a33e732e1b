"""The data flows one way (docs/ARCHITECTURE.md): checked on the source, not by convention.

- ``issuer/`` and ``verifier/`` never import each other;
- the lower layers import neither (imports under ``if TYPE_CHECKING:`` excepted);
- ``requests`` is imported only by ``net.py``;
- nothing outside ``cli/`` (and ``__main__``) imports the command line.
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
    if parts[0] in ("issuer", "verifier", "cli"):
        return parts[0]
    if parts[0] in ("__init__.py", "__main__.py"):
        return "facade"
    return "lower"


FORBIDDEN = {
    "issuer": ("innopass.verifier", "innopass.cli", "requests"),
    "verifier": ("innopass.issuer", "innopass.cli", "requests"),
    "lower": ("innopass.issuer", "innopass.verifier", "innopass.cli", "requests"),
    "facade": ("requests",),
    "cli": ("requests",),
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
