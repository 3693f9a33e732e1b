"""DID documents, resolvers and the CID "retrieve verification method" checks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject
from innopass._internal.net import OfflineFetcher
from innopass.did import (
    CompositeResolver,
    DidDocument,
    DidJwkResolver,
    DidKeyResolver,
    DidWebResolver,
    StaticResolver,
    VerificationMethod,
    did_jwk_document,
    did_jwk_from_public_key,
    did_key_document,
    did_key_from_public_key,
    did_method,
    did_web_document,
    did_web_from_host,
    did_web_to_url,
    public_key_from_did_key,
    resolve_verification_method,
    split_did_url,
    verification_method_id,
)
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    KeyNotAuthorisedError,
    KeyNotFoundError,
    MalformedInputError,
    NetworkError,
    ResolutionError,
)
from innopass.keys import Ed25519PrivateKey, P256PrivateKey, PublicKey

DID = "did:web:nhs.example:orgs:RF4"


def _key(seed: int = 1) -> PublicKey:
    return Ed25519PrivateKey.from_seed(bytes([seed]) * 32).public_key()


def _doc(**overrides: Any) -> JSONObject:
    key = _key()
    doc: JSONObject = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            {
                "id": "#key-1",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": key.to_multibase(),
            },
            {
                "id": f"{DID}#key-2",
                "type": "JsonWebKey",
                "controller": DID,
                "publicKeyJwk": dict(P256PrivateKey.generate().public_key().to_jwk()),
            },
        ],
        "assertionMethod": ["#key-1"],
        "authentication": [f"{DID}#key-2"],
    }
    doc.update(overrides)
    return doc


# --- DidDocument -----------------------------------------------------------------------


def test_document_parses_and_makes_ids_absolute() -> None:
    source = _doc()
    document = DidDocument.from_json(source, expected_id=DID)
    assert document.to_json() == source
    assert document.to_json() is not document.raw
    assert [m.id for m in document.verification_methods] == [f"{DID}#key-1", f"{DID}#key-2"]
    assert document.assertion_method == (f"{DID}#key-1",)
    assert document.authorises(f"{DID}#key-1")
    assert not document.authorises(f"{DID}#key-2")
    assert document.authorises(f"{DID}#key-2", "authentication")
    method = document.method(f"{DID}#key-1")
    assert method is not None
    assert method.public_key == _key()
    assert document.method(f"{DID}#nope") is None
    with pytest.raises(ConfigurationError):
        document.authorises(f"{DID}#key-1", "assertion")


def test_embedded_methods_become_methods() -> None:
    embedded = {
        "id": "#embedded",
        "type": "Ed25519VerificationKey2020",
        "controller": DID,
        "publicKeyMultibase": _key(2).to_multibase(),
    }
    document = DidDocument.from_json(_doc(assertionMethod=["#key-1", embedded]))
    assert document.assertion_method == (f"{DID}#key-1", f"{DID}#embedded")
    method = document.method(f"{DID}#embedded")
    assert method is not None
    assert method.type == "Ed25519VerificationKey2020"


@pytest.mark.parametrize(
    ("change", "expected_id"),
    [
        pytest.param({"id": "did:web:other.example"}, DID, id="id-mismatch"),
        pytest.param({"id": 5}, None, id="id-not-string"),
        pytest.param({"id": "not-a-did"}, None, id="id-not-did"),
        pytest.param({"id": f"{DID}#frag"}, None, id="id-is-did-url"),
        pytest.param({"verificationMethod": {}}, DID, id="methods-not-array"),
        pytest.param({"assertionMethod": "#key-1"}, DID, id="relationship-not-array"),
        pytest.param({"assertionMethod": ["#missing"]}, DID, id="dangling-reference"),
        pytest.param({"assertionMethod": ["key-1"]}, DID, id="relative-without-hash"),
        pytest.param({"assertionMethod": [5]}, DID, id="reference-not-string"),
    ],
)
def test_document_shape_refusals(change: dict[str, Any], expected_id: str | None) -> None:
    with pytest.raises(ResolutionError):
        DidDocument.from_json(_doc(**change), expected_id=expected_id)


def _method_variant(**change: Any) -> JSONObject:
    doc = _doc()
    methods = doc["verificationMethod"]
    assert isinstance(methods, list)
    first = methods[0]
    assert isinstance(first, dict)
    first.update(change)
    return doc


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"controller": "did:web:attacker.example"}, id="controller-mismatch"),
        pytest.param({"controller": 7}, id="controller-not-string"),
        pytest.param({"id": "did:web:attacker.example#key-1"}, id="method-of-another-did"),
        pytest.param({"id": f"{DID}#key-2"}, id="duplicate-id"),
        pytest.param({"id": DID}, id="id-without-fragment"),
        pytest.param({"type": None}, id="no-type"),
        pytest.param({"secretKeyMultibase": "z3u2"}, id="secret-key-published"),
        pytest.param({"expires": "yesterday"}, id="bad-expires"),
        pytest.param({"revoked": "2025-01-01T00:00:00"}, id="revoked-without-zone"),
        pytest.param({"publicKeyMultibase": 5}, id="multibase-not-string"),
    ],
)
def test_method_refusals(change: dict[str, Any]) -> None:
    with pytest.raises(ResolutionError):
        DidDocument.from_json(_method_variant(**change), expected_id=DID)


def test_private_jwk_member_refused() -> None:
    doc = _doc()
    methods = doc["verificationMethod"]
    assert isinstance(methods, list)
    methods[1] = {
        "id": "#key-2",
        "type": "JsonWebKey2020",
        "controller": DID,
        "publicKeyJwk": dict(P256PrivateKey.generate().to_jwk()),
    }
    with pytest.raises(ResolutionError):
        DidDocument.from_json(doc, expected_id=DID)


def test_unusable_methods_are_kept_aside() -> None:
    doc = _method_variant(publicKeyMultibase="z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc")
    document = DidDocument.from_json(doc, expected_id=DID)
    assert document.method(f"{DID}#key-1") is None
    unusable = document.unusable_method(f"{DID}#key-1")
    assert unusable is not None
    assert "X25519" in unusable.reason
    resolver = StaticResolver({DID: document})
    with pytest.raises(ResolutionError) as info:
        resolve_verification_method(resolver, f"{DID}#key-1")
    assert type(info.value) is ResolutionError
    # The other key still works.
    assert resolve_verification_method(resolver, f"{DID}#key-2", relationship="authentication")


def test_verification_method_json_round_trip() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for vm_type in ("Multikey", "JsonWebKey", "JsonWebKey2020"):
        method = VerificationMethod(
            id=f"{DID}#k", type=vm_type, controller=DID, public_key=_key(), revoked=when
        )
        data = method.to_json()
        assert data["revoked"] == "2026-01-02T03:04:05Z"
        assert ("publicKeyJwk" in data) == (vm_type != "Multikey")
        assert VerificationMethod.from_json(data, base_did=DID) == method
    with pytest.raises(KeyMaterialError):
        VerificationMethod.from_json(
            {"id": "#k", "type": "RsaVerificationKey2018", "controller": DID}, base_did=DID
        )


# --- resolve_verification_method ---------------------------------------------------------


def test_resolve_verification_method_checks() -> None:
    document = DidDocument.from_json(_doc(), expected_id=DID)
    resolver = StaticResolver({DID: document})
    assert resolve_verification_method(resolver, f"{DID}#key-1").public_key == _key()
    with pytest.raises(KeyNotFoundError):
        resolve_verification_method(resolver, f"{DID}#key-9")
    with pytest.raises(KeyNotAuthorisedError):
        resolve_verification_method(resolver, f"{DID}#key-2")
    with pytest.raises(ResolutionError):
        resolve_verification_method(resolver, DID)  # no fragment
    with pytest.raises(ResolutionError):
        resolve_verification_method(resolver, "did:web:unknown.example#key-1")
    with pytest.raises(ResolutionError):
        resolve_verification_method(resolver, f"{DID}/path#key-1")


class _LyingResolver:
    """Returns a valid document for a different DID (a poisoned cache)."""

    def resolve(self, did: str) -> DidDocument:
        return DidDocument.from_json(_doc())


def test_document_for_another_did_is_refused() -> None:
    with pytest.raises(ResolutionError):
        resolve_verification_method(_LyingResolver(), "did:web:victim.example#key-1")


def test_composite_and_static_resolvers() -> None:
    did = did_key_from_public_key(_key())
    resolver = CompositeResolver({"key": DidKeyResolver(), "jwk": DidJwkResolver()})
    assert resolver.resolve(did).id == did
    with pytest.raises(ResolutionError):
        resolver.resolve(DID)  # did:web not configured
    with pytest.raises(ResolutionError):
        resolver.resolve("did:example:123")
    with pytest.raises(ResolutionError):
        resolver.resolve("not a did")
    with pytest.raises(ConfigurationError):
        CompositeResolver({})
    document = DidDocument.from_json(_doc())
    with pytest.raises(ConfigurationError):
        StaticResolver({"did:web:other.example": document})
    with pytest.raises(ResolutionError):
        StaticResolver({DID: document}).resolve("did:web:other.example")


def test_split_did_url_and_method() -> None:
    assert split_did_url("did:key:z6Mk#z6Mk") == ("did:key:z6Mk", "z6Mk")
    assert split_did_url("did:web:a.example") == ("did:web:a.example", "")
    assert did_method("did:jwk:eyJ") == "jwk"
    for bad in ("did:Key:z", "did:key:", "did::x", "urn:x:y", "did:key:a b", "did:key:z#a#b"):
        with pytest.raises(ResolutionError):
            split_did_url(bad)


# --- did:key -------------------------------------------------------------------------------


def test_did_key_round_trip_and_document() -> None:
    for private in (Ed25519PrivateKey.generate(), P256PrivateKey.generate()):
        public = private.public_key()
        did = did_key_from_public_key(public)
        assert public_key_from_did_key(did) == public
        document = did_key_document(did)
        vm_id = verification_method_id(did)
        assert document.assertion_method == document.authentication == (vm_id,)
        assert document.capability_invocation == document.capability_delegation == (vm_id,)
        assert document.raw["@context"] == ["https://www.w3.org/ns/did/v1.1"]
        assert resolve_verification_method(DidKeyResolver(), vm_id).public_key == public


@pytest.mark.parametrize(
    "did",
    [
        "did:key:u7QE",
        "did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do",  # truncated
        "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",  # X25519
        "did:jwk:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ],
)
def test_did_key_refusals(did: str) -> None:
    with pytest.raises(KeyMaterialError):
        public_key_from_did_key(did)
    with pytest.raises(ResolutionError):
        DidKeyResolver().resolve(did)


# --- did:jwk -------------------------------------------------------------------------------


def _did_jwk(jwk: object) -> str:
    text = json.dumps(jwk, separators=(",", ":")).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(text).rstrip(b"=").decode()


def test_did_jwk_round_trip_and_use() -> None:
    public = P256PrivateKey.generate().public_key()
    did = did_jwk_from_public_key(public)
    document = did_jwk_document(did)
    assert resolve_verification_method(DidJwkResolver(), f"{did}#0").public_key == public
    assert document.key_agreement == (f"{did}#0",)
    signing = did_jwk_document(_did_jwk({**public.to_jwk(), "use": "sig"}))
    assert signing.key_agreement == ()
    assert len(signing.assertion_method) == 1


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(dict(P256PrivateKey.generate().to_jwk()), id="private-d"),
        pytest.param({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, id="p384"),
        pytest.param({"kty": "oct", "k": "AAAA"}, id="symmetric"),
        pytest.param({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, id="short-ed25519"),
        pytest.param({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, id="short-x25519"),
        pytest.param({**_key().to_jwk(), "use": "wrap"}, id="unknown-use"),
        pytest.param(["not", "an", "object"], id="array"),
    ],
)
def test_did_jwk_refusals(value: object) -> None:
    with pytest.raises(ResolutionError):
        did_jwk_document(_did_jwk(value))


@pytest.mark.parametrize(
    "did", ["did:jwk:", "did:jwk:e30=", "did:jwk:!!", "did:jwk:eyJhIjox", "did:key:e30"]
)
def test_did_jwk_bad_encodings(did: str) -> None:
    with pytest.raises(ResolutionError):
        did_jwk_document(did)


# --- did:web -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:192.168.0.1",
        "did:web:127.0.0.1%3A8443",
        "did:web:10.0.0.300",
        "did:web:example.com%3A",
        "did:web:example.com%3A99999",
        "did:web:example.com%3A08443",
        "did:web:example.com%3A0443",
        "did:web:example.com%3A0",
        "did:web:example.com%3A00000",
        "did:web:example.com%3A65536",
        "did:web:example.com%3a443",
        "did:web:example.com%2Fevil",
        "did:web:Example.com",
        "did:web:exa_mple.com",
        "did:web:-example.com",
        "did:web:example.com:",
        "did:web:example.com::user",
        "did:web:example.com:..:etc",
        "did:web:example.com:.",
        "did:web:example.com:user%2F..",
        "did:web:example.com:us%20er",
        "did:key:example.com",
        "did:web:example.com/path",
    ],
)
def test_did_web_mapping_refusals(did: str) -> None:
    with pytest.raises(ResolutionError):
        did_web_to_url(did)


def test_did_web_mapping() -> None:
    assert (
        did_web_to_url("did:web:localhost%3A8443") == "https://localhost:8443/.well-known/did.json"
    )
    assert did_web_from_host("nhs.example/orgs/RF4") == DID
    assert did_web_from_host("localhost:8443") == "did:web:localhost%3A8443"
    assert did_web_to_url(DID) == "https://nhs.example/orgs/RF4/did.json"
    assert (
        did_web_to_url("did:web:h.example%3A65535")
        == "https://h.example:65535/.well-known/did.json"
    )
    assert did_web_to_url("did:web:h.example%3A1") == "https://h.example:1/.well-known/did.json"
    for bad in (
        "https://nhs.example",
        "nhs.example//x",
        "nhs.example/a%2Fb",
        "",
        "10.0.0.1",
        "h:p",
        "localhost:08443",
        "localhost:0",
    ):
        with pytest.raises(MalformedInputError):
            did_web_from_host(bad)


def test_did_web_document_generation() -> None:
    when = datetime(2025, 6, 1, tzinfo=UTC)
    current = VerificationMethod(f"{DID}#key-2", "Multikey", DID, _key(2))
    retired = VerificationMethod(f"{DID}#key-1", "Multikey", DID, _key(1), revoked=when)
    document = did_web_document(DID, [retired, current], assertion=["#key-2"])
    assert document.raw["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document.assertion_method == (f"{DID}#key-2",)
    assert document.authentication == ()
    old = document.method(f"{DID}#key-1")
    assert old is not None
    assert old.revoked == when
    assert DidDocument.from_json(document.to_json(), expected_id=DID) == document
    jwk_method = VerificationMethod(f"{DID}#key-3", "JsonWebKey", DID, _key(3))
    with_jwk = did_web_document(
        DID, [jwk_method], assertion=[f"{DID}#key-3"], authentication=["#key-3"]
    )
    assert "https://w3id.org/security/jwk/v1" in with_jwk.raw["@context"]  # type: ignore[operator]
    with pytest.raises(ResolutionError):
        did_web_document(DID, [current], assertion=["#missing"])
    with pytest.raises(ResolutionError):
        did_web_document("did:web:10.0.0.1", [current], assertion=[])


def test_did_web_resolver_offline() -> None:
    with pytest.raises(ResolutionError) as info:
        DidWebResolver(OfflineFetcher()).resolve(DID)
    assert isinstance(info.value.__cause__, NetworkError)


class _Serve:
    """A fetcher that returns fixed bytes and records the URL asked for."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.urls: list[str] = []

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        self.urls.append(url)
        return self.body


def test_did_web_resolver_with_fetcher() -> None:
    doc = _doc()
    fetcher = _Serve(json.dumps(doc).encode())
    document = DidWebResolver(fetcher).resolve(DID)
    assert fetcher.urls == ["https://nhs.example/orgs/RF4/did.json"]
    assert document.id == DID
    with pytest.raises(ResolutionError):
        DidWebResolver(fetcher).resolve("did:web:nhs.example:orgs:XYZ")  # id mismatch
    with pytest.raises(ResolutionError):
        DidWebResolver(_Serve(b'{"id": 1, "id": 2}')).resolve(DID)
    with pytest.raises(ResolutionError):
        DidWebResolver(_Serve(b"[]")).resolve(DID)
    with pytest.raises(ResolutionError):
        DidWebResolver(_Serve(b" " * 100), max_bytes=50).resolve(DID)
