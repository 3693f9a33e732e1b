"""The JSON Schemas of trust material and status entries (schemas/*.schema.json).

Each accepts what innopass writes (an organisation home exports, signs and bundles
here for real) and refuses representative bad documents at the right JSON pointer;
both schema engines agree on every case.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass._internal import schema
from innopass._internal.jsonio import JSONObject
from innopass._internal.timestamps import parse_datetime
from innopass.did import did_method
from innopass.errors import ConfigurationError, MalformedInputError, ResolutionError
from innopass.issuer import Issuer, OrganisationHome, TrustAnchor
from innopass.keys import KeyType
from innopass.record import example
from innopass.status import StatusEntry, status_entries
from innopass.trust import MAX_BUNDLE_STATUS_LISTS, valid_ods_code

DESCRIPTION = "organisation-description.schema.json"
TRUST_LIST = "trust-list.schema.json"
BUNDLE = "bundle.schema.json"
STATUS_ENTRY = "status-list-entry.schema.json"
NAMES = {
    DESCRIPTION: "organisation-description",
    TRUST_LIST: "trust-list",
    BUNDLE: "bundle",
    STATUS_ENTRY: "status-list-entry",
}
PASS = "trust schema test passphrase"
NOW = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


def problems(instance: Any, name: str) -> list[str]:
    """The paths of the problems, each once, after checking that the two engines agree."""
    fast = bool(schema._fast(name).is_valid(instance))
    assert fast == schema._validator(name).is_valid(instance)
    found = sorted({p.path for p in schema.iter_problems(instance, name)})
    assert fast == (not found)
    return found


@dataclass
class Written:
    """Documents an organisation home writes: what the schemas must accept."""

    descriptions: list[JSONObject]
    trust_lists: list[JSONObject]
    bundles: list[JSONObject]
    passports: list[JSONObject]


def _record(ods_code: str) -> JSONObject:
    value: Any = example("device")
    value["assessing_org"]["ods_code"] = ods_code
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    return dict(value)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    with pytest.MonkeyPatch.context() as patch:  # conftest's fast_kdf, for the whole module
        from innopass._internal.pkcs8 import encrypt_pkcs8_pem

        patch.setattr(
            "innopass.keys.encrypt_pkcs8_pem",
            lambda der, passphrase, *, iterations: encrypt_pkcs8_pem(
                der, passphrase, iterations=1_000
            ),
        )
        root = tmp_path_factory.mktemp("homes")
        web = OrganisationHome.init(
            root / "rf4", ods_code="RF4", name="RF4 TRUST", passphrase=PASS, did_web="rf4.example"
        )
        OrganisationHome.init(
            root / "r1h", ods_code="R1H", name="R1H TRUST", passphrase=PASS, key_type=KeyType.P256
        )
        OrganisationHome.init(root / "x26", ods_code="X26", name="ANCHOR", passphrase=PASS)
        out = Written([], [], [], [])
        with TrustAnchor.from_home(root / "x26", passphrase=PASS, clock=lambda: NOW) as anchor:
            r1h = OrganisationHome.open(root / "r1h").export(clock=lambda: NOW)
            descriptions = [web.export(clock=lambda: NOW), r1h, web.description()]
            out.descriptions = [d.to_json() for d in descriptions]
            signed = anchor.sign_trust_list(
                descriptions[:2], withdrawn={"R1H": None}, successors={"R1H": "RF4"}
            )
            empty = anchor.sign_trust_list([])
            out.trust_lists = [signed.credential, empty.credential]
        for home in ("RF4", "R1H"):
            with Issuer.from_home(
                root / home.lower(), passphrase=PASS, clock=lambda: NOW
            ) as issuer:
                di = issuer.issue(_record(home))
                jwt = issuer.issue(_record(home), format="jwt")
                out.passports.append(di.credential)
                out.bundles += [
                    issuer.bundle(di.id, trust_list=signed.credential).to_json(),
                    issuer.bundle(jwt.id).to_json(),
                ]
        yield out


# --- the files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(NAMES))
def test_schema_is_draft_2020_12_with_its_id_and_descriptions(name: str) -> None:
    loaded = schema.load_schema(name)
    Draft202012Validator.check_schema(loaded)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert loaded["$id"] == f"{schema.SCHEMA_ID_BASE}{NAMES[name]}/v1"
    assert isinstance(loaded["title"], str)
    assert isinstance(loaded["description"], str)
    assert schema.schema_digest_sri(name).startswith("sha384-")


def test_a_definition_can_be_validated_on_its_own(written: Written) -> None:
    entry: Any = written.trust_lists[0]["credentialSubject"]
    name = TRUST_LIST + "#/$defs/trusted_issuer"
    assert problems(entry["trustedIssuers"][0], name) == []
    assert problems({"odsCode": "rf4", "status": "active"}, name) == ["", "/odsCode"]


@pytest.mark.parametrize(
    "name",
    [
        TRUST_LIST + "#/$defs/nothing",
        TRUST_LIST + "#/properties/id",
        TRUST_LIST + "#",
        "unknown.schema.json#/$defs/x",
    ],
)
def test_an_unknown_definition_is_a_configuration_error(name: str) -> None:
    with pytest.raises(ConfigurationError):
        schema.is_valid({}, name)


def test_definitions_are_not_files() -> None:
    with pytest.raises(ConfigurationError):
        schema.schema_bytes(TRUST_LIST + "#/$defs/trusted_issuer")


def test_require_shape_reports_the_first_problem_under_the_path() -> None:
    with pytest.raises(MalformedInputError) as info:
        schema.require_shape({"type": "x"}, STATUS_ENTRY, path="/credentialStatus/1")
    assert info.value.path == "/credentialStatus/1"  # missing members: reported at the object
    schema.require_shape(
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://example.org/1",
        },
        STATUS_ENTRY,
    )


# --- what innopass writes is accepted ---------------------------------------------------


def test_descriptions_written_are_valid(written: Written) -> None:
    for description in written.descriptions:
        assert problems(description, DESCRIPTION) == []


def test_trust_lists_written_are_valid(written: Written) -> None:
    withdrawn: Any = written.trust_lists[0]["credentialSubject"]
    assert [i["status"] for i in withdrawn["trustedIssuers"]] == ["active", "withdrawn"]
    for credential in written.trust_lists:
        assert problems(credential, TRUST_LIST) == []
        unsigned = {k: v for k, v in credential.items() if k != "proof"}
        assert problems(unsigned, TRUST_LIST) == []


def test_bundles_written_are_valid(written: Written) -> None:
    assert {type(b["passport"]) for b in written.bundles} == {dict, str}
    for value in written.bundles:
        assert problems(value, BUNDLE) == []


def test_status_entries_written_are_valid(written: Written) -> None:
    for passport in written.passports:
        entries: Any = passport["credentialStatus"]
        assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension", "message"]
        for entry in entries:
            assert problems(entry, STATUS_ENTRY) == []


# --- bad documents are refused where they are wrong ---------------------------------------

DELETE = object()
"""As a value in the cases below: remove the member."""


def _changed(document: JSONObject, pointer: str, value: object) -> Any:
    """A copy of ``document`` with the value at ``pointer`` (RFC 6901, no escapes) replaced."""
    changed: Any = copy.deepcopy(document)
    *parents, last = pointer.strip("/").split("/")
    target = changed
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is DELETE:
        del target[last]
    else:
        target[last] = value
    return changed


Case = tuple[str, object, list[str]]  # where, new value, the problems' paths

DESCRIPTION_CASES: dict[str, Case] = {
    "type": ("/type", "InnopassBundle", ["/type"]),
    "version-string": ("/formatVersion", "1", ["/formatVersion"]),
    "version-true": ("/formatVersion", True, ["/formatVersion"]),
    "version-missing": ("/formatVersion", DELETE, [""]),
    "ods-lower": ("/odsCode", "rf4", ["/odsCode"]),
    "ods-newline": ("/odsCode", "RF4\n", ["/odsCode"]),
    "ods-too-long": ("/odsCode", "A" * 10, ["/odsCode"]),
    "name-empty": ("/name", "", ["/name"]),
    "did-not-a-did": ("/did", "rf4.example", ["/did"]),
    "did-url": ("/did", "did:web:rf4.example#key-1", ["/did"]),
    "did-path": ("/did", "did:web:rf4.example/x", ["/did"]),
    "document-no-id": ("/didDocument/id", DELETE, ["/didDocument"]),
    "document-array": ("/didDocument", [], ["/didDocument"]),
    "base-missing": ("/statusListBase", DELETE, [""]),
    "keys-object": ("/keys", {}, ["/keys"]),
    "window-no-compromised": ("/keys/0/compromised", DELETE, ["/keys/0"]),
    "window-compromised-string": ("/keys/0/compromised", "no", ["/keys/0/compromised"]),
    "window-impossible-day": ("/keys/0/validFrom", "2026-02-30T00:00:00Z", ["/keys/0/validFrom"]),
    "window-no-zone": ("/keys/0/validUntil", "2026-02-28T00:00:00", ["/keys/0/validUntil"]),
    "window-id-empty": ("/keys/0/id", "", ["/keys/0/id"]),
    "exported-null": ("/exportedAt", None, ["/exportedAt"]),
}


@pytest.mark.parametrize(
    ("where", "value", "paths"), DESCRIPTION_CASES.values(), ids=list(DESCRIPTION_CASES)
)
def test_bad_descriptions_are_refused(
    written: Written, where: str, value: object, paths: list[str]
) -> None:
    assert problems(_changed(written.descriptions[0], where, value), DESCRIPTION) == paths


@pytest.mark.parametrize("name", list(NAMES))
@pytest.mark.parametrize("value", [[], "x", None, 1])
def test_what_is_not_an_object_is_refused_at_the_root(name: str, value: object) -> None:
    assert problems(value, name) == [""]


SUBJECT = "/credentialSubject"
ISSUER = f"{SUBJECT}/trustedIssuers/0"
TRUST_LIST_CASES: dict[str, Case] = {
    "context": ("/@context", ["https://www.w3.org/ns/credentials/v2"], ["/@context"]),
    "type": ("/type", ["VerifiableCredential"], ["/type"]),
    "issuer-not-a-did": ("/issuer", "rf4.example", ["/issuer"]),
    "issuer-without-id": ("/issuer/id", DELETE, ["/issuer"]),
    "issuer-bad-ods": ("/issuer/odsCode", "x26", ["/issuer/odsCode"]),
    "no-expiry": ("/validUntil", DELETE, [""]),
    "valid-from-bad": ("/validFrom", "yesterday", ["/validFrom"]),
    "subject-type": (f"{SUBJECT}/type", "x", [f"{SUBJECT}/type"]),
    "version-zero": (f"{SUBJECT}/trustListVersion", 0, [f"{SUBJECT}/trustListVersion"]),
    "version-string": (f"{SUBJECT}/trustListVersion", "3", [f"{SUBJECT}/trustListVersion"]),
    "version-true": (f"{SUBJECT}/trustListVersion", True, [f"{SUBJECT}/trustListVersion"]),
    "issuers-object": (f"{SUBJECT}/trustedIssuers", {}, [f"{SUBJECT}/trustedIssuers"]),
    "status": (f"{ISSUER}/status", "suspended", [f"{ISSUER}/status"]),
    "successor": (f"{ISSUER}/successor", "rf4", [f"{ISSUER}/successor"]),
    "withdrawn-at": (f"{ISSUER}/withdrawnAt", "2026-13-01T00:00:00Z", [f"{ISSUER}/withdrawnAt"]),
    "no-scopes-member": (f"{ISSUER}/accreditedScopes", DELETE, [ISSUER]),
    "scope-profile": (
        f"{ISSUER}/accreditedScopes/0/profiles",
        [1],
        [f"{ISSUER}/accreditedScopes/0/profiles/0"],
    ),
    "scope-no-domains": (
        f"{ISSUER}/accreditedScopes/0/domains",
        DELETE,
        [f"{ISSUER}/accreditedScopes/0"],
    ),
    "window": (
        f"{ISSUER}/verificationMethods/0/validFrom",
        5,
        [f"{ISSUER}/verificationMethods/0/validFrom"],
    ),
    "did": (f"{ISSUER}/did", "did:web", [f"{ISSUER}/did"]),
    "base-empty": (f"{ISSUER}/statusListBase", "", [f"{ISSUER}/statusListBase"]),
}


@pytest.mark.parametrize(
    ("where", "value", "paths"), TRUST_LIST_CASES.values(), ids=list(TRUST_LIST_CASES)
)
def test_bad_trust_lists_are_refused(
    written: Written, where: str, value: object, paths: list[str]
) -> None:
    assert problems(_changed(written.trust_lists[0], where, value), TRUST_LIST) == paths


def test_a_trust_list_issuer_may_be_a_bare_did(written: Written) -> None:
    credential: Any = copy.deepcopy(written.trust_lists[1])
    credential["issuer"] = credential["issuer"]["id"]
    assert problems(credential, TRUST_LIST) == []


BUNDLE_CASES: dict[str, Case] = {
    "type": ("/type", "InnopassOrganisation", ["/type"]),
    "version": ("/formatVersion", 2, ["/formatVersion"]),
    "passport-number": ("/passport", 5, ["/passport"]),
    "passport-missing": ("/passport", DELETE, [""]),
    "issuer-null": ("/issuer", None, ["/issuer"]),
    "issuer-bad": ("/issuer/odsCode", "rf4", ["/issuer/odsCode"]),
    "lists-missing": ("/statusLists", DELETE, [""]),
    "list-string": ("/statusLists/0", "x", ["/statusLists/0"]),
    "too-many-lists": ("/statusLists", [{}] * (MAX_BUNDLE_STATUS_LISTS + 1), ["/statusLists"]),
    "trust-list-string": ("/trustList", "x", ["/trustList"]),
    "trust-list-null": ("/trustList", None, ["/trustList"]),
}


@pytest.mark.parametrize(("where", "value", "paths"), BUNDLE_CASES.values(), ids=list(BUNDLE_CASES))
def test_bad_bundles_are_refused(
    written: Written, where: str, value: object, paths: list[str]
) -> None:
    assert problems(_changed(written.bundles[0], where, value), BUNDLE) == paths


def test_a_bundle_may_carry_the_most_status_lists(written: Written) -> None:
    value = _changed(written.bundles[0], "/statusLists", [{}] * MAX_BUNDLE_STATUS_LISTS)
    assert problems(value, BUNDLE) == []
    limit: Any = schema.load_schema(BUNDLE)["properties"]
    assert limit["statusLists"]["maxItems"] == MAX_BUNDLE_STATUS_LISTS


def test_the_bundle_checks_its_parts_only_in_outline(written: Written) -> None:
    """The passport, status lists and trust list are the verifier's to check, each on its own."""
    value: Any = copy.deepcopy(written.bundles[0])
    value["passport"]["proof"] = "anything"
    value["statusLists"] = [{"not": "a status list"}]
    value["trustList"] = {"not": "a trust list"}
    assert problems(value, BUNDLE) == []


ENTRY: JSONObject = {
    "id": "https://example.org/status/revocation/1#5",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "5",
    "statusListCredential": "https://example.org/status/revocation/1",
}
ENTRY_CASES: list[tuple[str, JSONObject, list[str]]] = [
    ("type", {"type": "StatusList2021Entry"}, ["/type"]),
    ("purpose-empty", {"statusPurpose": ""}, ["/statusPurpose"]),
    ("index-negative", {"statusListIndex": "-1"}, ["/statusListIndex"]),
    ("index-decimal", {"statusListIndex": "1.5"}, ["/statusListIndex"]),
    ("index-number", {"statusListIndex": 7}, ["/statusListIndex"]),
    ("index-empty", {"statusListIndex": ""}, ["/statusListIndex"]),
    ("index-arabic-indic", {"statusListIndex": "١٢"}, ["/statusListIndex"]),
    ("index-too-long", {"statusListIndex": "1" * 13}, ["/statusListIndex"]),
    ("index-newline", {"statusListIndex": "5\n"}, ["/statusListIndex"]),
    ("credential-empty", {"statusListCredential": ""}, ["/statusListCredential"]),
    ("size-2-without-messages", {"statusSize": 2}, [""]),
    ("size-9", {"statusSize": 9, "statusMessage": []}, ["/statusSize"]),
    ("size-true", {"statusSize": True}, ["/statusSize"]),
    ("size-null", {"statusSize": None}, ["/statusSize"]),
    (
        "message-status",
        {"statusSize": 1, "statusMessage": [{"status": "1", "message": "x"}]},
        ["/statusMessage/0/status"],
    ),
    (
        "message-empty",
        {"statusSize": 1, "statusMessage": [{"status": "0x1", "message": ""}]},
        ["/statusMessage/0/message"],
    ),
    ("id-number", {"id": 5}, ["/id"]),
]


@pytest.mark.parametrize(
    ("change", "paths"), [c[1:] for c in ENTRY_CASES], ids=[c[0] for c in ENTRY_CASES]
)
def test_bad_status_entries_are_refused(change: JSONObject, paths: list[str]) -> None:
    assert problems({**ENTRY, **change}, STATUS_ENTRY) == paths


def test_a_status_entry_needs_no_id_and_may_say_size_1() -> None:
    without_id = {k: v for k, v in ENTRY.items() if k != "id"}
    assert problems(without_id, STATUS_ENTRY) == []
    assert problems({**ENTRY, "statusSize": 1, "statusMessage": []}, STATUS_ENTRY) == []
    assert problems({k: v for k, v in ENTRY.items() if k != "type"}, STATUS_ENTRY) == [""]


# --- the patterns say what the Python checks say -----------------------------------------

ODS_SAMPLES = ["RF4", "R1H", "X26", "A", "ABCDEFGHI", "ABCDEFGHIJ", "rf4", "RF 4", "RF4\n", ""]
DID_SAMPLES = [
    "did:web:rf4.nhs.example",
    "did:web:example.org%3A8443:path:to",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:jwk:eyJrdHkiOiJPS1AifQ",
    "did:web:",
    "did:Web:x",
    "did:web:x#frag",
    "did:web:x/path",
    "did:web:x?q",
    "did:web:x\n",
    "did:web:%zz",
    "web:x",
]
TIME_SAMPLES = [
    "2026-05-01T09:30:00Z",
    "2026-05-01T09:30:00.5Z",
    "2026-05-01T09:30:00.123456789+01:00",
    "2026-05-01T09:30:00-14:00",
    "2026-05-01T09:30:00+14:01",
    "2026-05-01T09:30:00",
    "2026-05-01 09:30:00Z",
    "2026-02-30T09:30:00Z",
    "2026-05-01T24:00:00Z",
    "0000-01-01T00:00:00Z",
    "12026-05-01T09:30:00Z",
    "2026-05-01t09:30:00z",
    "2026-05-01T09:30:00Z\n",
]


def _definition_accepts(definition: str, value: str) -> bool:
    return not problems(value, f"{DESCRIPTION}#/$defs/{definition}")


@pytest.mark.parametrize("code", ODS_SAMPLES)
def test_the_ods_pattern_is_valid_ods_code(code: str) -> None:
    assert _definition_accepts("ods_code", code) == valid_ods_code(code)


def _is_did(value: str) -> bool:
    try:
        did_method(value)
    except ResolutionError:
        return False
    return "#" not in value and "/" not in value and "?" not in value


@pytest.mark.parametrize("did", DID_SAMPLES)
def test_the_did_pattern_is_what_innopass_resolves(did: str) -> None:
    assert _definition_accepts("did", did) == _is_did(did)


def _parses(value: str) -> bool:
    try:
        parse_datetime(value)
    except MalformedInputError:
        return False
    return True


@pytest.mark.parametrize("value", TIME_SAMPLES)
def test_the_date_time_definition_is_what_innopass_parses(value: str) -> None:
    assert _definition_accepts("date_time", value) == _parses(value)


def test_an_instant_past_the_calendar_in_utc_passes_the_schema_but_not_the_parser() -> None:
    """The one date-time a schema cannot refuse: the converter's codec reports it instead."""
    late = "9999-12-31T23:59:59-01:00"
    assert _definition_accepts("date_time", late)
    assert not _parses(late)


def test_schema_files_are_under_the_repository_schemas_folder() -> None:
    repo = Path(__file__).resolve().parents[2] / "schemas"
    for name in NAMES:
        assert schema.schema_bytes(name) == (repo / name).read_bytes()


# --- status entries are read after their schema ---------------------------------------------


def test_status_entry_round_trip(written: Written) -> None:
    for passport in written.passports:
        entries: Any = passport["credentialStatus"]
        for raw, entry in zip(entries, status_entries(passport), strict=True):
            assert entry.to_json() == raw
            assert list(entry.to_json()) == list(raw)
    entry = StatusEntry("revocation", 5, "https://example.org/status/revocation/1")
    assert entry.to_json() == ENTRY  # its id is the list's and the index
    assert StatusEntry.from_json({k: v for k, v in ENTRY.items() if k != "id"}) == entry
    assert StatusEntry.from_json(ENTRY).entry_id == ENTRY["id"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"statusListIndex": "1.5"}, "/credentialStatus/1/statusListIndex"),
        ({"statusSize": 1.0}, "/credentialStatus/1/statusSize"),
        ({"type": None}, "/credentialStatus/1/type"),
    ],
)
def test_status_entry_problems_have_their_path(change: JSONObject, path: str) -> None:
    credential: JSONObject = {"credentialStatus": [ENTRY, {**ENTRY, **change}]}
    with pytest.raises(MalformedInputError) as info:
        status_entries(credential)
    assert info.value.path == path
