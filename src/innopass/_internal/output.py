"""Writing the issuer's output files: checks made before signing, clear errors after.

Whatever the issuer signs is committed to the ledger first and written to a file
afterwards. So that nothing is committed that cannot be written, the commands
check their output location *before* they sign (:func:`check_output_file`,
:func:`check_output_dir`); a write that still fails afterwards (disk full, a
directory removed meanwhile) raises :class:`OutputError`, never a bare
:class:`OSError`, naming what was committed so it can be written again from
the ledger.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from innopass._internal.files import atomic_write
from innopass.errors import OutputError

__all__ = ["check_output_dir", "check_output_file", "write_file"]


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _nearest_existing(path: Path) -> Path:
    probe = path.absolute()
    while not os.path.lexists(probe) and probe.parent != probe:
        probe = probe.parent
    return probe


def _check_creatable_dir(directory: Path, *, output: Path) -> None:
    """``directory`` is a writable directory, or can be created as one."""
    existing = _nearest_existing(directory)
    if not existing.is_dir():
        raise OutputError(f"cannot write {output}: {existing} is not a directory", path=output)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {output}: {existing} is not writable", path=output)


def check_output_file(path: Path) -> None:
    """Raise :class:`OutputError` unless a file can be written (atomically) at ``path``.

    The file may exist (it is replaced) but must be a regular file; its
    directory must exist and be writable, or be creatable.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}", path=path) from exc
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"cannot write {path}: it is a directory", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"cannot write {path}: it is not a regular file", path=path)
    _check_creatable_dir(path.parent, output=path)


def check_output_dir(path: Path) -> None:
    """Raise :class:`OutputError` unless ``path`` is, or can be created as, a writable directory."""
    if os.path.lexists(path) and not path.is_dir():
        raise OutputError(f"cannot write to {path}: it is not a directory", path=path)
    _check_creatable_dir(path, output=path)


def write_file(path: Path, data: bytes, *, mode: int = 0o644, committed: str | None = None) -> None:
    """:func:`~innopass._internal.files.atomic_write`, with an :class:`OutputError` for an OSError.

    ``committed`` says what the ledger already holds (e.g. "passport urn:uuid:…
    is recorded in the ledger"), so the message tells the user nothing was lost.
    """
    try:
        atomic_write(path, data, mode=mode)
    except OSError as exc:
        prefix = f"{committed}, but " if committed else ""
        raise OutputError(f"{prefix}cannot write {path}: {_reason(exc)}", path=path) from exc
