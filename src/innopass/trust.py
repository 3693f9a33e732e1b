"""Trust material as data: organisation descriptions, trust lists, bundles (FORMATS.md §4–6).

Parsing and building only; no signing (the issuer signs) and no trust decisions
(the verifier decides). Every ``from_json`` raises
:class:`~innopass.errors.MalformedInputError` with a JSON pointer for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ISSUER_TYPE, VC_TYPE
from innopass._internal.jsonio import JSONObject, JSONValue, pointer
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
#: The most status lists a bundle may carry (FORMATS.md §6).
MAX_BUNDLE_STATUS_LISTS: Final = 64

_ODS = re.compile(r"[A-Z0-9]{1,9}")


def valid_ods_code(code: object) -> bool:
    """ODS codes are 1 to 9 upper-case alphanumerics (not always three characters)."""
    return isinstance(code, str) and _ODS.fullmatch(code) is not None


def _str(
    obj: Mapping[str, JSONValue], name: str, path: str, *, optional: bool = False
) -> str | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise MalformedInputError(f"{name} must be a non-empty string", path=f"{path}/{name}")
    return value


def _req(obj: Mapping[str, JSONValue], name: str, path: str) -> str:
    value = _str(obj, name, path)
    assert value is not None
    return value


def _time(obj: Mapping[str, JSONValue], name: str, path: str) -> datetime | None:
    value = obj.get(name)
    return None if value is None else parse_datetime(value, path=f"{path}/{name}")


def _object(value: JSONValue, path: str, what: str) -> JSONObject:
    if not isinstance(value, dict):
        raise MalformedInputError(f"{what} is not an object", path=path)
    return value


def _list(value: JSONValue, path: str, what: str) -> list[JSONValue]:
    if not isinstance(value, list):
        raise MalformedInputError(f"{what} is not a list", path=path)
    return value


def _ods(obj: Mapping[str, JSONValue], path: str) -> str:
    code = obj.get("odsCode")
    if not valid_ods_code(code):
        raise MalformedInputError(
            "odsCode must be 1-9 upper-case letters or digits", path=f"{path}/odsCode"
        )
    assert isinstance(code, str)
    return code


def _format_version(obj: Mapping[str, JSONValue], path: str) -> None:
    """Require ``formatVersion`` to be exactly the integer :data:`FORMAT_VERSION`."""
    version = obj.get("formatVersion")
    if isinstance(version, bool) or not isinstance(version, int) or version != FORMAT_VERSION:
        raise MalformedInputError(
            f"formatVersion must be {FORMAT_VERSION}", path=f"{path}/formatVersion"
        )


def _did_document(value: JSONValue, did: str, path: str) -> DidDocument:
    """The DID document of ``did``; for a ``did:key``/``did:jwk``, the computed one.

    A supplied copy of a computed document is accepted only when it has exactly the
    computed methods, keys and ``assertionMethod``; it is then replaced by the
    computed document, so nothing but the DID decides a ``did:key``'s keys.
    """
    try:
        computed = computed_document(did)
        if computed is not None and value == computed.raw:  # the usual case: an exact copy
            return computed
        document = DidDocument.from_json(value, expected_id=did)
    except ResolutionError as exc:
        raise MalformedInputError(f"DID document unusable: {exc}", path=path) from exc
    if computed is None:
        return document
    if not document.same_keys(computed):
        raise MalformedInputError(
            f"the DID document is not the one computed from {did[:60]}: "
            "its methods, keys or assertionMethod differ",
            path=path,
        )
    return computed


def _check_windows(
    windows: Sequence[KeyWindow], document: DidDocument, path: str
) -> tuple[KeyWindow, ...]:
    """Require every key window to name a method of ``document`` under ``assertionMethod``."""
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
    return tuple(windows)


def find_key_window(keys: Sequence[KeyWindow], vm_id: str) -> KeyWindow | None:
    """The window of the key ``vm_id`` among ``keys``, or ``None`` if it is not listed."""
    return next((k for k in keys if k.id == vm_id), None)


def _opt_time(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


@dataclass(frozen=True, slots=True)
class KeyWindow:
    """When a signing key may have made proofs: ``valid_from`` ≤ created < ``valid_until``."""

    id: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
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
        o = _object(obj, path, "key entry")
        compromised = o.get("compromised", False)
        if not isinstance(compromised, bool):
            raise MalformedInputError("compromised must be a boolean", path=f"{path}/compromised")
        return cls(
            id=_req(o, "id", path),
            valid_from=_time(o, "validFrom", path),
            valid_until=_time(o, "validUntil", path),
            compromised=compromised,
        )

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "validFrom": _opt_time(self.valid_from),
            "validUntil": _opt_time(self.valid_until),
            "compromised": self.compromised,
        }


def _windows(value: JSONValue, path: str) -> tuple[KeyWindow, ...]:
    return tuple(
        KeyWindow.from_json(item, path=f"{path}/{i}")
        for i, item in enumerate(_list(value, path, "keys"))
    )


@dataclass(frozen=True, slots=True)
class OrganisationDescription:
    """An organisation's public description (``innopass org export``, FORMATS.md §4)."""

    ods_code: str
    name: str
    did: str
    did_document: DidDocument
    status_list_base: str
    keys: tuple[KeyWindow, ...]
    exported_at: datetime | None = None

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> OrganisationDescription:
        """Parse and check a description.

        ``formatVersion`` must be 1; a ``did:key``/``did:jwk`` document must be the
        computed one (and is replaced by it); every ``keys[].id`` must be a method
        of the document under ``assertionMethod``.
        """
        o = _object(obj, path, "organisation description")
        if o.get("type") != ORGANISATION_TYPE:
            raise MalformedInputError(f"type is not {ORGANISATION_TYPE}", path=f"{path}/type")
        _format_version(o, path)
        did = _req(o, "did", path)
        document = _did_document(o.get("didDocument"), did, f"{path}/didDocument")
        return cls(
            ods_code=_ods(o, path),
            name=_req(o, "name", path),
            did=did,
            did_document=document,
            status_list_base=_req(o, "statusListBase", path),
            keys=_check_windows(_windows(o.get("keys"), f"{path}/keys"), document, f"{path}/keys"),
            exported_at=_time(o, "exportedAt", path),
        )

    def to_json(self) -> JSONObject:
        out: JSONObject = {
            "type": ORGANISATION_TYPE,
            "formatVersion": FORMAT_VERSION,
            "odsCode": self.ods_code,
            "name": self.name,
            "did": self.did,
            "didDocument": self.did_document.to_json(),
            "statusListBase": self.status_list_base,
            "keys": [k.to_json() for k in self.keys],
        }
        if self.exported_at is not None:
            out["exportedAt"] = format_datetime(self.exported_at)
        return out

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window of the key ``vm_id``, ``None`` if it is not listed."""
        return find_key_window(self.keys, vm_id)


@dataclass(frozen=True, slots=True)
class AccreditedScope:
    """What an issuer is accredited to assess; empty tuples mean "all"."""

    profiles: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str) -> AccreditedScope:
        o = _object(obj, path, "scope")
        profiles = _list(o.get("profiles", []), f"{path}/profiles", "profiles")
        domains = _list(o.get("domains", []), f"{path}/domains", "domains")
        if not all(isinstance(p, str) for p in [*profiles, *domains]):
            raise MalformedInputError("scope entries must be strings", path=path)
        return cls(profiles=tuple(map(str, profiles)), domains=tuple(map(str, domains)))

    def to_json(self) -> JSONObject:
        return {"profiles": list(self.profiles), "domains": list(self.domains)}

    def covers(self, profile: str | None, domains: Sequence[str]) -> bool:
        if self.profiles and profile not in self.profiles:
            return False
        return not self.domains or all(d in self.domains for d in domains)


#: The default accreditation: every record profile, every domain. Public so that the
#: issuer (trust-list signing) and the verifier share one definition.
ALL_PROFILES = AccreditedScope(profiles=("device", "digital", "diagnostic"))


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One accredited issuer in a trust list (FORMATS.md §5)."""

    ods_code: str
    name: str
    did: str
    did_document: DidDocument
    keys: tuple[KeyWindow, ...]
    scopes: tuple[AccreditedScope, ...] = (ALL_PROFILES,)
    status_list_base: str | None = None
    status: str = "active"
    withdrawn_at: datetime | None = None
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
        """Parse and check one entry (DID document and key rules as for a description)."""
        o = _object(obj, path, "trusted issuer")
        did = _req(o, "did", path)
        status = o.get("status", "active")
        if status not in ("active", "withdrawn"):
            raise MalformedInputError("status must be active or withdrawn", path=f"{path}/status")
        successor = _str(o, "successor", path, optional=True)
        if successor is not None and not valid_ods_code(successor):
            raise MalformedInputError("successor must be an ODS code", path=f"{path}/successor")
        scopes_raw = _list(o.get("accreditedScopes", []), f"{path}/accreditedScopes", "scopes")
        document = _did_document(o.get("didDocument"), did, f"{path}/didDocument")
        methods_path = f"{path}/verificationMethods"
        return cls(
            ods_code=_ods(o, path),
            name=_req(o, "name", path),
            did=did,
            did_document=document,
            keys=_check_windows(
                _windows(o.get("verificationMethods"), methods_path), document, methods_path
            ),
            scopes=tuple(
                AccreditedScope.from_json(s, path=f"{path}/accreditedScopes/{i}")
                for i, s in enumerate(scopes_raw)
            ),
            status_list_base=_str(o, "statusListBase", path, optional=True),
            status=str(status),
            withdrawn_at=_time(o, "withdrawnAt", path),
            successor=successor,
        )

    def to_json(self) -> JSONObject:
        return {
            "odsCode": self.ods_code,
            "name": self.name,
            "did": self.did,
            "didDocument": self.did_document.to_json(),
            "verificationMethods": [k.to_json() for k in self.keys],
            "accreditedScopes": [s.to_json() for s in self.scopes],
            "statusListBase": self.status_list_base,
            "status": self.status,
            "withdrawnAt": _opt_time(self.withdrawn_at),
            "successor": self.successor,
        }

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window of the key ``vm_id``, ``None`` if it is not listed."""
        return find_key_window(self.keys, vm_id)


@dataclass(frozen=True, slots=True)
class TrustListContent:
    """The subject of an ``InnopassTrustList`` credential: a version and its issuers."""

    version: int
    issuers: tuple[TrustedIssuer, ...] = field(default=())

    @classmethod
    def from_credential(cls, credential: Mapping[str, JSONValue]) -> TrustListContent:
        """Read the structure of a trust-list credential (its proof is checked elsewhere)."""
        types = credential.get("type")
        if not isinstance(types, list) or TRUST_LIST_TYPE not in types:
            raise MalformedInputError(f"not an {TRUST_LIST_TYPE} credential", path="/type")
        subject = _object(
            credential.get("credentialSubject"), "/credentialSubject", "credentialSubject"
        )
        version = subject.get("trustListVersion")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise MalformedInputError(
                "trustListVersion must be a positive integer",
                path="/credentialSubject/trustListVersion",
            )
        path = "/credentialSubject/trustedIssuers"
        issuers = _list(subject.get("trustedIssuers"), path, "trustedIssuers")
        return cls(
            version=version,
            issuers=tuple(
                TrustedIssuer.from_json(item, path=f"{path}/{i}") for i, item in enumerate(issuers)
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
            "trustListVersion": content.version,
            "trustedIssuers": [i.to_json() for i in content.issuers],
        },
    }


def is_bundle(value: Any) -> bool:
    """Whether a parsed JSON value claims to be an innopass bundle."""
    return isinstance(value, dict) and value.get("type") == BUNDLE_TYPE


@dataclass(frozen=True, slots=True)
class Bundle:
    """A passport with what verifies it offline (FORMATS.md §6)."""

    passport: JSONObject | str
    issuer: OrganisationDescription | None = None
    status_lists: tuple[JSONObject, ...] = ()
    trust_list: JSONObject | None = None

    @classmethod
    def from_json(cls, obj: JSONValue) -> Bundle:
        o = _object(obj, "", "bundle")
        if o.get("type") != BUNDLE_TYPE:
            raise MalformedInputError(f"type is not {BUNDLE_TYPE}", path="/type")
        _format_version(o, "")
        passport = o.get("passport")
        if not isinstance(passport, dict | str):
            raise MalformedInputError(
                "passport must be a credential or a compact JWS", path="/passport"
            )
        issuer = o.get("issuer")
        lists = _list(o.get("statusLists", []), "/statusLists", "statusLists")
        if len(lists) > MAX_BUNDLE_STATUS_LISTS:
            raise MalformedInputError(
                f"statusLists has {len(lists)} lists, over the limit of {MAX_BUNDLE_STATUS_LISTS}",
                path="/statusLists",
            )
        trust_list = o.get("trustList")
        return cls(
            passport=passport,
            issuer=None
            if issuer is None
            else OrganisationDescription.from_json(issuer, path="/issuer"),
            status_lists=tuple(
                _object(item, pointer("statusLists", i), "status list")
                for i, item in enumerate(lists)
            ),
            trust_list=None
            if trust_list is None
            else _object(trust_list, "/trustList", "trustList"),
        )

    def to_json(self) -> JSONObject:
        out: JSONObject = {
            "type": BUNDLE_TYPE,
            "formatVersion": FORMAT_VERSION,
            "passport": self.passport,
        }
        if self.issuer is not None:
            out["issuer"] = self.issuer.to_json()
        out["statusLists"] = list(self.status_lists)
        if self.trust_list is not None:
            out["trustList"] = self.trust_list
        return out
