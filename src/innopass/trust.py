"""Trust material as data: organisation descriptions, trust lists, bundles (FORMATS.md §4–6).

Parsing and building only; no signing (the issuer signs) and no trust decisions
(the verifier decides). Every ``from_json`` checks its input against the format's
JSON Schema (``schemas/organisation-description``, ``trust-list``, ``bundle``),
reads it with the converter of :mod:`innopass._internal.serial`, then checks what a
schema cannot say (a ``did:key``/``did:jwk`` document is the computed one, key
windows name ``assertionMethod`` methods once, integers are not ``1.0``). Bad input
raises :class:`~innopass.errors.MalformedInputError` with the JSON pointer of the
first problem (a missing member is reported at the object that lacks it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, TypeVar

from innopass._internal import schema
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ISSUER_TYPE, VC_TYPE
from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.serial import Codec, Converter, member
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.did import DidDocument, computed_document
from innopass.errors import MalformedInputError, ResolutionError

__all__ = [
    "ALL_PROFILES",
    "BUNDLE_TYPE",
    "FORMAT_VERSION",
    "MAX_BUNDLE_STATUS_LISTS",
    "ORGANISATION_TYPE",
    "TRUST_LIST_SUBJECT_TYPE",
    "TRUST_LIST_TYPE",
    "AccreditedScope",
    "Bundle",
    "KeyWindow",
    "LedgerCheckpoint",
    "OrganisationDescription",
    "TrustListContent",
    "TrustedIssuer",
    "build_trust_list_credential",
    "find_key_window",
    "is_bundle",
    "valid_ods_code",
]

ORGANISATION_TYPE = "InnopassOrganisation"
BUNDLE_TYPE = "InnopassBundle"
TRUST_LIST_TYPE = "InnopassTrustList"
TRUST_LIST_SUBJECT_TYPE = "InnopassTrustedIssuers"
#: The ``formatVersion`` of organisation descriptions and bundles (FORMATS.md §4, §6).
FORMAT_VERSION = 1
#: The most status lists a bundle may carry (FORMATS.md §6; the bundle schema's ``maxItems``).
MAX_BUNDLE_STATUS_LISTS: Final = 64

_ODS = re.compile(r"[A-Z0-9]{1,9}")
_DESCRIPTION_SCHEMA = "organisation-description.schema.json"
_TRUST_LIST_SCHEMA = "trust-list.schema.json"
_BUNDLE_SCHEMA = "bundle.schema.json"
_T = TypeVar("_T")


def valid_ods_code(code: object) -> bool:
    """ODS codes are 1 to 9 upper-case alphanumerics (not always three characters)."""
    return isinstance(code, str) and _ODS.fullmatch(code) is not None


def _did_document(value: JSONObject) -> DidDocument:
    """The DID document ``value`` (its outline checked by the schema); a computed one if equal.

    Whether it is the document of the right DID is checked once the whole
    object is read (:func:`_bind_document`).
    """
    try:
        computed = computed_document(str(value["id"]))
        if computed is not None and value == computed.raw:  # the usual case: an exact copy
            return computed
        return DidDocument.from_json(value)
    except ResolutionError as exc:
        raise MalformedInputError(f"DID document unusable: {exc}") from exc


_CONVERTER = Converter({datetime: Codec(parse_datetime, format_datetime)})
"""Trust material's converter: members are camelCase, instants RFC 3339 (written in UTC)."""
_DID_DOCUMENT = member("didDocument", codec=Codec(_did_document, DidDocument.to_json))


def _convert(cls: type[_T], obj: JSONObject, path: str) -> _T:
    """Convert ``obj``, which has passed its schema, placing a refused value under ``path``."""
    try:
        return _CONVERTER.from_json(cls, obj)
    except MalformedInputError as exc:
        exc.path = path + exc.path
        raise


def _require_integer(obj: JSONObject, name: str, path: str) -> None:
    """JSON Schema's ``integer`` admits ``1.0``; innopass's formats want the integer itself."""
    if isinstance(obj.get(name), float):
        raise MalformedInputError(f"{name} must be an integer", path=f"{path}/{name}")


def _bind_document(document: DidDocument, did: str, path: str) -> DidDocument:
    """``document`` if it is ``did``'s; for a ``did:key``/``did:jwk``, the computed one.

    A supplied copy of a computed document is accepted only when it has exactly the
    computed methods, keys and ``assertionMethod``; it is then replaced by the
    computed document, so nothing but the DID decides a ``did:key``'s keys.
    """
    if document.id != did:
        raise MalformedInputError(
            f"the DID document is for {document.id[:60]}, not {did[:60]}", path=path
        )
    computed = computed_document(did)  # cannot raise: the document's id was read already
    if computed is None or document is computed:
        return document
    if not document.same_keys(computed):
        raise MalformedInputError(
            f"the DID document is not the one computed from {did[:60]}: "
            "its methods, keys or assertionMethod differ",
            path=path,
        )
    return computed


def _check_windows(windows: Sequence[KeyWindow], document: DidDocument, path: str) -> None:
    """Require every key window to name a method of ``document`` under ``assertionMethod``, once."""
    seen: set[str] = set()
    for i, window in enumerate(windows):
        if window.id in seen:
            raise MalformedInputError(f"key {window.id} is listed twice", path=f"{path}/{i}/id")
        seen.add(window.id)
        if not document.authorises(window.id, "assertionMethod"):
            raise MalformedInputError(
                f"key {window.id} is not a method of the DID document under assertionMethod",
                path=f"{path}/{i}/id",
            )


def find_key_window(keys: Sequence[KeyWindow], vm_id: str) -> KeyWindow | None:
    """The window of the key ``vm_id`` among ``keys``, or ``None`` if it is not listed."""
    return next((k for k in keys if k.id == vm_id), None)


class _Material:
    """Trust material, converted to and from JSON by its fields' declarations."""

    __slots__ = ()

    def to_json(self) -> JSONObject:
        """The JSON form (FORMATS.md §4–6), a fresh copy."""
        return _CONVERTER.to_json(self)


@dataclass(frozen=True, slots=True)
class KeyWindow(_Material):
    """When a signing key may have made proofs: ``valid_from`` ≤ created < ``valid_until``."""

    id: str
    valid_from: datetime | None = field(default=None, metadata=member("validFrom"))
    valid_until: datetime | None = field(default=None, metadata=member("validUntil"))
    compromised: bool = False

    def covers(self, when: datetime) -> bool:
        """Whether a proof created at ``when`` falls inside this key's window."""
        if self.compromised:
            return False
        if self.valid_from is not None and when < self.valid_from:
            return False
        return self.valid_until is None or when < self.valid_until

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str) -> KeyWindow:
        """Check ``obj`` against its schema and read it."""
        schema.require_shape(obj, f"{_DESCRIPTION_SCHEMA}#/$defs/key_window", path=path)
        assert isinstance(obj, dict)
        return _convert(cls, obj, path)


@dataclass(frozen=True, slots=True)
class LedgerCheckpoint(_Material):
    """An issuer's ledger at one moment: the audit chain's length and its last entry's hash.

    Carried by signed status lists and the organisation description (FORMATS.md §3,
    §4), so that a later ledger must still hold exactly this entry at this length:
    one that does not was rolled back or rewritten.
    """

    length: int
    head: str

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> LedgerCheckpoint:
        """Check ``obj`` against its schema and read it."""
        schema.require_shape(obj, f"{_DESCRIPTION_SCHEMA}#/$defs/ledger_checkpoint", path=path)
        assert isinstance(obj, dict)
        _require_integer(obj, "length", path)
        return _convert(cls, obj, path)


@dataclass(frozen=True, slots=True)
class OrganisationDescription(_Material):
    """An organisation's public description (``innopass org export``, FORMATS.md §4)."""

    type: str = field(default=ORGANISATION_TYPE, init=False, repr=False, compare=False)
    format_version: int = field(
        default=FORMAT_VERSION,
        init=False,
        repr=False,
        compare=False,
        metadata=member("formatVersion"),
    )
    ods_code: str = field(metadata=member("odsCode"))
    name: str
    did: str
    did_document: DidDocument = field(metadata=_DID_DOCUMENT)
    status_list_base: str = field(metadata=member("statusListBase"))
    keys: tuple[KeyWindow, ...]
    exported_at: datetime | None = field(default=None, metadata=member("exportedAt", optional=True))
    ledger_checkpoint: LedgerCheckpoint | None = field(
        default=None, metadata=member("ledgerCheckpoint", optional=True)
    )

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> OrganisationDescription:
        """Check a description against its schema, read it, and check what a schema cannot.

        ``formatVersion`` must be 1; a ``did:key``/``did:jwk`` document must be the
        computed one (and is replaced by it); every ``keys[].id`` must be a method
        of the document under ``assertionMethod``, listed once.
        """
        schema.require_shape(obj, _DESCRIPTION_SCHEMA, path=path)
        assert isinstance(obj, dict)
        return cls._checked(_convert(cls, obj, path), obj, path)

    @staticmethod
    def _checked(
        description: OrganisationDescription, obj: JSONObject, path: str
    ) -> OrganisationDescription:
        """``description``, read from ``obj``, once what a schema cannot say holds."""
        _require_integer(obj, "formatVersion", path)
        document = _bind_document(description.did_document, description.did, f"{path}/didDocument")
        _check_windows(description.keys, document, f"{path}/keys")
        if document is description.did_document:
            return description
        return replace(description, did_document=document)

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window of the key ``vm_id``, ``None`` if it is not listed."""
        return find_key_window(self.keys, vm_id)


@dataclass(frozen=True, slots=True)
class AccreditedScope(_Material):
    """What an issuer is accredited to assess; empty tuples mean "all"."""

    profiles: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str) -> AccreditedScope:
        """Check ``obj`` against its schema and read it."""
        schema.require_shape(obj, f"{_TRUST_LIST_SCHEMA}#/$defs/accredited_scope", path=path)
        assert isinstance(obj, dict)
        return _convert(cls, obj, path)

    def covers(self, profile: str | None, domains: Sequence[str]) -> bool:
        if self.profiles and profile not in self.profiles:
            return False
        return not self.domains or all(d in self.domains for d in domains)


#: The default accreditation: every record profile, every domain. Public so that the
#: issuer (trust-list signing) and the verifier share one definition.
ALL_PROFILES = AccreditedScope(profiles=("device", "digital", "diagnostic"))


@dataclass(frozen=True, slots=True)
class TrustedIssuer(_Material):
    """One accredited issuer in a trust list (FORMATS.md §5)."""

    ods_code: str = field(metadata=member("odsCode"))
    name: str
    did: str
    did_document: DidDocument = field(metadata=_DID_DOCUMENT)
    keys: tuple[KeyWindow, ...] = field(metadata=member("verificationMethods"))
    scopes: tuple[AccreditedScope, ...] = field(
        default=(ALL_PROFILES,), metadata=member("accreditedScopes")
    )
    status_list_base: str | None = field(default=None, metadata=member("statusListBase"))
    status: str = "active"
    withdrawn_at: datetime | None = field(default=None, metadata=member("withdrawnAt"))
    successor: str | None = None

    @classmethod
    def from_organisation(
        cls,
        org: OrganisationDescription,
        *,
        scopes: Sequence[AccreditedScope] = (ALL_PROFILES,),
    ) -> TrustedIssuer:
        return cls(
            ods_code=org.ods_code,
            name=org.name,
            did=org.did,
            did_document=org.did_document,
            keys=org.keys,
            scopes=tuple(scopes),
            status_list_base=org.status_list_base,
        )

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str) -> TrustedIssuer:
        """Check one entry against its schema and read it (DID document and key rules as
        for a description)."""
        schema.require_shape(obj, f"{_TRUST_LIST_SCHEMA}#/$defs/trusted_issuer", path=path)
        assert isinstance(obj, dict)
        return cls._checked(_convert(cls, obj, path), path)

    @staticmethod
    def _checked(issuer: TrustedIssuer, path: str) -> TrustedIssuer:
        """``issuer`` once what a schema cannot say holds (as for a description)."""
        document = _bind_document(issuer.did_document, issuer.did, f"{path}/didDocument")
        _check_windows(issuer.keys, document, f"{path}/verificationMethods")
        return issuer if document is issuer.did_document else replace(issuer, did_document=document)

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window of the key ``vm_id``, ``None`` if it is not listed."""
        return find_key_window(self.keys, vm_id)


@dataclass(frozen=True, slots=True)
class TrustListContent(_Material):
    """The subject of an ``InnopassTrustList`` credential: a version and its issuers."""

    version: int = field(metadata=member("trustListVersion"))
    issuers: tuple[TrustedIssuer, ...] = field(default=(), metadata=member("trustedIssuers"))

    @classmethod
    def from_credential(cls, credential: Mapping[str, JSONValue]) -> TrustListContent:
        """Read a trust-list credential, checked against its schema (its proof is checked
        elsewhere), and check each issuer as :meth:`TrustedIssuer.from_json` does."""
        schema.require_shape(credential, _TRUST_LIST_SCHEMA)
        subject = credential["credentialSubject"]
        assert isinstance(subject, dict)
        path = "/credentialSubject"
        _require_integer(subject, "trustListVersion", path)
        content = _convert(cls, subject, path)
        return replace(
            content,
            issuers=tuple(
                TrustedIssuer._checked(issuer, f"{path}/trustedIssuers/{i}")
                for i, issuer in enumerate(content.issuers)
            ),
        )

    def issuer(self, did: str) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.did == did), None)


def build_trust_list_credential(
    *,
    credential_id: str,
    anchor_did: str,
    anchor_name: str,
    anchor_ods_code: str,
    content: TrustListContent,
    valid_from: datetime,
    valid_until: datetime,
) -> JSONObject:
    """An unsigned ``InnopassTrustList`` credential (FORMATS.md §5)."""
    return {
        "@context": list(PASSPORT_CONTEXT),
        "id": credential_id,
        "type": [VC_TYPE, TRUST_LIST_TYPE],
        "issuer": {
            "id": anchor_did,
            "type": ISSUER_TYPE,
            "name": anchor_name,
            "odsCode": anchor_ods_code,
        },
        "validFrom": format_datetime(valid_from),
        "validUntil": format_datetime(valid_until),
        "credentialSubject": {
            "id": f"urn:innopass:trust-list:{anchor_did}",
            "type": TRUST_LIST_SUBJECT_TYPE,
            **content.to_json(),
        },
    }


def is_bundle(value: Any) -> bool:
    """Whether a parsed JSON value claims to be an innopass bundle."""
    return isinstance(value, dict) and value.get("type") == BUNDLE_TYPE


@dataclass(frozen=True, slots=True)
class Bundle(_Material):
    """A passport with what verifies it offline (FORMATS.md §6)."""

    type: str = field(default=BUNDLE_TYPE, init=False, repr=False, compare=False)
    format_version: int = field(
        default=FORMAT_VERSION,
        init=False,
        repr=False,
        compare=False,
        metadata=member("formatVersion"),
    )
    # the documents a bundle carries are only read, each checked on its own by the verifier:
    # held as given, since copying them would cost more than the rest of from_json
    passport: JSONObject | str = field(metadata=member(copy=False))
    issuer: OrganisationDescription | None = field(default=None, metadata=member(optional=True))
    status_lists: tuple[JSONObject, ...] = field(
        default=(), metadata=member("statusLists", copy=False)
    )
    trust_list: JSONObject | None = field(
        default=None, metadata=member("trustList", optional=True, copy=False)
    )

    @classmethod
    def from_json(cls, obj: JSONValue) -> Bundle:
        """Check a bundle against its schema and read it; its description is checked as by
        :meth:`OrganisationDescription.from_json`, its other parts are the verifier's."""
        schema.require_shape(obj, _BUNDLE_SCHEMA)
        assert isinstance(obj, dict)
        _require_integer(obj, "formatVersion", "")
        bundle = _convert(cls, obj, "")
        if bundle.issuer is None:
            return bundle
        issuer = obj["issuer"]
        assert isinstance(issuer, dict)
        return replace(
            bundle, issuer=OrganisationDescription._checked(bundle.issuer, issuer, "/issuer")
        )
