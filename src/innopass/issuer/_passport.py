"""Building a passport: a pure function of the record, the organisation, the id and the time.

:func:`build_passport` makes the unsigned credential of FORMATS.md §1 and nothing
else: no clock, no randomness, no ledger. The issuer supplies the passport id and
the time (from the generator and clock it was given) and the status entries the
ledger allocated, then signs the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

from innopass._internal.canonical import sha256_digest
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ISSUER_TYPE, PASSPORT_TYPE, SUBJECT_TYPE, VC_TYPE
from innopass._internal.files import atomic_write, replace_file, sync_directory
from innopass._internal.jsonio import JSONObject, dumps_pretty, plain_without_floats
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.timestamps import format_datetime
from innopass.errors import ConfigurationError, OutputError
from innopass.record import AssessmentRecord
from innopass.status import StatusEntry
from innopass.trust import OrganisationDescription

__all__ = [
    "IssuedPassport",
    "PassportFormat",
    "build_passport",
    "passport_format",
    "passport_text",
    "sync_passport_directory",
]


class PassportFormat(StrEnum):
    """How a passport is secured: a Data Integrity proof, or a ``vc+jwt`` compact JWS."""

    DI = "di"
    JWT = "jwt"


def passport_format(value: PassportFormat | str) -> PassportFormat:
    """``value`` as a :class:`PassportFormat`; :class:`ConfigurationError` if it is none."""
    try:
        return PassportFormat(value)
    except ValueError:
        raise ConfigurationError(f"passport format must be 'di' or 'jwt', not {value!r}") from None


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def build_passport(
    record: AssessmentRecord,
    *,
    organisation: OrganisationDescription,
    passport_id: str,
    now: datetime,
    status: Sequence[StatusEntry],
    record_json: JSONObject | None = None,
    record_plain: bool | None = None,
) -> JSONObject:
    """The unsigned passport credential for ``record`` (FORMATS.md §1).

    It holds from ``now``, but never before the decision's ``valid_from``, until
    the record's effective end (validity or mandatory evidence expiry).
    ``record_json`` is ``record.to_json()`` when the caller has it already, and
    ``record_plain`` whether it passes
    :func:`~innopass._internal.jsonio.plain_without_floats`, if the caller knows.
    """
    body = record.to_json() if record_json is None else record_json
    plain = (
        record_plain
        if record_plain is not None and record_json is not None
        else plain_without_floats(body)
    )
    return {
        "@context": list(PASSPORT_CONTEXT),
        "id": passport_id,
        "type": [VC_TYPE, PASSPORT_TYPE],
        "name": f"Innovator passport: {record.product_name}",
        "issuer": {
            "id": organisation.did,
            "type": ISSUER_TYPE,
            "name": organisation.name,
            "odsCode": organisation.ods_code,
        },
        "validFrom": format_datetime(max(now, start_of_day(record.validity.valid_from))),
        "validUntil": format_datetime(record.effective_valid_until()),
        "credentialSubject": {
            "id": record.record_id,
            "type": SUBJECT_TYPE,
            "assessmentRecord": body,
            "recordDigest": sha256_digest(body, plain=plain),
        },
        "credentialSchema": {
            "id": RECORD_SCHEMA_ID,
            "type": "JsonSchema",
            "digestSRI": schema_digest_sri(RECORD_SCHEMA),
        },
        "credentialStatus": [entry.to_json() for entry in status],
    }


def passport_text(credential: JSONObject, record_json: JSONObject, *, record_plain: bool) -> str:
    """The file text of the signed Data Integrity passport ``credential`` (pretty JSON), built
    around ``record_json`` (its ``assessmentRecord``, the very object), which is known to pass
    :func:`~innopass._internal.jsonio.plain_without_floats` if ``record_plain``: only the rest
    of the credential is walked again to decide how it is written."""
    subject = credential.get("credentialSubject")
    plain = (
        record_plain
        and type(credential) is dict
        and type(subject) is dict
        and subject.get("assessmentRecord") is record_json
        and plain_without_floats([v for k, v in credential.items() if k != "credentialSubject"])
        and plain_without_floats([v for k, v in subject.items() if k != "assessmentRecord"])
    )
    return dumps_pretty(credential, plain=plain)


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
    supersedes: tuple[str, ...] = ()
    """The passports this one superseded when it was issued (see :meth:`Issuer.issue`)."""
    issued_text: str | None = field(default=None, repr=False, compare=False)
    """:meth:`text` as the issuer made it when it signed (what the ledger records), so that
    it is written once; ``None``: made from :attr:`credential` at each call."""

    def text(self) -> str:
        """The passport file's content: pretty JSON (DI) or the compact JWS and a newline (JWT)."""
        if self.issued_text is not None:
            return self.issued_text
        if self.token is not None:
            return self.token + "\n"
        return dumps_pretty(self.credential)

    def filename(self) -> str:
        """A file name for the passport: ``<uuid>.json`` or ``<uuid>.jwt``."""
        stem = self.id.removeprefix("urn:uuid:")
        return f"{stem}.jwt" if self.format is PassportFormat.JWT else f"{stem}.json"

    def write(self, path: Path, *, sync_directory: bool = True) -> None:
        """Write the passport file atomically (never half a passport).

        Raises :class:`~innopass.errors.OutputError` (with ``passport_id``) if the
        file cannot be written; the passport stays in the ledger. With
        ``sync_directory=False`` the file is written and fsynced and its rename is
        atomic, but the directory is not fsynced: the caller does that once for
        many files with :func:`sync_passport_directory`, before it reports them.
        """
        data = self.text().encode("utf-8")
        try:
            if sync_directory:
                atomic_write(path, data, mode=0o644)
            else:
                replace_file(path, data, mode=0o644)
        except OSError as exc:
            raise OutputError(
                f"passport {self.id} is recorded in the ledger, but {path} cannot be written "
                f"({exc.strerror or exc}); write it again with "
                f"`innopass passport export {self.id} -o FILE`",
                path=path,
                passport_id=self.id,
            ) from exc


def sync_passport_directory(directory: Path, passports: Sequence[IssuedPassport]) -> None:
    """Make the names of ``passports``, just written into ``directory`` with
    ``write(..., sync_directory=False)``, durable: one fsync of the directory.

    Raises :class:`~innopass.errors.OutputError` (naming the first passport) if
    the directory cannot be synced; the passports stay in the ledger.
    """
    try:
        sync_directory(directory)
    except OSError as exc:
        first = passports[0].id if passports else None
        raise OutputError(
            f"{len(passports)} passport(s) are recorded in the ledger and written into "
            f"{directory}, but the directory cannot be synced ({exc.strerror or exc}); "
            "write them again with `innopass passport export ID -o FILE`",
            path=directory,
            passport_id=first,
        ) from exc
