"""The copied official vectors are exactly the files, and the bytes, listed in SHA256SUMS.

``tests/vectors/data`` is a byte-for-byte copy of the steering repository's
``shared/vectors`` (see its ``PROVENANCE.md``). These checks always look at the copy
in the repository, even when ``INNOPASS_VECTORS`` points the other vector tests at
another copy: an edit, a line-ending conversion, a lost or an extra file fails here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from conftest import REPO, VECTORS_IN_REPO

MANIFEST = VECTORS_IN_REPO / "SHA256SUMS"
#: Ours, not copied: the manifest itself and the note saying where the copy came from.
NOT_COPIED = frozenset({"SHA256SUMS", "PROVENANCE.md"})
_LINE = re.compile(r"(?P<digest>[0-9a-f]{64}) [ *](?P<path>\S+)")


def _manifest() -> dict[str, str]:
    """``path -> sha256`` from ``SHA256SUMS`` (``sha256sum`` output format)."""
    entries: dict[str, str] = {}
    lines = MANIFEST.read_text(encoding="ascii").splitlines()
    assert lines, "SHA256SUMS is empty"
    for number, line in enumerate(lines, 1):
        match = _LINE.fullmatch(line)
        assert match, f"SHA256SUMS line {number} is not `<sha256>  <path>`: {line!r}"
        path = match["path"]
        pure = PurePosixPath(path)
        assert not pure.is_absolute(), f"line {number}: {path} must be relative"
        assert ".." not in pure.parts, f"line {number}: {path} leaves the folder"
        assert path not in entries, f"line {number}: {path} is listed twice"
        entries[path] = match["digest"]
    assert list(entries) == sorted(entries), "SHA256SUMS is not sorted by path"
    return entries


def _files_on_disk() -> set[str]:
    return {
        path.relative_to(VECTORS_IN_REPO).as_posix()
        for path in VECTORS_IN_REPO.rglob("*")
        if path.is_file() and path.relative_to(VECTORS_IN_REPO).as_posix() not in NOT_COPIED
    }


def test_the_files_are_exactly_those_in_the_manifest() -> None:
    listed, present = set(_manifest()), _files_on_disk()
    assert sorted(present - listed) == [], "files not in SHA256SUMS (new or stray)"
    assert sorted(listed - present) == [], "files in SHA256SUMS but missing"


def test_every_file_has_its_pinned_sha256() -> None:
    changed = [
        path
        for path, digest in _manifest().items()
        if hashlib.sha256((VECTORS_IN_REPO / path).read_bytes()).hexdigest() != digest
    ]
    assert changed == [], "vector files differ from SHA256SUMS (edited or converted?)"


def test_the_copy_is_as_large_as_its_readme_says() -> None:
    """The upstream README states how many data files and folders it holds."""
    readme = (VECTORS_IN_REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Contents \((\d+) data files in (\d+) folders, plus this README\)", readme)
    assert match, "the README no longer states its file count"
    files, folders = int(match[1]), int(match[2])
    manifest = _manifest()
    assert len(manifest) == files + 1  # + README.md
    assert len({p.split("/")[0] for p in manifest if "/" in p}) == folders


def test_git_keeps_the_bytes() -> None:
    """No line-ending conversion on checkout (a CRLF copy would fail the digests above)."""
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "tests/vectors/data/** -text" in attributes


def test_provenance_note_is_present() -> None:
    note = (VECTORS_IN_REPO / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "byte for byte" in note
    assert "shared/vectors" in note
