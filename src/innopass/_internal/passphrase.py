"""Key passphrases: how they are read, and what a new key's passphrase must be."""

from __future__ import annotations

from typing import Final

from innopass.errors import PassphraseError

__all__ = ["MIN_PASSPHRASE_LENGTH", "PASSPHRASE_ENV", "new_passphrase_bytes", "passphrase_bytes"]

PASSPHRASE_ENV: Final = "INNOPASS_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
"""Environment variable the command line reads the key passphrase from."""

MIN_PASSPHRASE_LENGTH: Final = 8
"""The shortest passphrase accepted for a new key (characters)."""


def passphrase_bytes(passphrase: str | bytes) -> bytes:
    """The passphrase as UTF-8 bytes.

    An empty passphrase, or one that is not valid Unicode text (e.g. an
    environment variable holding bytes that are not UTF-8, which Python decodes
    with lone surrogates), raises :class:`PassphraseError`.
    """
    if isinstance(passphrase, str):
        try:
            data = passphrase.encode("utf-8")
        except UnicodeEncodeError:
            raise PassphraseError(
                "the key passphrase is not valid UTF-8 text (check the terminal's "
                f"or {PASSPHRASE_ENV}'s encoding)"
            ) from None
    else:
        data = bytes(passphrase)
    if not data:
        raise PassphraseError("the key passphrase must not be empty")
    return data


def new_passphrase_bytes(passphrase: str | bytes) -> bytes:
    """:func:`passphrase_bytes` for a passphrase that will protect a new key.

    Also refuses (:class:`PassphraseError`) one shorter than
    :data:`MIN_PASSPHRASE_LENGTH` characters.
    """
    data = passphrase_bytes(passphrase)
    length = len(passphrase) if isinstance(passphrase, str) else len(data)
    if length < MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"the key passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long"
        )
    return data
