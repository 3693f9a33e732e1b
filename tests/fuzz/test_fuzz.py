"""Fuzzing with Hypothesis: the strict reader, the verifier (Data Integrity, vc+jwt, bundle)
and the status-list codec never crash, and nothing altered ever verifies.

Bounded in CI: ``INNOPASS_FUZZ_PROFILE`` chooses a profile: ``ci`` (the default, a
few dozen examples per test), ``dev`` (a few hundred) or ``long`` (tens of
thousands; see the README's development section).
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innopass._internal.bitstring import decode_bitstring, encode_bitstring
from innopass._internal.jsonio import loads_strict
from innopass.errors import MalformedInputError, StatusListError
from innopass.verifier import TrustStore, Verifier
from verifier_factory import NOW, Org, bundle, jwt_passport, no_fetching, passport

__all__ = ["no_fetching"]

_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=40, **_COMMON)
settings.register_profile("dev", max_examples=400, **_COMMON)
settings.register_profile("long", max_examples=20_000, **_COMMON)
FUZZ = settings.get_profile(os.environ.get("INNOPASS_FUZZ_PROFILE", "ci"))

RF4 = Org.did_key()
VERIFIER = Verifier(TrustStore().with_issuer(RF4.did), clock=lambda: NOW)
LISTS = RF4.status_lists()
PASSPORT = passport(RF4)
TOKEN = jwt_passport(RF4)
BUNDLE = bundle(PASSPORT, RF4)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


def _mutate(document: Any, path: tuple[Any, ...], replacement: Any, delete: bool) -> Any:
    if not path:
        return replacement
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copied


def _check(candidate: Any, original: Any, *, offered: bool = True) -> None:
    result = VERIFIER.verify(candidate, status_lists=LISTS if offered else ())
    codes = {f.code for f in result.failures}
    assert "internal-error" not in codes, [f.message for f in result.failures]
    if result.verdict == "verified":
        assert candidate == original


# --- the strict reader ----------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
def test_strict_reader_on_bytes(data: bytes) -> None:
    with contextlib.suppress(MalformedInputError):
        loads_strict(data)


@FUZZ
@given(json_values, st.integers(min_value=0, max_value=60), st.binary(max_size=4))
def test_strict_reader_on_damaged_json(value: Any, cut: int, noise: bytes) -> None:
    import json

    text = json.dumps(value).encode()
    damaged = text[:cut] + noise + text[cut:]
    with contextlib.suppress(MalformedInputError):
        loads_strict(damaged)


# --- the verifier ---------------------------------------------------------------------------

DI_PATHS = _paths(PASSPORT)
BUNDLE_PATHS = _paths(BUNDLE)


@FUZZ
@given(st.sampled_from(DI_PATHS), json_values, st.booleans())
def test_verifier_on_mutated_data_integrity_passports(
    path: tuple[Any, ...], replacement: Any, delete: bool
) -> None:
    _check(_mutate(PASSPORT, path, replacement, delete and bool(path)), PASSPORT)


@FUZZ
@given(st.sampled_from(BUNDLE_PATHS), json_values, st.booleans())
def test_verifier_on_mutated_bundles(path: tuple[Any, ...], replacement: Any, delete: bool) -> None:
    mutated = _mutate(BUNDLE, path, replacement, delete and bool(path))
    if path[:1] == ("issuer",):
        # the bundle's issuer description is optional, unsigned and supplies nothing
        # (FORMATS.md §6): changing or removing it may leave the passport verified
        mutated_rest = {k: v for k, v in mutated.items() if k != "issuer"}
        assert mutated_rest == {k: v for k, v in BUNDLE.items() if k != "issuer"}
        result = VERIFIER.verify(mutated)
        assert "internal-error" not in {f.code for f in result.failures}
        return
    _check(mutated, BUNDLE, offered=False)  # only the bundle's own status lists


@FUZZ
@given(
    st.integers(min_value=0, max_value=len(TOKEN) - 1),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ", max_size=3
    ),
    st.integers(min_value=0, max_value=3),
)
def test_verifier_on_mutated_jwts(at: int, insert: str, remove: int) -> None:
    token = TOKEN[:at] + insert + TOKEN[at + remove :]
    result = VERIFIER.verify(token, status_lists=LISTS)
    assert "internal-error" not in {f.code for f in result.failures}
    if result.verdict == "verified":
        assert token.strip() == TOKEN  # text around a compact JWS is trimmed, as from a file


@FUZZ
@given(st.binary(max_size=3000))
def test_verifier_on_arbitrary_bytes(data: bytes) -> None:
    result = VERIFIER.verify(data, status_lists=LISTS)
    assert result.verdict != "verified"
    assert "internal-error" not in {f.code for f in result.failures}


# --- the status-list codec ------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=200))
def test_status_codec_on_text(text: str) -> None:
    with contextlib.suppress(StatusListError):
        decode_bitstring("u" + text)


@FUZZ
@given(st.binary(min_size=1, max_size=4096))
def test_status_codec_round_trip(bits: bytes) -> None:
    assert decode_bitstring(encode_bitstring(bits)) == bits


@FUZZ
@given(
    st.binary(min_size=1, max_size=512),
    st.integers(min_value=0, max_value=64),
    st.binary(max_size=3),
)
def test_status_codec_on_damaged_gzip(bits: bytes, cut: int, noise: bytes) -> None:
    import base64

    body = gzip.compress(bits, mtime=0)
    damaged = body[:cut] + noise + body[cut + len(noise) :]
    text = "u" + base64.urlsafe_b64encode(damaged).decode().rstrip("=")
    try:
        decoded = decode_bitstring(text)
    except StatusListError:
        return
    assert damaged == body or len(decoded) <= 4 * 1024 * 1024
