"""The two schema engines agree: ``jsonschema_rs`` decides validity on the hot path and
``jsonschema`` explains problems, so a disagreement would either hide a problem or
invent one. Checked on the examples and on random mutations of them."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innopass import record
from innopass._internal import schema
from verifier_factory import Org, bundle, passport, trust_list

PROFILES = ("device", "digital", "diagnostic")

tricky_strings = st.sampled_from(
    [
        "RF4", "RF4\n", "rf4", "", "2026-02-30", "2026-02-28", "2026-02-28T10:00:00Z",
        "2026-02-28T10:00:00+01:00", "2026-02-28t10:00:00z", "2026-13-01", "urn:uuid:x",
        "urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735", "a" * 64, "0" * 64, "12.5", "pass",
        "approved", "device", "\u00e9", "https://example.org/x",
    ]
)  # fmt: skip
values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**53) | tricky_strings | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(tricky_strings, inner, max_size=2),
    max_leaves=4,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


def _agree(instance: Any, name: str = schema.RECORD_SCHEMA) -> None:
    fast = bool(schema._fast(name).is_valid(instance))
    reference = schema._validator(name).is_valid(instance)
    assert fast == reference
    assert schema.is_valid(instance, name) == (not list(schema.iter_problems(instance, name)))


@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree_on_examples(profile: str) -> None:
    _agree(record.example(profile))


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engines_agree_on_mutations(profile: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(record.example(profile))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(_paths(doc)), label="path")
        doc = _set(doc, path, data.draw(values, label="value"))
    _agree(doc)


@pytest.mark.parametrize("bad", ["RF4\n", "2026-02-30", "rf4"])
def test_reference_traps_are_caught_by_the_fast_engine(bad: str) -> None:
    doc: Any = copy.deepcopy(record.example("device"))
    if bad.startswith("2026"):
        doc["validity"]["valid_until"] = bad
    else:
        doc["assessing_org"]["ods_code"] = bad
    assert not schema.is_valid(doc)
    assert list(schema.iter_problems(doc))


@functools.cache
def _trust_material() -> dict[str, Any]:
    """One document per trust-material schema, as the formats spell them."""
    anchor, rf4 = Org.did_key(ods="X26", name="NHS ENGLAND"), Org.did_web()
    signed = passport(rf4)
    return {
        "organisation-description.schema.json": rf4.description(),
        "trust-list.schema.json": trust_list(anchor, [rf4.trusted_issuer()]),
        "bundle.schema.json": bundle(signed, rf4),
        "status-list-entry.schema.json": signed["credentialStatus"][0],
    }


TRUST_SCHEMAS = [
    "organisation-description.schema.json",
    "trust-list.schema.json",
    "bundle.schema.json",
    "status-list-entry.schema.json",
]


@pytest.mark.parametrize("name", TRUST_SCHEMAS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engines_agree_on_mutations_of_trust_material(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(_trust_material()[name])
    _agree(doc, name)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(_paths(doc)), label="path")
        doc = _set(doc, path, data.draw(values, label="value"))
    _agree(doc, name)
