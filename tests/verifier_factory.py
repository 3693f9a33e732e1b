"""A small factory of real, signed test material for the verifier tests.

Everything is built from the lower layers exactly as FORMATS.md describes it
(keys, DID documents, ``add_proof``, ``sign_vc_jwt``, the status and trust
models), never through ``innopass.issuer``, so the verifier is tested against the
formats rather than against the issuer's code. Nothing here is mocked: every
credential is signed with a real key.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from innopass._internal.canonical import sha256_digest
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.jose import sign_vc_jwt
from innopass._internal.jsonio import JSONObject
from innopass._internal.net import RequestsFetcher
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.suites import suite_for_key
from innopass._internal.timestamps import format_datetime
from innopass.did import (
    DidDocument,
    DidWebResolver,
    VerificationMethod,
    did_key_document,
    did_key_from_public_key,
    did_web_document,
    did_web_from_host,
    verification_method_id,
)
from innopass.errors import NetworkError
from innopass.keys import KeyType, PrivateKey, generate_private_key
from innopass.record import example
from innopass.status import (
    MIN_ENTRIES,
    StatusEntry,
    build_status_list_credential,
    list_id,
    new_bitstring,
    with_bit,
)
from innopass.trust import (
    ALL_PROFILES,
    AccreditedScope,
    Bundle,
    KeyWindow,
    OrganisationDescription,
    TrustedIssuer,
    TrustListContent,
    build_trust_list_credential,
)
from innopass.verifier import TrustStore, VerificationResult, Verifier

#: The fixed "now" of the verifier tests.
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
RF4_NAME = "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST"
REVOCATION_INDEX = 94_567
SUSPENSION_INDEX = 23_452

#: A JSON document as tests build and edit it (its structure is known to the test).
Doc = dict[str, Any]


def clock(at: datetime = NOW) -> Any:
    """A fixed clock for ``Verifier(clock=...)``."""
    return lambda: at


class MapFetcher:
    """An in-memory "web": URL → bytes (for the --online path, without a network)."""

    def __init__(self, pages: Mapping[str, bytes]) -> None:
        self.pages = dict(pages)
        self.calls: list[str] = []

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        self.calls.append(url)
        if url not in self.pages:
            raise NetworkError(url, "404")
        return self.pages[url]


@dataclass
class Key:
    """One signing key of an organisation, with its window."""

    private: PrivateKey
    vm_id: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    compromised: bool = False

    def window(self) -> KeyWindow:
        return KeyWindow(self.vm_id, self.valid_from, self.valid_until, self.compromised)


@dataclass
class Org:
    """An NHS organisation (issuer or anchor) with keys and status lists."""

    ods: str
    name: str
    did: str
    keys: list[Key]
    document: DidDocument
    status_base: str
    bits: dict[str, bytes] = field(default_factory=dict)

    # --- construction --------------------------------------------------------------

    @classmethod
    def did_key(
        cls, ods: str = "RF4", name: str = RF4_NAME, key_type: KeyType = KeyType.ED25519
    ) -> Org:
        private = generate_private_key(key_type)
        did = did_key_from_public_key(private.public_key())
        key = Key(private, verification_method_id(did))
        return cls(ods, name, did, [key], did_key_document(did), f"urn:innopass:status:{ods}/")

    @classmethod
    def did_web(
        cls,
        host: str = "rf4.nhs.example",
        ods: str = "RF4",
        name: str = RF4_NAME,
        windows: Sequence[tuple[datetime | None, datetime | None]] = ((None, None),),
        key_type: KeyType = KeyType.ED25519,
        authorise: Iterable[int] | None = None,
    ) -> Org:
        """A did:web organisation with one key per window; ``authorise`` limits assertionMethod."""
        did = did_web_from_host(host)
        keys = [
            Key(generate_private_key(key_type), f"{did}#key-{i + 1}", start, end)
            for i, (start, end) in enumerate(windows)
        ]
        allowed = range(len(keys)) if authorise is None else authorise
        document = _web_document(did, keys, [keys[i].vm_id for i in allowed])
        return cls(ods, name, did, keys, document, f"https://{host}/status/")

    # --- public material -----------------------------------------------------------

    def description(self) -> Doc:
        """The organisation description of FORMATS.md §4.

        ``keys`` lists the keys under ``assertionMethod`` (a description may not give
        a window to any other key).
        """
        return OrganisationDescription(
            ods_code=self.ods,
            name=self.name,
            did=self.did,
            did_document=self.document,
            status_list_base=self.status_base,
            keys=tuple(k.window() for k in self.keys if self.document.authorises(k.vm_id)),
            exported_at=NOW - timedelta(days=30),
        ).to_json()

    def organisation(self) -> OrganisationDescription:
        return OrganisationDescription.from_json(self.description())

    def trusted_issuer(self, **changes: Any) -> TrustedIssuer:
        issuer = TrustedIssuer.from_organisation(self.organisation())
        fields = {f: getattr(issuer, f) for f in issuer.__slots__}
        fields.update(changes)
        return TrustedIssuer(**fields)

    # --- signing -------------------------------------------------------------------

    def sign(
        self, document: Mapping[str, Any], *, key: int = 0, created: datetime | None = None
    ) -> Doc:
        """Sign with key ``key`` at ``created`` (default: an hour before NOW)."""
        k = self.keys[key]
        return add_proof(
            document,
            key=k.private,
            suite=suite_for_key(k.private.key_type),
            options=ProofOptions(
                verification_method=k.vm_id, created=created or NOW - timedelta(hours=1)
            ),
        )

    def sign_jwt(
        self, document: Mapping[str, Any], *, key: int = 0, issued_at: datetime | None = None
    ) -> str:
        k = self.keys[key]
        return sign_vc_jwt(
            document, k.private, kid=k.vm_id, issued_at=issued_at or NOW - timedelta(hours=1)
        )

    # --- status lists --------------------------------------------------------------

    def list_id(self, purpose: str) -> str:
        return list_id(self.status_base, purpose, 1)

    def set_bit(self, purpose: str, index: int) -> None:
        self.bits[purpose] = with_bit(
            self.bits.get(purpose, new_bitstring(MIN_ENTRIES)), index, True
        )

    def status_list(
        self,
        purpose: str,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        key: int = 0,
        bits: bytes | None = None,
        created: datetime | None = None,
    ) -> Doc:
        """A signed BitstringStatusListCredential (fresh at NOW by default)."""
        start = valid_from or NOW - timedelta(hours=1)
        unsigned = build_status_list_credential(
            list_id=self.list_id(purpose),
            issuer_did=self.did,
            purpose=purpose,
            bits=bits if bits is not None else self.bits.get(purpose, new_bitstring(MIN_ENTRIES)),
            valid_from=start,
            valid_until=valid_until or start + timedelta(days=7),
        )
        return self.sign(unsigned, key=key, created=created or start)

    def status_lists(self) -> list[Doc]:
        return [self.status_list("revocation"), self.status_list("suspension")]


def _web_document(did: str, keys: Sequence[Key], assertion: Sequence[str]) -> DidDocument:
    methods = [VerificationMethod(k.vm_id, "Multikey", did, k.private.public_key()) for k in keys]
    return did_web_document(did, methods, assertion=assertion)


# --- passports -------------------------------------------------------------------------


def unsigned_passport(
    org: Org,
    *,
    record: JSONObject | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    status: bool = True,
) -> Doc:
    """An unsigned passport (FORMATS.md §1) over the device example record."""
    rec = copy.deepcopy(record) if record is not None else example("device")
    name = rec["product"]["name"]  # type: ignore[index,call-overload]
    credential: Doc = {
        "@context": list(PASSPORT_CONTEXT),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "InnovatorPassport"],
        "name": f"Innovator passport: {name}",
        "issuer": {"id": org.did, "type": "NhsOrganisation", "name": org.name, "odsCode": org.ods},
        "validFrom": format_datetime(valid_from or NOW - timedelta(days=1)),
        "validUntil": format_datetime(valid_until or datetime(2027, 9, 30, 23, 59, 59, tzinfo=UTC)),
        "credentialSubject": {
            "id": rec["record_id"],
            "type": "AssessedTechnology",
            "assessmentRecord": rec,
            "recordDigest": sha256_digest(rec),
        },
        "credentialSchema": {
            "id": RECORD_SCHEMA_ID,
            "type": "JsonSchema",
            "digestSRI": schema_digest_sri(RECORD_SCHEMA),
        },
    }
    if status:
        credential["credentialStatus"] = [
            StatusEntry("revocation", REVOCATION_INDEX, org.list_id("revocation")).to_json(),
            StatusEntry("suspension", SUSPENSION_INDEX, org.list_id("suspension")).to_json(),
        ]
    return credential


def passport(org: Org, *, key: int = 0, created: datetime | None = None, **options: Any) -> Doc:
    """A signed Data Integrity passport."""
    return org.sign(unsigned_passport(org, **options), key=key, created=created)


def jwt_passport(
    org: Org, *, key: int = 0, issued_at: datetime | None = None, **options: Any
) -> str:
    """A signed ``vc+jwt`` passport."""
    return org.sign_jwt(unsigned_passport(org, **options), key=key, issued_at=issued_at)


# --- trust lists and bundles ---------------------------------------------------------


def trust_list(
    anchor: Org,
    issuers: Sequence[TrustedIssuer],
    *,
    version: int = 1,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Doc:
    """A trust list signed by ``anchor`` (FORMATS.md §5)."""
    start = valid_from or NOW - timedelta(days=1)
    unsigned = build_trust_list_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        anchor_did=anchor.did,
        anchor_name=anchor.name,
        anchor_ods_code=anchor.ods,
        content=TrustListContent(version=version, issuers=tuple(issuers)),
        valid_from=start,
        valid_until=valid_until or start + timedelta(days=30),
    )
    return anchor.sign(unsigned, created=start)


def bundle(
    credential: JSONObject | str,
    org: Org,
    *,
    status_lists: Sequence[JSONObject] | None = None,
    trust: JSONObject | None = None,
) -> Doc:
    """A bundle (FORMATS.md §6)."""
    return Bundle(
        passport=credential,
        issuer=org.organisation(),
        status_lists=tuple(org.status_lists() if status_lists is None else status_lists),
        trust_list=trust,
    ).to_json()


__all__ = [
    "ALL_PROFILES",
    "NOW",
    "AccreditedScope",
    "Key",
    "MapFetcher",
    "Org",
    "RunVerifier",
    "allow_did_web",
    "bundle",
    "clock",
    "jwt_passport",
    "make_verifier",
    "no_fetching",
    "passport",
    "trust_list",
    "unsigned_passport",
]


# --- offline proof and verifier construction -------------------------------------------


_REAL_DID_WEB_RESOLVE = DidWebResolver.resolve


def allow_did_web(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo :func:`no_fetching` for did:web, for tests that pass an in-memory fetcher."""
    monkeypatch.setattr(DidWebResolver, "resolve", _REAL_DID_WEB_RESOLVE)


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything reaches for the web: RequestsFetcher or did:web resolution.

    Import it into a test module (``from verifier_factory import no_fetching``) to
    apply it to every test there; conftest's socket guard backs it up.
    """

    def refuse(self: object, url: str, **_: object) -> bytes:
        raise AssertionError(f"network fetch attempted: {url}")

    def refuse_resolve(self: object, did: str) -> object:
        raise AssertionError(f"did:web resolution attempted: {did}")

    monkeypatch.setattr(RequestsFetcher, "fetch", refuse)
    monkeypatch.setattr(DidWebResolver, "resolve", refuse_resolve)


class RunVerifier:
    """A :class:`Verifier` with this run's trust and status lists offered to every call."""

    def __init__(
        self,
        verifier: Verifier,
        trust_lists: Sequence[JSONObject],
        status_lists: Sequence[JSONObject],
    ) -> None:
        self.verifier = verifier
        self.trust_lists = tuple(trust_lists)
        self.status_lists = tuple(status_lists)

    @property
    def trust(self) -> TrustStore:
        return self.verifier.trust

    def verify(self, passport: str | bytes | Mapping[str, object]) -> VerificationResult:
        return self.verifier.verify(
            passport, trust_lists=self.trust_lists, status_lists=self.status_lists
        )

    def verify_file(self, path: Any) -> VerificationResult:
        return self.verifier.verify_file(
            path, trust_lists=self.trust_lists, status_lists=self.status_lists
        )


def make_verifier(
    *,
    issuers: Sequence[str | OrganisationDescription] = (),
    anchors: Sequence[str | OrganisationDescription] = (),
    trust_lists: Sequence[JSONObject] = (),
    status_lists: Sequence[JSONObject] = (),
    at: datetime = NOW,
    store: TrustStore | None = None,
    **options: Any,
) -> RunVerifier:
    """A verifier over a fresh store with these pins, at ``at``; the lists are offered per run."""
    trust = store or TrustStore()
    for anchor in anchors:
        trust = trust.with_anchor(anchor)
    for issuer in issuers:
        trust = trust.with_issuer(issuer, require_document=False)
    verifier = Verifier(trust, clock=clock(at), trust_no_one=True, **options)
    return RunVerifier(verifier, trust_lists, status_lists)
