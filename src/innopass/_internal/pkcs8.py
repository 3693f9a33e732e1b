"""PKCS#8 ``EncryptedPrivateKeyInfo`` with a KDF cost we choose.

``cryptography``'s ``BestAvailableEncryption`` writes PBES2 with PBKDF2 at 2,048
rounds and offers no way to raise that for PKCS#8. Private keys at rest deserve
more, so this module writes the standard structure itself (RFC 8018 PBES2:
PBKDF2-HMAC-SHA256 at :data:`DEFAULT_KDF_ITERATIONS` rounds, AES-256-CBC). The
result is ordinary PKCS#8 that ``cryptography`` and ``openssl pkey`` read with
the passphrase; reading is left to them.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["DEFAULT_KDF_ITERATIONS", "encrypt_pkcs8_pem", "pem_structure_intact"]

#: PBKDF2-HMAC-SHA256 rounds (OWASP's 2023 recommendation for this PRF).
DEFAULT_KDF_ITERATIONS = 600_000

_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_HMAC_SHA256 = "1.2.840.113549.2.9"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _octets(data: bytes) -> bytes:
    return _tlv(0x04, data)


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(p) for p in dotted.split("."))
    body = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def encrypt_pkcs8_pem(
    private_key_info_der: bytes, passphrase: bytes, *, iterations: int = DEFAULT_KDF_ITERATIONS
) -> bytes:
    """Encrypt a DER ``PrivateKeyInfo`` as a PEM ``ENCRYPTED PRIVATE KEY``."""
    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", passphrase, salt, iterations, dklen=32)
    padder = padding.PKCS7(128).padder()
    plaintext = padder.update(private_key_info_der) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    kdf = _seq(
        _oid(_PBKDF2),
        _seq(
            _octets(salt), _integer(iterations), _integer(32), _seq(_oid(_HMAC_SHA256), b"\x05\x00")
        ),
    )
    algorithm = _seq(_oid(_PBES2), _seq(kdf, _seq(_oid(_AES256_CBC), _octets(iv))))
    der = _seq(algorithm, _octets(ciphertext))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    pem = "\n".join(
        ["-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines, "-----END ENCRYPTED PRIVATE KEY-----"]
    )
    return (pem + "\n").encode("ascii")


_PEM_BEGIN = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
_PEM_END = b"-----END ENCRYPTED PRIVATE KEY-----"


def _der_length(der: bytes) -> int | None:
    """The total length the outer DER element declares, or ``None`` if it cannot be read."""
    if len(der) < 2 or der[0] != 0x30:
        return None
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if not 0 < count <= 4 or len(der) < 2 + count:
        return None
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")


def pem_structure_intact(data: bytes) -> bool:
    """Whether ``data`` is one whole PEM ``ENCRYPTED PRIVATE KEY`` whose DER is complete.

    Tells a damaged key file (truncated, overwritten, not a key) from a wrong
    passphrase, which only an intact file can be decrypted with.
    """
    text = data.strip()
    if not (text.startswith(_PEM_BEGIN) and text.endswith(_PEM_END)):
        return False
    body = text[len(_PEM_BEGIN) : -len(_PEM_END)]
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except ValueError:
        return False
    return _der_length(der) == len(der)
