"""Signature primitives against RFC 8032 §7.1 and Wycheproof (Ed25519, ECDSA P-256 P1363).

Keys are imported through the innopass API (raw bytes, JWK) and signatures checked
with ``PublicKey.verify``. Wycheproof semantics: ``valid`` must verify,
``invalid`` must be refused (at verification, or already at key import with
KeyMaterialError), and ``acceptable`` may go either way (neither file uses it
today; the tests still accept both outcomes for it).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import vectors_dir
from innopass._internal.jsonio import load_file_strict
from innopass.errors import InvalidSignatureError, KeyMaterialError
from innopass.keys import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    P256PublicKey,
    PublicKey,
    public_key_from_jwk,
    public_key_from_pem,
)

ED25519_WYCHEPROOF = ("ed25519-rfc8032", "wycheproof-ed25519_test.json")
ECDSA_WYCHEPROOF = ("ecdsa-p256-p1363", "wycheproof-ecdsa_secp256r1_sha256_p1363_test.json")
RFC8032 = ("ed25519-rfc8032", "rfc8032-section-7.1.json")


def _cases(parts: tuple[str, ...]) -> list[Any]:
    """One param per Wycheproof case (id = tcId)."""
    data: Any = load_file_strict(vectors_dir(*parts))
    return [
        pytest.param(group, case, id=f"tc{case['tcId']}")
        for group in data["testGroups"]
        for case in group["tests"]
    ]


def _check(key_loader: Any, case: dict[str, Any]) -> None:
    message, signature = bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
    try:
        key: PublicKey = key_loader()
        key.verify(signature, message)
    except (InvalidSignatureError, KeyMaterialError):
        assert case["result"] in ("invalid", "acceptable"), case["comment"]
    else:
        assert case["result"] in ("valid", "acceptable"), case["comment"]


@pytest.mark.parametrize(("group", "case"), _cases(ED25519_WYCHEPROOF))
def test_wycheproof_ed25519(group: dict[str, Any], case: dict[str, Any]) -> None:
    _check(lambda: Ed25519PublicKey.from_raw(bytes.fromhex(group["publicKey"]["pk"])), case)


@pytest.mark.parametrize(("group", "case"), _cases(ECDSA_WYCHEPROOF))
def test_wycheproof_ecdsa_p256_p1363(group: dict[str, Any], case: dict[str, Any]) -> None:
    _check(lambda: P256PublicKey.from_raw(bytes.fromhex(group["publicKey"]["uncompressed"])), case)


def test_wycheproof_key_encodings_agree() -> None:
    """The raw, PEM and (where given) JWK forms of every Wycheproof group key agree."""
    ed: Any = load_file_strict(vectors_dir(*ED25519_WYCHEPROOF))
    ec: Any = load_file_strict(vectors_dir(*ECDSA_WYCHEPROOF))
    groups: list[tuple[Any, PublicKey]] = [
        (g, Ed25519PublicKey.from_raw(bytes.fromhex(g["publicKey"]["pk"])))
        for g in ed["testGroups"]
    ]
    groups += [
        (g, P256PublicKey.from_raw(bytes.fromhex(g["publicKey"]["uncompressed"])))
        for g in ec["testGroups"]
    ]
    for group, key in groups:
        assert public_key_from_pem(group["publicKeyPem"].encode()) == key
        if "publicKeyJwk" in group:
            jwk = public_key_from_jwk(group["publicKeyJwk"])
            assert jwk == key
            assert {k: v for k, v in group["publicKeyJwk"].items() if k != "kid"} == key.to_jwk()


def test_ecdsa_wycheproof_counts() -> None:
    data: Any = load_file_strict(vectors_dir(*ECDSA_WYCHEPROOF))
    assert sum(len(g["tests"]) for g in data["testGroups"]) == data["numberOfTests"] == 262


def _rfc8032() -> list[Any]:
    data: Any = load_file_strict(vectors_dir(*RFC8032))
    return [pytest.param(v, id=v["name"].replace(" ", "-")) for v in data["vectors"]]


@pytest.mark.parametrize("vector", _rfc8032())
def test_rfc8032_section_7_1(vector: dict[str, str]) -> None:
    key = Ed25519PrivateKey.from_seed(bytes.fromhex(vector["secretKey"]))
    message = bytes.fromhex(vector["message"])
    assert key.public_key().raw_bytes().hex() == vector["publicKey"]
    signature = key.sign(message)
    assert signature.hex() == vector["signature"]
    public = Ed25519PublicKey.from_raw(bytes.fromhex(vector["publicKey"]))
    public.verify(signature, message)
    with pytest.raises(InvalidSignatureError):
        public.verify(signature, message + b"\x00")
