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
from innopass._internal.jsonio import (
    JSONObject,
    JSONValue,
    dumps_pretty,
    loads_strict,
    plain_without_floats,
    require_object,
)
from innopass._internal.timestamps import format_datetime, parse_datetime, utc_now
from innopass.adoption import Decision, build_adoption_credential
from innopass.errors import (
    CheckFailed,
    ConfigurationError,
    CredentialInvalidError,
    FailureCode,
    LedgerError,
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
    PassportKind,
    PassportState,
    StatusAction,
    StatusAllocation,
)
from innopass.issuer._passport import (
    IssuedPassport,
    PassportFormat,
    build_passport,
    passport_format,
    passport_text,
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
from innopass.status import (
    MESSAGE_SIZE,
    REASON_MESSAGES,
    StatusEntry,
    StatusPurpose,
    StatusReason,
    list_id,
)
from innopass.trust import Bundle

__all__ = ["ISSUE_GROUP", "Issuer", "PreparedBatch"]

#: Passports committed per ledger transaction in :meth:`Issuer.issue_batch`: one
#: durable commit (a full fsync) per group instead of per passport, while the
#: ledger's write lock is held for a fraction of a second at most.
ISSUE_GROUP = 64


#: The status purposes every passport (and adoption record) holds an entry in, in order.
ISSUED_PURPOSES: tuple[StatusPurpose, ...] = (
    StatusPurpose.REVOCATION,
    StatusPurpose.SUSPENSION,
    StatusPurpose.MESSAGE,
)


class PreparedBatch(tuple[AssessmentRecord, ...]):
    """Records :meth:`Issuer.prepare_batch` has checked for the organisation ``did``, with
    the options they were checked for."""

    did: str
    options: tuple[bool, tuple[str, ...]]

    def __new__(
        cls,
        records: Iterable[AssessmentRecord],
        did: str,
        options: tuple[bool, tuple[str, ...]] = (False, ()),
    ) -> Self:
        batch = super().__new__(cls, records)
        batch.did = did
        batch.options = options
        return batch


def _active(entries: Iterable[PassportEntry]) -> list[PassportEntry]:
    """The passports among ``entries`` that are not revoked and not superseded."""
    return [e for e in entries if e.state is not PassportState.REVOKED and not e.superseded_by]


def _duplicates(
    active: list[PassportEntry], record: AssessmentRecord, *, reissue: bool
) -> list[SchemaProblem]:
    """Why issuing ``record`` would duplicate one of the ``active`` passports of its record
    id (see :meth:`Issuer.prepare`): one is for a newer version, or (unless ``reissue``)
    for the same version."""
    version = record.record_version
    newer = [e for e in active if (e.record_version or 0) > version]
    same = [e for e in active if e.record_version == version]
    problems = []
    if newer:
        problems.append(
            SchemaProblem(
                "/record_version",
                f"passport {newer[0].id} is active for version {newer[0].record_version} "
                f"of this record, newer than {version}",
            )
        )
    if same and not reissue:
        problems.append(
            SchemaProblem(
                "/record_id",
                f"passport {same[0].id} is already active for this record id and "
                f"version {version}: to replace it, issue with --reissue "
                "(the new passport supersedes it)",
            )
        )
    return problems


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

    def prepare(
        self,
        record: AssessmentRecord | Mapping[str, JSONValue],
        *,
        reissue: bool = False,
        successor_of: Iterable[str] = (),
    ) -> AssessmentRecord:
        """Validate ``record`` for this organisation; raise :class:`RecordInvalidError` if not.

        Beyond the schema, the record's own rules must hold
        (:meth:`AssessmentRecord.problems <innopass.record.AssessmentRecord.problems>`:
        its cross-references resolve, no mandatory evidence has expired, its
        validity has not ended and starts before its mandatory evidence expires)
        and it must name this organisation as ``assessing_org`` (or, as its
        successor after a merger, one of the ODS codes in ``successor_of``:
        verifiers accept that when a trust list names this organisation as that
        one's successor, and only for a passport signed from the merger's date on).
        A record whose id and version already have an active passport here is
        refused unless ``reissue`` (the new passport then supersedes the old); so is
        one whose id has an active passport for a newer version.
        """
        parsed = (
            record if isinstance(record, AssessmentRecord) else AssessmentRecord.from_json(record)
        )
        predecessors = set(successor_of)
        assessor = parsed.assessing_org.ods_code
        problems = list(
            parsed.problems(
                now=self._clock(),
                ods_code=None if assessor in predecessors else self.description.ods_code,
            )
        )
        active = _active(self._ledger.passports_for_record(parsed.record_id))
        problems += _duplicates(active, parsed, reissue=reissue)
        if problems:
            raise RecordInvalidError(problems)
        return parsed

    def prepare_batch(
        self,
        records: Iterable[AssessmentRecord | Mapping[str, JSONValue]],
        *,
        reissue: bool = False,
        successor_of: Iterable[str] = (),
    ) -> PreparedBatch:
        """Validate every record; raise one :class:`RecordInvalidError` listing all problems,
        each path prefixed with ``/<n>`` (the record's position). :meth:`issue_batch`
        takes the result without checking it again. The same record id and version
        twice in one batch is refused."""
        predecessors = tuple(successor_of)
        prepared: list[AssessmentRecord] = []
        problems: list[SchemaProblem] = []
        seen: dict[tuple[str, int], int] = {}
        for position, record in enumerate(records):
            try:
                parsed = self.prepare(record, reissue=reissue, successor_of=predecessors)
            except RecordInvalidError as exc:
                problems += [SchemaProblem(f"/{position}{p.path}", p.message) for p in exc.problems]
                continue
            key = (parsed.record_id, parsed.record_version)
            if key in seen:
                problems.append(
                    SchemaProblem(
                        f"/{position}/record_id",
                        f"record {parsed.record_id} version {parsed.record_version} is also "
                        f"record {seen[key]} of this batch",
                    )
                )
            seen.setdefault(key, position)
            prepared.append(parsed)
        if problems:
            raise RecordInvalidError(problems, what="batch")
        return PreparedBatch(prepared, self.did, (reissue, predecessors))

    def issue(
        self,
        record: AssessmentRecord | Mapping[str, JSONValue],
        *,
        format: PassportFormat | str = PassportFormat.DI,
        reissue: bool = False,
        successor_of: Iterable[str] = (),
    ) -> IssuedPassport:
        """Issue one passport from ``record`` and record it in the ledger.

        ``format`` is ``"di"`` (Data Integrity proof, the default) or ``"jwt"``
        (``vc+jwt``). Raises :class:`~innopass.errors.RecordInvalidError` for an
        invalid record; nothing is recorded then. ``reissue`` and ``successor_of``
        are as for :meth:`prepare`. The passports the new one supersedes (an active
        passport of the same record id and version, with ``reissue``; of an older
        version; of the record the record says it ``supersedes``) are marked so in
        the same transaction, their message entries set to ``superseded``, and
        listed in :attr:`IssuedPassport.supersedes`.
        """
        predecessors = tuple(successor_of)
        parsed = self.prepare(record, reissue=reissue, successor_of=predecessors)
        return self._issue(parsed, passport_format(format), reissue=reissue)

    def issue_batch(
        self,
        records: Iterable[AssessmentRecord | Mapping[str, JSONValue]],
        *,
        format: PassportFormat | str = PassportFormat.DI,
        on_issued: Callable[[IssuedPassport], None] | None = None,
        on_group: Callable[[Sequence[IssuedPassport]], None] | None = None,
        group: int = ISSUE_GROUP,
        reissue: bool = False,
        successor_of: Iterable[str] = (),
    ) -> list[IssuedPassport]:
        """Issue a passport from each record, after checking them all.

        If any record is invalid, nothing is issued (:meth:`prepare_batch`). The
        passports are committed in groups of ``group``, one durable transaction
        each; ``on_issued`` is called for each passport of a group only after the
        group's commit, and then ``on_group`` with the group's passports (the command
        line writes the files there, and syncs their directory once). A crash or kill
        mid-batch therefore loses nothing that was reported: a group is in the
        ledger entirely or not at all, and a rolled-back group's status indices were
        never published.
        """
        if group < 1:
            raise ConfigurationError(f"group must be at least 1, not {group}")
        fmt = passport_format(format)
        predecessors = tuple(successor_of)
        prepared = (
            records
            if isinstance(records, PreparedBatch)
            and records.did == self.did
            and records.options == (reissue, predecessors)
            else self.prepare_batch(records, reissue=reissue, successor_of=predecessors)
        )
        issued: list[IssuedPassport] = []
        for start in range(0, len(prepared), group):
            with self._ledger.transaction() as tx:
                tx.require_intact()
                self._signer.check_current()
                done = [
                    self._issue_in(tx, r, fmt, reissue=reissue)
                    for r in prepared[start : start + group]
                ]
            for passport in done:
                if on_issued is not None:
                    on_issued(passport)
            if on_group is not None:
                on_group(done)
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
                entries = self._allocate(tx, credential_id, chosen)
                status_json: list[JSONValue] = [entry.to_json() for entry in entries]
                if status_json:
                    prepared["credentialStatus"] = (
                        status_json[0] if len(status_json) == 1 else status_json
                    )
            issued = self._secure(prepared, fmt, now=now, status=entries)
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
                    kind=PassportKind.CREDENTIAL,
                ),
                details={
                    "kind": PassportKind.CREDENTIAL.value,
                    "types": list(credential_types(prepared)),
                    "validUntil": format_datetime(valid_until),
                },
            )
        return issued

    def _allocate(
        self, tx: LedgerTransaction, owner: str, purposes: Iterable[StatusPurpose]
    ) -> tuple[StatusEntry, ...]:
        """One status entry per purpose for ``owner``, allocated inside ``tx``."""
        base = self._signer.description.status_list_base
        return tuple(
            _status_entry(base, tx.allocate_status(purpose, owner, randbelow=self._randbelow))
            for purpose in purposes
        )

    def _secure(
        self,
        credential: JSONObject,
        fmt: PassportFormat,
        *,
        now: datetime,
        status: tuple[StatusEntry, ...],
        supersedes: tuple[str, ...] = (),
        record: tuple[JSONObject, bool] | None = None,
    ) -> IssuedPassport:
        """``credential`` signed with the current key, as Data Integrity or as a vc+jwt.

        ``record`` is a passport's record JSON and whether it passes
        :func:`~innopass._internal.jsonio.plain_without_floats`, so that the file text
        (made here, once) does not walk it again.
        """
        signer = self._signer
        token: str | None = None
        if fmt is PassportFormat.JWT:
            token = signer.sign_jwt(credential, issued_at=now)
            text = token + "\n"
        else:
            credential = signer.sign(credential, created=now)
            text = (
                dumps_pretty(credential)
                if record is None
                else passport_text(credential, record[0], record_plain=record[1])
            )
        return IssuedPassport(
            id=str(credential["id"]),
            format=fmt,
            credential=credential,
            token=token,
            verification_method=signer.key_id,
            status=status,
            supersedes=supersedes,
            issued_text=text,
        )

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

    def _issue(
        self, record: AssessmentRecord, fmt: PassportFormat, *, reissue: bool
    ) -> IssuedPassport:
        with self._ledger.transaction() as tx:
            tx.require_intact()
            self._signer.check_current()
            return self._issue_in(tx, record, fmt, reissue=reissue)

    def _superseded(
        self, tx: LedgerTransaction, record: AssessmentRecord, *, reissue: bool
    ) -> list[PassportEntry]:
        """The active passports the new passport for ``record`` supersedes, checked again
        inside the transaction (another process may have issued since :meth:`prepare`)."""
        older = _active(tx.passports_for_record(record.record_id))
        if _duplicates(older, record, reissue=reissue):
            raise LedgerError(
                f"another passport for record {record.record_id} version "
                f"{record.record_version} was issued meanwhile; check the record again"
            )
        # none is newer, so all are older (or the same version, reissued)
        if record.supersedes and record.supersedes != record.record_id:
            older += _active(tx.passports_for_record(record.supersedes))
        return older

    def _issue_in(
        self,
        tx: LedgerTransaction,
        record: AssessmentRecord,
        fmt: PassportFormat,
        *,
        reissue: bool = False,
    ) -> IssuedPassport:
        """Build, sign and record one passport inside the open transaction ``tx``."""
        superseded = self._superseded(tx, record, reissue=reissue)
        record_json = record.to_json()
        record_plain = plain_without_floats(record_json)
        passport_id = self._new_id()
        signer = self._signer
        organisation = signer.description
        now = self._clock()
        entries = self._allocate(tx, passport_id, ISSUED_PURPOSES)
        credential = build_passport(
            record,
            organisation=organisation,
            passport_id=passport_id,
            now=now,
            status=entries,
            record_json=record_json,
            record_plain=record_plain,
        )
        passport = self._secure(
            credential,
            fmt,
            now=now,
            status=entries,
            supersedes=tuple(e.id for e in superseded),
            record=(record_json, record_plain),
        )
        subject = passport.credential["credentialSubject"]
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
                record_version=record.record_version,
            ),
            details={
                "recordId": record.record_id,
                "recordVersion": record.record_version,
                "validUntil": format_datetime(valid_until),
                "supersedes": [e.id for e in superseded],
            },
        )
        for old in superseded:
            tx.supersede(old.id, passport_id)
        return passport

    # --- adoption records --------------------------------------------------------------

    def adopt(
        self, decision: Decision, *, format: PassportFormat | str = PassportFormat.DI
    ) -> IssuedPassport:
        """Sign this organisation's ``InnopassAdoption`` record of ``decision`` (FORMATS.md §11).

        The decision must be to adopt (``adopt`` or ``adopt-with-actions``) and name the
        passport's id and digest (:class:`~innopass.errors.ConfigurationError`
        otherwise). The record is built, signed and recorded in the ledger in one
        transaction, with revocation, suspension and message entries like a
        passport's, so it can be revoked, suspended and bundled like one. An earlier
        adoption record of the same passport by this organisation (not revoked) is
        superseded by the new one.
        """
        fmt = passport_format(format)
        with self._ledger.transaction() as tx:
            tx.require_intact()
            self._signer.check_current()
            passport = decision.passport
            adopted = str(passport.id)
            earlier = _active(tx.adoptions_of(adopted)) if passport.id is not None else []
            record_id = self._new_id()
            signer = self._signer
            now = self._clock()
            entries = self._allocate(tx, record_id, ISSUED_PURPOSES)
            credential = build_adoption_credential(
                decision,
                credential_id=record_id,
                adopter=signer.description,
                now=now,
                status=entries,
            )
            issued = self._secure(
                credential, fmt, now=now, status=entries, supersedes=tuple(e.id for e in earlier)
            )
            until = now if passport.valid_until is None else parse_datetime(passport.valid_until)
            tx.add_passport(
                PassportEntry(
                    id=record_id,
                    record_id=adopted,
                    record_digest=str(passport.digest_sri),
                    format=fmt.value,
                    issued_at=now,
                    valid_until=max(until, now),
                    verification_method=signer.key_id,
                    status=tuple(entry.to_json() for entry in entries),
                    credential_text=issued.text(),
                    kind=PassportKind.ADOPTION,
                ),
                details={
                    "kind": PassportKind.ADOPTION.value,
                    "passport": adopted,
                    "decision": decision.outcome.value,
                    "policy": decision.policy.id,
                    "policyVersion": decision.policy.version,
                    "policyDigest": decision.policy.digest_sri,
                    "actionsDone": [a.id for a in decision.done],
                    "actionsRemaining": [a.id for a in decision.remaining],
                    "supersedes": [e.id for e in earlier],
                },
            )
            for old in earlier:
                tx.supersede(old.id, record_id)
        return issued

    # --- status and bundles -----------------------------------------------------------

    def passport(self, passport_id: str) -> PassportEntry:
        """The ledger's record of a passport; raises ``PassportNotFoundError``."""
        return self._ledger.passport(passport_id)

    def change_status(
        self,
        passport_id: str,
        action: StatusAction | str,
        *,
        reason: StatusReason | str | None = None,
    ) -> PassportEntry:
        """Revoke, suspend or reinstate a passport, or set its message (why); see
        :meth:`LedgerTransaction.change_status`."""
        return change_status(self._ledger, passport_id, action, reason=reason)

    def revoke(
        self, passport_id: str, *, reason: StatusReason | str | None = None
    ) -> PassportEntry:
        """Revoke a passport (final)."""
        return self.change_status(passport_id, StatusAction.REVOKE, reason=reason)

    def suspend(
        self, passport_id: str, *, reason: StatusReason | str | None = None
    ) -> PassportEntry:
        """Suspend a passport (reversible with :meth:`reinstate`)."""
        return self.change_status(passport_id, StatusAction.SUSPEND, reason=reason)

    def reinstate(
        self, passport_id: str, *, reason: StatusReason | str | None = None
    ) -> PassportEntry:
        """Lift a suspension (a revoked passport cannot be reinstated)."""
        return self.change_status(passport_id, StatusAction.REINSTATE, reason=reason)

    def set_message(self, passport_id: str, reason: StatusReason | str) -> PassportEntry:
        """Set only the passport's message (why), e.g. ``under-review``."""
        return self.change_status(passport_id, StatusAction.MESSAGE, reason=reason)

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
    message = allocation.purpose is StatusPurpose.MESSAGE
    return StatusEntry(
        purpose=allocation.purpose.value,
        index=allocation.index,
        list_id=identifier,
        entry_id=f"{identifier}#{allocation.index}",
        size=MESSAGE_SIZE if message else None,
        messages=REASON_MESSAGES if message else None,
    )
