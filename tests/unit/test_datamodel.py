"""VC Data Model 2.0 rules (``innopass._internal.datamodel``): each family, both ways.

Every case is a small credential changed in one place; the test asserts the exact
``(code, path)`` pairs reported, so a rule that stops firing, fires twice or points
elsewhere fails. The same rules run in the verifier (``parse``) and before the issuer
signs (``test_issuer_refuses_non_conforming_credentials`` and the verifier tests).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest

from innopass._internal.contexts import CREDENTIALS_V2, INNOPASS_V1, context_bytes
from innopass._internal.datamodel import (
    credential_problems,
    envelope_problems,
    held_resource,
    is_url,
    presentation_problems,
    require_conforming,
)
from innopass._internal.encoding import base58btc_encode
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_bytes
from innopass.errors import CredentialInvalidError, FailureCode

C = FailureCode


def _base() -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2],
        "id": "urn:uuid:5f1b2f4e-3e0c-4a52-9a53-6f0b0c4b1a11",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }


def _with(**changes: Any) -> dict[str, Any]:
    doc = _base()
    for key, value in changes.items():
        name = key.replace("__", "@").replace("_", "")
        name = {"context": "@context"}.get(name, name)
        if value is _DROP:
            doc.pop(name, None)
        else:
            doc[name] = value
    return doc


_DROP = object()


def _found(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(str(p.failure), p.path) for p in credential_problems(doc)}


def test_a_minimal_credential_conforms() -> None:
    assert credential_problems(_base()) == []


# --- @context ----------------------------------------------------------------------------

CONTEXTS = [
    pytest.param(
        [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"], set(), id="url"
    ),
    pytest.param([CREDENTIALS_V2, {"Thing": "https://example.org/#Thing"}], set(), id="object"),
    pytest.param([CREDENTIALS_V2, INNOPASS_V1], set(), id="bundled"),
    pytest.param(
        [CREDENTIALS_V2, "https ://not-a-url/v1"], {("context-invalid", "/@context/1")}, id="space"
    ),
    pytest.param([CREDENTIALS_V2, 123], {("context-invalid", "/@context/1")}, id="number"),
    pytest.param([CREDENTIALS_V2, None], {("context-invalid", "/@context/1")}, id="null"),
    pytest.param(
        [CREDENTIALS_V2, ["https://example.org/a"]], {("context-invalid", "/@context/1")}, id="list"
    ),
    pytest.param(
        [CREDENTIALS_V2, {"VerifiableCredential": "https://example.org/#Bad"}],
        {("context-invalid", "/@context/1/VerifiableCredential")},
        id="redefines-protected",
    ),
    pytest.param(
        [
            CREDENTIALS_V2,
            {"@protected": True, "Mine": "https://example.org/#Mine"},
            {"Mine": "https://example.org/#Other"},
        ],
        {("context-invalid", "/@context/2/Mine")},
        id="redefines-own-protected",
    ),
    pytest.param(
        [CREDENTIALS_V2, {"id": "@id", "type": "@type"}], set(), id="identical-redefinition"
    ),
    pytest.param(
        [CREDENTIALS_V2, {"Mine": "https://example.org/#A"}, {"Mine": "https://example.org/#B"}],
        set(),
        id="unprotected-redefinition",
    ),
    pytest.param(
        ["https://www.w3.org/2018/credentials/v1"], {("malformed", "/@context")}, id="vc-1.1"
    ),
    pytest.param(
        ["https://www.w3.org/ns/credentials/examples/v2", CREDENTIALS_V2],
        {("malformed", "/@context")},
        id="v2-not-first",
    ),
    pytest.param(CREDENTIALS_V2, {("malformed", "/@context")}, id="not-a-list"),
    pytest.param(_DROP, {("malformed", "/@context")}, id="missing"),
]


@pytest.mark.parametrize(("context", "expected"), CONTEXTS)
def test_context(context: Any, expected: set[tuple[str, str]]) -> None:
    assert _found(_with(context=context)) == expected


# --- id ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "ok"),
    [
        ("/id", "https://example.org/credentials/1", True),
        ("/id", "did:example:123", True),
        ("/id", "urn:uuid:0f8b7a52-6a43-4d3c-9d51-7e0e6f0c2b11", True),
        ("/id", "https ://not-a-url/1", False),
        ("/id", "not a url", False),
        ("/id", "relative/path", False),
        ("/id", None, False),
        ("/id", ["https://example.org/1", "https://example.net/1"], False),
        ("/id", "https://", False),
        ("/credentialSubject/id", ["did:example:a", "did:example:b"], False),
        ("/credentialSubject/id", "did:example:a", True),
        ("/issuer", "not a url", False),
        ("/issuer/id", "not a url", False),
        ("/issuer/id", "did:example:issuer", True),
    ],
)
def test_identifiers(where: str, value: Any, ok: bool) -> None:
    doc = _base()
    if where == "/id":
        doc["id"] = value
    elif where == "/credentialSubject/id":
        doc["credentialSubject"]["id"] = value
    elif where == "/issuer":
        doc["issuer"] = value
    else:
        doc["issuer"] = {"id": value}
    assert _found(doc) == (set() if ok else {("id-invalid", where)})


def test_issuer_missing_or_without_id_is_malformed() -> None:
    assert _found(_with(issuer=_DROP)) == {("malformed", "/issuer")}
    assert _found(_with(issuer=None)) == {("malformed", "/issuer")}
    assert ("malformed", "/issuer/id") in _found(_with(issuer={"name": "No id"}))


# --- type ----------------------------------------------------------------------------------

TYPES = [
    pytest.param(
        [CREDENTIALS_V2], ["VerifiableCredential", "https://example.org/#X"], set(), id="url"
    ),
    pytest.param(
        [CREDENTIALS_V2, {"Ex": "https://example.org/#Ex"}],
        ["VerifiableCredential", "Ex"],
        set(),
        id="mapped",
    ),
    pytest.param(
        [CREDENTIALS_V2, {"ex": "https://example.org/#"}],
        ["VerifiableCredential", "ex:Thing"],
        set(),
        id="compact-iri",
    ),
    pytest.param(
        [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        ["VerifiableCredential", "AlumniCredential"],
        set(),
        id="context-not-held",  # innopass cannot read it: the benefit of the doubt
    ),
    pytest.param(
        [CREDENTIALS_V2, {"@vocab": "https://example.org/vocab#"}],
        ["VerifiableCredential", "Anything"],
        set(),
        id="vocab",
    ),
    pytest.param(
        [CREDENTIALS_V2, {"@vocab": None}],
        ["VerifiableCredential", "Unmapped"],
        {("type-invalid", "/type/1")},
        id="vocab-null",
    ),
    pytest.param(
        [CREDENTIALS_V2],
        ["VerifiableCredential", "Unmapped"],
        {("type-invalid", "/type/1")},
        id="unmapped",
    ),
    pytest.param(
        [CREDENTIALS_V2, {"Ex": "https ://not-a-url#Ex"}],
        ["VerifiableCredential", "Ex"],
        {("type-invalid", "/type/1")},
        id="mapped-to-non-url",
    ),
    pytest.param(
        [CREDENTIALS_V2, {"Ex": None}],
        ["VerifiableCredential", "Ex"],
        {("type-invalid", "/type/1")},
        id="mapped-to-null",
    ),
    pytest.param(
        [CREDENTIALS_V2], ["VerifiableCredential", 2], {("type-invalid", "/type/1")}, id="number"
    ),
    pytest.param([CREDENTIALS_V2], "VerifiableCredential", set(), id="string"),
    pytest.param(
        [CREDENTIALS_V2], ["https://example.org/#X"], {("malformed", "/type")}, id="no-vc-type"
    ),
    pytest.param(
        [CREDENTIALS_V2], [], {("type-invalid", "/type"), ("malformed", "/type")}, id="empty"
    ),
    pytest.param(
        [CREDENTIALS_V2, INNOPASS_V1],
        ["VerifiableCredential", "InnovatorPassport"],
        set(),
        id="innopass-terms",
    ),
]


@pytest.mark.parametrize(("context", "types", "expected"), TYPES)
def test_types(context: list[Any], types: Any, expected: set[tuple[str, str]]) -> None:
    assert _found(_with(context=context, type=types)) == expected


def test_missing_type_is_malformed() -> None:
    assert _found(_with(type=_DROP)) == {("malformed", "/type")}


def test_types_of_data_model_objects_are_checked_too() -> None:
    doc = _base()
    doc["issuer"] = {"id": "did:example:issuer", "type": "Unmapped"}
    doc["credentialSubject"]["type"] = "AlsoUnmapped"
    assert _found(doc) == {
        ("type-invalid", "/issuer/type"),
        ("type-invalid", "/credentialSubject/type"),
    }


@pytest.mark.parametrize(
    "name", ["credentialStatus", "termsOfUse", "evidence", "refreshService", "credentialSchema"]
)
def test_data_model_objects_must_have_a_type(name: str) -> None:
    typed = {"id": "https://example.org/thing/1", "type": "https://example.org/#Thing"}
    assert _found(_with(**{name: typed})) == set()
    assert _found(_with(**{name: [typed, typed]})) == set()
    untyped = {"id": "https://example.org/thing/1"}
    assert _found(_with(**{name: untyped})) == {("type-invalid", f"/{name}/type")}
    assert _found(_with(**{name: [typed, untyped]})) == {("type-invalid", f"/{name}/1/type")}
    bad_id = {**typed, "id": "https ://nope"}
    assert _found(_with(**{name: bad_id})) == {("id-invalid", f"/{name}/id")}
    assert _found(_with(**{name: "https://example.org/x"})) == {("malformed", f"/{name}")}


def test_credential_schema_needs_a_url_id() -> None:
    no_id = {"type": "https://example.org/#Schema"}
    assert _found(_with(credentialSchema=no_id)) == {("id-invalid", "/credentialSchema/id")}
    numeric = {"type": "https://example.org/#Schema", "id": 7}
    assert _found(_with(credentialSchema=numeric)) == {("id-invalid", "/credentialSchema/id")}
    # other typed objects may omit their id
    assert _found(_with(evidence={"type": "https://example.org/#E"})) == set()


def test_a_proof_must_have_a_type() -> None:
    proof = {"proofPurpose": "assertionMethod", "proofValue": "z1"}
    assert _found(_with(proof=proof)) == {("type-invalid", "/proof/type")}


# --- names and descriptions ----------------------------------------------------------------

LANGUAGE = [
    pytest.param("Example", True, id="string"),
    pytest.param({"@value": "Example", "@language": "en"}, True, id="language"),
    pytest.param({"@value": "Example", "@language": "ar", "@direction": "rtl"}, True, id="dir"),
    pytest.param(
        [{"@value": "Dog", "@language": "en"}, {"@value": "Chien", "@language": "fr"}],
        True,
        id="multi",
    ),
    pytest.param(
        {"@value": "Example", "@language": "en", "url": "did:example:x"}, False, id="extra"
    ),
    pytest.param({"@language": "en"}, False, id="no-value"),
    pytest.param({"@value": "x", "@direction": "up"}, False, id="bad-direction"),
    pytest.param({"@value": 3}, False, id="number-value"),
    pytest.param(7, False, id="number"),
    pytest.param([], False, id="empty-list"),
]


@pytest.mark.parametrize(("value", "ok"), LANGUAGE)
@pytest.mark.parametrize("name", ["name", "description"])
def test_language_values(name: str, value: Any, ok: bool) -> None:
    for doc, base in (
        (_with(**{name: value}), f"/{name}"),
        (_with(issuer={"id": "did:example:issuer", name: value}), f"/issuer/{name}"),
    ):
        found = _found(doc)
        assert {code for code, _ in found} == (set() if ok else {"language-value-invalid"})
        assert all(path.startswith(base) for _, path in found)


# --- credentialSubject -----------------------------------------------------------------


def test_subjects_must_carry_claims() -> None:
    assert _found(_with(credentialSubject={})) == {("subject-empty", "/credentialSubject")}
    two = [{"id": "did:example:a"}, {}]
    assert _found(_with(credentialSubject=two)) == {("subject-empty", "/credentialSubject/1")}
    assert _found(_with(credentialSubject=[{"id": "did:example:a"}, {"name": "B"}])) == set()
    assert _found(_with(credentialSubject=_DROP)) == {("malformed", "/credentialSubject")}
    assert _found(_with(credentialSubject="did:example:a")) == {("malformed", "/credentialSubject")}
    assert _found(_with(credentialSubject=[])) == {("malformed", "/credentialSubject")}


# --- validity period ------------------------------------------------------------------


def test_validity_period() -> None:
    assert _found(_with(validUntil="2027-01-01T00:00:00Z")) == set()
    assert _found(_with(validFrom="Sat 25 Feb 2023 07:16:31 PM CST")) == {
        ("malformed", "/validFrom")
    }
    assert _found(_with(validUntil="2026-01-01T00:00:00")) == {("malformed", "/validUntil")}
    assert _found(_with(validUntil="2025-12-31T23:59:59Z")) == {("malformed", "/validUntil")}


# --- relatedResource ----------------------------------------------------------------------


def _sri(data: bytes, name: str = "sha384") -> str:
    return f"{name}-" + base64.b64encode(hashlib.new(name, data).digest()).decode()


def _multihash(data: bytes, *, base: str = "u") -> str:
    raw = bytes([0x12, 0x20]) + hashlib.sha256(data).digest()
    if base == "u":
        return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return "z" + base58btc_encode(raw)


V2_BYTES = context_bytes(CREDENTIALS_V2)


def test_related_resources_held_by_innopass_are_checked() -> None:
    ok = [
        {"id": CREDENTIALS_V2, "digestSRI": _sri(V2_BYTES)},
        {"id": INNOPASS_V1, "digestMultibase": _multihash(context_bytes(INNOPASS_V1))},
        {
            "id": RECORD_SCHEMA_ID,
            "digestMultibase": _multihash(schema_bytes(RECORD_SCHEMA), base="z"),
        },
        {"id": "https://example.org/not-held", "digestSRI": _sri(b"anything", "sha256")},
    ]
    assert _found(_with(relatedResource=ok)) == set()
    # the REC's published digest of the VC 2.0 context
    published = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
    assert _found(_with(relatedResource={"id": CREDENTIALS_V2, "digestSRI": published})) == set()
    wrong = [
        {"id": CREDENTIALS_V2, "digestSRI": _sri(b"other bytes")},
        {"id": INNOPASS_V1, "digestMultibase": _multihash(b"other bytes")},
    ]
    assert _found(_with(relatedResource=wrong)) == {
        ("digest-mismatch", "/relatedResource/0/digestSRI"),
        ("digest-mismatch", "/relatedResource/1/digestMultibase"),
    }


RELATED = [
    pytest.param(["https://example.org/x"], "/relatedResource/0", id="string"),
    pytest.param([{"digestSRI": _sri(b"x")}], "/relatedResource/0/id", id="no-id"),
    pytest.param([{"id": "nope", "digestSRI": _sri(b"x")}], "/relatedResource/0/id", id="bad-id"),
    pytest.param([{"id": "https://example.org/x"}], "/relatedResource/0", id="no-digest"),
    pytest.param(
        [
            {"id": "https://example.org/x", "digestSRI": _sri(b"x")},
            {"id": "https://example.org/x", "digestSRI": _sri(b"y")},
        ],
        "/relatedResource/1/id",
        id="duplicate-id",
    ),
    pytest.param(
        [{"id": "https://example.org/x", "digestSRI": "md5-AAAA"}],
        "/relatedResource/0/digestSRI",
        id="sri-algorithm",
    ),
    pytest.param(
        [{"id": "https://example.org/x", "digestSRI": "sha384-AAAA"}],
        "/relatedResource/0/digestSRI",
        id="sri-length",
    ),
    pytest.param(
        [{"id": "https://example.org/x", "digestMultibase": "u" + "A" * 43}],
        "/relatedResource/0/digestMultibase",
        id="not-a-multihash",
    ),
    pytest.param(
        [{"id": "https://example.org/x", "digestMultibase": "m" + "A" * 43}],
        "/relatedResource/0/digestMultibase",
        id="unknown-multibase",
    ),
    pytest.param(
        [{"id": "https://example.org/x", "digestSRI": _sri(b"x"), "mediaType": 3}],
        "/relatedResource/0/mediaType",
        id="media-type",
    ),
]


@pytest.mark.parametrize(("value", "path"), RELATED)
def test_related_resource_shapes(value: Any, path: str) -> None:
    assert _found(_with(relatedResource=value)) == {("related-resource-invalid", path)}


def test_a_caller_can_hold_more_resources() -> None:
    resource = b"a policy document"
    doc = _with(relatedResource={"id": "https://example.org/policy", "digestSRI": _sri(b"other")})
    assert credential_problems(doc) == []  # not held: nothing to compare with
    held = {"https://example.org/policy": resource}.get
    (problem,) = credential_problems(doc, held=held)
    assert (problem.failure, problem.path) == (C.DIGEST_MISMATCH, "/relatedResource/digestSRI")
    good = _with(relatedResource={"id": "https://example.org/policy", "digestSRI": _sri(resource)})
    assert credential_problems(good, held=held) == []


def test_held_resources_are_innopass_files_only() -> None:
    assert held_resource(CREDENTIALS_V2) == V2_BYTES
    assert held_resource(RECORD_SCHEMA_ID) == schema_bytes(RECORD_SCHEMA)
    assert held_resource("https://w3id.org/innopass/schemas/no-such-thing/v1") is None
    assert held_resource("https://example.org/x") is None


# --- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://example.org/a?b#c", True),
        ("http://localhost:8080", True),
        ("did:web:example.org", True),
        ("urn:uuid:0f8b7a52-6a43-4d3c-9d51-7e0e6f0c2b11", True),
        ("data:application/vc+jwt,eyJ", True),
        ("https://例え.jp/パス", True),
        ("https ://x", False),
        ("https://", False),
        ("https:/x", False),
        ("mailto:", False),
        ("no-scheme", False),
        ("1http://x", False),
        ("https://x/a b", False),
        ("https://x/<a>", False),
        ("", False),
        (7, False),
        ("https://x/" + "a" * 9000, False),
    ],
)
def test_is_url(value: Any, ok: bool) -> None:
    assert is_url(value) is ok


# --- presentations and envelopes --------------------------------------------------------


def _vp() -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [_base()],
    }


def _vp_found(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(str(p.failure), p.path) for p in presentation_problems(doc)}


def test_presentations() -> None:
    assert _vp_found(_vp()) == set()
    assert _vp_found({**_vp(), "holder": {"id": "did:example:holder"}}) == set()
    assert _vp_found({**_vp(), "holder": "not a url"}) == {("id-invalid", "/holder")}
    assert _vp_found({**_vp(), "holder": {"name": "x"}}) == {("id-invalid", "/holder/id")}
    assert _vp_found({**_vp(), "type": ["VerifiableCredential"]}) == {("malformed", "/type")}
    assert _vp_found({**_vp(), "verifiableCredential": ["https://example.org/vc/1"]}) == {
        ("malformed", "/verifiableCredential/0")
    }
    assert _vp_found({**_vp(), "@context": ["https://www.w3.org/ns/credentials/examples/v2"]}) == {
        ("malformed", "/@context")
    }
    assert _vp_found({**_vp(), "id": "urn:uuid:1"}) == set()
    assert _vp_found({**_vp(), "id": "nope"}) == {("id-invalid", "/id")}


def test_envelopes() -> None:
    good = {"@context": CREDENTIALS_V2, "type": "EnvelopedVerifiableCredential", "id": "data:,x"}
    assert envelope_problems(good, "EnvelopedVerifiableCredential") == []
    assert envelope_problems({**good, "@context": [CREDENTIALS_V2]}, good["type"]) == []

    def codes(doc: dict[str, Any]) -> set[tuple[str, str]]:
        return {(str(p.failure), p.path) for p in envelope_problems(doc, good["type"])}

    assert codes({**good, "@context": []}) == {("malformed", "/@context")}
    assert codes({**good, "@context": "https://www.w3.org/ns/credentials/examples/v2"}) == {
        ("malformed", "/@context")
    }
    assert codes({**good, "type": "VerifiableCredential"}) == {("type-invalid", "/type")}
    assert codes({k: v for k, v in good.items() if k != "type"}) == {("type-invalid", "/type")}
    assert codes({**good, "id": "eyJhbGciOi.x.y"}) == {("id-invalid", "/id")}


# --- the issuer-side entry point ----------------------------------------------------------


def test_require_conforming_raises_with_every_problem() -> None:
    require_conforming(_base())
    doc = _with(id="nope", credentialSubject={})
    with pytest.raises(CredentialInvalidError) as info:
        require_conforming(doc)
    assert info.value.code == "credential-invalid"
    assert {(p.failure, p.path) for p in info.value.problems} == {
        (C.ID_INVALID, "/id"),
        (C.SUBJECT_EMPTY, "/credentialSubject"),
    }
    with pytest.raises(CredentialInvalidError) as vp_info:
        require_conforming({**_vp(), "holder": 3}, presentation=True)
    assert vp_info.value.what == "presentation"


def test_the_walk_does_not_change_the_document() -> None:
    doc = _with(
        context=[CREDENTIALS_V2, {"Ex": "https://example.org/#Ex"}],
        relatedResource={"id": CREDENTIALS_V2, "digestSRI": _sri(V2_BYTES)},
    )
    before = copy.deepcopy(doc)
    credential_problems(doc)
    assert doc == before
