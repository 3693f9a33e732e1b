"""The record schema and the validation helpers in ``innopass._internal.schema``."""

from __future__ import annotations

import base64
import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass._internal import schema
from innopass.errors import ConfigurationError, RecordInvalidError
from innopass.record import MANDATORY_DOMAINS, Profile, example

REPO = Path(__file__).resolve().parents[2]
PROFILES = [p.value for p in Profile]


def sample(profile: str | Profile = "device") -> Any:
    """An example record, typed loosely so that tests can reach into it."""
    return example(profile)


def paths(instance: Any) -> list[str]:
    return [p.path for p in schema.iter_problems(instance)]


@pytest.fixture
def device() -> Any:
    return sample("device")


# --- packaged schema files -------------------------------------------------------


def test_schema_bytes_are_the_file() -> None:
    expected = (REPO / "schemas" / schema.RECORD_SCHEMA).read_bytes()
    assert schema.schema_bytes(schema.RECORD_SCHEMA) == expected


def test_schema_is_draft_2020_12_with_its_id() -> None:
    loaded: Any = schema.load_schema(schema.RECORD_SCHEMA)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert loaded["$id"] == schema.RECORD_SCHEMA_ID
    Draft202012Validator.check_schema(loaded)


def test_load_schema_gives_a_private_copy() -> None:
    first = schema.load_schema(schema.RECORD_SCHEMA)
    first["$id"] = "changed"
    assert schema.load_schema(schema.RECORD_SCHEMA)["$id"] == schema.RECORD_SCHEMA_ID


def test_digest_sri_is_sha384_of_the_exact_bytes() -> None:
    raw = (REPO / "schemas" / schema.RECORD_SCHEMA).read_bytes()
    expected = "sha384-" + base64.b64encode(hashlib.sha384(raw).digest()).decode()
    assert schema.schema_digest_sri(schema.RECORD_SCHEMA) == expected


@pytest.mark.parametrize(
    "name", ["no-such.schema.json", "../pyproject.toml", "x/../assessment-record.schema.json", ""]
)
def test_unknown_or_unsafe_schema_name_is_a_configuration_error(name: str) -> None:
    with pytest.raises(ConfigurationError):
        schema.schema_bytes(name)
    with pytest.raises(ConfigurationError):
        schema.validate({}, name)


def test_schema_allows_no_float_anywhere() -> None:
    """Every number the schema admits is an integer: no "type": "number" anywhere."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert node.get("type") != "number"
            assert "number" not in (node.get("type") or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema.load_schema(schema.RECORD_SCHEMA))


def test_closed_objects_everywhere_but_extensions_and_params() -> None:
    open_objects: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            closed = node.get("additionalProperties") is False
            if node.get("type") == "object" and not closed and not where.endswith("/contains"):
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema.load_schema(schema.RECORD_SCHEMA), "")
    assert sorted(open_objects) == [
        "/$defs/reassessment_trigger/properties/params",
        "/properties/extensions",
        "/properties/extensions/additionalProperties",
    ]


# --- the examples and the profiles -------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_each_example_is_valid(profile: str) -> None:
    record = sample(profile)
    assert paths(record) == []
    assert schema.is_valid(record)
    schema.validate(record)


@pytest.mark.parametrize(
    ("profile", "domain"),
    [(p.value, d.value) for p, domains in MANDATORY_DOMAINS.items() for d in sorted(domains)],
)
def test_missing_mandatory_domain_is_reported_at_domains(profile: str, domain: str) -> None:
    record = sample(profile)
    record["domains"] = [d for d in record["domains"] if d["domain"] != domain]
    assert paths(record) == ["/domains"]


def test_profile_decides_the_mandatory_domains() -> None:
    record = sample("diagnostic")
    record["profile"] = "digital"
    # the diagnostic record has interoperability but none of the other digital domains
    assert paths(record) == ["/domains"] * 4


def test_mandatory_domains_match_the_schema() -> None:
    loaded: Any = schema.load_schema(schema.RECORD_SCHEMA)
    found: dict[str, set[str]] = {}
    for rule in loaded["allOf"]:
        profile = rule["if"]["properties"]["profile"]["const"]
        found[profile] = {
            c["contains"]["properties"]["domain"]["const"]
            for c in rule["then"]["properties"]["domains"]["allOf"]
        }
    assert found == {p.value: {d.value for d in ds} for p, ds in MANDATORY_DOMAINS.items()}


# --- field rules -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["rf4", "TOOLONGCODE1", "", "RF-4", " RF4", "RF4\n", 4])
def test_bad_ods_code_is_rejected(device: dict[str, Any], code: object) -> None:
    device["assessing_org"]["ods_code"] = code
    assert paths(device) == ["/assessing_org/ods_code"]


@pytest.mark.parametrize("code", ["8HV48", "S0E4D", "A", "RF4", "R0D", "QMF", "ABCDEFGH9"])
def test_valid_ods_codes_are_accepted(device: dict[str, Any], code: str) -> None:
    device["assessing_org"]["ods_code"] = code
    device["reviewers"][0]["organisation"]["parent_icb_ods"] = code
    assert paths(device) == []


@pytest.mark.parametrize(
    "digest",
    ["A" * 64, "a" * 63, "a" * 65, "g" * 64, "", "sha256-" + "a" * 64],
)
def test_bad_sha256_is_rejected(device: dict[str, Any], digest: str) -> None:
    device["evidence"][0]["sha256"] = digest
    assert paths(device) == ["/evidence/0/sha256"]


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/record_version", 1.5),
        ("/evidence/0/size_bytes", 1024.5),
        ("/domains/1/answers/1/response/value", 412.5),
        ("/domains/1/answers/0/response/value", 38.0),
        ("/validity/reassessment_triggers/0/params/threshold", 0.5),
        ("/domains/0/score", {"value": 87.5, "max": "100", "method": "m"}),
    ],
)
def test_floats_are_rejected(device: dict[str, Any], pointer: str, value: Any) -> None:
    parts = pointer.strip("/").split("/")
    node: Any = device
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[parts[-1]] = value
    found = paths(device)
    assert found
    assert all(p.startswith(pointer) for p in found)


def test_float_inside_extensions_is_rejected(device: dict[str, Any]) -> None:
    device["extensions"] = {"https://example.org/ext/v1": {"weights": [1, 2.5]}}
    assert paths(device) == ["/extensions/https:~1~1example.org~1ext~1v1/weights/1"]


def test_integers_outside_the_interoperable_range_are_rejected(device: dict[str, Any]) -> None:
    device["evidence"][0]["size_bytes"] = 2**53
    assert paths(device) == ["/evidence/0/size_bytes"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ((), ""),
        (("product", "regulatory"), "/product/regulatory"),
        (("evidence", 2, "verification"), "/evidence/2/verification"),
        (("outcome", "conditions", 0), "/outcome/conditions/0"),
    ],
)
def test_unknown_property_is_rejected_with_its_path(
    device: dict[str, Any], where: tuple[str | int, ...], expected: str
) -> None:
    node: Any = device
    for part in where:
        node = node[part]
    node["surprise"] = True
    assert paths(device) == [expected]


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/issued_at", "2026-03-16T10:30:00"),
        ("/issued_at", "2026-03-16T10:30:00+01:00"),
        ("/issued_at", "2026-03-16T10:30:00.5Z"),
        ("/issued_at", "2026-03-16 10:30:00Z"),
        ("/issued_at", "2026-03-16"),
        ("/validity/valid_until", "2026-13-01"),
        ("/validity/valid_until", "2026-02-30"),
        ("/validity/valid_until", "16/03/2026"),
        ("/validity/valid_until", "2026-03-16\n"),
        ("/issued_at", "2026-03-16T10:30:00Z\n"),
        ("/evidence/0/media_type", "application/pdf\n"),
        ("/outcome/conditions/0/due", "soon"),
        ("/record_id", "urn:uuid:8EC4DB88-839F-4D9A-88FC-3B7942474735"),
        ("/record_id", "8ec4db88-839f-4d9a-88fc-3b7942474735"),
        ("/supersedes", "urn:uuid:nope"),
        ("/schema/version", "2.0.0"),
        ("/profile", "consumable"),
    ],
)
def test_malformed_values_are_rejected_at_their_path(
    device: dict[str, Any], pointer: str, value: str
) -> None:
    parts = pointer.strip("/").split("/")
    node: Any = device
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[parts[-1]] = value
    assert paths(device) == [pointer]


@pytest.mark.parametrize(
    ("kind", "value"),
    [("boolean", "yes"), ("decimal", "1e3"), ("decimal", 12), ("date", "tomorrow"), ("text", "")],
)
def test_response_value_must_match_its_type(device: dict[str, Any], kind: str, value: Any) -> None:
    device["domains"][0]["answers"][0]["response"] = {"type": kind, "value": value}
    assert paths(device) == ["/domains/0/answers/0/response/value"]


def test_nullable_object_reports_the_object_problems(device: dict[str, Any]) -> None:
    device["supplier"]["uk_responsible_person"] = {"legal_name": "X Ltd", "identifiers": []}
    assert paths(device) == ["/supplier/uk_responsible_person"] * 2


def test_missing_required_property_is_reported_at_its_parent(device: dict[str, Any]) -> None:
    del device["validity"]["review_due"]
    del device["outcome"]
    assert paths(device) == ["", "/validity"]


def test_not_an_object_is_one_problem_at_the_root() -> None:
    assert paths([]) == [""]
    assert not schema.is_valid("record")


def test_problems_are_sorted_by_path_with_numeric_indices(device: dict[str, Any]) -> None:
    extra = copy.deepcopy(device["evidence"][0])
    device["evidence"].extend(copy.deepcopy(extra) for _ in range(10))
    device["evidence"][10]["sha256"] = "bad"
    device["evidence"][2]["sha256"] = "bad"
    device["assessing_org"]["ods_code"] = "bad"
    assert paths(device) == ["/assessing_org/ods_code", "/evidence/2/sha256", "/evidence/10/sha256"]


def test_validate_raises_with_every_problem(device: dict[str, Any]) -> None:
    device["record_version"] = 0
    device["product"]["nice_esf_tier"] = "D"
    with pytest.raises(RecordInvalidError) as caught:
        schema.validate(device)
    assert [p.path for p in caught.value.problems] == ["/product/nice_esf_tier", "/record_version"]
    assert all(p.message for p in caught.value.problems)
    assert not schema.is_valid(device)


def test_format_checkers_remember_answers_not_decisions() -> None:
    from innopass._internal.timestamps import is_date

    calls: list[str] = []

    def counting(instance: str) -> bool:
        calls.append(instance)
        return is_date(instance)

    check = schema._format_ok(counting)
    for _ in range(3):
        assert check("2026-02-28")
        assert not check("2026-02-30")  # an impossible date stays refused
    assert calls == ["2026-02-28", "2026-02-30"]
    long = "2026-02-28" + " " * schema._FORMAT_MEMO_LENGTH
    assert not check(long)
    assert not check(long)
    assert calls[2:] == [long, long]  # a long string is not kept


def test_a_repeated_impossible_date_is_refused_every_time() -> None:
    record: Any = copy.deepcopy(example("device"))
    dated = [k for k, v in _walk(record) if isinstance(v, str) and len(v) == 10 and v[4] == "-"]
    assert dated, "the example has dates"
    assert schema.is_valid(record)
    for _ in range(2):
        bad = copy.deepcopy(record)
        _set(bad, dated[0], "2026-02-30")
        assert not schema.is_valid(bad)
        assert schema.is_valid(record)


def _walk(value: Any, path: tuple[Any, ...] = ()) -> Any:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = new
