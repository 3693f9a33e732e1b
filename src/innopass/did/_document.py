"""DID documents and verification methods (DID Core 1.0 / CID 1.0), parsed strictly.

A :class:`DidDocument` is built only from a JSON object that passes these checks:
``id`` is a DID (and equals the DID that was resolved), every verification method
has an absolute DID-URL ``id`` with a fragment (relative ``#frag`` ids are made
absolute), its ``controller`` is the document's ``id``, ids are unique, no method
carries private key material, and every verification-relationship entry is either
a reference to a method in the document or an embedded method.

Methods whose key innopass cannot sign or verify with (X25519 key-agreement keys,
P-521, unknown types, broken key encodings) do not make the whole document
unusable: they are kept as :class:`UnusableMethod` with the reason, so a proof that
names one fails with a clear :class:`ResolutionError` while the other keys work.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    KeyNotAuthorisedError,
    KeyNotFoundError,
    MalformedInputError,
    ResolutionError,
)
from innopass.keys import (
    _PRIVATE_JWK_MEMBERS,
    PublicKey,
    public_key_from_jwk,
    public_key_from_multibase,
)

__all__ = [
    "MULTIBASE_METHOD_TYPES",
    "RELATIONSHIPS",
    "DidDocument",
    "Resolver",
    "UnusableMethod",
    "VerificationMethod",
    "did_method",
    "resolve_verification_method",
    "split_did_url",
]

#: Verification relationships (DID Core §5.3), in document order.
RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)
#: Method types whose key is ``publicKeyMultibase``.
MULTIBASE_METHOD_TYPES: Final = frozenset({"Multikey", "Ed25519VerificationKey2020"})
_JWK_METHOD_TYPES: Final = frozenset({"JsonWebKey", "JsonWebKey2020"})
_SECRET_PROPERTIES: Final = (
    "secretKeyMultibase",
    "privateKeyMultibase",
    "privateKeyJwk",
    "secretKeyJwk",
    "privateKeyBase58",
)

# DID Core §3.1: did:<method-name>:<method-specific-id>, idchar = ALPHA / DIGIT / . - _ / pct
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID_RE = re.compile(rf"did:([a-z0-9]+):(?:{_IDCHAR}*:)*{_IDCHAR}+")
_FRAGMENT_RE = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})+")
_MAX_DID_URL = 4096


@functools.lru_cache(maxsize=1024)  # a verification asks about the same few DIDs many times
def did_method(did: str) -> str:
    """The method name of ``did`` (``"key"`` for ``did:key:…``); ResolutionError if not a DID."""
    match = _DID_RE.fullmatch(did) if len(did) <= _MAX_DID_URL else None
    if match is None:
        raise ResolutionError(did, "not a DID")
    return match.group(1)


@functools.lru_cache(maxsize=1024)
def split_did_url(url: str) -> tuple[str, str]:
    """Split a DID URL into ``(did, fragment)``; the fragment is ``""`` when absent.

    DID URLs with a path or query are refused: innopass dereferences only
    ``did#fragment``.
    """
    did, hash_sign, fragment = url.partition("#")
    if "/" in did or "?" in did:
        raise ResolutionError(did, "DID URLs with a path or query are not supported")
    did_method(did)
    if hash_sign and not _FRAGMENT_RE.fullmatch(fragment):
        raise ResolutionError(did, f"invalid DID URL fragment in {url!r}")
    return did, fragment


def _absolute(ref: str, base_did: str, *, what: str) -> str:
    """Make ``#frag`` absolute against ``base_did``; require absolute refs to be ``did#frag``."""
    url = base_did + ref if ref.startswith("#") else ref
    _, fragment = split_did_url(url)
    if not fragment:
        raise ResolutionError(base_did, f"{what} {ref!r} is not a DID URL with a fragment")
    return url


def _parse_time(value: JSONValue, *, did: str, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except MalformedInputError as exc:
        raise ResolutionError(did, f"{what}: {exc.message}") from exc


def _require_str(obj: Mapping[str, JSONValue], name: str, *, did: str, what: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise ResolutionError(did, f"{what}: {name} must be a non-empty string")
    return value


@dataclass(frozen=True, slots=True)
class UnusableMethod:
    """A verification method whose key innopass cannot use, and why."""

    id: str
    type: str
    controller: str
    reason: str


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A verification method with a usable public key (Multikey or JWK form)."""

    id: str
    type: str
    controller: str
    public_key: PublicKey
    expires: datetime | None = None
    revoked: datetime | None = None

    def to_json(self) -> JSONObject:
        """Serialise: ``publicKeyJwk`` for JWK types, else ``publicKeyMultibase``."""
        out: JSONObject = {"id": self.id, "type": self.type, "controller": self.controller}
        if self.type in _JWK_METHOD_TYPES:
            out["publicKeyJwk"] = dict(self.public_key.to_jwk())
        else:
            out["publicKeyMultibase"] = self.public_key.to_multibase()
        if self.expires is not None:
            out["expires"] = format_datetime(self.expires)
        if self.revoked is not None:
            out["revoked"] = format_datetime(self.revoked)
        return out

    @classmethod
    def from_json(cls, obj: JSONValue, *, base_did: str) -> VerificationMethod:
        """Parse a Multikey, Ed25519VerificationKey2020, JsonWebKey or JsonWebKey2020 method.

        Raises :class:`ResolutionError` for a malformed method (including one that
        carries private key material) and :class:`KeyMaterialError` for a
        well-formed method whose key is unsupported or invalid.
        """
        header = _method_header(obj, base_did=base_did)
        assert isinstance(obj, dict)  # checked by _method_header
        vm_id, vm_type, controller = header
        if vm_type in MULTIBASE_METHOD_TYPES:
            value = obj.get("publicKeyMultibase")
            if not isinstance(value, str):
                raise ResolutionError(base_did, f"{vm_id}: publicKeyMultibase must be a string")
            public_key = public_key_from_multibase(value)
        elif vm_type in _JWK_METHOD_TYPES:
            public_key = public_key_from_jwk(obj.get("publicKeyJwk"))
        else:
            raise KeyMaterialError(f"unsupported verification method type {vm_type!r}")
        return cls(
            id=vm_id,
            type=vm_type,
            controller=controller,
            public_key=public_key,
            expires=_parse_time(obj.get("expires"), did=base_did, what=f"{vm_id}: expires"),
            revoked=_parse_time(obj.get("revoked"), did=base_did, what=f"{vm_id}: revoked"),
        )


def _method_header(obj: JSONValue, *, base_did: str) -> tuple[str, str, str]:
    """Check the parts of a method that do not depend on its key: ``(id, type, controller)``."""
    if not isinstance(obj, dict):
        raise ResolutionError(base_did, "verification method is not a JSON object")
    vm_id = _absolute(
        _require_str(obj, "id", did=base_did, what="verification method"),
        base_did,
        what="verification method id",
    )
    vm_type = _require_str(obj, "type", did=base_did, what=vm_id)
    controller = _require_str(obj, "controller", did=base_did, what=vm_id)
    secret: list[str] = [name for name in _SECRET_PROPERTIES if name in obj]
    jwk = obj.get("publicKeyJwk")
    if isinstance(jwk, dict):
        secret += sorted(f"publicKeyJwk.{m}" for m in _PRIVATE_JWK_MEMBERS.intersection(jwk))
    if secret:
        raise ResolutionError(base_did, f"{vm_id}: carries private key material ({secret[0]})")
    return vm_id, vm_type, controller


@dataclass(frozen=True)
class DidDocument:
    """A validated DID document. Build with :meth:`from_json`; ``raw`` is the source JSON."""

    id: str
    verification_methods: tuple[VerificationMethod, ...]
    assertion_method: tuple[str, ...]
    authentication: tuple[str, ...]
    raw: JSONObject
    key_agreement: tuple[str, ...] = ()
    capability_invocation: tuple[str, ...] = ()
    capability_delegation: tuple[str, ...] = ()
    unusable_methods: tuple[UnusableMethod, ...] = ()

    @classmethod
    def from_json(cls, obj: JSONValue, *, expected_id: str | None = None) -> DidDocument:
        """Validate a DID document (see the module docstring) and build it.

        Raises :class:`ResolutionError` (with ``did`` = ``expected_id`` or the
        document's ``id``) when the document is unusable.
        """
        did = expected_id or ""
        if not isinstance(obj, dict):
            raise ResolutionError(did, "DID document is not a JSON object")
        doc_id = obj.get("id")
        if not isinstance(doc_id, str):
            raise ResolutionError(did, "DID document has no string id")
        if expected_id is not None and doc_id != expected_id:
            raise ResolutionError(did, f"DID document id {doc_id!r} is not {expected_id!r}")
        split_did_url(doc_id)
        if "#" in doc_id:
            raise ResolutionError(doc_id, "DID document id must be a DID, not a DID URL")

        methods: dict[str, VerificationMethod | UnusableMethod] = {}

        def add(entry: JSONValue) -> str:
            method = _parse_method(entry, doc_id)
            if method.id in methods:
                raise ResolutionError(doc_id, f"duplicate verification method id {method.id!r}")
            methods[method.id] = method
            return method.id

        listed = obj.get("verificationMethod", [])
        if not isinstance(listed, list):
            raise ResolutionError(doc_id, "verificationMethod must be an array")
        for entry in listed:
            add(entry)

        references: dict[str, list[str]] = {}
        for relationship in RELATIONSHIPS:
            entries = obj.get(relationship, [])
            if not isinstance(entries, list):
                raise ResolutionError(doc_id, f"{relationship} must be an array")
            ids = references.setdefault(relationship, [])
            for entry in entries:
                if isinstance(entry, str):
                    ids.append(_absolute(entry, doc_id, what=f"{relationship} entry"))
                else:
                    ids.append(add(entry))
        for relationship, ids in references.items():
            for ref in ids:
                if ref not in methods:
                    raise ResolutionError(
                        doc_id, f"{relationship} references {ref!r}, which is not in the document"
                    )

        return cls(
            id=doc_id,
            verification_methods=tuple(
                m for m in methods.values() if isinstance(m, VerificationMethod)
            ),
            assertion_method=tuple(references["assertionMethod"]),
            authentication=tuple(references["authentication"]),
            raw=copy.deepcopy(obj),
            key_agreement=tuple(references["keyAgreement"]),
            capability_invocation=tuple(references["capabilityInvocation"]),
            capability_delegation=tuple(references["capabilityDelegation"]),
            unusable_methods=tuple(m for m in methods.values() if isinstance(m, UnusableMethod)),
        )

    def to_json(self) -> JSONObject:
        """A copy of the document JSON."""
        return copy.deepcopy(self.raw)

    def method(self, vm_id: str) -> VerificationMethod | None:
        """The usable verification method with this absolute id, if any."""
        return next((m for m in self.verification_methods if m.id == vm_id), None)

    def unusable_method(self, vm_id: str) -> UnusableMethod | None:
        """The unusable verification method with this absolute id, if any."""
        return next((m for m in self.unusable_methods if m.id == vm_id), None)

    def relationship(self, name: str) -> tuple[str, ...]:
        """The absolute method ids listed under a verification relationship."""
        by_name = {
            "assertionMethod": self.assertion_method,
            "authentication": self.authentication,
            "keyAgreement": self.key_agreement,
            "capabilityInvocation": self.capability_invocation,
            "capabilityDelegation": self.capability_delegation,
        }
        if name not in by_name:
            raise ConfigurationError(f"unknown verification relationship {name!r}")
        return by_name[name]

    def authorises(self, vm_id: str, relationship: str = "assertionMethod") -> bool:
        """Whether ``vm_id`` is referenced (or embedded) under ``relationship``."""
        return vm_id in self.relationship(relationship)

    def same_keys(self, other: DidDocument) -> bool:
        """Whether ``other`` has the same id, methods (ids, controllers, keys) and assertionMethod.

        Used to accept a copy of a computed document (``did:key``, ``did:jwk``) only
        when it says exactly what the computation says.
        """
        return _key_material(self) == _key_material(other)


def _key_material(document: DidDocument) -> tuple[object, ...]:
    usable = frozenset(
        (m.id, m.controller, tuple(sorted(m.public_key.to_jwk().items())))
        for m in document.verification_methods
    )
    unusable = frozenset((m.id, m.type, m.controller) for m in document.unusable_methods)
    return document.id, usable, unusable, frozenset(document.assertion_method)


def _parse_method(entry: JSONValue, doc_id: str) -> VerificationMethod | UnusableMethod:
    vm_id, vm_type, controller = _method_header(entry, base_did=doc_id)
    if controller != doc_id:
        raise ResolutionError(doc_id, f"{vm_id}: controller {controller!r} is not the document id")
    if split_did_url(vm_id)[0] != doc_id:
        raise ResolutionError(doc_id, f"verification method {vm_id!r} is outside this document")
    try:
        return VerificationMethod.from_json(entry, base_did=doc_id)
    except KeyMaterialError as exc:
        return UnusableMethod(id=vm_id, type=vm_type, controller=controller, reason=str(exc))


class Resolver(Protocol):
    """Turns a DID into a validated :class:`DidDocument`."""

    def resolve(self, did: str) -> DidDocument:
        """The document whose ``id`` is ``did``; :class:`ResolutionError` otherwise."""
        ...


def resolve_verification_method(
    resolver: Resolver, vm_url: str, *, relationship: str = "assertionMethod"
) -> VerificationMethod:
    """CID 1.0 "Retrieve Verification Method": dereference ``vm_url`` and check it may be used.

    ``vm_url`` must be a DID URL with a fragment. The DID part is resolved, the
    document's ``id`` must equal it, the method must exist
    (:class:`KeyNotFoundError`), its ``controller`` must be the DID, and it must
    be referenced or embedded under ``relationship``
    (:class:`KeyNotAuthorisedError`). A method whose key innopass cannot use
    raises :class:`ResolutionError` with the reason.
    """
    did, fragment = split_did_url(vm_url)
    if not fragment:
        raise ResolutionError(did, f"verification method URL {vm_url!r} has no fragment")
    document = resolver.resolve(did)
    if document.id != did:
        raise ResolutionError(did, f"resolved document id {document.id!r} is not {did!r}")
    found: VerificationMethod | UnusableMethod | None = document.method(vm_url)
    if found is None:
        found = document.unusable_method(vm_url)
    if found is None:
        raise KeyNotFoundError(did, f"no verification method {vm_url!r} in the DID document")
    if found.controller != did:
        raise ResolutionError(did, f"{vm_url}: controller {found.controller!r} is not {did!r}")
    if not document.authorises(vm_url, relationship):
        raise KeyNotAuthorisedError(did, f"{vm_url} is not listed under {relationship}")
    if isinstance(found, UnusableMethod):
        raise ResolutionError(did, f"{vm_url} cannot be used: {found.reason}")
    return found
