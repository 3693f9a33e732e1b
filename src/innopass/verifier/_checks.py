"""The five checks after ``parse``: each a function of the envelope and the verification context.

Every check runs, whatever the others found, and reports its own failures
(PRODUCT.md §5). Failure paths are JSON pointers into the credential (for a JWT,
into its payload; ``/header/…`` points into the JWS protected header).

- ``proof``: the suite (or JOSE ``alg``) is on the verifier's allow-list; the key
  is a DID URL of the issuer, resolved through the trust store only, listed under
  ``assertionMethod``; every signature verifies.
- ``issuer``: the issuer is pinned or named by a trust list in force; its trust
  sources agree; each proof's creation time falls inside the key's window and the
  key is not compromised; the issuer was not withdrawn before signing; the ODS
  codes agree; a trust-listed issuer is accredited for the record's profile and
  domains.
- ``validity``: ``validFrom``/``validUntil`` with the configured clock skew.
- ``status``: every ``BitstringStatusListEntry`` against a verified, fresh list; an
  entry of another status type is ``status-type-unsupported`` (indeterminate).
- ``record``: an innovator passport (exact ``@context`` and type); the record
  passes the schema; ``recordDigest`` and the schema's ``digestSRI`` match.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from innopass._internal import schema
from innopass._internal.cache import ContentKey, VerifiedCache, content_key
from innopass._internal.canonical import sha256_digest
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.jose import jwt_claims, verify_vc_jwt
from innopass._internal.jsonio import JSONObject, JSONValue, pointer
from innopass._internal.proof import DataIntegrityProof, verify_data_integrity
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.suites import Cryptosuite
from innopass._internal.timestamps import beyond, format_datetime, parse_datetime
from innopass.adoption import ADOPTION_SCHEMA, AdoptionClaims
from innopass.errors import (
    CheckFailed,
    FailureCode,
    MalformedInputError,
    NetworkError,
)
from innopass.status import StatusEntry, StatusPurpose, split_status_entries
from innopass.trust import TrustedIssuer
from innopass.verifier._envelope import Envelope
from innopass.verifier._online import Online
from innopass.verifier._parties import IssuerTrust, key_window_problem
from innopass.verifier._result import CheckName, Failure, StatusMessageInfo, StatusSource
from innopass.verifier._status_lists import (
    CheckedStatusList,
    EntryReading,
    HeldStatusList,
    StatusPolicy,
    VerifiedStatusList,
    read_entry,
    verify_status_list,
)
from innopass.verifier._trust_store import TrustView

__all__ = [
    "Context",
    "Found",
    "Signing",
    "VerifiedLists",
    "check_adoption",
    "check_issuer",
    "check_proof",
    "check_record",
    "check_status",
    "check_validity",
    "proof_times",
]

_MAX_SCHEMA_FAILURES: Final = 50
_RECORD_PATH: Final = "/credentialSubject/assessmentRecord"
_SUBJECT_TYPE: Final = "AssessedTechnology"
_ONE_BIT_OUTCOMES: Final = frozenset({StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION})
_OFFLINE_HINT: Final = " (offline: give it with --status-list, a bundle or trust import)"


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a verification uses besides the envelope, fixed for the run."""

    now: datetime
    skew: timedelta
    status_max_age: timedelta
    suites: dict[str, Cryptosuite]
    jose_algorithms: frozenset[str]
    max_status_list_bytes: int
    trust: TrustView
    trust_failures: tuple[CheckFailed, ...] = ()
    """Problems with the trust lists offered for this run (reported by the issuer check)."""
    status_lists: tuple[JSONObject, ...] = ()
    """Status lists offered for this run (the caller's and the bundle's)."""
    status_cache: VerifiedCache[CheckedStatusList] | None = None
    online: Online | None = None
    content_keys: Mapping[int, tuple[JSONObject, ContentKey | None]] = field(default_factory=dict)
    """The cache keys of the lists the verifier owns (its own copies and its store's),
    by object identity: they never change, so their keys are computed once."""
    verified_lists: VerifiedLists | None = None
    """Status lists verified under this very ``trust`` view (given only for the verifier's
    fixed offline view, where checking a list again would decide the same)."""


#: A status list's cache key, its passport's issuer and when it was fetched.
_VerifiedKey = tuple[ContentKey, str, datetime | None]


class VerifiedLists:
    """What :func:`verify_status_list` found for lists under one fixed, offline trust view.

    That view (the trust store's, with nothing offered for the run) never changes: the
    issuer's trust, its key windows and the resolver are the same at every verification,
    so checking the same list (the same id and content, for the same issuer, fetched at
    the same time) again decides the same. Only lists that verified are kept; every time
    rule is still applied at each use. Bounded (cleared when full); thread-safe (a lost
    race only checks a list twice). Bounded as the verifier's status-list cache is: in
    entries, and in the decoded bytes held.
    """

    __slots__ = ("_found", "_lock", "_max_bytes", "_max_entries", "_size")

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self._found: dict[_VerifiedKey, VerifiedStatusList] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._size = 0

    def get(self, key: _VerifiedKey) -> VerifiedStatusList | None:
        return self._found.get(key)

    def put(self, key: _VerifiedKey, value: VerifiedStatusList) -> None:
        size = len(value.list.bits)
        if self._max_entries <= 0 or size > self._max_bytes:
            return
        with self._lock:
            if len(self._found) >= self._max_entries or self._size + size > self._max_bytes:
                self._found.clear()
                self._size = 0
            self._found[key] = value
            self._size += size


@dataclass(slots=True)
class Found:
    """The failures of one check, and whether it was skipped for lack of input."""

    name: CheckName
    failures: list[Failure] = field(default_factory=list)
    skipped: bool = False

    def fail(self, code: FailureCode, message: str, path: str = "") -> None:
        self.failures.append(Failure(code=code, message=message, path=path, check=self.name))

    def failed(self, exc: CheckFailed) -> None:
        self.fail(exc.failure, exc.message, exc.path)


@dataclass(frozen=True, slots=True)
class ProofMade:
    """One proof's key and creation time, whether or not its signature verified."""

    vm_id: str
    created: datetime | None
    path: str
    """Where the creation time is (``/proof/created``, ``/iat``, …)."""


@dataclass(frozen=True, slots=True)
class Signing:
    """What the proof check learned."""

    proofs: tuple[ProofMade, ...] = ()
    verified: bool = False
    """Every signature verified with a key the trust store supplied."""
    outdated: bool = False
    """The key is not in the trust list held, which predates the proof (``trust-list-outdated``):
    the issuer check does not also report the key's missing window."""


# --- proof -------------------------------------------------------------------------------


def check_proof(env: Envelope, ctx: Context) -> tuple[Found, Signing]:
    """The ``proof`` check (module docstring)."""
    found = Found(CheckName.PROOF)
    if env.issuer is None:
        found.skipped = True
        return found, Signing()
    if env.jws is not None:
        return _check_jws(env, ctx, found)
    if env.proof_problem is not None:
        found.failed(env.proof_problem)
        return found, Signing()
    verified = False
    try:
        verify_data_integrity(
            env.credential,
            issuer=env.issuer,
            resolver=ctx.trust.resolver,
            suites=ctx.suites,
            proofs=env.proofs,
            plain=env.plain,
        )
        verified = True
    except CheckFailed as exc:
        latest = max((p.created for p in env.proofs if p.created is not None), default=None)
        methods = [p.verification_method for p in env.proofs]
        found.failed(_outdated(exc, env.issuer, ctx, latest, methods))
    proof_times(found, env.proofs, ctx)
    made = tuple(
        ProofMade(p.verification_method, p.created, f"{p.path}/created") for p in env.proofs
    )
    return found, Signing(proofs=made, verified=verified, outdated=_is_outdated(found))


def _check_jws(env: Envelope, ctx: Context, found: Found) -> tuple[Found, Signing]:
    assert env.jws is not None
    assert env.issuer is not None
    verified = False
    claims, problems = jwt_claims(env.jws.payload, now=ctx.now, skew=ctx.skew)
    try:
        verify_vc_jwt(
            env.jws, issuer=env.issuer, resolver=ctx.trust.resolver, algorithms=ctx.jose_algorithms
        )
        verified = True
    except CheckFailed as exc:
        kid = env.jws.header.get("kid")
        methods = [kid] if isinstance(kid, str) else []
        found.failed(_outdated(exc, env.issuer, ctx, claims.signing_time, methods))
    for problem in problems:
        found.failed(problem)
    kid = env.jws.header.get("kid")
    if not isinstance(kid, str):
        return found, Signing()
    made = ProofMade(kid, claims.signing_time, claims.signing_time_path)
    return found, Signing(
        proofs=(made,), verified=verified and not problems, outdated=_is_outdated(found)
    )


def _is_outdated(found: Found) -> bool:
    return any(f.code is FailureCode.TRUST_LIST_OUTDATED for f in found.failures)


def _outdated(
    exc: CheckFailed,
    issuer: str,
    ctx: Context,
    created: datetime | None,
    methods: Sequence[str],
) -> CheckFailed:
    """A key of the issuer missing from a trust list signed before the proof was made:
    ``trust-list-outdated``.

    After a routine key rotation, a verifier holding the list from before it
    cannot know the new key; a newer list may name it, so that is indeterminate
    (never verified), not a forgery. A key missing from a list signed after the
    proof, or a verification method that is not a DID URL of the issuer, stays
    ``key-not-found``.
    """
    if exc.failure is not FailureCode.KEY_NOT_FOUND or created is None:
        return exc
    if not methods or not all(m.startswith(f"{issuer}#") for m in methods):
        return exc
    trust = ctx.trust.issuer_trust(issuer)
    listed = None if trust is None else trust.trust_list
    if listed is None or listed.valid_from is None or created <= listed.valid_from:
        return exc
    return CheckFailed(
        FailureCode.TRUST_LIST_OUTDATED,
        f"your trust list v{listed.version} (signed {format_datetime(listed.valid_from)}) "
        "predates this key; import a newer one (innopass trust import)",
        exc.path,
    )


def proof_times(found: Found, proofs: Iterable[DataIntegrityProof], ctx: Context) -> None:
    """A proof made in the future or past its own expiry is not accepted."""
    for proof in proofs:
        created, expires = proof.created, proof.expires
        if created is not None and beyond(created, ctx.now, ctx.skew):
            found.fail(
                FailureCode.NOT_YET_VALID,
                f"the proof was made in the future ({format_datetime(created)})",
                f"{proof.path}/created",
            )
        if expires is not None and beyond(ctx.now, expires, ctx.skew):
            found.fail(
                FailureCode.EXPIRED,
                f"the proof expired at {format_datetime(expires)}",
                f"{proof.path}/expires",
            )


# --- issuer --------------------------------------------------------------------------------


def check_issuer(
    env: Envelope, ctx: Context, signing: Signing, record: JSONObject | None
) -> tuple[Found, IssuerTrust | None]:
    """The ``issuer`` check (module docstring)."""
    found = Found(CheckName.ISSUER)
    if env.issuer is None:
        found.skipped = True
        return found, None
    issuer = env.issuer
    for problem in ctx.trust_failures:
        found.failed(problem)
    trust = ctx.trust.issuer_trust(issuer)
    if trust is None:
        found.fail(
            FailureCode.ISSUER_UNTRUSTED,
            f"{issuer[:120]} is not pinned and not in an accepted trust list",
            "/issuer",
        )
        return found, None
    listed = trust.trust_list
    if (
        listed is not None
        and listed.valid_until is not None
        and beyond(ctx.now, listed.valid_until, ctx.skew)
    ):
        found.fail(
            FailureCode.TRUST_LIST_EXPIRED,
            f"the trust list naming {issuer[:120]} (version {listed.version}) has expired: "
            "import a newer one",
            "/issuer",
        )
    for conflict in trust.conflicts():
        found.fail(FailureCode.TRUST_CONFLICT, conflict, "/issuer")
    _check_ods_codes(found, env.credential, trust, record, signing, ctx)
    scopes = trust.scopes
    if record is not None and scopes is not None:
        valid: Any = record  # passed its schema: these members are present and typed
        profile = str(valid["profile"])
        domains = [str(d["domain"]) for d in valid["domains"]]
        if not any(scope.covers(profile, domains) for scope in scopes):
            found.fail(
                FailureCode.ISSUER_UNTRUSTED,
                f"{trust.ods_code or issuer[:120]} is not accredited for {profile} "
                "assessments of these domains",
                f"{_RECORD_PATH}/profile",
            )
    if not signing.proofs:
        found.skipped = True
        return found, trust
    for made in signing.proofs:
        key_conflict = trust.key_conflict(made.vm_id)
        if key_conflict is not None:
            found.fail(FailureCode.TRUST_CONFLICT, key_conflict, made.path)
        if not signing.outdated:  # the proof check said the held list cannot know the key
            _check_signing_time(found, trust, made, issuer, ctx)
    return found, trust


def _check_signing_time(
    found: Found, trust: IssuerTrust, made: ProofMade, issuer: str, ctx: Context
) -> None:
    """The key was valid, and the issuer not withdrawn, when the proof was made.

    A proof may give no signing time (``created`` and ``iat`` are optional): it is
    then decided only where the time cannot matter (see :func:`key_window_problem`);
    a dated withdrawal makes it ``signing-time-unknown`` too, unless that date is still
    to come (beyond the verification's time and skew: a proof that exists now was made
    before it).
    """
    problem = key_window_problem(
        trust.key_window(made.vm_id), vm_id=made.vm_id, created=made.created, path=made.path
    )
    if problem is not None:
        found.failed(problem)
    if not trust.withdrawn:
        return
    heirs = trust.successors
    successor = f" (successor{'s' if len(heirs) > 1 else ''}: {', '.join(heirs)})" if heirs else ""
    if made.created is None and trust.withdrawn_at is not None:
        if beyond(trust.withdrawn_at, ctx.now, ctx.skew):  # pending: not withdrawn yet
            return
        if problem is None:
            found.fail(
                FailureCode.SIGNING_TIME_UNKNOWN,
                f"the proof gives no signing time, and {issuer[:120]} was withdrawn at "
                f"{format_datetime(trust.withdrawn_at)}{successor}",
                made.path,
            )
    elif made.created is None or trust.withdrawn_at is None or made.created >= trust.withdrawn_at:
        found.fail(
            FailureCode.ISSUER_WITHDRAWN,
            f"{issuer[:120]} was withdrawn before this was signed{successor}",
            made.path,
        )


def _check_ods_codes(
    found: Found,
    credential: JSONObject,
    trust: IssuerTrust,
    record: JSONObject | None,
    signing: Signing,
    ctx: Context,
) -> None:
    """The ODS codes agree: the credential's claim, the trust source's, the record's assessor.

    A successor may sign for its predecessor's assessment (a reissue after a merger) when
    a trust list in force names it as the withdrawn predecessor's successor, and only once
    the merger took effect (:func:`_check_merger_time`). Every list naming it counts,
    whichever comes first.
    """
    ods = trust.ods_code
    if ods is None:
        return
    claimed = credential.get("issuer")
    claimed_ods = claimed.get("odsCode") if isinstance(claimed, dict) else None
    if claimed_ods is not None and claimed_ods != ods:
        found.fail(
            FailureCode.ISSUER_UNTRUSTED,
            f"the credential claims ODS code {str(claimed_ods)[:20]!r}, but its issuer is {ods}",
            "/issuer/odsCode",
        )
    valid: Any = record  # passed its schema: these members are present and typed
    if valid is None or valid["assessing_org"]["ods_code"] == ods:
        return
    assessor = str(valid["assessing_org"]["ods_code"])
    mergers = ctx.trust.successions(assessor, ods)
    if not mergers:
        found.fail(
            FailureCode.ISSUER_UNTRUSTED,
            f"the record names {assessor} as assessor, but it was signed by {ods}",
            f"{_RECORD_PATH}/assessing_org/ods_code",
        )
        return
    _check_merger_time(found, mergers, signing, ctx, assessor, ods)


def _check_merger_time(
    found: Found,
    mergers: tuple[TrustedIssuer, ...],
    signing: Signing,
    ctx: Context,
    assessor: str,
    ods: str,
) -> None:
    """The successor signed at or after ``withdrawnAt``: before the merger took effect the
    predecessor is still the assessor, and the successor may not sign for it.

    The merger takes effect at the earliest ``withdrawnAt`` of the entries naming the
    successor (an entry with no time: already). A proof with no signing time is refused
    while that date is still to come (beyond the verification's time and skew), and is
    ``signing-time-unknown`` after it.
    """
    dates = [m.withdrawn_at for m in mergers]
    if any(d is None for d in dates):
        return
    effective = min(d for d in dates if d is not None)
    when = format_datetime(effective)
    for made in signing.proofs:
        if made.created is not None and made.created >= effective:
            continue
        if made.created is None and not beyond(effective, ctx.now, ctx.skew):
            found.fail(
                FailureCode.SIGNING_TIME_UNKNOWN,
                f"the proof gives no signing time, and {ods} may sign for {assessor} only "
                f"from {when}, when the merger took effect",
                made.path,
            )
            continue
        signed = "" if made.created is None else f" at {format_datetime(made.created)}"
        found.fail(
            FailureCode.ISSUER_UNTRUSTED,
            f"{ods} signed {assessor}'s assessment{signed}, before the merger takes effect "
            f"at {when}: a successor may sign for its predecessor only from then",
            f"{_RECORD_PATH}/assessing_org/ods_code",
        )


# --- validity --------------------------------------------------------------------------------


def check_validity(env: Envelope, ctx: Context) -> Found:
    """The ``validity`` check (module docstring)."""
    found = Found(CheckName.VALIDITY)
    credential = env.credential
    times: dict[str, datetime] = {}
    for name in ("validFrom", "validUntil"):
        value = credential.get(name)
        if value is None:
            if env.is_passport:
                found.fail(FailureCode.MALFORMED, f"a passport must have {name}", f"/{name}")
            elif env.is_adoption and name == "validFrom":
                found.fail(
                    FailureCode.MALFORMED, "an adoption record must have validFrom", "/validFrom"
                )
            continue
        try:
            times[name] = parse_datetime(value, path=f"/{name}")
        except MalformedInputError:
            found.skipped = True  # not a dateTimeStamp: reported by parse (the data model)
    start, end = times.get("validFrom"), times.get("validUntil")
    if start is not None and beyond(start, ctx.now, ctx.skew):
        found.fail(
            FailureCode.NOT_YET_VALID, f"not valid before {format_datetime(start)}", "/validFrom"
        )
    if end is not None and beyond(ctx.now, end, ctx.skew):
        found.fail(FailureCode.EXPIRED, f"expired at {format_datetime(end)}", "/validUntil")
    return found


# --- status --------------------------------------------------------------------------------


def check_status(
    env: Envelope,
    ctx: Context,
    trust: IssuerTrust | None,
    signing: Signing,
    *,
    sources: list[StatusSource] | None = None,
) -> tuple[Found, tuple[StatusMessageInfo, ...]]:
    """The ``status`` check (module docstring), and what its message entries say; the lists
    it read are added to ``sources``."""
    found = Found(CheckName.STATUS)
    if env.issuer is None:
        found.skipped = True
        return found, ()
    issuer = env.issuer
    try:
        entries, others = split_status_entries(env.credential)
    except MalformedInputError as exc:
        found.fail(FailureCode.MALFORMED, exc.message, exc.path)
        return found, ()
    for path, kind in others:
        found.fail(
            FailureCode.STATUS_TYPE_UNSUPPORTED,
            f"status type {kind} cannot be checked (innopass checks BitstringStatusListEntry)",
            path,
        )
    if not entries and others:
        return found, ()
    if not entries:
        found.skipped = True
        if env.is_passport or env.is_adoption:
            found.fail(
                FailureCode.MALFORMED,
                "an innovator passport (or adoption record) must carry credentialStatus "
                "(revocation and suspension)",
                "/credentialStatus",
            )
        return found, ()
    if (env.is_passport or env.is_adoption) and not any(
        e.purpose == StatusPurpose.REVOCATION for e in entries
    ):
        found.fail(FailureCode.MALFORMED, "no revocation status entry", "/credentialStatus")
    policy = StatusPolicy(now=ctx.now, skew=ctx.skew, max_age=ctx.status_max_age)
    # A list is checked at most once per verification (two entries often share one).
    checked: dict[int, tuple[JSONObject, VerifiedStatusList | CheckFailed]] = {}

    origin: dict[int, str] = {}  # id of a verified list → where its copy came from

    def verify(candidate: JSONObject, fetched_at: datetime | None) -> VerifiedStatusList:
        outcome = _verify(candidate, fetched_at)
        origin.setdefault(id(outcome), _origin(env, ctx, candidate, fetched_at))
        return outcome

    def _verify(candidate: JSONObject, fetched_at: datetime | None) -> VerifiedStatusList:
        held = checked.get(id(candidate))
        outcome = held[1] if held is not None and held[0] is candidate else None
        if outcome is None:
            owned = ctx.content_keys.get(id(candidate))
            key = owned[1] if owned is not None and owned[0] is candidate else None
            known = ctx.verified_lists
            if key is None and known is not None:
                key = content_key(candidate, from_json=True)
            memo = None if known is None or key is None else (key, issuer, fetched_at)
            remembered = None if memo is None or known is None else known.get(memo)
            if remembered is not None:
                outcome = VerifiedStatusList(
                    list=remembered.list,
                    valid_from=remembered.valid_from,
                    valid_until=remembered.valid_until,
                    fetched_at=remembered.fetched_at,
                    credential=dict(candidate),
                )
            else:
                try:
                    outcome = verify_status_list(
                        candidate,
                        issuer=issuer,
                        resolver=ctx.trust.resolver,
                        trust=trust,
                        suites=ctx.suites,
                        max_bytes=ctx.max_status_list_bytes,
                        fetched_at=fetched_at,
                        cache=ctx.status_cache,
                        from_json=True,  # every candidate was read by the strict reader
                        cache_key=key,
                    )
                except CheckFailed as exc:
                    outcome = exc
                else:
                    if memo is not None and known is not None:
                        known.put(memo, outcome)
            checked[id(candidate)] = (candidate, outcome)
        if isinstance(outcome, CheckFailed):
            raise outcome
        return outcome

    # Fetch only what can change the answer for a trusted issuer whose proof verified.
    online = ctx.online if trust is not None and signing.verified else None
    hint = "" if ctx.online is not None else _OFFLINE_HINT
    messages: list[StatusMessageInfo] = []
    for index, entry in enumerate(entries):
        path = _entry_path(env.credential, index)
        reading = read_entry(
            entry,
            path=path,
            candidates=_candidates(entry, issuer, ctx),
            verify=verify,
            policy=policy,
            fetch=None
            if online is None
            else functools.partial(_fetch, online, issuer, verify, ctx.now),
            offline_hint=hint,
            on_chosen=None
            if sources is None
            else functools.partial(_note_source, sources, entry.purpose, origin),
        )
        if reading.failure is not None:
            found.failed(reading.failure)
        note = _message(entry, reading, path)
        if note is not None:
            messages.append(note)
    return found, tuple(messages)


def _message(entry: StatusEntry, reading: EntryReading, path: str) -> StatusMessageInfo | None:
    """What a status entry other than revocation and suspension says, once its list was read.

    The message is the entry's ``statusMessage`` for the value (BSL's defaults for one
    bit: ``unset``/``set``).
    """
    if entry.purpose in _ONE_BIT_OUTCOMES or reading.value is None or reading.list is None:
        return None
    value = reading.value
    text = next((m.message for m in entry.messages or () if m.value == value), None)
    if text is None:
        text = ("unset", "set")[value] if entry.bits == 1 else hex(value)
    listed = reading.list
    as_of = listed.valid_from or listed.fetched_at
    return StatusMessageInfo(
        purpose=entry.purpose,
        status=hex(value),
        message=text,
        list_id=listed.id,
        as_of=None if as_of is None else format_datetime(as_of),
        path=path,
    )


def _origin(env: Envelope, ctx: Context, candidate: JSONObject, fetched_at: datetime | None) -> str:
    """Where a copy of a status list came from (see :class:`StatusSource`)."""
    if any(candidate is c for c in env.bundle_status_lists):
        return "bundle"
    if fetched_at is None:
        return "given"
    return "fetched" if ctx.online is not None and fetched_at == ctx.now else "held"


def _note_source(
    sources: list[StatusSource], purpose: str, origin: dict[int, str], chosen: VerifiedStatusList
) -> None:
    sources.append(
        StatusSource(
            purpose=str(purpose),
            list_id=chosen.id,
            source=origin.get(id(chosen), "given"),
            valid_from=chosen.valid_from,
            valid_until=chosen.valid_until,
            fetched_at=chosen.fetched_at,
        )
    )


def _candidates(
    entry: StatusEntry, issuer: str, ctx: Context
) -> list[tuple[JSONObject, datetime | None]]:
    """The copies of the entry's list: offered for the run, held, and fetched earlier."""
    out: list[tuple[JSONObject, datetime | None]] = [
        (c, None) for c in ctx.status_lists if c.get("id") == entry.list_id
    ]
    out += [
        (h.credential, h.fetched_at) for h in ctx.trust.store.status_lists_with_id(entry.list_id)
    ]
    if ctx.online is not None:
        fetched = ctx.online.fetched.status_list(issuer, entry.list_id)
        if fetched is not None:
            out.append((fetched.credential, fetched.fetched_at))
    return out


def _fetch(
    online: Online,
    issuer: str,
    verify: Callable[[JSONObject, datetime | None], VerifiedStatusList],
    now: datetime,
    list_id: str,
) -> VerifiedStatusList | CheckFailed | str:
    """Fetch, check and keep a list online; why not, when it cannot be fetched."""
    try:
        credential, size = online.status_list(list_id)
    except (NetworkError, MalformedInputError) as exc:
        return exc.diagnostics()
    try:
        verified = verify(credential, now)
    except CheckFailed as exc:
        return exc
    if verified.id != list_id:
        return CheckFailed(
            FailureCode.STATUS_LIST_INVALID, f"{list_id[:120]} served the list {verified.id[:120]}"
        )
    online.fetched.add_status_list(
        HeldStatusList(id=verified.id, fetched_at=now, credential=credential), size=size
    )
    return verified


def _entry_path(credential: JSONObject, index: int) -> str:
    return (
        pointer("credentialStatus", index)
        if isinstance(credential.get("credentialStatus"), list)
        else "/credentialStatus"
    )


# --- record ---------------------------------------------------------------------------------


def check_adoption(env: Envelope) -> tuple[Found, AdoptionClaims | None]:
    """The ``record`` check for an adoption record (``InnopassAdoption``, FORMATS.md §11).

    The credential passes ``schemas/adoption-record.schema.json``; its
    ``credentialSchema`` names that schema with its ``digestSRI``; ``relatedResource``
    names each resource once, the passport adopted among them. Returns the claims
    when it does (whether they are true is what the other checks decide).
    """
    found = Found(CheckName.RECORD)
    credential = env.credential
    problems = list(
        itertools.islice(schema.iter_problems(credential, ADOPTION_SCHEMA), _MAX_SCHEMA_FAILURES)
    )
    for problem in problems:
        found.fail(FailureCode.SCHEMA_INVALID, problem.message, problem.path)
    if problems:
        return found, None
    reference: Any = credential["credentialSchema"]
    if reference["digestSRI"] != schema_digest_sri(ADOPTION_SCHEMA):
        found.fail(
            FailureCode.DIGEST_MISMATCH,
            "credentialSchema digestSRI does not match the bundled adoption-record schema",
            "/credentialSchema/digestSRI",
        )
    try:
        claims = AdoptionClaims.from_credential(credential)
    except MalformedInputError as exc:
        found.fail(FailureCode.SCHEMA_INVALID, exc.message, exc.path)
        return found, None
    return found, claims


def check_record(env: Envelope) -> tuple[Found, JSONObject | None]:
    """The ``record`` check (module docstring); the record, when it passes its schema.

    The record is checked as JSON and returned as JSON: the facts the other checks
    and the result need are read from it directly, never converted into the
    record's classes on the verification path.
    """
    found = Found(CheckName.RECORD)
    credential = env.credential
    if not env.is_passport:
        wrong_context = credential.get("@context") != list(PASSPORT_CONTEXT)
        found.fail(
            FailureCode.NOT_A_PASSPORT,
            "not an innovator passport (nor an adoption record): @context must be the VC 2.0 "
            "and innopass contexts, and type must include InnovatorPassport",
            "/@context" if wrong_context else "/type",
        )
        return found, None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != _SUBJECT_TYPE:
        found.fail(
            FailureCode.SCHEMA_INVALID,
            f"credentialSubject must be one {_SUBJECT_TYPE}",
            "/credentialSubject",
        )
        return found, None
    _check_schema_reference(found, credential.get("credentialSchema"))
    raw = subject.get("assessmentRecord")
    if not isinstance(raw, dict):
        found.fail(FailureCode.SCHEMA_INVALID, "assessmentRecord must be an object", _RECORD_PATH)
        return found, None
    problems = list(itertools.islice(schema.iter_problems(raw), _MAX_SCHEMA_FAILURES + 1))
    for problem in problems[:_MAX_SCHEMA_FAILURES]:
        found.fail(FailureCode.SCHEMA_INVALID, problem.message, _RECORD_PATH + problem.path)
    if len(problems) > _MAX_SCHEMA_FAILURES:
        found.fail(FailureCode.SCHEMA_INVALID, "… and more schema problems", _RECORD_PATH)
    try:
        digest = sha256_digest(raw, plain=env.plain)
    except MalformedInputError as exc:
        found.fail(FailureCode.SCHEMA_INVALID, exc.message, _RECORD_PATH + exc.path)
    else:
        if subject.get("recordDigest") != digest:
            found.fail(
                FailureCode.DIGEST_MISMATCH,
                "recordDigest is not the SHA-256 of the canonical record",
                "/credentialSubject/recordDigest",
            )
    if problems:
        return found, None
    if subject.get("id") != raw["record_id"]:
        found.fail(
            FailureCode.SCHEMA_INVALID,
            "credentialSubject id is not the record_id",
            "/credentialSubject/id",
        )
    return found, raw


def _check_schema_reference(found: Found, reference: JSONValue) -> None:
    if not isinstance(reference, dict) or reference.get("type") != "JsonSchema":
        found.fail(
            FailureCode.SCHEMA_INVALID,
            "credentialSchema must be a JsonSchema reference",
            "/credentialSchema",
        )
        return
    if reference.get("id") != RECORD_SCHEMA_ID:
        found.fail(
            FailureCode.SCHEMA_INVALID,
            f"credentialSchema id is not {RECORD_SCHEMA_ID}",
            "/credentialSchema/id",
        )
    elif reference.get("digestSRI") != schema_digest_sri(RECORD_SCHEMA):
        found.fail(
            FailureCode.DIGEST_MISMATCH,
            "credentialSchema digestSRI does not match the bundled record schema",
            "/credentialSchema/digestSRI",
        )
