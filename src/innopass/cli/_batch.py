"""Verifying many files at once: every core, output in input order, memory that stays bounded.

The files are verified in chunks by worker processes, each building its own
:class:`~innopass.verifier.Verifier` from the same recipe (the home and the
run's options), and each returning only the lines it printed and the verdicts:
no passport or result crosses between processes. Chunks are submitted through a
window a few chunks wide, so 100,000 files need no more memory than 100.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from multiprocessing.context import BaseContext

    from innopass.verifier import Verifier

__all__ = ["Outcome", "expand", "run_batch"]

#: Files verified per task: enough to make inter-process traffic negligible.
CHUNK = 32
#: A directory is searched for these (a passport is JSON or a compact JWS).
_SUFFIXES = (".json", ".jwt", ".jws")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What verifying one file printed, and how it ended (a verdict, or ``unreadable``)."""

    text: str
    verdict: str
    error: bool = False
    """The line is an error for standard error (the file could not be read)."""


def expand(arguments: Iterable[str]) -> Iterator[str]:
    """Each file argument, and every passport file under each directory (sorted, recursing).

    A directory holding no passport file is yielded itself, so that it is reported.
    """
    for argument in arguments:
        path = Path(argument)
        try:
            is_dir = argument != "-" and path.is_dir()
        except OSError:  # a name too long, a loop of links: reported when it is read
            is_dir = False
        if not is_dir:
            yield argument
            continue
        found = False
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(_SUFFIXES):
                    found = True
                    yield str(Path(root) / name)
        if not found:
            yield argument


# --- inside a worker --------------------------------------------------------------------

#: The verifier of this worker process, built once by :func:`_start`.
_VERIFIER: Verifier | None = None
_RENDER: Callable[[Verifier, str], Outcome] | None = None


def _start(build: Callable[[], Verifier], render: Callable[[Verifier, str], Outcome]) -> None:
    global _VERIFIER, _RENDER
    _VERIFIER = build()
    _RENDER = render


def _work(names: Sequence[str]) -> list[Outcome]:
    assert _VERIFIER is not None
    assert _RENDER is not None
    return [_RENDER(_VERIFIER, name) for name in names]


def _chunks(names: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for name in names:
        chunk.append(name)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_batch(
    names: Iterable[str],
    *,
    build: Callable[[], Verifier],
    render: Callable[[Verifier, str], Outcome],
    jobs: int,
) -> Iterator[Outcome]:
    """Verify ``names`` with ``jobs`` processes (1: here), yielding outcomes in input order.

    ``build`` makes the verifier (in each worker, from what it closes over: it must
    be picklable, a :func:`functools.partial` of a module function); ``render``
    verifies one file with it and renders the outcome.
    """
    if jobs <= 1:
        verifier = build()
        for name in names:
            yield render(verifier, name)
        return
    context = _context()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start, initargs=(build, render)
    ) as pool:
        window: deque[Future[list[Outcome]]] = deque()
        for chunk in _chunks(iter(names), CHUNK):
            window.append(pool.submit(_work, chunk))
            if len(window) >= 4 * jobs:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()


def _context() -> BaseContext:
    """Worker processes forked from a clean server process where the platform has one
    (never forked from this, possibly threaded, process), else spawned."""
    import multiprocessing

    return multiprocessing.get_context("forkserver" if sys.platform == "linux" else "spawn")
