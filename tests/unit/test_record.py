"""The assessment record dataclasses, the template and the examples."""

from __future__ import annotations

import copy
import dataclasses
import json
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innopass import record as rec
from innopass._internal import schema
from innopass._internal.canonical import sha256_digest
from innopass._internal.jsonio import dumps_pretty
from innopass.errors import ConfigurationError, MalformedInputError, RecordInvalidError
from innopass.record import (
    AssessmentRecord,
    ConditionStatus,
    Decision,
    OutcomeCondition,
    Profile,
    example,
    template,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = {
    "device": REPO / "examples" / "record-device-wound-dressing.json",
    "digital": REPO / "examples" / "record-digital.json",
    "diagnostic": REPO / "examples" / "record-diagnostic-rapid-flu.json",
}
PROFILES = list(EXAMPLE_FILES)


def sample(profile: str | Profile = "device") -> Any:
    """An example record, typed loosely so that tests can reach into it."""
    return example(profile)


# --- round trip ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_round_trip_is_exact(profile: str) -> None:
    data = sample(profile)
    record = AssessmentRecord.from_json(data)
    assert record.to_json() == data
    assert record.dumps() == dumps_pretty(data)  # same key order too
    assert record.digest() == sha256_digest(data)
    assert AssessmentRecord.from_json(record.to_json()) == record


@pytest.mark.parametrize("profile", PROFILES)
def test_example_files_are_what_example_gives_in_pretty_json(profile: str) -> None:
    """``examples/*.json`` are the single source, byte for byte as innopass writes them."""
    text = EXAMPLE_FILES[profile].read_text(encoding="utf-8")
    assert text == dumps_pretty(sample(profile))
    assert AssessmentRecord.from_json(sample(profile)).dumps() == text


@pytest.mark.parametrize("profile", PROFILES)
def test_load_reads_an_example_file(profile: str) -> None:
    record = AssessmentRecord.load(EXAMPLE_FILES[profile])
    assert record.profile is Profile(profile)
    assert record.to_json() == sample(profile)


def test_optional_fields_absent_stay_absent_and_present_stay_present() -> None:
    data = sample("device")
    reviewer = data["reviewers"][0]
    del reviewer["display_name"]
    answer = data["domains"][0]["answers"][0]
    answer["question_text_hash"] = "0" * 64
    data["product"]["software"] = {"deployment": "embedded", "hosting_location": "uk_only"}
    record = AssessmentRecord.from_json(data)
    out: Any = record.to_json()
    assert "display_name" not in out["reviewers"][0]
    assert out == data
    data["product"]["software"]["sbom_ref"] = "ev-doc"
    data["extensions"] = {"https://example.org/x/v1": {}}
    assert AssessmentRecord.from_json(data).to_json() == data


def test_record_does_not_share_free_form_objects() -> None:
    data = sample("diagnostic")
    record = AssessmentRecord.from_json(data)
    data["extensions"]["https://w3id.org/innopass/ext/poct/v1"]["changed"] = True
    data["validity"]["reassessment_triggers"][0]["params"]["changed"] = True
    assert record.to_json() == sample("diagnostic")
    out: Any = record.to_json()
    out["extensions"]["https://w3id.org/innopass/ext/poct/v1"]["x"] = 1
    assert record.to_json() == sample("diagnostic")


_SAFE_INT = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
_JSON_NO_FLOAT = st.recursive(
    st.none() | st.booleans() | _SAFE_INT | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profile=st.sampled_from(PROFILES),
    text=st.text(min_size=1, max_size=40),
    note=st.text(max_size=40),
    size=st.integers(min_value=0, max_value=2**53 - 1),
    day=st.dates(),
    instant=st.datetimes(timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)),
    params=st.dictionaries(st.text(max_size=6), _JSON_NO_FLOAT, max_size=4),
    display_name=st.none() | st.text(min_size=1, max_size=20),
    mandatory=st.booleans(),
)
def test_round_trip_of_mutated_examples(
    profile: str,
    text: str,
    note: str,
    size: int,
    day: Any,
    instant: datetime,
    params: dict[str, Any],
    display_name: str | None,
    mandatory: bool,
) -> None:
    data = sample(profile)
    stamp = instant.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    data["product"]["name"] = text
    data["outcome"]["rationale"] = text
    data["local_requirements_for_adopters"][0]["note"] = note
    evidence = data["evidence"][0]
    evidence["size_bytes"] = size
    evidence["issued_on"] = day.isoformat()
    evidence["valid_until"] = day.isoformat()
    evidence["mandatory"] = mandatory
    evidence["verification"]["checked_at"] = stamp
    data["issued_at"] = stamp
    data["validity"]["reassessment_triggers"][0]["params"] = params
    if display_name is None:
        del data["reviewers"][0]["display_name"]
    else:
        data["reviewers"][0]["display_name"] = display_name
    data["domains"][0]["answers"][0]["response"] = {"type": "integer", "value": size}
    assert schema.is_valid(data), list(schema.iter_problems(data))
    record = AssessmentRecord.from_json(data)
    assert record.to_json() == data
    assert record.digest() == sha256_digest(data)


# --- validation on the way in ----------------------------------------------------------


def test_from_json_validates_first() -> None:
    data = sample("digital")
    data["assessing_org"]["ods_code"] = "rj1"
    del data["outcome"]["rationale"]
    with pytest.raises(RecordInvalidError) as caught:
        AssessmentRecord.from_json(data)
    assert [p.path for p in caught.value.problems] == ["/assessing_org/ods_code", "/outcome"]


def test_load_refuses_what_is_not_a_record_object(tmp_path: Path) -> None:
    not_json = tmp_path / "bad.json"
    not_json.write_text("{", encoding="utf-8")
    array = tmp_path / "array.json"
    array.write_text("[]", encoding="utf-8")
    duplicate = tmp_path / "dup.json"
    duplicate.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    for path in (not_json, array, duplicate, tmp_path / "missing.json"):
        with pytest.raises(MalformedInputError):
            AssessmentRecord.load(path)


# --- what a person needs ------------------------------------------------------------


def _device_with(
    valid_until: str, evidence: dict[str, tuple[str | None, bool]]
) -> AssessmentRecord:
    data = sample("device")
    data["validity"]["valid_until"] = valid_until
    for item in data["evidence"]:
        if item["evidence_id"] in evidence:
            item["valid_until"], item["mandatory"] = evidence[item["evidence_id"]]
    return AssessmentRecord.from_json(data)


def test_effective_valid_until_is_the_earliest_mandatory_expiry() -> None:
    record = _device_with(
        "2028-03-15",
        {
            "ev-iso13485": ("2027-09-30", True),
            "ev-ukca-cert": ("2028-05-26", True),
            "ev-insurance": ("2026-08-31", False),  # earlier, but not mandatory
            "ev-doc": (None, True),  # mandatory, never expires
        },
    )
    assert record.effective_valid_until() == datetime(2027, 9, 30, 23, 59, 59, tzinfo=UTC)


def test_effective_valid_until_counts_evidence_once_it_is_mandatory() -> None:
    record = _device_with("2028-03-15", {"ev-insurance": ("2026-08-31", True)})
    assert record.effective_valid_until() == datetime(2026, 8, 31, 23, 59, 59, tzinfo=UTC)


def test_effective_valid_until_is_the_record_validity_when_earliest() -> None:
    record = _device_with("2026-12-31", {})
    assert record.effective_valid_until() == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_summary_accessors() -> None:
    data = sample("device")
    record = AssessmentRecord.from_json(data)
    assert record.product_name == data["product"]["name"]
    assert record.outcome_decision is Decision.APPROVED_WITH_CONDITIONS
    actions = record.local_actions()
    assert len(actions) == len(data["local_requirements_for_adopters"])
    for action, requirement in zip(actions, data["local_requirements_for_adopters"], strict=True):
        assert requirement["note"] in action
        assert action != requirement["note"]  # the requirement itself is named too


def test_local_action_without_note_is_still_readable() -> None:
    data = sample("device")
    data["local_requirements_for_adopters"] = [{"requirement": "ipc_review", "note": ""}]
    (action,) = AssessmentRecord.from_json(data).local_actions()
    assert action
    assert "_" not in action


def test_every_local_requirement_has_a_label() -> None:
    for requirement in rec.LocalRequirementType:
        assert rec.LocalRequirement(requirement, "").text


def test_blocking_conditions_are_open_or_lapsed_blocking_ones() -> None:
    data = sample("device")
    blocking = AssessmentRecord.from_json(data).blocking_conditions()
    assert [c.condition_id for c in blocking] == ["cond-2"]
    assert all(isinstance(c, OutcomeCondition) for c in blocking)
    for status, expected in [("met", []), ("waived", []), ("lapsed", ["cond-2"])]:
        data["outcome"]["conditions"][1]["status"] = status
        record = AssessmentRecord.from_json(data)
        assert [c.condition_id for c in record.blocking_conditions()] == expected
    assert ConditionStatus("lapsed") is ConditionStatus.LAPSED


def test_records_are_frozen() -> None:
    record = AssessmentRecord.from_json(sample("device"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.record_version = 2  # type: ignore[misc]


def test_typed_values() -> None:
    record = AssessmentRecord.from_json(sample("diagnostic"))
    assert record.issued_at == datetime(2026, 4, 14, 8, 45, tzinfo=UTC)
    assert record.supplier.uk_responsible_person is not None
    assert record.product.regulatory.device_class is rec.DeviceClass.IVD_GENERAL
    answers = {a.question_code: a.response for d in record.domains for a in d.answers}
    assert answers["TTR-MIN"].value == 15
    assert answers["PERF-SENS-A"] == rec.Response(rec.ResponseType.DECIMAL, "96.2")
    assert record.outcome.conditions == ()


# --- template and examples ---------------------------------------------------------------

OPTIONAL_KEYS = {"display_name", "question_text_hash", "sbom_ref", "extensions"}


def _same_keys(blank: Any, filled: Any, where: str = "") -> None:
    if isinstance(blank, dict) and isinstance(filled, dict):
        assert set(blank) == set(filled) - OPTIONAL_KEYS, where
        for key, value in blank.items():
            _same_keys(value, filled[key], f"{where}/{key}")


@pytest.mark.parametrize("profile", PROFILES)
def test_template_has_every_required_key(profile: str) -> None:
    _same_keys(template(), sample(profile))


def test_template_is_to_be_filled_in() -> None:
    blank = template()
    problems = list(schema.iter_problems(blank))
    assert problems
    assert "/profile" in {p.path for p in problems}
    assert blank["schema"] == {"id": schema.RECORD_SCHEMA_ID, "version": "1.0.0"}


def test_example_returns_a_fresh_record_each_time() -> None:
    first = sample("device")
    first["product"]["name"] = "changed"
    first["evidence"][0]["locations"].append("changed")
    second = sample("device")
    assert second["product"]["name"] != "changed"
    assert "changed" not in second["evidence"][0]["locations"]
    assert sample() == sample(Profile.DEVICE)


@pytest.fixture
def no_cached_examples() -> Iterator[None]:
    rec._example.cache_clear()
    yield
    rec._example.cache_clear()


@pytest.mark.usefixtures("no_cached_examples")
def test_example_reads_the_package_data_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel holds the files as ``innopass/examples``; a source tree has ``examples/``."""
    packaged = tmp_path / "innopass"
    (packaged / "examples").mkdir(parents=True)
    data = json.loads(EXAMPLE_FILES["digital"].read_text(encoding="utf-8"))
    data["product"]["name"] = "as packaged"
    (packaged / "examples" / "record-digital.json").write_text(dumps_pretty(data))
    monkeypatch.setattr(rec, "files", lambda package: packaged)
    assert sample("digital")["product"]["name"] == "as packaged"
    assert sample("device") == json.loads(EXAMPLE_FILES["device"].read_text())  # not packaged


@pytest.mark.usefixtures("no_cached_examples")
def test_missing_or_broken_example_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_installed(package: str) -> Any:
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(rec, "files", not_installed)
    monkeypatch.setattr(rec, "_REPO_EXAMPLES", tmp_path)
    with pytest.raises(ConfigurationError):
        sample("device")
    (tmp_path / "record-digital.json").write_text('{"a": 1, "a": 2}')
    with pytest.raises(ConfigurationError):
        sample("digital")


def test_every_example_file_is_shipped_in_the_wheel() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for path in EXAMPLE_FILES.values():
        assert shipped[f"examples/{path.name}"] == f"innopass/examples/{path.name}"


def test_example_of_unknown_profile_is_a_configuration_error() -> None:
    from innopass.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        sample("consumable")
    assert info.value.code == "configuration"


def test_examples_have_fixed_distinct_ids_and_the_named_assessors() -> None:
    records = {p: AssessmentRecord.from_json(sample(p)) for p in PROFILES}
    assert len({r.record_id for r in records.values()}) == 3
    assert records["device"].assessing_org.ods_code == "RF4"
    assert records["diagnostic"].assessing_org.ods_code == "R0D"
    assert any(e.mandatory for e in records["device"].evidence)
    assert {r.requirement.value for r in records["device"].local_requirements_for_adopters} >= {
        "ipc_review",
        "staff_training",
        "local_formulary_or_product_committee",
        "lawful_procurement_route",
    }
    assert {r.requirement.value for r in records["digital"].local_requirements_for_adopters} >= {
        "dcb0160_deployment_case",
        "local_dpia",
        "data_processing_agreement",
        "integration_testing",
    }


# --- enums stay in step with the schema -----------------------------------------------------

ENUM_LOCATIONS: dict[type[StrEnum], tuple[str | int, ...]] = {
    rec.Profile: ("properties", "profile"),
    rec.OrgRole: ("$defs", "org_ref", "properties", "org_role"),
    rec.ProductType: ("$defs", "product", "properties", "product_type"),
    rec.RegulatoryRegime: ("$defs", "regulatory", "properties", "regime"),
    rec.DeviceClass: ("$defs", "regulatory", "properties", "device_class"),
    rec.Marking: ("$defs", "regulatory", "properties", "marking"),
    rec.EsfTier: ("$defs", "product", "properties", "nice_esf_tier"),
    rec.Deployment: ("$defs", "software", "properties", "deployment"),
    rec.HostingLocation: ("$defs", "software", "properties", "hosting_location"),
    rec.VersionKind: ("$defs", "scope", "properties", "versions", "properties", "kind"),
    rec.CareSetting: ("$defs", "scope", "properties", "care_settings", "items"),
    rec.PatientPopulation: ("$defs", "scope", "properties", "patient_populations", "items"),
    rec.UserType: ("$defs", "scope", "properties", "user_types", "items"),
    rec.Direction: (
        "$defs",
        "scope",
        "properties",
        "integrations_assessed",
        "items",
        "properties",
        "direction",
    ),
    rec.FrameworkType: ("$defs", "framework_ref", "properties", "framework"),
    rec.Domain: ("$defs", "domain_assessment", "properties", "domain"),
    rec.DomainResult: ("$defs", "domain_assessment", "properties", "result"),
    rec.ResponseType: ("$defs", "response", "properties", "type"),
    rec.Assurance: ("$defs", "assurance"),
    rec.EvidenceType: ("$defs", "evidence_item", "properties", "type"),
    rec.Access: ("$defs", "evidence_item", "properties", "access"),
    rec.EvidenceVerificationMethod: (
        "$defs",
        "evidence_item",
        "properties",
        "verification",
        "properties",
        "method",
    ),
    rec.EvidenceCheckResult: (
        "$defs",
        "evidence_item",
        "properties",
        "verification",
        "properties",
        "result",
    ),
    rec.ReviewerRole: ("$defs", "reviewer", "properties", "role"),
    rec.RegistrationBody: (
        "$defs",
        "reviewer",
        "properties",
        "professional_registration",
        "anyOf",
        0,
        "properties",
        "body",
    ),
    rec.Decision: ("$defs", "outcome", "properties", "decision"),
    rec.ConditionCategory: ("$defs", "condition", "properties", "category"),
    rec.ResponsibleParty: ("$defs", "condition", "properties", "responsible_party"),
    rec.ConditionStatus: ("$defs", "condition", "properties", "status"),
    rec.TriggerType: ("$defs", "reassessment_trigger", "properties", "trigger"),
    rec.LocalRequirementType: ("$defs", "local_requirement", "properties", "requirement"),
}


@pytest.mark.parametrize("enum", list(ENUM_LOCATIONS), ids=lambda e: e.__name__)
def test_enum_matches_schema(enum: type[StrEnum]) -> None:
    node: Any = schema.load_schema(schema.RECORD_SCHEMA)
    for part in ENUM_LOCATIONS[enum]:
        node = node[part]
    assert [member.value for member in enum] == node["enum"]


def test_every_public_enum_is_checked() -> None:
    public = {
        value
        for name in rec.__all__
        if isinstance(value := getattr(rec, name), type) and issubclass(value, StrEnum)
    }
    assert public == set(ENUM_LOCATIONS)


def test_copy_of_record_json_is_independent() -> None:
    data = sample("digital")
    record = AssessmentRecord.from_json(copy.deepcopy(data))
    out: Any = record.to_json()
    out["product"]["name"] = "changed"
    assert record.product_name == data["product"]["name"]


def test_every_local_requirement_has_words() -> None:
    from innopass._internal.wording import LOCAL_REQUIREMENTS
    from innopass.record import LocalRequirementType

    assert set(LOCAL_REQUIREMENTS) == {t.value for t in LocalRequirementType}
