"""Shared fixtures: the official vectors folder, a clock, and a network guard.

The official vectors are part of the repository, in ``tests/vectors/data`` (a
byte-for-byte copy of the steering repository's ``shared/vectors``; see its
``PROVENANCE.md``), so they run from any clone. ``INNOPASS_VECTORS=DIR`` points the
vector tests at another copy instead, e.g. a newer ``shared/vectors`` before it is
copied in (``tests/vectors/test_vector_files.py`` always checks the repository's copy).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The repository's copy of the official vectors.
VECTORS_IN_REPO = REPO / "tests" / "vectors" / "data"
#: The copy the vector tests read: the repository's, unless ``INNOPASS_VECTORS`` names another.
VECTORS = Path(os.environ.get("INNOPASS_VECTORS") or VECTORS_IN_REPO)


def pytest_configure(config: pytest.Config) -> None:
    if not VECTORS.is_dir():
        raise pytest.UsageError(
            f"INNOPASS_VECTORS={VECTORS} is not a folder of official vectors "
            f"(unset it to use the repository's copy in {VECTORS_IN_REPO})"
        )


def vectors_dir(*parts: str) -> Path:
    """Path to an official vector file or folder (always present: the data is in the repo)."""
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"official vector {path} not found in {VECTORS}")
    return path


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test that opens a connection off this machine (unless marked ``online``)."""
    if request.node.get_closest_marker("online"):
        yield
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise AssertionError(f"test tried to reach the network: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Encrypt test keys with 1,000 PBKDF2 rounds instead of 600,000.

    For tests about homes, issuing and the command line, not about key protection
    (which ``tests/unit/test_keys.py`` checks at the real setting). Subprocesses
    started by a test still use the real setting.
    """
    from innopass._internal.pkcs8 import encrypt_pkcs8_pem

    def weak(der: bytes, passphrase: bytes, *, iterations: int) -> bytes:
        return encrypt_pkcs8_pem(der, passphrase, iterations=1_000)

    monkeypatch.setattr("innopass.keys.encrypt_pkcs8_pem", weak)


@dataclass
class Run:
    """What one in-process ``innopass`` command did."""

    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``innopass`` in-process through ``main`` (exit codes and streams as a user sees
    them); no traceback may ever reach stderr."""
    from innopass.cli import main

    def invoke(*args: str | Path) -> Run:
        with pytest.raises(SystemExit) as exited:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        code = exited.value.code
        return Run(code if isinstance(code, int) else 0, captured.out, captured.err)

    return invoke
