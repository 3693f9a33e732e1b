"""Signing keys: Ed25519, P-256 and P-384, over ``cryptography``.

Three key types are supported, each tied to one Data Integrity cryptosuite and one
JOSE algorithm (``Ed25519`` → ``eddsa-jcs-2022`` / ``EdDSA``; ``P-256`` →
``ecdsa-jcs-2019`` / ``ES256``; ``P-384`` → ``ecdsa-jcs-2019`` / ``ES384``). Keys are
exchanged as Multikey strings (CID 1.0: ``z`` + base58btc of the multicodec varint
header and the raw key), as JWKs (RFC 7517/8037) and as PEM (SubjectPublicKeyInfo /
PKCS#8, optionally encrypted).

Every import path refuses what it cannot use with :class:`KeyMaterialError`:
unknown or mismatched multicodec headers, a secret key where a public one is
expected (and the reverse), wrong lengths, P-256 and P-384 points off the curve, and
Ed25519 public keys that are non-canonical, not on the curve or of small order
(OpenSSL accepts some of these on load, so they are checked here).

Signatures: Ed25519 is pure RFC 8032 over the message; P-256 is ECDSA with
SHA-256 and P-384 ECDSA with SHA-384, in IEEE P1363 form (``r ‖ s``, 64 or 96
bytes), signed deterministically (RFC 6979) so that test vectors reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Generic, Protocol, Self, TypeVar, cast, runtime_checkable

import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from innopass._internal.encoding import (
    b64url_decode,
    b64url_encode,
    base58btc_decode,
    base58btc_encode,
)
from innopass._internal.pkcs8 import DEFAULT_KDF_ITERATIONS, encrypt_pkcs8_pem
from innopass.errors import InvalidSignatureError, KeyMaterialError, PassphraseError

__all__ = [
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "KeyType",
    "P256PrivateKey",
    "P256PublicKey",
    "P384PrivateKey",
    "P384PublicKey",
    "PrivateKey",
    "PublicKey",
    "generate_private_key",
    "private_key_from_jwk",
    "private_key_from_multibase",
    "private_key_from_pem",
    "public_key_from_jwk",
    "public_key_from_multibase",
    "public_key_from_pem",
]


class KeyType(StrEnum):
    """The key types innopass signs and verifies with (JOSE curve names)."""

    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"


# Multicodec codes (https://github.com/multiformats/multicodec, table.csv).
_ED25519_PUB = 0xED
_ED25519_PRIV = 0x1300
_P256_PUB = 0x1200
_P256_PRIV = 0x1306
_P384_PUB = 0x1201
_P384_PRIV = 0x1307
_X25519_PUB = 0xEC
# Known codes innopass recognises only to name them in an error message.
_OTHER_CODECS: dict[int, str] = {
    _X25519_PUB: "X25519 public key (key agreement, not signing)",
    0xE7: "secp256k1 public key",
    0x1202: "P-521 public key",
    0x1301: "secp256k1 secret key",
    0x1302: "X25519 secret key",
    0x1308: "P-521 secret key",
}
_PUBLIC_CODECS: dict[int, tuple[KeyType, int]] = {
    _ED25519_PUB: (KeyType.ED25519, 32),
    _P256_PUB: (KeyType.P256, 33),
    _P384_PUB: (KeyType.P384, 49),
}
_SECRET_CODECS: dict[int, tuple[KeyType, int]] = {
    _ED25519_PRIV: (KeyType.ED25519, 32),
    _P256_PRIV: (KeyType.P256, 32),
    _P384_PRIV: (KeyType.P384, 48),
}
_MAX_MULTIBASE_CHARS = 128  # longest supported Multikey is 70 chars; base58 decoding is quadratic

# JWK members that only private (or symmetric) keys carry (RFC 7518 §6).
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

# --- Ed25519 point checks --------------------------------------------------------------

_P = 2**255 - 19
_D = (-121665 * pow(121666, -1, _P)) % _P


def _small_order_blocklist() -> frozenset[bytes]:
    """The encodings of the eight points of order 1, 2, 4 and 8 (libsodium's blocklist).

    Listed by their y coordinate (little-endian, sign bit clear), including the
    non-canonical ``y + p`` spellings of y = 0 and y = 1, each with both values
    of the sign bit, as libsodium ``crypto_sign_verify_detached`` and
    ed25519-dalek's ``is_weak`` refuse them.
    """
    encodings = (
        # y = 0: the two points of order 4
        "0000000000000000000000000000000000000000000000000000000000000000",
        # y = 1: the identity (order 1)
        "0100000000000000000000000000000000000000000000000000000000000000",
        # the two y values of the four points of order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        # y = p - 1: the point of order 2
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        # y = p (non-canonical 0) and y = p + 1 (non-canonical 1)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    )
    out: set[bytes] = set()
    for hex_value in encodings:
        raw = bytes.fromhex(hex_value)
        out.add(raw)
        out.add(raw[:31] + bytes([raw[31] | 0x80]))
    return frozenset(out)


_ED25519_SMALL_ORDER = _small_order_blocklist()


def _check_ed25519_public(raw: bytes) -> None:
    """Refuse Ed25519 public keys that are small-order, non-canonical or not on the curve."""
    if len(raw) != 32:
        raise KeyMaterialError(f"Ed25519 public key must be 32 bytes, got {len(raw)}")
    if raw in _ED25519_SMALL_ORDER:
        raise KeyMaterialError("Ed25519 public key is a point of small order")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _P:
        raise KeyMaterialError("Ed25519 public key is a non-canonical encoding (y >= p)")
    # x^2 = (y^2 - 1) / (d y^2 + 1); the point exists iff that is a square mod p.
    y2 = y * y % _P
    x2 = (y2 - 1) * pow(_D * y2 + 1, -1, _P) % _P
    if x2 != 0 and pow(x2, (_P - 1) // 2, _P) != 1:
        raise KeyMaterialError("Ed25519 public key is not a point on the curve")


def x25519_multikey_from_ed25519(public_key: Ed25519PublicKey) -> str:
    """The X25519 key-agreement Multikey (``ec01`` header) matching an Ed25519 key.

    u = (1 + y) / (1 − y) mod p (RFC 7748 §4.1), as did:key derives its optional
    ``keyAgreement`` key. The identity (1 − y = 0) never reaches here: it is
    refused as a small-order key on import.
    """
    y = int.from_bytes(public_key.raw_bytes(), "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, -1, _P) % _P
    return _encode_multikey(_X25519_PUB, u.to_bytes(32, "little"))


# --- encodings ------------------------------------------------------------------------


def _decode_multikey(value: object) -> tuple[int, bytes]:
    """Split a Multikey string into its multicodec code and the key bytes after the header."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyMaterialError("Multikey value must be a base58btc multibase string starting 'z'")
    if len(value) > _MAX_MULTIBASE_CHARS:
        raise KeyMaterialError("Multikey value is too long")
    try:
        data = base58btc_decode(value[1:])
    except KeyError as exc:
        raise KeyMaterialError("Multikey value is not valid base58btc") from exc
    code, header_len = _read_varint(data)
    return code, data[header_len:]


def _read_varint(data: bytes) -> tuple[int, int]:
    """The unsigned varint at the start of ``data`` (multiformats: minimal, at most 9 bytes)
    and its length; :class:`KeyMaterialError` for a truncated or non-minimal one.

    (Written here, with the encoder above, because ``multiformats`` costs tens of
    milliseconds to import and milliseconds per key; tests check both against it.)"""
    code = 0
    for position, byte in enumerate(data[:9]):
        code |= (byte & 0x7F) << (7 * position)
        if not byte & 0x80:
            if position and not byte:
                raise KeyMaterialError("Multikey header is not a minimally encoded varint")
            return code, position + 1
    raise KeyMaterialError("Multikey value has no complete multicodec header")


def _encode_multikey(code: int, raw: bytes) -> str:
    header = bytearray()
    while code > 0x7F:
        header.append(code & 0x7F | 0x80)
        code >>= 7
    header.append(code)
    return "z" + base58btc_encode(bytes(header) + raw)


def _codec_name(code: int) -> str:
    if code in _PUBLIC_CODECS:
        return f"{_PUBLIC_CODECS[code][0]} public key"
    if code in _SECRET_CODECS:
        return f"{_SECRET_CODECS[code][0]} secret key"
    return _OTHER_CODECS.get(code, f"unknown multicodec header 0x{code:x}")


# --- protocols ------------------------------------------------------------------------


@runtime_checkable
class PublicKey(Protocol):
    """A public key that verifies signatures for one cryptosuite / JOSE algorithm."""

    @property
    def key_type(self) -> KeyType:
        """``Ed25519``, ``P-256`` or ``P-384``."""
        ...

    @property
    def jose_alg(self) -> str:
        """JOSE ``alg``: ``EdDSA``, ``ES256`` or ``ES384``."""
        ...

    @property
    def cryptosuite(self) -> str:
        """Data Integrity cryptosuite: ``eddsa-jcs-2022`` or ``ecdsa-jcs-2019``."""
        ...

    @property
    def crypto_key(self) -> ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey:
        """The underlying ``cryptography`` key (for PyJWT)."""
        ...

    def verify(self, signature: bytes, message: bytes) -> None:
        """Raise :class:`InvalidSignatureError` unless ``signature`` is valid for ``message``."""
        ...

    def raw_bytes(self) -> bytes:
        """32 bytes (Ed25519) or the compressed point (33 bytes P-256, 49 bytes P-384)."""
        ...

    def to_multibase(self) -> str:
        """Multikey ``publicKeyMultibase``."""
        ...

    def to_jwk(self) -> dict[str, str]:
        """Public JWK (no private members)."""
        ...

    def to_pem(self) -> bytes:
        """PEM SubjectPublicKeyInfo."""
        ...


@runtime_checkable
class PrivateKey(Protocol):
    """A private signing key. Never printed: ``repr`` shows only the public key."""

    @property
    def key_type(self) -> KeyType:
        """``Ed25519``, ``P-256`` or ``P-384``."""
        ...

    @property
    def crypto_key(self) -> ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
        """The underlying ``cryptography`` key (for PyJWT)."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Sign ``message``: 64 raw bytes (Ed25519, P-256 ``r ‖ s``) or 96 (P-384 ``r ‖ s``)."""
        ...

    def public_key(self) -> PublicKey:
        """The matching public key."""
        ...

    def to_multibase(self) -> str:
        """Multikey ``secretKeyMultibase``."""
        ...

    def to_jwk(self) -> dict[str, str]:
        """Private JWK (with ``d``)."""
        ...

    def to_pem(
        self, passphrase: bytes | None, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    ) -> bytes:
        """PEM PKCS#8; encrypted when a passphrase is given (PBES2: PBKDF2-HMAC-SHA256
        at ``kdf_iterations`` rounds, AES-256-CBC)."""
        ...


def _spki_pem(key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pkcs8_pem(
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
    passphrase: bytes | None,
    kdf_iterations: int,
) -> bytes:
    if passphrase is None:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    if not passphrase:
        raise KeyMaterialError("passphrase must not be empty (pass None for no encryption)")
    if kdf_iterations < 100_000:
        raise KeyMaterialError("refusing to protect a key with fewer than 100,000 KDF rounds")
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return encrypt_pkcs8_pem(der, passphrase, iterations=kdf_iterations)


# --- Ed25519 --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Ed25519PublicKey:
    """An Ed25519 public key (RFC 8032), checked on construction.

    Build with :meth:`from_raw` or the module-level import functions.
    """

    crypto_key: ed25519.Ed25519PublicKey = field(repr=False)
    _raw: bytes = field(init=False, repr=False)
    _sodium: nacl.signing.VerifyKey = field(init=False, repr=False)

    key_type: ClassVar[KeyType] = KeyType.ED25519
    jose_alg: ClassVar[str] = "EdDSA"
    cryptosuite: ClassVar[str] = "eddsa-jcs-2022"

    def __post_init__(self) -> None:
        raw = self.crypto_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        _check_ed25519_public(raw)
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_sodium", nacl.signing.VerifyKey(raw))

    @classmethod
    def from_raw(cls, data: bytes) -> Ed25519PublicKey:
        """Load 32 raw bytes, refusing invalid, non-canonical and small-order keys."""
        _check_ed25519_public(data)
        return cls(ed25519.Ed25519PublicKey.from_public_bytes(data))

    def verify(self, signature: bytes, message: bytes) -> None:
        """Pure Ed25519 verification of ``signature`` (64 bytes) over ``message``.

        By libsodium (``crypto_sign_verify_detached``), which refuses non-canonical
        signatures (S ≥ L), small-order R and non-canonical keys by construction.
        """
        if len(signature) != 64:
            raise InvalidSignatureError(f"Ed25519 signature must be 64 bytes, got {len(signature)}")
        try:
            self._sodium.verify(message, signature)
        except nacl.exceptions.BadSignatureError as exc:
            raise InvalidSignatureError("Ed25519 signature does not verify") from exc

    def raw_bytes(self) -> bytes:
        """The 32-byte public key."""
        return self._raw

    def to_multibase(self) -> str:
        """``z`` + base58btc(``ed01`` ‖ key)."""
        return _encode_multikey(_ED25519_PUB, self._raw)

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "OKP", "crv": "Ed25519", "x": …}``."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self._raw)}

    def to_pem(self) -> bytes:
        """PEM SubjectPublicKeyInfo."""
        return _spki_pem(self.crypto_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ed25519PublicKey) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash((self.key_type, self._raw))

    def __repr__(self) -> str:
        return f"Ed25519PublicKey({self.to_multibase()!r})"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Ed25519PrivateKey:
    """An Ed25519 private key (32-byte seed). Its ``repr`` shows only the public key."""

    crypto_key: ed25519.Ed25519PrivateKey
    _sodium: nacl.signing.SigningKey = field(init=False, repr=False)

    key_type: ClassVar[KeyType] = KeyType.ED25519

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sodium", nacl.signing.SigningKey(self.seed()))

    @classmethod
    def generate(cls) -> Ed25519PrivateKey:
        """A new random key."""
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519PrivateKey:
        """Load the 32-byte RFC 8032 seed."""
        if len(seed) != 32:
            raise KeyMaterialError(f"Ed25519 seed must be 32 bytes, got {len(seed)}")
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(seed))

    from_raw = from_seed

    def seed(self) -> bytes:
        """The 32-byte seed (secret)."""
        return self.crypto_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, message: bytes) -> bytes:
        """The 64-byte RFC 8032 signature of ``message`` (by libsodium; deterministic)."""
        return self._sodium.sign(message).signature

    def public_key(self) -> Ed25519PublicKey:
        """The matching public key."""
        return Ed25519PublicKey(self.crypto_key.public_key())

    def to_multibase(self) -> str:
        """``z`` + base58btc(``8026`` ‖ seed)."""
        return _encode_multikey(_ED25519_PRIV, self.seed())

    def to_jwk(self) -> dict[str, str]:
        """Private OKP JWK with ``d``."""
        return {**self.public_key().to_jwk(), "d": b64url_encode(self.seed())}

    def to_pem(
        self, passphrase: bytes | None, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    ) -> bytes:
        """PKCS#8 PEM; encrypted (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) with a passphrase."""
        return _pkcs8_pem(self.crypto_key, passphrase, kdf_iterations)

    def __repr__(self) -> str:
        return f"Ed25519PrivateKey(public={self.public_key().to_multibase()!r})"


# --- NIST curves: P-256 and P-384 ---------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _EcPublicKey:
    """An ECDSA public key on one NIST curve (the subclasses fix the curve and its hash)."""

    crypto_key: ec.EllipticCurvePublicKey = field(repr=False)
    _raw: bytes = field(init=False, repr=False)

    key_type: ClassVar[KeyType]
    jose_alg: ClassVar[str]
    cryptosuite: ClassVar[str] = "ecdsa-jcs-2019"
    _curve: ClassVar[type[ec.EllipticCurve]]
    _size: ClassVar[int]
    """Bytes in one coordinate (and in each of ``r`` and ``s``)."""
    _hash: ClassVar[type[hashes.HashAlgorithm]]
    _codec: ClassVar[int]

    def __post_init__(self) -> None:
        if not isinstance(self.crypto_key.curve, self._curve):
            raise KeyMaterialError(
                f"expected a {self.key_type} key, got {self.crypto_key.curve.name}"
            )
        raw = self.crypto_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        object.__setattr__(self, "_raw", raw)

    @classmethod
    def from_raw(cls, data: bytes) -> Self:
        """Load a SEC1 point, compressed or uncompressed (P-256: 33 or 65 bytes; P-384: 49
        or 97)."""
        if len(data) not in (cls._size + 1, 2 * cls._size + 1):
            raise KeyMaterialError(
                f"{cls.key_type} point must be {cls._size + 1} or {2 * cls._size + 1} bytes, "
                f"got {len(data)}"
            )
        try:
            return cls(ec.EllipticCurvePublicKey.from_encoded_point(cls._curve(), data))
        except ValueError as exc:
            raise KeyMaterialError(f"invalid {cls.key_type} point: {exc}") from exc

    def verify(self, signature: bytes, message: bytes) -> None:
        """ECDSA verification of an IEEE P1363 ``r ‖ s`` signature (64 or 96 bytes)."""
        size = self._size
        if len(signature) != 2 * size:
            raise InvalidSignatureError(
                f"{self.key_type} signature must be {2 * size} bytes, got {len(signature)}"
            )
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        try:
            self.crypto_key.verify(encode_dss_signature(r, s), message, ec.ECDSA(self._hash()))
        except InvalidSignature as exc:
            raise InvalidSignatureError(f"{self.key_type} signature does not verify") from exc

    def raw_bytes(self) -> bytes:
        """The compressed point (33 bytes for P-256, 49 for P-384)."""
        return self._raw

    def to_multibase(self) -> str:
        """``z`` + base58btc(multicodec header ‖ compressed point)."""
        return _encode_multikey(self._codec, self._raw)

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "EC", "crv": …, "x": …, "y": …}``."""
        numbers = self.crypto_key.public_numbers()
        return {
            "kty": "EC",
            "crv": str(self.key_type),
            "x": b64url_encode(numbers.x.to_bytes(self._size, "big")),
            "y": b64url_encode(numbers.y.to_bytes(self._size, "big")),
        }

    def to_pem(self) -> bytes:
        """PEM SubjectPublicKeyInfo."""
        return _spki_pem(self.crypto_key)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, _EcPublicKey)
            and other._raw == self._raw
        )

    def __hash__(self) -> int:
        return hash((self.key_type, self._raw))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_multibase()!r})"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class P256PublicKey(_EcPublicKey):
    """A NIST P-256 (secp256r1) public key. Build with :meth:`from_raw` or the import functions."""

    key_type: ClassVar[KeyType] = KeyType.P256
    jose_alg: ClassVar[str] = "ES256"
    _curve: ClassVar[type[ec.EllipticCurve]] = ec.SECP256R1
    _size: ClassVar[int] = 32
    _hash: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    _codec: ClassVar[int] = _P256_PUB


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class P384PublicKey(_EcPublicKey):
    """A NIST P-384 (secp384r1) public key: ``ecdsa-jcs-2019`` with SHA-384, JOSE ``ES384``."""

    key_type: ClassVar[KeyType] = KeyType.P384
    jose_alg: ClassVar[str] = "ES384"
    _curve: ClassVar[type[ec.EllipticCurve]] = ec.SECP384R1
    _size: ClassVar[int] = 48
    _hash: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    _codec: ClassVar[int] = _P384_PUB


_EcPublicT = TypeVar("_EcPublicT", bound=_EcPublicKey)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _EcPrivateKey(Generic[_EcPublicT]):
    """An ECDSA private key on one NIST curve. Its ``repr`` shows only the public key.

    ``_EcPublicT`` is its public key class (``_public``, which a ``ClassVar`` cannot
    spell), so that :meth:`public_key` keeps the concrete type."""

    crypto_key: ec.EllipticCurvePrivateKey

    key_type: ClassVar[KeyType]
    _public: ClassVar[type[_EcPublicKey]]
    _codec: ClassVar[int]

    def __post_init__(self) -> None:
        if not isinstance(self.crypto_key.curve, self._public._curve):
            raise KeyMaterialError(
                f"expected a {self.key_type} key, got {self.crypto_key.curve.name}"
            )

    @classmethod
    def generate(cls) -> Self:
        """A new random key."""
        return cls(ec.generate_private_key(cls._public._curve()))

    @classmethod
    def from_raw(cls, data: bytes) -> Self:
        """Load the big-endian private scalar (1 ≤ d < n; 32 bytes for P-256, 48 for P-384)."""
        size = cls._public._size
        if len(data) != size:
            raise KeyMaterialError(
                f"{cls.key_type} private key must be {size} bytes, got {len(data)}"
            )
        try:
            key = ec.derive_private_key(int.from_bytes(data, "big"), cls._public._curve())
        except ValueError as exc:
            raise KeyMaterialError(f"invalid {cls.key_type} private key: {exc}") from exc
        return cls(key)

    def secret_bytes(self) -> bytes:
        """The private scalar, big-endian (32 or 48 bytes; secret)."""
        size = self._public._size
        return self.crypto_key.private_numbers().private_value.to_bytes(size, "big")

    def sign(self, message: bytes) -> bytes:
        """Deterministic (RFC 6979) ECDSA with the curve's hash, as ``r ‖ s``."""
        public = self._public
        der = self.crypto_key.sign(message, ec.ECDSA(public._hash(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(public._size, "big") + s.to_bytes(public._size, "big")

    def public_key(self) -> _EcPublicT:
        """The matching public key."""
        return cast(_EcPublicT, self._public(self.crypto_key.public_key()))

    def to_multibase(self) -> str:
        """``z`` + base58btc(multicodec header ‖ scalar)."""
        return _encode_multikey(self._codec, self.secret_bytes())

    def to_jwk(self) -> dict[str, str]:
        """Private EC JWK with ``d``."""
        return {**self.public_key().to_jwk(), "d": b64url_encode(self.secret_bytes())}

    def to_pem(
        self, passphrase: bytes | None, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    ) -> bytes:
        """PKCS#8 PEM; encrypted (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) with a passphrase."""
        return _pkcs8_pem(self.crypto_key, passphrase, kdf_iterations)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(public={self.public_key().to_multibase()!r})"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class P256PrivateKey(_EcPrivateKey[P256PublicKey]):
    """A NIST P-256 private key. Its ``repr`` shows only the public key."""

    key_type: ClassVar[KeyType] = KeyType.P256
    _public: ClassVar[type[_EcPublicKey]] = P256PublicKey
    _codec: ClassVar[int] = _P256_PRIV


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class P384PrivateKey(_EcPrivateKey[P384PublicKey]):
    """A NIST P-384 private key. Its ``repr`` shows only the public key."""

    key_type: ClassVar[KeyType] = KeyType.P384
    _public: ClassVar[type[_EcPublicKey]] = P384PublicKey
    _codec: ClassVar[int] = _P384_PRIV


# --- module-level constructors --------------------------------------------------------

_PUBLIC_CLASSES: dict[KeyType, type[_EcPublicKey]] = {
    KeyType.P256: P256PublicKey,
    KeyType.P384: P384PublicKey,
}
_PRIVATE_CLASSES: dict[KeyType, type[P256PrivateKey] | type[P384PrivateKey]] = {
    KeyType.P256: P256PrivateKey,
    KeyType.P384: P384PrivateKey,
}
_JOSE_ALGS: dict[KeyType, str] = {
    KeyType.ED25519: "EdDSA",
    KeyType.P256: "ES256",
    KeyType.P384: "ES384",
}
_CURVE_KEY_TYPES: dict[str, KeyType] = {"secp256r1": KeyType.P256, "secp384r1": KeyType.P384}


def generate_private_key(key_type: KeyType) -> PrivateKey:
    """A new random private key of ``key_type``."""
    if key_type is KeyType.ED25519:
        return Ed25519PrivateKey.generate()
    return _PRIVATE_CLASSES[key_type].generate()


def _public_from_raw(key_type: KeyType, raw: bytes) -> PublicKey:
    if key_type is KeyType.ED25519:
        return Ed25519PublicKey.from_raw(raw)
    return _PUBLIC_CLASSES[key_type].from_raw(raw)


def _private_from_raw(key_type: KeyType, raw: bytes) -> PrivateKey:
    if key_type is KeyType.ED25519:
        return Ed25519PrivateKey.from_seed(raw)
    return _PRIVATE_CLASSES[key_type].from_raw(raw)


def public_key_from_multibase(value: str) -> PublicKey:
    """Load a Multikey ``publicKeyMultibase`` (``ed01`` Ed25519, ``8024`` P-256, ``8124`` P-384)."""
    code, raw = _decode_multikey(value)
    if code not in _PUBLIC_CODECS:
        raise KeyMaterialError(
            f"expected an Ed25519, P-256 or P-384 public key, got {_codec_name(code)}"
        )
    key_type, length = _PUBLIC_CODECS[code]
    if len(raw) != length:
        raise KeyMaterialError(f"{key_type} public key must be {length} bytes, got {len(raw)}")
    return _public_from_raw(key_type, raw)


def private_key_from_multibase(value: str) -> PrivateKey:
    """Load a Multikey ``secretKeyMultibase`` (also the older ``privateKeyMultibase``)."""
    code, raw = _decode_multikey(value)
    if code not in _SECRET_CODECS:
        raise KeyMaterialError(
            f"expected an Ed25519, P-256 or P-384 secret key, got {_codec_name(code)}"
        )
    key_type, length = _SECRET_CODECS[code]
    if len(raw) != length:
        raise KeyMaterialError(f"{key_type} secret key must be {length} bytes, got {len(raw)}")
    return _private_from_raw(key_type, raw)


def _jwk_key_type(jwk: object) -> tuple[dict[str, object], KeyType]:
    if not isinstance(jwk, dict):
        raise KeyMaterialError("JWK is not a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if crv == "X25519":
        raise KeyMaterialError("X25519 is a key-agreement key, not a signing key")
    if (kty, crv) == ("OKP", "Ed25519"):
        key_type = KeyType.ED25519
    elif kty == "EC" and crv in ("P-256", "P-384"):
        key_type = KeyType(crv)
    else:
        raise KeyMaterialError(f"unsupported JWK key type: kty={kty!r}, crv={crv!r}")
    alg = jwk.get("alg")
    expected_alg = _JOSE_ALGS[key_type]
    if alg is not None and alg != expected_alg:
        raise KeyMaterialError(f"JWK alg {alg!r} does not match a {key_type} key")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise KeyMaterialError(f"JWK use {use!r} is not a signing key")
    return jwk, key_type


def _public_from_jwk_members(jwk: dict[str, object], key_type: KeyType) -> PublicKey:
    if key_type is KeyType.ED25519:
        x = b64url_decode(jwk.get("x"), what="JWK x")
        if len(x) != 32:
            raise KeyMaterialError(f"Ed25519 JWK x must be 32 bytes, got {len(x)}")
        return Ed25519PublicKey.from_raw(x)
    size = _PUBLIC_CLASSES[key_type]._size
    x = b64url_decode(jwk.get("x"), what="JWK x")
    y = b64url_decode(jwk.get("y"), what="JWK y")
    if len(x) != size or len(y) != size:
        raise KeyMaterialError(f"{key_type} JWK x and y must be {size} bytes each")
    return _public_from_raw(key_type, b"\x04" + x + y)


def public_key_from_jwk(jwk: object) -> PublicKey:
    """Load a public JWK (OKP/Ed25519, EC/P-256 or EC/P-384). A JWK with private members is
    refused."""
    obj, key_type = _jwk_key_type(jwk)
    private = sorted(_PRIVATE_JWK_MEMBERS.intersection(obj))
    if private:
        raise KeyMaterialError(f"public JWK carries private members: {', '.join(private)}")
    return _public_from_jwk_members(obj, key_type)


def private_key_from_jwk(jwk: object) -> PrivateKey:
    """Load a private JWK (with ``d``); its public members must match ``d``."""
    obj, key_type = _jwk_key_type(jwk)
    d = b64url_decode(obj.get("d"), what="JWK d")
    private = _private_from_raw(key_type, d)
    if private.public_key() != _public_from_jwk_members(obj, key_type):
        raise KeyMaterialError("private JWK: public members do not match d")
    return private


def _curve_key_type(curve: ec.EllipticCurve) -> KeyType:
    key_type = _CURVE_KEY_TYPES.get(curve.name)
    if key_type is None:
        raise KeyMaterialError(f"unsupported curve {curve.name} (innopass has P-256 and P-384)")
    return key_type


def public_key_from_crypto(key: object) -> PublicKey:
    """Wrap a ``cryptography`` Ed25519, P-256 or P-384 public key."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Ed25519PublicKey(key)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _PUBLIC_CLASSES[_curve_key_type(key.curve)](key)
    raise KeyMaterialError(f"unsupported public key type: {type(key).__name__}")


def public_key_from_pem(data: bytes) -> PublicKey:
    """Load a PEM SubjectPublicKeyInfo holding an Ed25519, P-256 or P-384 key."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyMaterialError(f"not a usable PEM public key: {exc}") from exc
    return public_key_from_crypto(key)


def private_key_from_pem(data: bytes, passphrase: bytes | None) -> PrivateKey:
    """Load a PEM private key (PKCS#8 or traditional), decrypting with ``passphrase``.

    A missing or wrong passphrase for an encrypted key raises :class:`PassphraseError`;
    a passphrase given for an unencrypted key raises :class:`KeyMaterialError`.
    """
    encrypted = b"ENCRYPTED" in data
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:
        if passphrase is None:
            raise PassphraseError("private key is encrypted: a passphrase is required") from exc
        raise KeyMaterialError(
            "a passphrase was given but the private key is not encrypted"
        ) from exc
    except ValueError as exc:
        if encrypted and passphrase is not None:
            raise PassphraseError("cannot decrypt the private key with this passphrase") from exc
        raise KeyMaterialError(f"not a usable PEM private key: {exc}") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyMaterialError(f"unsupported private key: {exc}") from exc
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519PrivateKey(key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _PRIVATE_CLASSES[_curve_key_type(key.curve)](key)
    raise KeyMaterialError(f"unsupported private key type: {type(key).__name__}")
