"""canonicalize() refuses what JCS refuses, on both of its routes."""

from __future__ import annotations

from typing import Any

import pytest

from innopass._internal.canonical import canonicalize, sha256_digest
from innopass.errors import MalformedInputError


@pytest.mark.parametrize(
    "value",
    [
        {1: "a"},
        {"a": {2: "b"}},
        {"a": 2**53},
        [-(2**53)],
        {"a": "\ud800"},
        {"\udc00": 1},
        {"a": object()},
        {"a": b"bytes"},
        {"a": 1.5, "b": 2**60},  # the rfc8785 route refuses big integers too
    ],
)
def test_refused(value: Any) -> None:
    with pytest.raises(MalformedInputError):
        canonicalize(value)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(MalformedInputError):
        canonicalize(value)


def test_non_ascii_keys_sort_by_utf16_code_units() -> None:
    # é (U+00E9) < U+FB33 < U+1F602 by code point; UTF-16 puts the emoji before U+FB33.
    value = {"\U0001f602": 3, "\ufb33": 2, "é": 1, "z": 0}
    assert canonicalize(value) == '{"z":0,"é":1,"\U0001f602":3,"\ufb33":2}'.encode()


def test_digest_is_stable_across_key_order() -> None:
    assert sha256_digest({"b": [1, {"d": 1, "c": 2}], "a": None}) == sha256_digest(
        {"a": None, "b": [1, {"c": 2, "d": 1}]}
    )


def test_shared_forms_give_the_same_bytes_and_reuse_sorted_members() -> None:
    from innopass import record
    from innopass._internal.canonical import _SHARED, shared_canonical_forms

    inner = record.example("device")
    outer = {"z": 1, "credentialSubject": {"assessmentRecord": inner}, "a": [inner]}
    expected_outer, expected_inner = canonicalize(outer), canonicalize(inner)
    with shared_canonical_forms():
        assert canonicalize(outer) == expected_outer
        shared = _SHARED.get()
        assert shared is not None
        assert id(inner) in shared
        assert canonicalize(inner) == expected_inner
    assert _SHARED.get() is None
