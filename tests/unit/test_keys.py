"""Key import/export, signing and the refusals that protect verification."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import multibase, varint

from innopass.errors import InvalidSignatureError, KeyMaterialError, PassphraseError
from innopass.keys import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    KeyType,
    P256PrivateKey,
    P256PublicKey,
    P384PrivateKey,
    P384PublicKey,
    PrivateKey,
    PublicKey,
    generate_private_key,
    private_key_from_jwk,
    private_key_from_multibase,
    private_key_from_pem,
    public_key_from_crypto,
    public_key_from_jwk,
    public_key_from_multibase,
    public_key_from_pem,
    x25519_multikey_from_ed25519,
)

KEY_TYPES = [
    pytest.param(KeyType.ED25519, id="ed25519"),
    pytest.param(KeyType.P256, id="p256"),
    pytest.param(KeyType.P384, id="p384"),
]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _multikey(code: int, raw: bytes) -> str:
    return str(multibase.encode(bytes(varint.encode(code)) + raw, "base58btc"))


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_sign_verify_and_tamper(key_type: KeyType) -> None:
    key = generate_private_key(key_type)
    assert isinstance(key, PrivateKey)
    public = key.public_key()
    assert isinstance(public, PublicKey)
    signature = key.sign(b"message")
    assert len(signature) == (96 if key_type is KeyType.P384 else 64)
    public.verify(signature, b"message")
    with pytest.raises(InvalidSignatureError):
        public.verify(signature, b"messagf")
    with pytest.raises(InvalidSignatureError):
        public.verify(bytes([signature[0] ^ 1]) + signature[1:], b"message")
    other = generate_private_key(key_type).public_key()
    with pytest.raises(InvalidSignatureError):
        other.verify(signature, b"message")


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_round_trips(key_type: KeyType) -> None:
    key = generate_private_key(key_type)
    public = key.public_key()
    assert public_key_from_multibase(public.to_multibase()) == public
    assert private_key_from_multibase(key.to_multibase()).public_key() == public
    assert public_key_from_jwk(public.to_jwk()) == public
    assert private_key_from_jwk(key.to_jwk()).public_key() == public
    assert public_key_from_pem(public.to_pem()) == public
    assert public_key_from_crypto(public.crypto_key) == public
    assert private_key_from_pem(key.to_pem(None), None).public_key() == public
    encrypted = key.to_pem(b"correct horse")
    assert b"ENCRYPTED" in encrypted
    assert private_key_from_pem(encrypted, b"correct horse").public_key() == public
    from_raw = {
        KeyType.ED25519: Ed25519PublicKey.from_raw,
        KeyType.P256: P256PublicKey.from_raw,
        KeyType.P384: P384PublicKey.from_raw,
    }[key_type]
    assert from_raw(public.raw_bytes()) == public
    assert hash(public_key_from_multibase(public.to_multibase())) == hash(public)
    assert public.jose_alg == {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256"}.get(
        key_type, "ES384"
    )
    assert public.cryptosuite == (
        "eddsa-jcs-2022" if key_type is KeyType.ED25519 else "ecdsa-jcs-2019"
    )


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_passphrase_errors(key_type: KeyType) -> None:
    key = generate_private_key(key_type)
    encrypted = key.to_pem(b"right")
    with pytest.raises(PassphraseError):
        private_key_from_pem(encrypted, b"wrong")
    with pytest.raises(PassphraseError):
        private_key_from_pem(encrypted, None)
    with pytest.raises(KeyMaterialError):
        private_key_from_pem(key.to_pem(None), b"unexpected")
    with pytest.raises(KeyMaterialError):
        key.to_pem(b"")
    with pytest.raises(KeyMaterialError):
        private_key_from_pem(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", None
        )


def test_private_keys_are_not_in_repr() -> None:
    ed = Ed25519PrivateKey.from_seed(bytes(range(32)))
    assert Ed25519PrivateKey.from_raw(ed.seed()).public_key() == ed.public_key()
    p256 = P256PrivateKey.from_raw(bytes(31) + b"\x07")
    for key, secret in ((ed, ed.seed()), (p256, p256.secret_bytes())):
        text = repr(key)
        assert key.public_key().to_multibase() in text
        assert secret.hex() not in text
        assert key.to_multibase() not in text
        assert key.to_jwk()["d"] not in text


@pytest.mark.parametrize(
    ("cls", "size"), [(P256PrivateKey, 64), (P384PrivateKey, 96)], ids=["p256", "p384"]
)
def test_ecdsa_signing_is_deterministic_and_p1363(
    cls: type[P256PrivateKey] | type[P384PrivateKey], size: int
) -> None:
    key = cls.generate()
    assert key.sign(b"m") == key.sign(b"m")
    signature = key.sign(b"m")
    assert len(signature) == size
    public = key.public_key()
    public.verify(signature, b"m")
    for bad in (signature[:-1], signature + b"\x00", b"\x00" + signature, b""):
        with pytest.raises(InvalidSignatureError):
            public.verify(bad, b"m")


def test_p256_and_p384_keys_are_not_interchangeable() -> None:
    """A P-384 point is not a P-256 key (nor the reverse), in any encoding."""
    p256, p384 = P256PrivateKey.generate(), P384PrivateKey.generate()
    with pytest.raises(KeyMaterialError):
        P256PublicKey.from_raw(p384.public_key().raw_bytes())
    with pytest.raises(KeyMaterialError):
        P384PublicKey.from_raw(p256.public_key().raw_bytes())
    with pytest.raises(KeyMaterialError):
        P256PrivateKey.from_raw(p384.secret_bytes())
    with pytest.raises(KeyMaterialError):
        P256PublicKey(p384.public_key().crypto_key)
    with pytest.raises(KeyMaterialError):  # a P-384 JWK that claims to be P-256
        public_key_from_jwk({**p384.public_key().to_jwk(), "crv": "P-256"})
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk({**p384.public_key().to_jwk(), "alg": "ES256"})
    assert p256.public_key() != P384PublicKey.from_raw(p384.public_key().raw_bytes())


def test_ed25519_signature_length() -> None:
    key = Ed25519PrivateKey.generate()
    signature = key.sign(b"m")
    with pytest.raises(InvalidSignatureError):
        key.public_key().verify(signature[:63], b"m")
    with pytest.raises(InvalidSignatureError):
        key.public_key().verify(signature + b"\x00", b"m")


# --- Ed25519 point validation ----------------------------------------------------------

P = 2**255 - 19
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _decode(raw: bytes) -> tuple[int, int]:
    """RFC 8032 §5.1.3 point decoding (test-side reference, no canonicity check)."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    sign = raw[31] >> 7
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    if (v * x * x) % P == (-u) % P:
        x = x * SQRT_M1 % P
    assert (v * x * x - u) % P == 0, "not on the curve"
    if x & 1 != sign:
        x = (-x) % P
    return x, y % P


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P
    return x3, y3


def _encode(point: tuple[int, int]) -> bytes:
    x, y = point
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


ORDER8_Y = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"


def _torsion_subgroup() -> list[bytes]:
    """All eight points of order dividing 8, computed from one point of order 8."""
    generator = _decode(bytes.fromhex(ORDER8_Y))
    points, current = [], (0, 1)
    for _ in range(8):
        points.append(current)
        current = _add(current, generator)
    assert current == (0, 1), "the generator has order 8"
    assert len(set(points)) == 8
    return [_encode(p) for p in points]


@pytest.mark.parametrize("encoding", _torsion_subgroup(), ids=lambda b: b.hex()[:8])
def test_small_order_points_are_refused(encoding: bytes) -> None:
    for variant in (encoding, encoding[:31] + bytes([encoding[31] ^ 0x80])):
        with pytest.raises(KeyMaterialError):
            Ed25519PublicKey.from_raw(variant)
        with pytest.raises(KeyMaterialError):
            public_key_from_multibase(_multikey(0xED, variant))


@pytest.mark.parametrize(
    "hex_key",
    [
        "0100000000000000000000000000000000000000000000000000000000000000",  # identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p - 1
        "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  # order 4, sign
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p (0)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 1 (1)
        "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 2
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y = 2^255 - 1
        "0200000000000000000000000000000000000000000000000000000000000000",  # y = 2: off curve
    ],
)
def test_bad_ed25519_encodings_are_refused(hex_key: str) -> None:
    raw = bytes.fromhex(hex_key)
    with pytest.raises(KeyMaterialError):
        Ed25519PublicKey.from_raw(raw)
    with pytest.raises(KeyMaterialError):
        public_key_from_crypto(ed25519.Ed25519PublicKey.from_public_bytes(raw))


def test_non_canonical_y_of_a_valid_point_is_refused() -> None:
    # y = 3 is on the curve (it passes), y + p is the same point spelt non-canonically.
    valid_y = next(y for y in range(3, 40) if _on_curve(y))
    Ed25519PublicKey.from_raw(valid_y.to_bytes(32, "little"))
    if valid_y + P < 2**255:
        with pytest.raises(KeyMaterialError):
            Ed25519PublicKey.from_raw((valid_y + P).to_bytes(32, "little"))


def _on_curve(y: int) -> bool:
    try:
        _decode(y.to_bytes(32, "little"))
    except AssertionError:
        return False
    return True


# --- refusals ----------------------------------------------------------------------------


P256_FIELD = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def _p256_x_off_curve() -> int:
    """The smallest x for which x³ − 3x + b has no square root mod p (no point has that x)."""
    return next(
        x
        for x in range(1, 100)
        if pow((x**3 - 3 * x + P256_B) % P256_FIELD, (P256_FIELD - 1) // 2, P256_FIELD) != 1
    )


def test_multibase_refusals() -> None:
    ed = Ed25519PrivateKey.generate()
    p256 = P256PrivateKey.generate()
    cases = [
        "",
        "6Mk",  # no multibase prefix
        "u" + "A" * 40,  # base64url multibase
        "z0OIl",  # not base58btc
        "z" + "1" * 200,  # too long
        _multikey(0xED, ed.public_key().raw_bytes()[:31]),  # short
        _multikey(0xED, ed.public_key().raw_bytes() + b"\x00"),  # long
        _multikey(0x1200, p256.public_key().raw_bytes()[:32]),  # short P-256
        _multikey(0x1200, b"\x04" + bytes(32)),  # uncompressed prefix, wrong length
        _multikey(0x1200, b"\x02" + P256_FIELD.to_bytes(32, "big")),  # x = p: out of range
        _multikey(0x1200, b"\x02" + _p256_x_off_curve().to_bytes(32, "big")),  # no such y
        _multikey(0x1200, b"\x05" + p256.public_key().raw_bytes()[1:]),  # bad point tag
        _multikey(0x1201, bytes(49)),  # P-384
        _multikey(0xEC, bytes(32)),  # X25519
        _multikey(0x9999, bytes(32)),  # unknown codec
        ed.to_multibase(),  # secret where public expected
        p256.to_multibase(),
    ]
    for value in cases:
        with pytest.raises(KeyMaterialError):
            public_key_from_multibase(value)
    for value in (ed.public_key().to_multibase(), p256.public_key().to_multibase()):
        with pytest.raises(KeyMaterialError):
            private_key_from_multibase(value)  # public where secret expected
    with pytest.raises(KeyMaterialError):
        private_key_from_multibase(_multikey(0x1306, bytes(32)))  # scalar 0
    with pytest.raises(KeyMaterialError):
        private_key_from_multibase(_multikey(0x1306, b"\xff" * 32))  # scalar ≥ n
    with pytest.raises(KeyMaterialError):
        private_key_from_multibase(_multikey(0x1300, bytes(31)))


def test_jwk_refusals() -> None:
    ed = Ed25519PrivateKey.generate()
    p256 = P256PrivateKey.generate()
    pub = p256.public_key().to_jwk()
    bad_public = [
        ed.to_jwk(),  # private member d
        p256.to_jwk(),
        {**pub, "p": "AAAA"},
        {**pub, "k": "AAAA"},
        {**pub, "x": pub["x"][:-2]},  # short x
        {**pub, "y": pub["y"] + "AA"},  # long y
        {**pub, "x": pub["x"] + "="},  # padded
        {**pub, "x": pub["x"].replace(pub["x"][0], "+", 1)},  # not base64url
        {**pub, "x": _b64(_p256_x_off_curve().to_bytes(32, "big"))},  # off the curve
        {**pub, "crv": "P-384"},
        {**pub, "kty": "RSA"},
        {**pub, "alg": "ES384"},
        {**pub, "use": "enc"},
        {"kty": "OKP", "crv": "X25519", "x": ed.public_key().to_jwk()["x"]},
        {"kty": "OKP", "crv": "Ed25519", "x": "AQ" + "A" * 41},  # identity
        {"kty": "OKP", "crv": "Ed25519"},
        "not an object",
    ]
    for jwk in bad_public:
        with pytest.raises(KeyMaterialError):
            public_key_from_jwk(jwk)
    other = P256PrivateKey.generate().public_key().to_jwk()
    with pytest.raises(KeyMaterialError):
        private_key_from_jwk({**p256.to_jwk(), "x": other["x"], "y": other["y"]})
    with pytest.raises(KeyMaterialError):
        private_key_from_jwk(pub)  # no d


def test_non_canonical_base64url_is_refused() -> None:
    jwk = Ed25519PrivateKey.generate().public_key().to_jwk()
    last = jwk["x"][-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 32 bytes → 43 chars; the last char carries 4 unused bits that must be zero.
    flipped = alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk({**jwk, "x": jwk["x"][:-1] + flipped})


def test_other_curves_and_types_are_refused() -> None:
    p384 = ec.generate_private_key(ec.SECP521R1())  # P-521: not supported
    with pytest.raises(KeyMaterialError):
        public_key_from_crypto(p384.public_key())
    with pytest.raises(KeyMaterialError):
        public_key_from_crypto(object())
    from cryptography.hazmat.primitives import serialization

    pem = p384.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyMaterialError):
        public_key_from_pem(pem)
    with pytest.raises(KeyMaterialError):
        public_key_from_pem(b"not pem")
    private_pem = p384.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyMaterialError):
        private_key_from_pem(private_pem, None)
    with pytest.raises(KeyMaterialError):
        P256PublicKey.from_raw(bytes(20))
    with pytest.raises(KeyMaterialError):
        Ed25519PrivateKey.from_seed(bytes(31))


def test_x25519_derivation_matches_rfc7748_relation() -> None:
    # The birational map sends the Ed25519 base point (y = 4/5) to the X25519 base point u = 9.
    y = 4 * pow(5, -1, P) % P
    base = Ed25519PublicKey.from_raw(y.to_bytes(32, "little"))
    value = x25519_multikey_from_ed25519(base)
    decoded = bytes(multibase.decode(value))
    assert decoded[:2] == b"\xec\x01"
    assert int.from_bytes(decoded[2:], "little") == 9


@pytest.mark.parametrize("key_type", list(KeyType))
def test_encrypted_pem_uses_a_strong_kdf_and_reads_back(key_type: KeyType) -> None:
    """Keys at rest: PBES2 with PBKDF2-HMAC-SHA256 at 600,000 rounds (not cryptography's
    2,048), readable by cryptography (and openssl) with the passphrase only."""
    key = generate_private_key(key_type)
    pem = key.to_pem(b"correct horse battery staple")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    der = base64.b64decode(b"".join(pem.splitlines()[1:-1]))
    assert bytes.fromhex("06092a864886f70d01050d") in der  # PBES2
    assert bytes.fromhex("06092a864886f70d01050c") in der  # PBKDF2
    assert bytes.fromhex("02030927c0") in der  # INTEGER 600000
    assert bytes.fromhex("060960864801650304012a") in der  # aes256-CBC
    assert re.search(rb"Proc-Type|DEK-Info", pem) is None
    again = private_key_from_pem(pem, b"correct horse battery staple")
    assert again.public_key() == key.public_key()
    with pytest.raises(PassphraseError):
        private_key_from_pem(pem, b"wrong horse battery staple")


def test_weak_kdf_is_refused() -> None:
    with pytest.raises(KeyMaterialError):
        generate_private_key(KeyType.ED25519).to_pem(b"passphrase", kdf_iterations=2048)


@settings(max_examples=300, deadline=None)
@given(code=st.integers(min_value=0, max_value=2**63 - 1), tail=st.binary(max_size=4))
def test_multikey_header_reader_matches_multiformats(code: int, tail: bytes) -> None:
    from multiformats import varint

    from innopass.keys import _read_varint

    data = bytes(varint.encode(code)) + tail
    expected, length, _ = varint.decode_raw(data)
    assert _read_varint(data) == (expected, length)


@pytest.mark.parametrize("data", [b"", b"\xff", b"\x80\x00", b"\xff" * 10])
def test_multikey_header_reader_refuses_what_multiformats_refuses(data: bytes) -> None:
    from innopass.keys import _read_varint

    with pytest.raises(KeyMaterialError):
        _read_varint(data)


def _b64url_by_reencoding(value: object) -> bytes | str:
    """The definition the decoder meets: alphabet only, no padding, and canonical (the data
    re-encoded is the text); the refusal's wording otherwise."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", value):
        return "is not base64url without padding"
    if len(value) % 4 == 1:
        return "is not base64url without padding"
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != value:
        return "is not canonical base64url"
    return data


_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n.é\x00"


@settings(max_examples=3000, deadline=None)
@given(
    value=st.text(alphabet=_B64_CHARS, max_size=12)
    | st.binary(max_size=12).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="))
    | st.text(max_size=6)
)
def test_b64url_decode_is_the_reencoding_definition(value: str) -> None:
    from innopass._internal.encoding import b64url_decode

    expected = _b64url_by_reencoding(value)
    try:
        got: bytes | str = b64url_decode(value, what="x")
    except KeyMaterialError as exc:
        got = str(exc).removeprefix("x ")
    assert got == expected
