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


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1.5},
        {"a": [1e21]},
        {"n": 2**53 - 1},
        {"k\U0001f602": 1, "k\ufb33": 2},
        {"q": 'say "hi"', "r": 0.5},
        {"s": "1.0.0", "t": True, "f": False},
    ],
)
def test_both_routes_agree_where_the_fast_one_must_step_aside(value: Any) -> None:
    import rfc8785

    from innopass._internal.canonical import _fast

    assert canonicalize(value) == rfc8785.dumps(value)
    fast = _fast(value, False)
    assert fast is None or fast == rfc8785.dumps(value)


def test_content_digest_ignores_key_order_and_sees_content() -> None:
    from innopass._internal.canonical import content_digest

    assert content_digest({"a": 1, "b": [2]}) == content_digest({"b": [2], "a": 1})
    assert content_digest({"a": 1}) != content_digest({"a": 2})
    assert content_digest({"a": object()}) is None
