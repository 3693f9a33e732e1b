"""The strict reader's fast route (orjson + checks on the text) agrees with the exact route.

For every text, ``loads_strict`` must give exactly what the exact route
(the standard library with hooks, then a walk of the tree) gives: the same value,
or a refusal of the same kind. Generated texts aim at what the fast route has to
get right: duplicate keys, escaped quotes and colons, space before colons, deep
nesting, numbers of every shape, surrogates and escapes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from innopass._internal.jsonio import (
    _UNSURE,
    JsonLimits,
    _exact_loads,
    _fast_loads,
    dumps_compact,
    dumps_pretty,
    loads_strict,
    plain_without_floats,
)
from innopass.errors import LimitExceededError, MalformedInputError

LIMITS = JsonLimits(max_depth=6)

_ws = st.sampled_from(["", " ", "\n", "\t", "  "])
_escapes = st.sampled_from(
    ['\\"', "\\\\", "\\/", "\\n", "\\u0022", "\\u003a", "\\u003A", "\\u00e9", "\\ud83d\\ude02",
     "\\ud800", "\\udc00", ":", '\\":', "é", "\U0001f602", "a", "\\u0000"]
)  # fmt: skip
_string = st.lists(_escapes | st.text(alphabet="abc:{}[],", max_size=3), max_size=4).map(
    lambda parts: '"' + "".join(parts) + '"'
)
_number = st.sampled_from(
    ["0", "-0", "1", "-17", "9007199254740993", "123456789012345678901234567890",
     "1.5", "1e3", "1E-7", "2.50", "1e400", "-1e400", "0.1", "12345678901234567"]
)  # fmt: skip
_literal = st.sampled_from(["true", "false", "null"])


def _value(depth: int) -> st.SearchStrategy[str]:
    scalar = _string | _number | _literal
    if depth == 0:
        return scalar
    child = _value(depth - 1)
    pair = st.tuples(_ws, _string, _ws, _ws, child).map(
        lambda p: f"{p[0]}{p[1]}{p[2]}:{p[3]}{p[4]}"
    )
    obj = st.lists(pair, max_size=4).map(lambda ps: "{" + ",".join(ps) + "}")
    dup = st.tuples(_string, child, child).map(lambda t: "{" + f"{t[0]}:{t[1]},{t[0]}:{t[2]}" + "}")
    arr = st.lists(child, max_size=4).map(lambda vs: "[" + ",".join(vs) + "]")
    return scalar | obj | dup | arr


def _outcome(run: Any, text: bytes) -> object:
    try:
        return ("ok", json.dumps(run(text), sort_keys=True))
    except LimitExceededError:
        return ("limit",)
    except MalformedInputError:
        return ("malformed",)


@settings(max_examples=1500, deadline=None)
@given(text=_value(4), nest=st.integers(min_value=0, max_value=8))
def test_routes_agree(text: str, nest: int) -> None:
    data = ("[" * nest + text + "]" * nest).encode("utf-8", "surrogatepass")
    exact = _outcome(lambda d: _exact_loads(d, LIMITS), data)
    assert _outcome(lambda d: loads_strict(d, limits=LIMITS), data) == exact
    fast = _fast_loads(data, LIMITS.max_depth)
    if fast is not _UNSURE:  # when the fast route decides, it decides as the exact one does
        assert isinstance(fast, tuple)
        value, plain = fast
        assert exact == ("ok", json.dumps(value, sort_keys=True))
        # and what it says of floats is exact: plain means the walk would say so too
        assert plain == plain_without_floats(value)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1,"a":2}',
        b'{"a" :1,"a":2}',  # space before a colon hides a key from the plain count
        b'{"a\\":":1,"a\\":":2}',
        b'{"\\u0022:":1,"a":2,"a":3}',  # an escaped quote and colon inside a key
        b'{"x":"\\":","a":1,"a":2}',  # an escaped quote and colon inside a value
        b'{"a":{"b":1,"b":2}}',
        b"[" * 65 + b"]" * 65,
        b'{"a":' * 65 + b"1" + b"}" * 65,
        b'{"n":123456789012345678901234567890}',
        b"[18446744073709551616]",
        b"[-9223372036854775809]",
        b"-9223372036854775809",
        b'{"f":1.5,"n":18446744073709551616}',  # a float beside it: the run decides
    ],
)
def test_the_fast_route_never_decides_these_wrongly(text: bytes) -> None:
    assert _fast_loads(text, 64) is _UNSURE
    exact = _outcome(lambda d: _exact_loads(d, JsonLimits()), text)
    assert _outcome(lambda d: loads_strict(d), text) == exact


@pytest.mark.parametrize(
    "text",
    [
        b'{"sha256":"1234567890123456789012345abc"}',  # nineteen digits inside a string
        b"[1234567890123456789,-9223372036854775808,18446744073709551615]",  # exact ints
    ],
)
def test_long_digit_runs_without_a_float_out_of_range_take_the_fast_route(text: bytes) -> None:
    fast = _fast_loads(text, 64)
    assert isinstance(fast, tuple)
    assert _outcome(lambda d: fast[0], text) == _outcome(lambda d: _exact_loads(d, LIMITS), text)


def test_the_fast_route_takes_a_real_passport() -> None:
    from innopass.record import example

    text = json.dumps({"credentialSubject": {"assessmentRecord": example("device")}}, indent=2)
    assert _fast_loads(text.encode(), 64) is not _UNSURE


# --- pretty printing: orjson where it writes exactly what json.dumps writes ------------

_pretty_scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: the standard library's
    | st.text()  # lone surrogates, controls, quotes and backslashes included
    | st.floats()  # NaN and the infinities included: refused on both routes
    | st.sampled_from(["null", 'a"b', "\\", "1.5", "true", "e", "\u2028", "\x7f"])
)
_pretty_documents = st.recursive(
    _pretty_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=25,
)


def _pretty_outcome(write: Any, value: Any) -> object:
    """The text written, or which kind of refusal (NaN is a ValueError, a non-JSON type
    or key a TypeError)."""
    try:
        return write(value)
    except ValueError:
        return ValueError
    except TypeError:
        return TypeError


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@settings(max_examples=1500, deadline=None)
@given(_pretty_documents)
def test_pretty_routes_agree(value: Any) -> None:
    assert _pretty_outcome(dumps_pretty, value) == _pretty_outcome(_reference, value)


def _compact_reference(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@settings(max_examples=1500, deadline=None)
@given(_pretty_documents)
def test_compact_routes_agree(value: Any) -> None:
    assert _pretty_outcome(dumps_compact, value) == _pretty_outcome(_compact_reference, value)


def test_compact_route_on_every_character_and_real_documents() -> None:
    from innopass.record import example

    every = "".join(chr(c) for c in range(0x800)) + "\u2028\u2029\ufeff\uffff\U0001f602"
    for value in ({"s": every, every: [every]}, [example(p) for p in ("device", "digital")]):
        assert dumps_compact(value) == _compact_reference(value)
    assert dumps_compact({"n": 2**70, "f": 0.1}) == _compact_reference({"n": 2**70, "f": 0.1})
    assert dumps_compact({1: "int key"}) == _compact_reference({1: "int key"})
    assert dumps_compact(["\ud800"]) == _compact_reference(["\ud800"])  # a lone surrogate
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps_compact({"a": [float("nan")]})


def test_pretty_route_on_real_documents() -> None:
    from innopass.record import example

    for profile in ("device", "digital", "diagnostic"):
        doc = example(profile)
        assert dumps_pretty(doc) == _reference(doc)
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps_pretty({"a": [float("nan")]})
    with pytest.raises(TypeError):
        dumps_pretty({1j: 1})
    assert dumps_pretty({"n": 2**70, "f": 0.1}) == _reference({"n": 2**70, "f": 0.1})


@pytest.mark.parametrize(
    "value",
    [1.5, -2.0, [0.5], {"a": {"b": [1, -1e-7]}}, float("nan"), [float("inf")], ({"x": 1.0},)],
)
def test_a_float_anywhere_takes_the_exact_route(value: Any) -> None:
    assert not plain_without_floats(value)


def test_only_plain_types_take_the_fast_route() -> None:
    from enum import Enum, StrEnum

    class Colour(StrEnum):
        RED = "red"

    class Level(Enum):
        HIGH = 1

    class Mapping(dict[str, Any]):
        pass

    assert plain_without_floats({"a": [1, "b", None, True, (2, {"c": []})]})
    for odd in ({"a": Colour.RED}, [Level.HIGH], Mapping(a=1), {"a": b"bytes"}, [object()]):
        assert not plain_without_floats(odd)
    assert dumps_pretty({"a": Colour.RED}) == _reference({"a": Colour.RED})


@pytest.mark.parametrize(
    "value", [{"a": ":1.5"}, [",2e3", "[null"], {"k": 'quote " and :1.5'}, {"n": 10, "t": True}]
)
def test_look_alikes_inside_strings_never_change_the_output(value: Any) -> None:
    from innopass._internal.canonical import canonicalize

    assert dumps_pretty(value) == _reference(value)
    assert canonicalize(value) == rfc8785.dumps(value)
