"""Issuing passports: validate the record, allocate status, build, sign, record.

Crash safety: a passport is built, signed and recorded in one ledger
transaction (status indices, the passport with its signed text, the audit
entry); only after that commit does anyone write the passport file
(:meth:`IssuedPassport.write`, atomic). A crash can therefore leave a passport the
ledger knows whose file is missing, never a passport file the ledger does not
know; ``innopass passport export ID`` (or :meth:`Issuer.passport`'s
``credential_text``) writes it again from the ledger. A write that fails raises
:class:`~innopass.issuer.output.OutputError` naming the passport.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from innopass._internal.canonical import sha256_digest
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ISSUER_TYPE, PASSPORT_TYPE, SUBJECT_TYPE, VC_TYPE
from innopass._internal.files import atomic_write
from innopass._internal.jose import sign_vc_jwt
from innopass._internal.jsonio import JSONObject, JSONValue, dumps_pretty
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.suites import suite_for_key
from innopass._internal.timestamps import format_datetime, utc_now
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    RecordInvalidError,
    SchemaProblem,
)
from innopass.issuer.bundle import build_bundle
from innopass.issuer.home import HomeSnapshot, OrganisationHome
from innopass.issuer.ledger import (
    Ledger,
    PassportEntry,
    StatusAction,
    StatusAllocation,
)
from innopass.issuer.output import OutputError
from innopass.issuer.status_lists import (
    DEFAULT_STATUS_VALIDITY,
    PublishedStatusList,
    change_status,
    publish_status_lists,
    sign_status_lists,
)
from innopass.issuer.trust_list import (
    DEFAULT_SCOPES,
    DEFAULT_TRUST_LIST_VALIDITY,
    SignedTrustList,
    sign_trust_list,
)
from innopass.keys import PrivateKey
from innopass.record import AssessmentRecord
from innopass.status import StatusEntry, StatusPurpose, list_id
from innopass.trust import AccreditedScope, Bundle, OrganisationDescription

__all__ = ["IssuedPassport", "Issuer", "PassportFormat"]


class PassportFormat(StrEnum):
    """How a passport is secured: a Data Integrity proof, or a ``vc+jwt`` compact JWS."""

    DI = "di"
    JWT = "jwt"


@dataclass(frozen=True, slots=True)
class IssuedPassport:
    """A passport just issued and recorded in the ledger."""

    id: str
    """The credential id, ``urn:uuid:…``."""
    format: PassportFormat
    credential: JSONObject
    """The credential: with its ``proof`` (DI), or the unsecured one the JWS carries (JWT)."""
    token: str | None
    """The compact JWS (JWT format only)."""
    verification_method: str
    status: tuple[StatusEntry, ...]

    def text(self) -> str:
        """The passport file's content: pretty JSON (DI) or the compact JWS and a newline (JWT)."""
        if self.token is not None:
            return self.token + "\n"
        return dumps_pretty(self.credential)

    def filename(self) -> str:
        """A file name for the passport: ``<uuid>.json`` or ``<uuid>.jwt``."""
        stem = self.id.removeprefix("urn:uuid:")
        return f"{stem}.jwt" if self.format is PassportFormat.JWT else f"{stem}.json"

    def write(self, path: Path) -> None:
        """Write the passport file atomically (never half a passport).

        Raises :class:`~innopass.issuer.output.OutputError` (with ``passport_id``)
        if the file cannot be written; the passport stays in the ledger.
        """
        try:
            atomic_write(path, self.text().encode("utf-8"), mode=0o644)
        except OSError as exc:
            raise OutputError(
                f"passport {self.id} is recorded in the ledger, but {path} cannot be written "
                f"({exc.strerror or exc}); write it again with "
                f"`innopass passport export {self.id} -o FILE`",
                path=path,
                passport_id=self.id,
            ) from exc


class Issuer:
    """Signs passports and status lists for one organisation home.

    ``key`` must be the organisation's current signing key. Build with
    :meth:`from_home`; use as a context manager (or call :meth:`close`) to close
    the ledger::

        with Issuer.from_home(home, passphrase=secret) as issuer:
            passport = issuer.issue(record)
            passport.write(Path(passport.filename()))
    """

    def __init__(
        self,
        home: OrganisationHome,
        key: PrivateKey,
        *,
        ledger: Ledger,
        clock: Callable[[], datetime] = utc_now,
        randbelow: Callable[[int], int] = secrets.randbelow,
        snapshot: HomeSnapshot | None = None,
    ) -> None:
        self.home = home
        self._key = key
        self._ledger = ledger
        self._clock = clock
        self._randbelow = randbelow
        current = snapshot or home.snapshot()
        self._description = current.description
        self._key_id = current.current_key_id
        self._stamp = current.stamp
        method = self._description.did_document.method(self._key_id)
        if method is None or method.public_key != key.public_key():
            raise KeyMaterialError(
                f"the key given is not the organisation's current key {self._key_id}"
            )

    @classmethod
    def from_home(
        cls,
        path: str | os.PathLike[str],
        *,
        passphrase: str | bytes,
        clock: Callable[[], datetime] = utc_now,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> Issuer:
        """Open the home at ``path`` and decrypt its current signing key.

        Raises :class:`~innopass.errors.PassphraseError` for a wrong passphrase and
        :class:`~innopass.errors.ConfigurationError` when ``path`` holds no home.
        ``organisation.json`` is read once.
        """
        home = OrganisationHome.open(Path(path))
        snapshot = home.snapshot()
        key = home.load_key(snapshot.current_key_id, passphrase, description=snapshot.description)
        ledger = home.open_ledger(clock=clock)
        try:
            return cls(
                home, key, ledger=ledger, clock=clock, randbelow=randbelow, snapshot=snapshot
            )
        except BaseException:
            ledger.close()
            raise

    def close(self) -> None:
        """Close the ledger."""
        self._ledger.close()

    def __enter__(self) -> Issuer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- facts ------------------------------------------------------------------------

    @property
    def description(self) -> OrganisationDescription:
        """The organisation's public description."""
        return self._description

    @property
    def did(self) -> str:
        """The organisation's DID."""
        return self._description.did

    @property
    def key_id(self) -> str:
        """The verification method new signatures name."""
        return self._key_id

    @property
    def ledger(self) -> Ledger:
        """The organisation's ledger (open while the issuer is)."""
        return self._ledger

    def now(self) -> datetime:
        """The issuer's clock."""
        return self._clock()

    # --- signing ----------------------------------------------------------------------

    def ensure_current_key(self) -> None:
        """Refuse to sign if another process rotated the key since this issuer loaded it.

        Call inside a ledger transaction (rotation holds the same lock).
        """
        if self.home.stamp() == self._stamp:
            return
        current = self.home.snapshot()
        if current.current_key_id != self._key_id:
            raise KeyMaterialError(
                "the organisation's signing key was rotated while this process was running; "
                "run the command again"
            )
        self._description = current.description
        self._stamp = current.stamp

    def sign_document(self, document: Mapping[str, Any], *, created: datetime) -> JSONObject:
        """Add a Data Integrity proof made with the current key (``assertionMethod``)."""
        return add_proof(
            document,
            key=self._key,
            suite=suite_for_key(self._key.key_type),
            options=ProofOptions(verification_method=self._key_id, created=created),
        )

    # --- issuing ----------------------------------------------------------------------

    def prepare(self, record: AssessmentRecord | Mapping[str, JSONValue]) -> AssessmentRecord:
        """Validate ``record`` for this organisation; raise :class:`RecordInvalidError` if not.

        Beyond the schema, the record must name this organisation as
        ``assessing_org``, must not already have expired, and its validity must
        start before its mandatory evidence expires.
        """
        parsed = (
            record if isinstance(record, AssessmentRecord) else AssessmentRecord.from_json(record)
        )
        problems: list[SchemaProblem] = []
        if parsed.assessing_org.ods_code != self._description.ods_code:
            problems.append(
                SchemaProblem(
                    "/assessing_org/ods_code",
                    f"{parsed.assessing_org.ods_code!r} is not this organisation "
                    f"({self._description.ods_code})",
                )
            )
        valid_until = parsed.effective_valid_until()
        if valid_until <= self._clock():
            problems.append(
                SchemaProblem("/validity/valid_until", "the record's validity has ended")
            )
        elif valid_until <= _start_of_day(parsed.validity.valid_from):
            problems.append(
                SchemaProblem(
                    "/validity/valid_from",
                    "the record's mandatory evidence expires before its validity starts",
                )
            )
        if problems:
            raise RecordInvalidError(problems)
        return parsed

    def issue(
        self,
        record: AssessmentRecord | Mapping[str, JSONValue],
        *,
        format: PassportFormat | str = PassportFormat.DI,
    ) -> IssuedPassport:
        """Issue one passport from ``record`` and record it in the ledger.

        ``format`` is ``"di"`` (Data Integrity proof, the default) or ``"jwt"``
        (``vc+jwt``). Raises :class:`~innopass.errors.RecordInvalidError` for an
        invalid record; nothing is recorded then.
        """
        return self._issue(self.prepare(record), _format(format))

    def issue_batch(
        self,
        records: Iterable[AssessmentRecord | Mapping[str, JSONValue]],
        *,
        format: PassportFormat | str = PassportFormat.DI,
        on_issued: Callable[[IssuedPassport], None] | None = None,
    ) -> list[IssuedPassport]:
        """Issue a passport from each record, after checking them all.

        If any record is invalid, nothing is issued: :class:`RecordInvalidError`
        lists every problem, each path prefixed with ``/<n>`` (the record's
        position). Each passport is its own transaction; ``on_issued`` is called
        after each commit (the command line writes the file there).
        """
        fmt = _format(format)
        prepared = self.prepare_batch(records)
        issued = []
        for record in prepared:
            passport = self._issue(record, fmt)
            if on_issued is not None:
                on_issued(passport)
            issued.append(passport)
        return issued

    def prepare_batch(
        self, records: Iterable[AssessmentRecord | Mapping[str, JSONValue]]
    ) -> list[AssessmentRecord]:
        """Validate every record; raise one :class:`RecordInvalidError` listing all problems."""
        prepared: list[AssessmentRecord] = []
        problems: list[SchemaProblem] = []
        for position, record in enumerate(records):
            try:
                prepared.append(self.prepare(record))
            except RecordInvalidError as exc:
                problems += [SchemaProblem(f"/{position}{p.path}", p.message) for p in exc.problems]
        if problems:
            raise RecordInvalidError(problems, what="batch")
        return prepared

    def _issue(self, record: AssessmentRecord, fmt: PassportFormat) -> IssuedPassport:
        record_json = record.to_json()
        digest = sha256_digest(record_json)  # == record.digest(), without a second to_json()
        valid_until = record.effective_valid_until()
        starts = _start_of_day(record.validity.valid_from)
        passport_id = f"urn:uuid:{uuid.uuid4()}"
        base = self._description.status_list_base
        with self._ledger.transaction() as tx:
            self.ensure_current_key()
            now = self._clock()
            entries = tuple(
                _status_entry(
                    base,
                    tx.allocate_status(purpose, passport_id, randbelow=self._randbelow),
                )
                for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
            )
            credential: JSONObject = {
                "@context": list(PASSPORT_CONTEXT),
                "id": passport_id,
                "type": [VC_TYPE, PASSPORT_TYPE],
                "name": f"Innovator passport: {record.product_name}",
                "issuer": {
                    "id": self._description.did,
                    "type": ISSUER_TYPE,
                    "name": self._description.name,
                    "odsCode": self._description.ods_code,
                },
                # The passport holds from its issue, but never before the decision does.
                "validFrom": format_datetime(max(now, starts)),
                "validUntil": format_datetime(valid_until),
                "credentialSubject": {
                    "id": record.record_id,
                    "type": SUBJECT_TYPE,
                    "assessmentRecord": record_json,
                    "recordDigest": digest,
                },
                "credentialSchema": {
                    "id": RECORD_SCHEMA_ID,
                    "type": "JsonSchema",
                    "digestSRI": schema_digest_sri(RECORD_SCHEMA),
                },
                "credentialStatus": [entry.to_json() for entry in entries],
            }
            token: str | None = None
            if fmt is PassportFormat.JWT:
                token = sign_vc_jwt(credential, self._key, kid=self._key_id, issued_at=now)
            else:
                credential = self.sign_document(credential, created=now)
            passport = IssuedPassport(
                id=passport_id,
                format=fmt,
                credential=credential,
                token=token,
                verification_method=self._key_id,
                status=entries,
            )
            tx.add_passport(
                PassportEntry(
                    id=passport_id,
                    record_id=record.record_id,
                    record_digest=digest,
                    format=fmt.value,
                    issued_at=now,
                    valid_until=valid_until,
                    verification_method=self._key_id,
                    status=tuple(entry.to_json() for entry in entries),
                    credential_text=passport.text(),
                )
            )
            tx.audit(
                "issue",
                passport_id,
                {
                    "recordId": record.record_id,
                    "recordDigest": digest,
                    "format": fmt.value,
                    "verificationMethod": self._key_id,
                    "validUntil": format_datetime(valid_until),
                    "status": [
                        {"purpose": e.purpose, "list": e.list_id, "index": e.index} for e in entries
                    ],
                },
            )
        return passport

    # --- status, bundles, trust lists -------------------------------------------------

    def passport(self, passport_id: str) -> PassportEntry:
        """The ledger's record of a passport; raises ``PassportNotFoundError``."""
        return self._ledger.passport(passport_id)

    def change_status(self, passport_id: str, action: StatusAction | str) -> PassportEntry:
        """Revoke, suspend or reinstate a passport (see :meth:`LedgerTransaction.change_status`)."""
        return change_status(self._ledger, passport_id, action)

    def revoke(self, passport_id: str) -> PassportEntry:
        """Revoke a passport (final)."""
        return self.change_status(passport_id, StatusAction.REVOKE)

    def suspend(self, passport_id: str) -> PassportEntry:
        """Suspend a passport (reversible with :meth:`reinstate`)."""
        return self.change_status(passport_id, StatusAction.SUSPEND)

    def reinstate(self, passport_id: str) -> PassportEntry:
        """Lift a suspension (a revoked passport cannot be reinstated)."""
        return self.change_status(passport_id, StatusAction.REINSTATE)

    def signed_status_lists(
        self,
        lists: Sequence[tuple[StatusPurpose, int]] | None = None,
        *,
        valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
    ) -> list[PublishedStatusList]:
        """Sign the current state of ``lists`` (default: every list) and audit it."""
        return sign_status_lists(self, lists, valid_for=valid_for)

    def publish_status_lists(
        self, directory: Path, *, valid_for: timedelta = DEFAULT_STATUS_VALIDITY
    ) -> list[PublishedStatusList]:
        """Sign every status list and write each to ``directory/<purpose>/<n>`` (FORMATS.md §3)."""
        return publish_status_lists(self, directory, valid_for=valid_for)

    def bundle(
        self,
        passport: str,
        *,
        trust_list: Mapping[str, JSONValue] | None = None,
        valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
    ) -> Bundle:
        """A bundle for the passport ``passport`` (its id, or its text) (FORMATS.md §6)."""
        return build_bundle(self, passport, trust_list=trust_list, valid_for=valid_for)

    def sign_trust_list(
        self,
        issuers: Sequence[OrganisationDescription],
        *,
        scopes: Sequence[AccreditedScope] = DEFAULT_SCOPES,
        valid_for: timedelta = DEFAULT_TRUST_LIST_VALIDITY,
        withdrawn: Mapping[str, datetime | None] | None = None,
        successors: Mapping[str, str] | None = None,
    ) -> SignedTrustList:
        """As a trust anchor, sign the next version of a trust list naming ``issuers``.

        ``withdrawn`` maps ODS codes to their withdrawal time (``None``: the
        signing time); ``successors`` maps ODS codes to their successor's ODS
        code (see :func:`~innopass.issuer.trust_list.sign_trust_list`).
        """
        return sign_trust_list(
            self,
            issuers,
            scopes=scopes,
            valid_for=valid_for,
            withdrawn=withdrawn,
            successors=successors,
        )


def _status_entry(base: str, allocation: StatusAllocation) -> StatusEntry:
    identifier = list_id(base, allocation.purpose.value, allocation.list_number)
    return StatusEntry(
        purpose=allocation.purpose.value,
        index=allocation.index,
        list_id=identifier,
        entry_id=f"{identifier}#{allocation.index}",
    )


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _format(value: PassportFormat | str) -> PassportFormat:
    try:
        return PassportFormat(value)
    except ValueError:
        raise ConfigurationError(f"passport format must be 'di' or 'jwt', not {value!r}") from None
