"""The strict JSON reader refuses what I-JSON and RFC 8785 refuse."""

from __future__ import annotations

import pytest

from innopass._json import JsonLimits, loads_strict, pointer
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
