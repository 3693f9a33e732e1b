"""Where an organisation or verifier home lives; atomic writes, removals and locks inside it."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "atomic_write",
    "default_home",
    "exclusive_lock",
    "remove_file",
    "replace_file",
    "resolve_home",
    "sync_directory",
]

HOME_ENV = "INNOPASS_HOME"


def default_home() -> Path:
    """The platform's user data directory for innopass."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "innopass"


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--home`` if given, else ``INNOPASS_HOME``, else the platform default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else default_home()


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file is created with ``mode`` from the start (a private key is
    never readable by others, even for an instant), flushed and fsynced, renamed
    over the target, and the directory is fsynced.
    """
    replace_file(path, data, mode=mode)
    sync_directory(path.parent)


def replace_file(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """:func:`atomic_write` without its last step, the fsync of the directory.

    Readers see the old file or the new one, never half, and the new file's content
    is on disk before its name is; the new name is durable once
    :func:`sync_directory` has run on ``path.parent``: one call after writing many
    files into one directory instead of one per file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sync_directory(path: Path) -> None:
    """fsync the directory ``path``: the names created, replaced or removed in it are durable."""
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) for the block.

    Every process that changes a home takes this lock first, so two changes never
    interleave; readers need none (each file is replaced atomically).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_file(path: Path) -> None:
    """Remove ``path`` if it exists, and make the removal durable (the directory is fsynced)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    sync_directory(path.parent)
