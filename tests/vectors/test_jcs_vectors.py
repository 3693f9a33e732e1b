"""RFC 8785 (JCS) official vectors: cyberphone/json-canonicalization testdata."""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import vectors_dir
from innopass._internal.canonical import canonicalize
from innopass._internal.jsonio import loads_strict
from innopass.errors import MalformedInputError

CASES = ["arrays", "french", "structures", "unicode", "values", "weird"]


@pytest.mark.parametrize("name", CASES)
def test_jcs_vector(name: str) -> None:
    base = vectors_dir("jcs-rfc8785")
    source = loads_strict((base / "input" / f"{name}.json").read_bytes())
    expected = (base / "output" / f"{name}.json").read_bytes()
    expected_hex = (base / "outhex" / f"{name}.txt").read_text().split()
    out = canonicalize(source)
    assert out == expected
    assert out.hex() == "".join(expected_hex).lower()


def _number_lines() -> list[tuple[str, str]]:
    path: Path = vectors_dir("jcs-rfc8785") / "es6-numbers-first1000.txt"
    lines = path.read_text().splitlines()
    assert len(lines) == 1000
    return [tuple(line.split(",", 1)) for line in lines]  # type: ignore[misc]


def test_es6_numbers_first_1000() -> None:
    mismatches = []
    for bits, expected in _number_lines():
        value = struct.unpack(">d", bytes.fromhex(bits.rjust(16, "0")))[0]
        if not math.isfinite(value):
            with pytest.raises(MalformedInputError):
                canonicalize(value)
            continue
        got = canonicalize(value).decode()
        if got != expected:
            mismatches.append((bits, expected, got))
    assert mismatches == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 2**53, -(2**53)])
def test_jcs_refuses_values_outside_i_json(value: float) -> None:
    with pytest.raises(MalformedInputError):
        canonicalize(value)


def test_utf16_key_order_differs_from_code_point_order() -> None:
    # U+1F602 (surrogates D83D DE02) sorts before U+FB33 in UTF-16 order.
    assert canonicalize({"\ufb33": 1, "\U0001f602": 2}) == '{"\U0001f602":2,"\ufb33":1}'.encode()


def test_fast_and_reference_routes_give_the_same_bytes_on_the_vectors() -> None:
    base = vectors_dir("jcs-rfc8785")
    for name in CASES:
        source = loads_strict((base / "input" / f"{name}.json").read_bytes())
        assert canonicalize(source) == rfc8785.dumps(source)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: abs(f) < 2**53)
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_routes_agree_on_random_documents(value: Any) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)
