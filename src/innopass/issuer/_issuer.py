"""Issuing passports: validate the record, allocate status, build, sign, record.

Crash safety: a passport is built, signed and recorded in one ledger
transaction (status indices, the passport with its signed text, the audit
entry; a batch commits a group of passports per transaction); only after that
commit does anyone write the passport file
(:meth:`IssuedPassport.write`, atomic). A crash can therefore leave a passport the
ledger knows whose file is missing, never a passport file the ledger does not
know; ``innopass passport export ID`` (or :meth:`Issuer.passport`'s
``credential_text``) writes it again from the ledger.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Self

from innopass._internal.canonical import sha256_digest
from innopass._internal.credential import credential_types
from innopass._internal.encoding import b64url_decode
from innopass._internal.jsonio import JSONObject, JSONValue, loads_strict, require_object
from innopass._internal.timestamps import format_datetime, parse_datetime, utc_now
from innopass.errors import (
    CheckFailed,
    ConfigurationError,
    CredentialInvalidError,
    FailureCode,
    OutputError,
    PassportNotFoundError,
    RecordInvalidError,
    SchemaProblem,
)
from innopass.issuer._bundle import build_bundle
from innopass.issuer._credential import DEFAULT_CREDENTIAL_VALIDITY, prepare_credential
from innopass.issuer._home import OrganisationHome
from innopass.issuer._ledger import (
    Ledger,
    LedgerTransaction,
    PassportEntry,
    StatusAction,
    StatusAllocation,
)
from innopass.issuer._passport import (
    IssuedPassport,
    PassportFormat,
    build_passport,
    passport_format,
)
from innopass.issuer._session import Session
from innopass.issuer._signer import Signer
from innopass.issuer._status_lists import (
    DEFAULT_STATUS_VALIDITY,
    PublishedStatusList,
    change_status,
    publish_status_lists,
    sign_status_lists,
)
from innopass.record import AssessmentRecord
from innopass.status import StatusEntry, StatusPurpose, list_id
from innopass.trust import Bundle

__all__ = ["ISSUE_GROUP", "Issuer", "PreparedBatch"]

#: Passports committed per ledger transaction in :meth:`Issuer.issue_batch`: one
#: durable commit (a full fsync) per group instead of per passport, while the
#: ledger's write lock is held for a fraction of a second at most.
ISSUE_GROUP = 64


class PreparedBatch(tuple[AssessmentRecord, ...]):
    """Records :meth:`Issuer.prepare_batch` has checked for the organisation ``did``."""

    did: str

    def __new__(cls, records: Iterable[AssessmentRecord], did: str) -> Self:
        batch = super().__new__(cls, records)
        batch.did = did
        return batch


def new_passport_id() -> str:
    """A fresh passport id, ``urn:uuid:`` and a random (version 4) UUID."""
    return f"urn:uuid:{uuid.uuid4()}"


class Issuer(Session):
    """Signs passports and status lists for one organisation home.

    Build with :meth:`from_home`; use as a context manager (or call :meth:`close`)
    to close the ledger::

        with Issuer.from_home(home, passphrase=secret) as issuer:
            passport = issuer.issue(record)
            passport.write(Path(passport.filename()))

    ``clock``, ``new_id`` (passport ids) and ``randbelow`` (status indices) are
    injected, so that tests and the benchmark can fix them.
    """

    def __init__(
        self,
        home: OrganisationHome,
        signer: Signer,
        *,
        ledger: Ledger,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_passport_id,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> None:
        super().__init__(home, signer, ledger=ledger, clock=clock)
        self._new_id = new_id
        self._randbelow = randbelow

    @classmethod
    def from_home(
        cls,
        path: str | os.PathLike[str],
        *,
        passphrase: str | bytes,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_passport_id,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> Issuer:
        """Open the home at ``path`` and decrypt its current signing key.

        Raises :class:`~innopass.errors.PassphraseError` for a wrong passphrase and
        :class:`~innopass.errors.ConfigurationError` when ``path`` holds no home.
        """
        home, signer, ledger = cls._open(path, passphrase, clock)
        return cls(home, signer, ledger=ledger, clock=clock, new_id=new_id, randbelow=randbelow)

    # --- issuing ----------------------------------------------------------------------

    def prepare(self, record: AssessmentRecord | Mapping[str, JSONValue]) -> AssessmentRecord:
        """Validate ``record`` for this organisation; raise :class:`RecordInvalidError` if not.

        Beyond the schema, the record's own rules must hold
        (:meth:`AssessmentRecord.problems <innopass.record.AssessmentRecord.problems>`:
        its cross-references resolve, no mandatory evidence has expired, its
        validity has not ended and starts before its mandatory evidence expires)
        and it must name this organisation as ``assessing_org``.
        """
        parsed = (
            record if isinstance(record, AssessmentRecord) else AssessmentRecord.from_json(record)
        )
        problems = parsed.problems(now=self._clock(), ods_code=self.description.ods_code)
        if problems:
            raise RecordInvalidError(problems)
        return parsed

    def prepare_batch(
        self, records: Iterable[AssessmentRecord | Mapping[str, JSONValue]]
    ) -> PreparedBatch:
        """Validate every record; raise one :class:`RecordInvalidError` listing all problems,
        each path prefixed with ``/<n>`` (the record's position). :meth:`issue_batch`
        takes the result without checking it again."""
        prepared: list[AssessmentRecord] = []
        problems: list[SchemaProblem] = []
        for position, record in enumerate(records):
            try:
                prepared.append(self.prepare(record))
            except RecordInvalidError as exc:
                problems += [SchemaProblem(f"/{position}{p.path}", p.message) for p in exc.problems]
        if problems:
            raise RecordInvalidError(problems, what="batch")
        return PreparedBatch(prepared, self.did)

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
        return self._issue(self.prepare(record), passport_format(format))

    def issue_batch(
        self,
        records: Iterable[AssessmentRecord | Mapping[str, JSONValue]],
        *,
        format: PassportFormat | str = PassportFormat.DI,
        on_issued: Callable[[IssuedPassport], None] | None = None,
        group: int = ISSUE_GROUP,
    ) -> list[IssuedPassport]:
        """Issue a passport from each record, after checking them all.

        If any record is invalid, nothing is issued (:meth:`prepare_batch`). The
        passports are committed in groups of ``group``, one durable transaction
        each; ``on_issued`` is called for each passport of a group only after the
        group's commit (the command line writes the files there). A crash or kill
        mid-batch therefore loses nothing that was reported: a group is in the
        ledger entirely or not at all, and a rolled-back group's status indices were
        never published.
        """
        if group < 1:
            raise ConfigurationError(f"group must be at least 1, not {group}")
        fmt = passport_format(format)
        prepared = (
            records
            if isinstance(records, PreparedBatch) and records.did == self.did
            else self.prepare_batch(records)
        )
        issued: list[IssuedPassport] = []
        for start in range(0, len(prepared), group):
            with self._ledger.transaction() as tx:
                tx.require_intact()
                self._signer.check_current()
                done = [self._issue_in(tx, r, fmt) for r in prepared[start : start + group]]
            for passport in done:
                if on_issued is not None:
                    on_issued(passport)
            issued += done
        return issued

    def issue_credential(
        self,
        credential: Mapping[str, JSONValue],
        *,
        format: PassportFormat | str = PassportFormat.DI,
        purposes: Sequence[StatusPurpose] = (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION),
        types: Collection[str] | None = None,
        valid_for: timedelta = DEFAULT_CREDENTIAL_VALIDITY,
    ) -> IssuedPassport:
        """Sign a VC 2.0 credential that is not a passport and record it in the ledger.

        The credential is checked by :func:`~innopass.issuer._credential.prepare_credential`
        (``types``: the types this organisation signs, ``None`` for any; ``valid_for``:
        the validity given to a credential that states none). Unless it brings its
        own ``credentialStatus``, one entry per purpose in ``purposes`` is allocated
        in the organisation's lists as for a passport (an object for one, a list for
        several), so that it is revoked, suspended and reinstated like one.

        Issuing is idempotent by id: the same credential (same JSON, same format)
        submitted again returns what was issued the first time, with no new
        signature or allocation; a different credential with an id already in the
        ledger is refused (:class:`~innopass.errors.CredentialInvalidError`). In the
        ledger its ``record_id`` is its own id and its ``record_digest`` the SHA-256
        of the JCS of the credential as submitted; its ``issue`` audit entry says
        ``"kind": "credential"``.
        """
        fmt = passport_format(format)
        chosen = tuple(dict.fromkeys(StatusPurpose(p) for p in purposes))
        submitted = sha256_digest(credential)
        signer = self._signer
        with self._ledger.transaction() as tx:
            tx.require_intact()
            signer.check_current()
            organisation = signer.description
            now = self._clock()
            prepared = prepare_credential(
                credential,
                organisation_did=organisation.did,
                status_base=organisation.status_list_base,
                now=now,
                new_id=self._new_id,
                valid_for=valid_for,
                types=types,
            )
            credential_id = str(prepared["id"])
            earlier = self._issued_before(credential_id, submitted, fmt)
            if earlier is not None:
                return earlier
            entries: tuple[StatusEntry, ...] = ()
            if "credentialStatus" not in prepared:
                entries = tuple(
                    _status_entry(
                        organisation.status_list_base,
                        tx.allocate_status(purpose, credential_id, randbelow=self._randbelow),
                    )
                    for purpose in chosen
                )
                status_json: list[JSONValue] = [entry.to_json() for entry in entries]
                if status_json:
                    prepared["credentialStatus"] = (
                        status_json[0] if len(status_json) == 1 else status_json
                    )
            token: str | None = None
            secured: JSONObject = prepared
            if fmt is PassportFormat.JWT:
                token = signer.sign_jwt(prepared, issued_at=now)
            else:
                secured = signer.sign(prepared, created=now)
            issued = IssuedPassport(
                id=credential_id,
                format=fmt,
                credential=secured,
                token=token,
                verification_method=signer.key_id,
                status=entries,
            )
            valid_until = parse_datetime(prepared["validUntil"], path="/validUntil")
            tx.add_passport(
                PassportEntry(
                    id=credential_id,
                    record_id=credential_id,
                    record_digest=submitted,
                    format=fmt.value,
                    issued_at=now,
                    valid_until=valid_until,
                    verification_method=signer.key_id,
                    status=tuple(entry.to_json() for entry in entries),
                    credential_text=issued.text(),
                ),
                details={
                    "kind": "credential",
                    "types": list(credential_types(prepared)),
                    "validUntil": format_datetime(valid_until),
                },
            )
        return issued

    def _issued_before(
        self, credential_id: str, submitted: str, fmt: PassportFormat
    ) -> IssuedPassport | None:
        """What was issued under ``credential_id`` from the same submission, if anything.

        Raises :class:`CredentialInvalidError` when the id was used for something else.
        """
        try:
            entry = self._ledger.passport(credential_id)
        except PassportNotFoundError:
            return None
        if entry.record_digest != submitted or entry.format != fmt.value:
            raise CredentialInvalidError(
                [
                    CheckFailed(
                        FailureCode.MALFORMED,
                        f"{credential_id[:200]} was already issued, differently",
                        "/id",
                    )
                ]
            )
        text = entry.credential_text
        token = text.strip() if fmt is PassportFormat.JWT else None
        secured = require_object(
            loads_strict(b64url_decode(token.split(".")[1], what="JWS payload") if token else text),
            what="recorded credential",
        )
        return IssuedPassport(
            id=credential_id,
            format=fmt,
            credential=secured,
            token=token,
            verification_method=entry.verification_method,
            status=tuple(StatusEntry.from_json(s) for s in entry.status),
        )

    def _issue(self, record: AssessmentRecord, fmt: PassportFormat) -> IssuedPassport:
        with self._ledger.transaction() as tx:
            tx.require_intact()
            self._signer.check_current()
            return self._issue_in(tx, record, fmt)

    def _issue_in(
        self, tx: LedgerTransaction, record: AssessmentRecord, fmt: PassportFormat
    ) -> IssuedPassport:
        """Build, sign and record one passport inside the open transaction ``tx``."""
        record_json = record.to_json()
        passport_id = self._new_id()
        signer = self._signer
        organisation = signer.description
        now = self._clock()
        entries = tuple(
            _status_entry(
                organisation.status_list_base,
                tx.allocate_status(purpose, passport_id, randbelow=self._randbelow),
            )
            for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
        )
        credential = build_passport(
            record,
            organisation=organisation,
            passport_id=passport_id,
            now=now,
            status=entries,
            record_json=record_json,
        )
        token: str | None = None
        if fmt is PassportFormat.JWT:
            token = signer.sign_jwt(credential, issued_at=now)
        else:
            credential = signer.sign(credential, created=now)
        passport = IssuedPassport(
            id=passport_id,
            format=fmt,
            credential=credential,
            token=token,
            verification_method=signer.key_id,
            status=entries,
        )
        subject = credential["credentialSubject"]
        assert isinstance(subject, dict)
        digest = str(subject["recordDigest"])
        valid_until = record.effective_valid_until()
        tx.add_passport(
            PassportEntry(
                id=passport_id,
                record_id=record.record_id,
                record_digest=digest,
                format=fmt.value,
                issued_at=now,
                valid_until=valid_until,
                verification_method=signer.key_id,
                status=tuple(entry.to_json() for entry in entries),
                credential_text=passport.text(),
            ),
            details={"recordId": record.record_id, "validUntil": format_datetime(valid_until)},
        )
        return passport

    # --- status and bundles -----------------------------------------------------------

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
        return sign_status_lists(
            self._signer, self._ledger, clock=self._clock, lists=lists, valid_for=valid_for
        )

    def publish_status_lists(
        self, directory: Path, *, valid_for: timedelta = DEFAULT_STATUS_VALIDITY
    ) -> list[PublishedStatusList]:
        """Sign every status list and write each to ``directory/<purpose>/<n>`` (FORMATS.md §3).

        ``directory`` must be outside the home's keys and ledger, and no
        ``<purpose>`` folder or list file in it may be a symbolic link
        (:class:`~innopass.errors.OutputError`), checked before anything is signed.
        """
        self.home.check_output_dir(directory)
        for info in self._ledger.status_lists():
            folder = directory / info.purpose.value
            path = folder / str(info.list_number)
            for part in (folder, path):
                if part.is_symlink():
                    raise OutputError(
                        f"refusing to write through the symbolic link {part}: status lists "
                        "are written only into real directories",
                        path=part,
                    )
            self.home.check_output_file(path)  # resolved: never into the keys or the ledger
        return publish_status_lists(
            self._signer, self._ledger, directory, clock=self._clock, valid_for=valid_for
        )

    def bundle(
        self,
        passport: str,
        *,
        trust_list: Mapping[str, JSONValue] | None = None,
        valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
    ) -> Bundle:
        """A bundle for the passport ``passport`` (its id, or its text) (FORMATS.md §6)."""
        return build_bundle(
            self._signer,
            self._ledger,
            passport,
            clock=self._clock,
            trust_list=trust_list,
            valid_for=valid_for,
        )


def _status_entry(base: str, allocation: StatusAllocation) -> StatusEntry:
    identifier = list_id(base, allocation.purpose.value, allocation.list_number)
    return StatusEntry(
        purpose=allocation.purpose.value,
        index=allocation.index,
        list_id=identifier,
        entry_id=f"{identifier}#{allocation.index}",
    )
