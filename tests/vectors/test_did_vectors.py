"""DID and key-encoding vectors: did:key (CCG + spec v0.9), did:jwk, did:web, Multikey/JWK pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from multiformats import multibase

from conftest import vectors_dir
from innopass._internal.jsonio import load_file_strict
from innopass.did import (
    DidJwkResolver,
    DidKeyResolver,
    did_jwk_document,
    did_jwk_from_public_key,
    did_key_document,
    did_key_from_public_key,
    did_web_from_host,
    did_web_to_url,
    public_key_from_did_key,
    resolve_verification_method,
    verification_method_id,
)
from innopass.errors import KeyMaterialError, KeyNotAuthorisedError, ResolutionError
from innopass.keys import (
    Ed25519PrivateKey,
    KeyType,
    P256PublicKey,
    private_key_from_jwk,
    private_key_from_multibase,
    public_key_from_jwk,
    public_key_from_multibase,
)


def _load(*parts: str) -> Any:
    return load_file_strict(vectors_dir(*parts))


def _keyed_entries(*parts: str) -> list[tuple[str, dict[str, Any]]]:
    """``(did, entry)`` pairs from a did-key vector file."""
    data: Any = load_file_strict(vectors_dir(*parts))
    return list(data.items())


def _keyed_params(*parts: str) -> list[Any]:
    return [pytest.param(did, entry, id=did[8:20]) for did, entry in _keyed_entries(*parts)]


# --- did:key ---------------------------------------------------------------------------


@pytest.mark.parametrize(("did", "entry"), _keyed_params("did-key", "ed25519-x25519.json"))
def test_did_key_ed25519_seed_to_did(did: str, entry: dict[str, Any]) -> None:
    key = Ed25519PrivateKey.from_seed(bytes.fromhex(entry["seed"]))
    assert did_key_from_public_key(key.public_key()) == did
    assert public_key_from_did_key(did) == key.public_key()

    document = DidKeyResolver().resolve(did)
    vm_id = verification_method_id(did)
    assert entry["didDocument"]["assertionMethod"] == [vm_id]
    assert document.assertion_method == (vm_id,)
    method = resolve_verification_method(DidKeyResolver(), vm_id)
    assert method.public_key == key.public_key()
    # The derived X25519 key-agreement key has the same id as in the vector.
    assert document.key_agreement == tuple(entry["didDocument"]["keyAgreement"])
    assert document.key_agreement[0].endswith(entry["keyAgreementKeyPair"]["id"].split("#")[-1])
    jwk = entry["verificationKeyPair"].get("publicKeyJwk")
    if jwk is not None:
        assert public_key_from_jwk(jwk) == key.public_key()
        assert private_key_from_jwk(entry["verificationKeyPair"]["privateKeyJwk"]).public_key() == (
            key.public_key()
        )


def _curve(entry: dict[str, Any]) -> str:
    """The entry's curve (the P256Key2021 entry has no JWK: it is P-256)."""
    return str(entry["verificationMethod"].get("publicKeyJwk", {}).get("crv", "P-256"))


def _nist_params(curve: str) -> list[Any]:
    return [
        pytest.param(did, entry, id=f"{_curve(entry)}-{did[8:20]}")
        for did, entry in _keyed_entries("did-key", "nist-curves.json")
        if _curve(entry) == curve
    ]


def test_nist_curve_vectors_cover_p256_p384_p521() -> None:
    curves = sorted(_curve(entry) for _, entry in _keyed_entries("did-key", "nist-curves.json"))
    assert curves == ["P-256"] * 3 + ["P-384"] * 2 + ["P-521"] * 2


# P-521 is not supported (not planned). The refusal is the behaviour under test: never a skip.
@pytest.mark.parametrize(("did", "entry"), _nist_params("P-521"))
def test_did_key_p521_is_refused_cleanly(did: str, entry: dict[str, Any]) -> None:
    method = entry["verificationMethod"]
    with pytest.raises(KeyMaterialError):
        public_key_from_did_key(did)
    with pytest.raises(ResolutionError):
        did_key_document(did)
    with pytest.raises(ResolutionError):
        DidKeyResolver().resolve(did)
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk(method["publicKeyJwk"])
    with pytest.raises(KeyMaterialError):
        private_key_from_jwk(method["privateKeyJwk"])


@pytest.mark.parametrize(("did", "entry"), _nist_params("P-256") + _nist_params("P-384"))
def test_did_key_nist_p256_p384(did: str, entry: dict[str, Any]) -> None:
    method = entry["verificationMethod"]
    key = public_key_from_did_key(did)
    assert key.key_type is KeyType(_curve(entry))
    assert did.startswith("did:key:zDn" if key.key_type is KeyType.P256 else "did:key:z82")
    assert did_key_from_public_key(key) == did
    if "publicKeyJwk" in method:
        assert key.to_jwk() == method["publicKeyJwk"]
        private = private_key_from_jwk(method["privateKeyJwk"])
        assert private.public_key() == key
    else:  # P256Key2021: publicKeyBase58 is the bare compressed point
        assert multibase.decode("z" + method["publicKeyBase58"]) == key.raw_bytes()
    document = did_key_document(did)
    assert document.assertion_method == tuple(entry["didDocument"]["assertionMethod"])
    assert document.authentication == tuple(entry["didDocument"]["authentication"])
    # v0.9 derives keyAgreement only for Ed25519; the older CCG vectors list the P-256 key.
    assert document.key_agreement == ()


def test_did_key_v09_spec_example_document() -> None:
    expected = _load("did-key", "did-key-spec-v0.9-example-ed25519-multikey.json")
    document = did_key_document(expected["id"])
    assert document.to_json() == expected
    vm = expected["verificationMethod"][0]
    assert document.assertion_method == (vm["id"],)
    assert document.verification_methods[0].public_key.to_multibase() == vm["publicKeyMultibase"]
    # The embedded X25519 key is parsed, but is not a signing key.
    assert [m.id for m in document.unusable_methods] == [expected["keyAgreement"][0]["id"]]


# --- did:jwk ---------------------------------------------------------------------------


def _read_text(folder: Path, name: str) -> str:
    return (folder / name).read_text().strip()


def test_did_jwk_p256() -> None:
    folder = vectors_dir("did-jwk")
    did = _read_text(folder, "p256-did.txt")
    expected = load_file_strict(folder / "p256-did-document.json")
    assert isinstance(expected, dict)
    # The published document has a stray "$" in one authentication entry (spec typo A11).
    typo = expected["authentication"]
    assert isinstance(typo, list)
    assert typo == [f"did:jwk:${did[8:]}#0"]
    expected["authentication"] = [f"{did}#0"]

    document = DidJwkResolver().resolve(did)
    assert document.to_json() == expected
    vm_url = _read_text(folder, "p256-did-url.txt")
    method = resolve_verification_method(DidJwkResolver(), vm_url)
    assert method.type == "JsonWebKey2020"
    assert method.public_key.key_type is KeyType.P256
    # The vector's JWK is key-sorted compact JSON, exactly what innopass generates.
    assert did_jwk_from_public_key(method.public_key) == did


def test_did_jwk_x25519_is_key_agreement_only() -> None:
    """X25519 did:jwk: the document is built as published, but its key is not a signing key."""
    folder = vectors_dir("did-jwk")
    did = _read_text(folder, "x25519-did.txt")
    expected = load_file_strict(folder / "x25519-did-document.json")
    document = did_jwk_document(did)
    assert document.to_json() == expected
    vm_url = _read_text(folder, "x25519-did-url.txt")
    assert document.key_agreement == (vm_url,)
    assert document.verification_methods == ()
    with pytest.raises(KeyNotAuthorisedError):
        resolve_verification_method(DidJwkResolver(), vm_url)
    with pytest.raises(ResolutionError, match="key-agreement"):
        resolve_verification_method(DidJwkResolver(), vm_url, relationship="keyAgreement")


# --- did:web ---------------------------------------------------------------------------


def _web_params() -> list[Any]:
    data: Any = load_file_strict(vectors_dir("did-web", "url-mapping-examples.json"))
    pairs = data["examples"] + data["derived_not_in_spec"]
    return [pytest.param(p["did"], p["url"], id=p["did"]) for p in pairs]


@pytest.mark.parametrize(("did", "url"), _web_params())
def test_did_web_url_mapping(did: str, url: str) -> None:
    assert did_web_to_url(did) == url
    # Inverse: strip https:// and the /.well-known/did.json or /did.json suffix.
    rest = url.removeprefix("https://").removesuffix("/did.json").removesuffix("/.well-known")
    assert did_web_from_host(rest) == did


# --- Multikey / JWK key pairs ------------------------------------------------------------

PAIRS = [
    pytest.param(("eddsa-jcs-2022", "keyPair.json"), id="eddsa-jcs-2022"),
    pytest.param(("ecdsa-jcs-2019", "p256", "p256KeyPair.json"), id="ecdsa-jcs-2019-p256"),
]
DERIVED = [
    pytest.param(("eddsa-jcs-2022", "keyPair.derived-hex-jwk.json"), id="eddsa-jcs-2022"),
    pytest.param(("eddsa-rdfc-2022", "keyPair.derived-hex-jwk.json"), id="eddsa-rdfc-2022"),
    pytest.param(
        ("ecdsa-jcs-2019", "p256", "p256KeyPair.derived-hex-jwk.json"), id="ecdsa-jcs-2019-p256"
    ),
    pytest.param(
        ("ecdsa-rdfc-2019", "p256", "p256KeyPair.derived-hex-jwk.json"), id="ecdsa-rdfc-2019-p256"
    ),
    pytest.param(
        ("data-integrity-proof-sets-chains", "multiKeyPairs.derived-hex-jwk.json"), id="proof-sets"
    ),
]


def _secret(pair: dict[str, str]) -> str:
    return pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]


@pytest.mark.parametrize("parts", PAIRS)
def test_multibase_key_pairs(parts: tuple[str, ...]) -> None:
    pair = _load(*parts)
    private = private_key_from_multibase(_secret(pair))
    public = public_key_from_multibase(pair["publicKeyMultibase"])
    assert private.public_key() == public
    assert private.to_multibase() == _secret(pair)
    assert public.to_multibase() == pair["publicKeyMultibase"]


@pytest.mark.parametrize("parts", DERIVED)
def test_derived_jwk_pairs(parts: tuple[str, ...]) -> None:
    data = _load(*parts)
    entries = [data["key"]] if "key" in data else list(data["keys"].values())
    for entry in entries:
        public = public_key_from_multibase(entry["publicKeyMultibase"])
        private = private_key_from_multibase(_secret(entry))
        assert public.to_jwk() == entry["publicJwk"]
        assert private.to_jwk() == entry["privateJwk"]
        assert public_key_from_jwk(entry["publicJwk"]) == public
        assert private_key_from_jwk(entry["privateJwk"]).to_multibase() == _secret(entry)
        raw_hex = entry.get("publicKeyHex") or entry["publicKeyCompressedHex"]
        assert public.raw_bytes().hex() == raw_hex
        assert did_key_from_public_key(public) == entry["didKey"]
        assert verification_method_id(entry["didKey"]) == entry["verificationMethod"]
        if "publicKeyUncompressedHex" in entry:
            uncompressed = bytes.fromhex(entry["publicKeyUncompressedHex"])
            assert P256PublicKey.from_raw(uncompressed) == public
