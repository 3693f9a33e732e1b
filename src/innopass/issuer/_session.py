"""What the issuer and the trust anchor share: an organisation home opened to sign.

A session holds the home, its decrypted current key (as a
:class:`~innopass.issuer._signer.HomeSigner`), its ledger and a clock. Use it as a
context manager, or call :meth:`close`, to close the ledger.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Self

from innopass._internal.timestamps import utc_now
from innopass.issuer._home import OrganisationHome
from innopass.issuer._ledger import Ledger
from innopass.issuer._signer import HomeSigner, Signer
from innopass.trust import OrganisationDescription

__all__ = ["Session"]


class Session:
    """An organisation home opened to sign: home, signer, ledger, clock."""

    def __init__(
        self,
        home: OrganisationHome,
        signer: Signer,
        *,
        ledger: Ledger,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.home = home
        self._signer = signer
        self._ledger = ledger
        self._clock = clock

    @classmethod
    def _open(
        cls, path: str | os.PathLike[str], passphrase: str | bytes, clock: Callable[[], datetime]
    ) -> tuple[OrganisationHome, HomeSigner, Ledger]:
        """Open the home at ``path``, decrypt its current key and open its ledger.

        Raises :class:`~innopass.errors.PassphraseError` for a wrong passphrase and
        :class:`~innopass.errors.ConfigurationError` when ``path`` holds no home.
        """
        home = OrganisationHome.open(Path(path))
        signer = HomeSigner.open(home, passphrase)
        return home, signer, home.open_ledger(clock=clock, description=signer.description)

    def close(self) -> None:
        """Close the ledger."""
        self._ledger.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def description(self) -> OrganisationDescription:
        """The organisation's public description."""
        return self._signer.description

    @property
    def did(self) -> str:
        """The organisation's DID."""
        return self._signer.description.did

    @property
    def key_id(self) -> str:
        """The verification method new signatures name."""
        return self._signer.key_id

    @property
    def ledger(self) -> Ledger:
        """The organisation's ledger (open while the session is)."""
        return self._ledger

    def now(self) -> datetime:
        """The session's clock."""
        return self._clock()
