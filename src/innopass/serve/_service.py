"""What one worker process of the service holds: the signing capability, the ledger, a verifier.

The organisation's key is decrypted once, before the workers start (they are
forked from that process, so the passphrase never travels to them). Each worker
then opens its own ledger connection in one dedicated thread (SQLite connections
stay in the thread that opened them): every issue, status change and status-list
read of that worker runs there, one at a time, and the workers are serialised
against each other by the ledger's own write lock, so concurrent requests can
neither reuse a status index nor lose a status change.

Status lists are signed on demand: a request for a list compares the bits the
ledger holds now with those of the copy this worker signed last, and signs again
when they differ or the copy is older than the refresh interval. A list fetched
after a revocation was answered therefore always shows it, whichever worker
answers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import utc_now
from innopass.issuer import Issuer, OrganisationHome, PublishedStatusList
from innopass.issuer._signer import HomeSigner
from innopass.serve._config import ServiceConfig
from innopass.serve._tokens import TokenStore
from innopass.status import StatusPurpose
from innopass.trust import OrganisationDescription
from innopass.verifier import (
    PresentationResult,
    TrustStore,
    VerificationResult,
    Verifier,
    VerifierHome,
)

__all__ = ["Opened", "WorkerState", "open_organisation"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Opened:
    """The organisation home opened to serve: decrypted once, shared by forked workers."""

    home: OrganisationHome
    signer: HomeSigner
    config: ServiceConfig
    tokens: TokenStore

    @property
    def description(self) -> OrganisationDescription:
        return self.signer.description


def open_organisation(home: OrganisationHome, passphrase: str | bytes) -> Opened:
    """Decrypt the home's current key and read its service settings."""
    signer = HomeSigner.open(home, passphrase)
    return Opened(
        home=home,
        signer=signer,
        config=ServiceConfig.load(home.path),
        tokens=TokenStore(home.path),
    )


@dataclass(slots=True)
class _SignedList:
    bits: bytes
    signed_at: datetime
    published: PublishedStatusList


class WorkerState:
    """One worker's ledger thread, status-list copies and verifier (built after the fork)."""

    def __init__(self, opened: Opened, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.opened = opened
        self._clock = clock
        self._issuer: Issuer | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="innopass-ledger", initializer=self._open
        )
        self._lists: dict[tuple[StatusPurpose, int], _SignedList] = {}
        self._lists_lock = threading.Lock()
        self.verifier = self._build_verifier()

    # --- the ledger thread --------------------------------------------------------------

    def _open(self) -> None:
        opened = self.opened
        self._issuer = Issuer(
            opened.home,
            opened.signer,
            ledger=opened.home.open_ledger(clock=self._clock),
            clock=self._clock,
        )

    def _with_issuer(self, work: Callable[[Issuer], T]) -> T:
        assert self._issuer is not None  # the executor's initializer opened it
        return work(self._issuer)

    async def ledger(self, work: Callable[[Issuer], T]) -> T:
        """Run ``work`` with this worker's issuer, in its ledger thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._with_issuer, work)

    def close(self) -> None:
        """Close the ledger (after the in-flight requests finished)."""

        def shut(issuer: Issuer) -> None:
            issuer.close()

        self._executor.submit(self._with_issuer, shut).result()
        self._executor.shutdown(wait=True)

    # --- status lists -------------------------------------------------------------------

    def status_list(self, issuer: Issuer, purpose: StatusPurpose, number: int) -> JSONObject:
        """The signed list, fresh (runs in the ledger thread; LedgerError if there is none)."""
        bits = issuer.ledger.status_bits(purpose, number)
        now = self._clock()
        key = (purpose, number)
        with self._lists_lock:
            held = self._lists.get(key)
        config = self.opened.config
        if (
            held is not None
            and held.bits == bits
            and now - held.signed_at < config.status_list_refresh
        ):
            return held.published.credential
        (published,) = issuer.signed_status_lists(
            [(purpose, number)], valid_for=config.status_list_validity
        )
        with self._lists_lock:
            self._lists[key] = _SignedList(bits, now, published)
        return published.credential

    def all_status_lists(self, issuer: Issuer) -> list[JSONObject]:
        """Every list of the ledger, fresh (for verifying this organisation's credentials)."""
        return [
            self.status_list(issuer, info.purpose, info.list_number)
            for info in issuer.ledger.status_lists()
        ]

    # --- verification -------------------------------------------------------------------

    def _build_verifier(self) -> Verifier:
        """The home's verifier trust store, with this organisation pinned by its description."""
        store: TrustStore = VerifierHome(self.opened.home.path).load()
        store = store.with_issuer(self.opened.description)
        return Verifier(store, clock=self._clock)

    def verify(
        self,
        document: str | Mapping[str, JSONValue],
        status_lists: Sequence[JSONObject],
    ) -> VerificationResult:
        """Verify with this organisation's current status lists offered (never raises)."""
        return self.verifier.verify(document, status_lists=status_lists)

    def verify_presentation(
        self,
        document: str | Mapping[str, JSONValue],
        status_lists: Sequence[JSONObject],
        challenge: str | None,
        domain: str | None,
    ) -> PresentationResult:
        """Verify a presentation and the credentials in it (never raises)."""
        return self.verifier.verify_presentation(
            document, challenge=challenge, domain=domain, status_lists=status_lists
        )
