"""Crafted hostile inputs for the verifier, each with the failure-code family it must get.

Every case is built from real signed material (``verifier_factory``) and then
broken in one way. ``expected`` is the set of failure codes of which at least one
must be reported; no case may ever be ``verified``.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from innopass._internal.encoding import base58btc_encode
from innopass.status import MIN_ENTRIES, StatusEntry, build_status_list_credential, new_bitstring
from verifier_factory import (
    NOW,
    Org,
    bundle,
    jwt_passport,
    passport,
    trust_list,
    unsigned_passport,
)

Input = str | bytes | Mapping[str, Any]

MALFORMED = frozenset({"malformed"})
PROOF = frozenset(
    {
        "malformed",
        "signature-invalid",
        "unsupported-suite",
        "key-not-found",
        "key-not-authorised",
        "key-unresolvable",
    }
)
KEY = PROOF | {"issuer-untrusted"}
TIME = frozenset({"malformed", "not-yet-valid", "expired", "key-not-valid-at-time"})
STATUS = frozenset(
    {"status-list-invalid", "status-unavailable", "status-stale", "malformed", "revoked"}
)
TRUST = frozenset(
    {
        "issuer-untrusted",
        "trust-list-invalid",
        "trust-list-expired",
        "trust-list-rollback",
        "trust-conflict",
        "issuer-withdrawn",
        "key-compromised",
        "key-not-valid-at-time",
    }
)


@dataclass
class World:
    """The parties every case is made from: RF4 (did:key, pinned), an anchor, strangers."""

    rf4: Org = field(default_factory=Org.did_key)
    anchor: Org = field(default_factory=lambda: Org.did_key("X26", "NATIONAL ANCHOR"))
    stranger: Org = field(default_factory=lambda: Org.did_key("R1H", "BARTS HEALTH NHS TRUST"))
    web: Org = field(default_factory=Org.did_web)


@dataclass(frozen=True)
class Given:
    """What one case hands the verifier."""

    passport: Input
    trust_lists: Sequence[Mapping[str, Any]] = ()
    status_lists: Sequence[Mapping[str, Any]] | None = None  # None: RF4's fresh lists


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[World], Given]
    expected: frozenset[str]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _text(value: Any) -> bytes:
    return json.dumps(value).encode()


def _good(w: World) -> dict[str, Any]:
    return dict(passport(w.rf4))


def _edit(change: Callable[[dict[str, Any], World], Any]) -> Callable[[World], Given]:
    def make(w: World) -> Given:
        credential = copy.deepcopy(_good(w))
        result = change(credential, w)
        return Given(credential if result is None else result)

    return make


def _resigned(change: Callable[[dict[str, Any], World], Any]) -> Callable[[World], Given]:
    """Change the unsigned passport, then sign it properly (the signature is good)."""

    def make(w: World) -> Given:
        credential = unsigned_passport(w.rf4)
        change(credential, w)
        return Given(w.rf4.sign(credential))

    return make


def _proof_edit(change: Callable[[dict[str, Any], World], Any]) -> Callable[[World], Given]:
    def edit(credential: dict[str, Any], w: World) -> None:
        change(credential["proof"], w)

    return _edit(edit)


def _raw(data: bytes | Callable[[World], bytes]) -> Callable[[World], Given]:
    return lambda w: Given(data(w) if callable(data) else data)


def _did_key(code: int, raw: bytes) -> str:
    header = bytearray()
    while True:
        byte = code & 0x7F
        code >>= 7
        header.append(byte | (0x80 if code else 0))
        if not code:
            break
    return "did:key:z" + base58btc_encode(bytes(header) + raw)


def _signed_by_did(did: str, vm: str | None = None) -> Callable[[World], Given]:
    """RF4's passport with issuer and key claimed to be ``did`` (a broken key)."""

    def edit(credential: dict[str, Any], w: World) -> None:
        credential["issuer"]["id"] = did
        credential["proof"]["verificationMethod"] = vm or f"{did}#{did.split(':')[-1]}"

    return _edit(edit)


# --- JWT ------------------------------------------------------------------------------------


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def _jwt_parts(w: World) -> tuple[dict[str, Any], dict[str, Any], str]:
    token = jwt_passport(w.rf4)
    header_b64, payload_b64, signature = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(_pad(header_b64)))
    payload = json.loads(base64.urlsafe_b64decode(_pad(payload_b64)))
    return header, payload, signature


def _jwt(
    change: Callable[[dict[str, Any], dict[str, Any]], None], *, resign: bool = True
) -> Callable[[World], Given]:
    def make(w: World) -> Given:
        header, payload, signature = _jwt_parts(w)
        change(header, payload)
        signing_input = f"{_b64(_text(header))}.{_b64(_text(payload))}"
        if resign:
            signature = _b64(w.rf4.keys[0].private.sign(signing_input.encode()))
        return Given(f"{signing_input}.{signature}")

    return make


def _jwt_text(change: Callable[[str], str]) -> Callable[[World], Given]:
    return lambda w: Given(change(jwt_passport(w.rf4)))


def _hmac_with_public_key(w: World) -> Given:
    import hashlib
    import hmac

    header, payload, _ = _jwt_parts(w)
    header["alg"] = "HS256"
    signing_input = f"{_b64(_text(header))}.{_b64(_text(payload))}"
    secret = w.rf4.keys[0].private.public_key().raw_bytes()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return Given(f"{signing_input}.{_b64(mac)}")


def _jwt_duplicate_claim(w: World) -> Given:
    header, payload, _ = _jwt_parts(w)
    body = _text(payload)[:-1] + b', "iss": "did:key:z6MkEvil"}'
    signing_input = f"{_b64(_text(header))}.{_b64(body)}"
    signature = _b64(w.rf4.keys[0].private.sign(signing_input.encode()))
    return Given(f"{signing_input}.{signature}")


def _jws_json_serialisation(w: World) -> Given:
    token = jwt_passport(w.rf4)
    protected, payload, signature = token.split(".")
    return Given(
        {"payload": payload, "signatures": [{"protected": protected, "signature": signature}]}
    )


# --- status lists ---------------------------------------------------------------------------


def _with_lists(make_lists: Callable[[World], list[dict[str, Any]]]) -> Callable[[World], Given]:
    return lambda w: Given(_good(w), status_lists=make_lists(w))


def _list_with_encoded(w: World, encoded: str) -> dict[str, Any]:
    unsigned = build_status_list_credential(
        list_id=w.rf4.list_id("revocation"),
        issuer_did=w.rf4.did,
        purpose="revocation",
        bits=new_bitstring(),
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=6),
    )
    subject: Any = unsigned["credentialSubject"]
    subject["encodedList"] = encoded
    return dict(w.rf4.sign(unsigned))


def _padded_list() -> str:
    for n in range(1, 64):
        text = base64.urlsafe_b64encode(gzip.compress(b"\x01" * n + new_bitstring(), mtime=0))
        if text.endswith(b"="):
            return "u" + text.decode()
    raise AssertionError("no padded encoding")


def _gzip_bomb(declared: int | None) -> Callable[[World], Given]:
    def lists(w: World) -> list[dict[str, Any]]:
        body = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9, mtime=0)
        if declared is not None:
            body = body[:-4] + struct.pack("<I", declared)
        return [_list_with_encoded(w, "u" + _b64(body)), w.rf4.status_list("suspension")]

    return _with_lists(lists)


def _index(value: str) -> Callable[[World], Given]:
    def change(credential: dict[str, Any], w: World) -> None:
        credential["credentialStatus"][0]["statusListIndex"] = value
        credential["credentialStatus"][0]["id"] = f"{w.rf4.list_id('revocation')}#{value}"

    return _resigned(change)


def _entries(value: Any) -> Callable[[World], Given]:
    return _resigned(lambda c, w: c.__setitem__("credentialStatus", value))


# --- trust material -------------------------------------------------------------------------


def _listed(
    make: Callable[[World], tuple[dict[str, Any], list[dict[str, Any]]]],
) -> Callable[[World], Given]:
    def given(w: World) -> Given:
        credential, lists = make(w)
        return Given(credential, trust_lists=lists)

    return given


def _web_passport(w: World, **options: Any) -> dict[str, Any]:
    return dict(passport(w.web, **options))


CASES: list[Case] = [
    # --- bytes and JSON ----------------------------------------------------------------
    Case("empty", _raw(b""), MALFORMED),
    Case("whitespace", _raw(b" \n\t "), MALFORMED),
    Case("nul-bytes", _raw(b"\x00" * 512), MALFORMED),
    Case("binary", _raw(bytes(range(256)) * 8), MALFORMED),
    Case("invalid-utf8", _raw(b'{"@context": "\xff\xfe"}'), MALFORMED),
    # one byte order mark before a passport is read as none (RFC 8259 §8.1; FORMATS.md §1)
    Case("two-boms", _raw(lambda w: b"\xef\xbb\xbf" * 2 + _text(_good(w))), MALFORMED),
    Case("utf16", _raw(lambda w: json.dumps(_good(w)).encode("utf-16")), MALFORMED),
    Case("oversized", _raw(b'{"a": "' + b"x" * (8 * 1024 * 1024 + 16) + b'"}'), MALFORMED),
    Case("deep-arrays", _raw(b"[" * 100_000 + b"]" * 100_000), MALFORMED),
    Case("deep-objects", _raw(b'{"a":' * 5000 + b"1" + b"}" * 5000), MALFORMED),
    Case("unclosed-nesting", _raw(b"[" * 1_000_000), MALFORMED),
    Case("huge-integer", _raw(b'{"n": ' + b"9" * 100_000 + b"}"), MALFORMED),
    Case("huge-exponent", _raw(b'{"n": 1e999999999}'), MALFORMED),
    Case("nan", _raw(b'{"n": NaN}'), MALFORMED),
    Case("infinity", _raw(b'{"n": -Infinity}'), MALFORMED),
    Case("lone-surrogate", _raw(b'{"name": "\\ud800"}'), MALFORMED),
    Case(
        "duplicate-top-level-key",
        _raw(lambda w: _text(_good(w))[:-1] + b', "issuer": "did:key:z6MkEvil"}'),
        MALFORMED,
    ),
    Case(
        "duplicate-key-in-proof",
        _raw(
            lambda w: _text(_good(w)).replace(
                b'"proofPurpose"', b'"proofPurpose": "x", "proofPurpose"'
            )
        ),
        MALFORMED,
    ),
    Case("trailing-garbage", _raw(lambda w: _text(_good(w)) + b" x"), MALFORMED),
    Case("two-documents", _raw(lambda w: _text(_good(w)) * 2), MALFORMED),
    Case("top-level-array", _raw(lambda w: _text([_good(w)])), MALFORMED),
    Case("top-level-string", _raw(b'"a passport"'), MALFORMED),
    Case("top-level-number", _raw(b"42"), MALFORMED),
    Case("top-level-null", _raw(b"null"), MALFORMED),
    Case("comment", _raw(b'{/* c */ "a": 1}'), MALFORMED),
    Case("single-quotes", _raw(b"{'a': 1}"), MALFORMED),
    Case("trailing-comma", _raw(b'{"a": 1,}'), MALFORMED),
    Case("control-character", _raw(b'{"a": "\x01"}'), MALFORMED),
    Case("empty-object", _raw(b"{}"), MALFORMED),
    # --- Data Integrity ----------------------------------------------------------------
    Case("no-proof", _edit(lambda c, w: c.pop("proof")), PROOF),
    Case("proof-null", _edit(lambda c, w: c.__setitem__("proof", None)), PROOF),
    Case("proof-empty-list", _edit(lambda c, w: c.__setitem__("proof", [])), PROOF),
    Case("proof-string", _edit(lambda c, w: c.__setitem__("proof", "z123")), PROOF),
    Case(
        "proof-wrong-type",
        _proof_edit(lambda p, w: p.__setitem__("type", "Ed25519Signature2020")),
        PROOF,
    ),
    Case(
        "unknown-suite",
        _proof_edit(lambda p, w: p.__setitem__("cryptosuite", "eddsa-rdfc-2022")),
        PROOF,
    ),
    Case(
        "suite-of-other-key-type",
        _proof_edit(lambda p, w: p.__setitem__("cryptosuite", "ecdsa-jcs-2019")),
        PROOF,
    ),
    Case("no-proof-value", _proof_edit(lambda p, w: p.pop("proofValue")), PROOF),
    Case(
        "proof-value-not-multibase",
        _proof_edit(lambda p, w: p.__setitem__("proofValue", "u" + p["proofValue"][1:])),
        PROOF,
    ),
    Case(
        "proof-value-bad-base58",
        _proof_edit(lambda p, w: p.__setitem__("proofValue", p["proofValue"][:-2] + "0O")),
        PROOF,
    ),
    Case(
        "proof-value-too-long",
        _proof_edit(lambda p, w: p.__setitem__("proofValue", "z" + "2" * 400)),
        PROOF,
    ),
    Case(
        "proof-value-truncated",
        _proof_edit(lambda p, w: p.__setitem__("proofValue", p["proofValue"][:40])),
        PROOF,
    ),
    Case(
        "proof-value-of-other-document",
        lambda w: Given({**_good(w), "proof": passport(w.rf4)["proof"]}),
        PROOF,
    ),
    Case(
        "key-of-another-did",
        _proof_edit(lambda p, w: p.__setitem__("verificationMethod", w.stranger.keys[0].vm_id)),
        PROOF | {"issuer-untrusted"},
    ),
    Case(
        "signed-by-another-org",
        lambda w: Given({**passport(w.stranger), "issuer": _good(w)["issuer"]}),
        PROOF | {"issuer-untrusted"},
    ),
    Case(
        "did-web-loopback-key",
        _proof_edit(lambda p, w: p.__setitem__("verificationMethod", "did:web:127.0.0.1#key-1")),
        PROOF,
    ),
    Case(
        "did-web-localhost-key",
        _proof_edit(
            lambda p, w: p.__setitem__("verificationMethod", "did:web:localhost%3A8080#key-1")
        ),
        PROOF,
    ),
    Case(
        "did-web-metadata-key",
        _proof_edit(
            lambda p, w: p.__setitem__("verificationMethod", "did:web:169.254.169.254#key-1")
        ),
        PROOF,
    ),
    Case(
        "https-url-key",
        _proof_edit(lambda p, w: p.__setitem__("verificationMethod", "https://10.0.0.1/key.json")),
        PROOF,
    ),
    Case(
        "relative-key",
        _proof_edit(lambda p, w: p.__setitem__("verificationMethod", "#key-1")),
        PROOF,
    ),
    Case(
        "wrong-purpose",
        _proof_edit(lambda p, w: p.__setitem__("proofPurpose", "authentication")),
        PROOF,
    ),
    Case("no-purpose", _proof_edit(lambda p, w: p.pop("proofPurpose")), PROOF),
    Case(
        "created-in-future", lambda w: Given(passport(w.rf4, created=NOW + timedelta(days=2))), TIME
    ),
    Case(
        "created-not-a-date",
        _proof_edit(lambda p, w: p.__setitem__("created", "yesterday")),
        PROOF | TIME,
    ),
    Case(
        "proof-expired",
        _proof_edit(lambda p, w: p.__setitem__("expires", "2026-01-01T00:00:00Z")),
        PROOF | TIME,
    ),
    Case("too-many-proofs", _edit(lambda c, w: c.__setitem__("proof", [c["proof"]] * 9)), PROOF),
    Case(
        "dangling-previous-proof",
        _proof_edit(lambda p, w: p.__setitem__("previousProof", "urn:uuid:gone")),
        PROOF,
    ),
    Case(
        "previous-proof-cycle",
        _edit(
            lambda c, w: c.__setitem__(
                "proof",
                [
                    {**c["proof"], "id": "urn:a", "previousProof": "urn:b"},
                    {**c["proof"], "id": "urn:b", "previousProof": "urn:a"},
                ],
            )
        ),
        PROOF,
    ),
    Case(
        "proof-context-differs",
        _proof_edit(
            lambda p, w: p.__setitem__("@context", ["https://www.w3.org/ns/credentials/v2"])
        ),
        PROOF,
    ),
    Case(
        "extra-context",
        _edit(lambda c, w: c["@context"].append("https://evil.example/v1")),
        PROOF | {"not-a-passport"},
    ),
    Case(
        "context-reordered", _edit(lambda c, w: c["@context"].reverse()), PROOF | {"not-a-passport"}
    ),
    Case("no-context", _edit(lambda c, w: c.pop("@context")), PROOF),
    Case(
        "context-object",
        _edit(lambda c, w: c.__setitem__("@context", {"@vocab": "https://evil.example/"})),
        PROOF,
    ),
    Case(
        "name-changed-after-signing",
        _edit(lambda c, w: c.__setitem__("name", "Innovator passport: other")),
        PROOF,
    ),
    Case(
        "record-changed-after-signing",
        _edit(
            lambda c, w: c["credentialSubject"]["assessmentRecord"]["product"].__setitem__(
                "name", "X"
            )
        ),
        PROOF | {"digest-mismatch"},
    ),
    Case(
        "record-digest-wrong-resigned",
        _resigned(lambda c, w: c["credentialSubject"].__setitem__("recordDigest", "0" * 64)),
        frozenset({"digest-mismatch"}),
    ),
    Case(
        "record-not-schema-valid-resigned",
        _resigned(lambda c, w: c["credentialSubject"]["assessmentRecord"].pop("product")),
        frozenset({"schema-invalid", "digest-mismatch"}),
    ),
    Case(
        "issuer-not-a-did",
        _resigned(lambda c, w: c["issuer"].__setitem__("id", "https://evil.example")),
        PROOF | {"issuer-untrusted"},
    ),
    Case("issuer-missing", _resigned(lambda c, w: c.pop("issuer")), PROOF),
    Case(
        "type-missing-vc",
        _resigned(lambda c, w: c.__setitem__("type", ["InnovatorPassport"])),
        MALFORMED,
    ),
    # --- keys --------------------------------------------------------------------------
    Case("did-key-small-order", _signed_by_did(_did_key(0xED, bytes([1]) + bytes(31))), KEY),
    Case("did-key-non-canonical", _signed_by_did(_did_key(0xED, b"\xff" * 31 + b"\x7f")), KEY),
    Case(
        "did-key-p256-off-curve",
        _signed_by_did(_did_key(0x1200, b"\x02" + b"\x00" * 31 + b"\x05")),
        KEY,
    ),
    Case("did-key-x25519-codec", _signed_by_did(_did_key(0xEC, bytes(range(32)))), KEY),
    Case("did-key-unknown-codec", _signed_by_did(_did_key(0x99, bytes(range(32)))), KEY),
    Case("did-key-truncated", _signed_by_did(_did_key(0xED, bytes(range(20)))), KEY),
    Case("did-key-bad-prefix", _signed_by_did("did:key:f" + "00" * 34), KEY),
    Case("did-key-not-base58", _signed_by_did("did:key:z0OIl" + "1" * 40), KEY),
    Case("did-jwk-garbage", _signed_by_did("did:jwk:!!!notbase64", "did:jwk:!!!notbase64#0"), KEY),
    Case(
        "did-jwk-private",
        _signed_by_did(
            "did:jwk:"
            + _b64(
                _text({"kty": "OKP", "crv": "Ed25519", "x": _b64(bytes(32)), "d": _b64(bytes(32))})
            ),
            None,
        ),
        KEY,
    ),
    Case(
        "did-jwk-oct",
        _signed_by_did("did:jwk:" + _b64(_text({"kty": "oct", "k": "c2VjcmV0"})), None),
        KEY,
    ),
    # --- JWT ---------------------------------------------------------------------------
    Case("jwt-alg-none", _jwt(lambda h, p: h.__setitem__("alg", "none")), PROOF),
    Case(
        "jwt-alg-none-empty-signature",
        lambda w: Given(
            str(_jwt(lambda h, p: h.__setitem__("alg", "none"))(w).passport).rsplit(".", 1)[0] + "."
        ),
        PROOF,
    ),
    Case("jwt-hmac-with-public-key", _hmac_with_public_key, PROOF),
    Case("jwt-alg-kid-mismatch", _jwt(lambda h, p: h.__setitem__("alg", "ES256")), PROOF),
    Case("jwt-alg-unknown", _jwt(lambda h, p: h.__setitem__("alg", "RS256")), PROOF),
    Case(
        "jwt-jwk-header",
        _jwt(
            lambda h, p: h.__setitem__(
                "jwk", {"kty": "OKP", "crv": "Ed25519", "x": _b64(bytes(32))}
            )
        ),
        PROOF,
    ),
    Case("jwt-jku-header", _jwt(lambda h, p: h.__setitem__("jku", "https://10.0.0.1/keys")), PROOF),
    Case("jwt-x5u-header", _jwt(lambda h, p: h.__setitem__("x5u", "https://10.0.0.1/cert")), PROOF),
    Case("jwt-crit", _jwt(lambda h, p: h.__setitem__("crit", ["exp"])), PROOF),
    Case("jwt-b64-false", _jwt(lambda h, p: h.update({"b64": False, "crit": ["b64"]})), PROOF),
    Case("jwt-typ-jwt", _jwt(lambda h, p: h.__setitem__("typ", "JWT")), PROOF),
    Case("jwt-no-typ", _jwt(lambda h, p: h.pop("typ")), PROOF),
    Case("jwt-no-kid", _jwt(lambda h, p: h.pop("kid")), PROOF),
    Case(
        "jwt-kid-of-another-did",
        _jwt(
            lambda h, p: h.__setitem__(
                "kid",
                "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            )
        ),
        PROOF | {"issuer-untrusted"},
    ),
    Case(
        "jwt-iss-differs",
        _jwt(lambda h, p: p.__setitem__("iss", "did:key:z6MkEvil")),
        PROOF | {"issuer-untrusted"},
    ),
    Case("jwt-vc-claim", _jwt(lambda h, p: p.__setitem__("vc", {"a": 1})), PROOF),
    Case(
        "jwt-payload-with-proof",
        _jwt(lambda h, p: p.__setitem__("proof", {"type": "DataIntegrityProof"})),
        PROOF,
    ),
    Case("jwt-iat-string", _jwt(lambda h, p: p.__setitem__("iat", "now")), PROOF | TIME),
    Case("jwt-exp-past", _jwt(lambda h, p: p.__setitem__("exp", 1)), TIME | PROOF),
    Case("jwt-nbf-future", _jwt(lambda h, p: p.__setitem__("nbf", 4_000_000_000)), TIME | PROOF),
    Case("jwt-duplicate-claim", _jwt_duplicate_claim, MALFORMED),
    Case("jwt-json-serialisation", _jws_json_serialisation, MALFORMED),
    Case("jwt-trailing-data", _jwt_text(lambda t: t + ".extra"), MALFORMED),
    Case("jwt-two-parts", _jwt_text(lambda t: t.rsplit(".", 1)[0]), MALFORMED),
    Case("jwt-padding", _jwt_text(lambda t: t.replace(".", "==.", 1)), MALFORMED),
    Case("jwt-bad-base64", _jwt_text(lambda t: "*" + t[1:]), MALFORMED),
    Case(
        "jwt-signature-flipped",
        _jwt_text(lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB")),
        PROOF,
    ),
    Case("jwt-whitespace", _jwt_text(lambda t: t.replace(".", ". ", 1)), MALFORMED),
    # --- validity ----------------------------------------------------------------------
    Case(
        "impossible-date",
        _resigned(lambda c, w: c.__setitem__("validFrom", "2026-13-45T00:00:00Z")),
        TIME,
    ),
    Case(
        "zone-less-date",
        _resigned(lambda c, w: c.__setitem__("validFrom", "2026-05-01T09:30:00")),
        TIME,
    ),
    Case(
        "year-zero",
        _resigned(lambda c, w: c.__setitem__("validFrom", "0000-01-01T00:00:00Z")),
        TIME,
    ),
    Case(
        "year-10000",
        _resigned(lambda c, w: c.__setitem__("validUntil", "+10000-01-01T00:00:00Z")),
        TIME,
    ),
    Case(
        "until-before-from",
        _resigned(lambda c, w: c.__setitem__("validUntil", "2026-01-01T00:00:00Z")),
        TIME,
    ),
    Case(
        "far-future-start",
        _resigned(lambda c, w: c.__setitem__("validFrom", "2099-01-01T00:00:00Z")),
        TIME,
    ),
    Case(
        "leap-second",
        _resigned(lambda c, w: c.__setitem__("validFrom", "2026-04-30T23:59:60Z")),
        TIME,
    ),
    Case("date-as-number", _resigned(lambda c, w: c.__setitem__("validFrom", 1777627800)), TIME),
    Case(
        "expired", _resigned(lambda c, w: c.__setitem__("validUntil", "2026-04-30T00:00:00Z")), TIME
    ),
    # --- status lists ------------------------------------------------------------------
    Case("gzip-bomb-declared-small", _gzip_bomb(16 * 1024), STATUS),
    Case("gzip-bomb-declared-huge", _gzip_bomb(None), STATUS),
    Case(
        "short-list",
        _with_lists(
            lambda w: [
                w.rf4.status_list("revocation", bits=new_bitstring(1024)),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "encoded-list-not-gzip",
        _with_lists(
            lambda w: [
                _list_with_encoded(w, "u" + _b64(b"plain bytes, not gzip" * 10)),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "encoded-list-padded",
        _with_lists(
            lambda w: [
                _list_with_encoded(w, _padded_list()),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case("index-out-of-range", _index(str(MIN_ENTRIES + 5)), STATUS),
    Case("index-non-ascii-digits", _index("١٢٣"), STATUS),
    Case("index-plus-sign", _index("+5"), STATUS),
    Case("index-negative", _index("-1"), STATUS),
    Case("index-thirteen-digits", _index("1" * 13), STATUS),
    Case(
        "index-not-a-string",
        _resigned(lambda c, w: c["credentialStatus"][0].__setitem__("statusListIndex", 5)),
        STATUS,
    ),
    Case(
        "too-many-status-entries",
        _entries([StatusEntry("revocation", i, "urn:x").to_json() for i in range(17)]),
        STATUS,
    ),
    Case(
        "no-revocation-entry",
        _entries([StatusEntry("suspension", 1, "urn:innopass:status:RF4/suspension/1").to_json()]),
        STATUS,
    ),
    Case(
        "list-of-another-issuer",
        _with_lists(
            lambda w: [
                w.stranger.sign(
                    {k: v for k, v in w.rf4.status_list("revocation").items() if k != "proof"}
                    | {"issuer": w.stranger.did}
                ),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "list-signed-by-another-key",
        _with_lists(
            lambda w: [
                w.stranger.sign(
                    {k: v for k, v in w.rf4.status_list("revocation").items() if k != "proof"}
                ),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "expired-list",
        _with_lists(
            lambda w: [
                w.rf4.status_list(
                    "revocation",
                    valid_from=NOW - timedelta(days=20),
                    valid_until=NOW - timedelta(days=13),
                ),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "replayed-old-list",
        _with_lists(
            lambda w: [
                w.rf4.status_list(
                    "revocation",
                    valid_from=NOW - timedelta(days=30),
                    valid_until=NOW + timedelta(days=30),
                ),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case(
        "list-not-yet-valid",
        _with_lists(
            lambda w: [
                w.rf4.status_list("revocation", valid_from=NOW + timedelta(days=1)),
                w.rf4.status_list("suspension"),
            ]
        ),
        STATUS,
    ),
    Case("no-lists-at-all", _with_lists(lambda w: []), STATUS),
    # --- trust material ----------------------------------------------------------------
    Case(
        "web-issuer-untrusted",
        lambda w: Given(_web_passport(w), status_lists=w.web.status_lists()),
        TRUST,
    ),
    Case(
        "trust-list-of-unpinned-anchor",
        _listed(lambda w: (_web_passport(w), [trust_list(w.stranger, [w.web.trusted_issuer()])])),
        TRUST,
    ),
    Case(
        "trust-list-rollback",
        _listed(
            lambda w: (
                _web_passport(w),
                [trust_list(w.anchor, [w.web.trusted_issuer()], version=1)],
            )
        ),
        TRUST,
    ),
    Case(
        "trust-list-expired",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    trust_list(
                        w.anchor,
                        [w.web.trusted_issuer()],
                        version=9,
                        valid_from=NOW - timedelta(days=40),
                        valid_until=NOW - timedelta(days=10),
                    )
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "trust-list-not-yet-valid",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    trust_list(
                        w.anchor,
                        [w.web.trusted_issuer()],
                        version=9,
                        valid_from=NOW + timedelta(days=1),
                    )
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "trust-list-tampered",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    {
                        **trust_list(w.anchor, [w.web.trusted_issuer()], version=9),
                        "validUntil": "2099-01-01T00:00:00Z",
                    }
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "issuer-withdrawn",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    trust_list(
                        w.anchor,
                        [
                            w.web.trusted_issuer(
                                status="withdrawn", withdrawn_at=NOW - timedelta(days=3)
                            )
                        ],
                        version=9,
                    )
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "issuer-merged",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    trust_list(
                        w.anchor,
                        [
                            w.web.trusted_issuer(
                                status="withdrawn",
                                withdrawn_at=NOW - timedelta(days=3),
                                successor="R1H",
                            )
                        ],
                        version=9,
                    )
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "key-compromised-in-list",
        _listed(
            lambda w: (
                _web_passport(w),
                [
                    trust_list(
                        w.anchor,
                        [
                            w.web.trusted_issuer(
                                keys=(
                                    w.web.keys[0]
                                    .window()
                                    .__class__(w.web.keys[0].vm_id, compromised=True),
                                )
                            )
                        ],
                        version=9,
                    )
                ],
            )
        ),
        TRUST,
    ),
    Case(
        "conflicting-ods-codes",
        _listed(
            lambda w: (
                _good(w),
                [trust_list(w.anchor, [w.rf4.trusted_issuer(ods_code="R1H")], version=9)],
            )
        ),
        TRUST,
    ),
    Case(
        "scope-not-accredited",
        _listed(
            lambda w: (
                _good(w),
                [trust_list(w.anchor, [w.rf4.trusted_issuer(scopes=())], version=9)],
            )
        ),
        TRUST,
    ),
    Case("bundle-of-untrusted-issuer", lambda w: Given(bundle(_web_passport(w), w.web)), TRUST),
    Case(
        "bundle-with-forged-description",
        lambda w: Given({**bundle(_good(w), w.rf4), "passport": passport(w.stranger)}),
        PROOF | TRUST,
    ),
    Case(
        "bundle-garbage-parts",
        lambda w: Given(
            {"type": "InnopassBundle", "formatVersion": 1, "passport": 5, "statusLists": "x"}
        ),
        MALFORMED,
    ),
    Case(
        "bundle-format-version-float",
        lambda w: Given({**bundle(_good(w), w.rf4), "formatVersion": 1.0}),
        MALFORMED,
    ),
]
