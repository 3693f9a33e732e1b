"""The strict JSON reader refuses what I-JSON and RFC 8785 refuse."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from innopass._internal.jsonio import (
    JsonLimits,
    load_file_strict,
    loads_strict,
    pointer,
    read_file_limited,
)
from innopass.errors import LimitExceededError, MalformedInputError


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"x": {"b": 1, "b": 1}}',
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1e400}',
        '{"a": "\\ud800"}',
        '{"\\udc00": 1}',
        '["\\ud83d"]',
        "\ufeff{}",
        "{",
        "",
        "{'a': 1}",
        "[1,]",
    ],
)
def test_rejects(text: str) -> None:
    with pytest.raises(MalformedInputError):
        loads_strict(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"a": ["x", "\\uD9FF"]}', "/a/1"),
        ('{"a": {"\\udfff": 1}}', "/a"),
        ('{"é": "\\ud800é"}', "/é"),
        ('{"a": "\ud800"}', "/a"),  # a raw lone surrogate in text given as str
    ],
)
def test_lone_surrogates_are_found_with_their_path(text: str, path: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        if isinstance(data, bytes) and "\\u" not in text:
            continue  # raw surrogates are not UTF-8: refused as bytes before parsing
        with pytest.raises(MalformedInputError) as info:
            loads_strict(data)
        assert info.value.path == path


def test_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    assert loads_strict('{"a": "\\\\ud800"}') == {"a": "\\ud800"}
    assert loads_strict(b'["\\\\uD800", "\\ud83d\\ude02"]') == ["\\uD800", "\U0001f602"]


def test_rejects_invalid_utf8() -> None:
    with pytest.raises(MalformedInputError):
        loads_strict(b'{"a": "\xff"}')


def test_accepts_valid_surrogate_pair_and_unicode() -> None:
    assert loads_strict('{"a": "\\ud83d\\ude02", "b": "é"}') == {"a": "\U0001f602", "b": "é"}


def test_size_limit() -> None:
    with pytest.raises(LimitExceededError):
        loads_strict("[" + "1," * 100 + "1]", limits=JsonLimits(max_bytes=50))


def test_depth_limit() -> None:
    loads_strict("[" * 10 + "]" * 10, limits=JsonLimits(max_depth=10))
    with pytest.raises(LimitExceededError):
        loads_strict("[" * 11 + "]" * 11, limits=JsonLimits(max_depth=10))
    with pytest.raises(LimitExceededError):
        loads_strict('{"a":' * 11 + "1" + "}" * 11, limits=JsonLimits(max_depth=10))


def test_very_deep_document_is_a_limit_not_a_crash() -> None:
    with pytest.raises(LimitExceededError):
        loads_strict("[" * 200_000 + "]" * 200_000)


def test_huge_integer_literal_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedInputError):
        loads_strict("1" * 5000)


def test_error_path_points_at_the_problem() -> None:
    with pytest.raises(MalformedInputError) as info:
        loads_strict('{"a": [1, {"b~/": "\\ud800"}]}')
    assert info.value.path == "/a/1/b~0~1"


def test_pointer_escapes() -> None:
    assert pointer("a/b", "c~d", 3) == "/a~1b/c~0d/3"


# --- files ------------------------------------------------------------------------------


def test_load_file_strict_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(b'{"a": [1, 2]}')
    assert load_file_strict(path) == {"a": [1, 2]}
    assert read_file_limited(path, max_bytes=13) == b'{"a": [1, 2]}'
    with pytest.raises(LimitExceededError):
        read_file_limited(path, max_bytes=12)
    with pytest.raises(LimitExceededError):
        load_file_strict(path, limits=JsonLimits(max_bytes=12))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused_without_reading_it() -> None:
    with pytest.raises(MalformedInputError):
        read_file_limited("/dev/zero", max_bytes=1024)
    with pytest.raises(MalformedInputError):
        load_file_strict("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            load_file_strict(fifo)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert len(outcome) == 1
    assert isinstance(outcome[0], MalformedInputError)


def test_directory_and_missing_file_are_malformed(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.json"):
        with pytest.raises(MalformedInputError):
            read_file_limited(path, max_bytes=100)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no procfs here")
def test_size_is_enforced_on_what_is_read_not_on_stat() -> None:
    # procfs files are regular files whose stat size is 0
    with pytest.raises(LimitExceededError):
        read_file_limited("/proc/self/status", max_bytes=10)
