"""The status check: Bitstring Status List entries against verified status-list credentials.

Where lists come from (:class:`StatusSources`): the run's ``--status-list`` files
and a bundle's lists (checked now), lists cached in the trust store (checked
again now, so a key compromised since then is noticed), and, only when a
:class:`~innopass._internal.net.Fetcher` was given, the list's HTTPS URL
(:class:`OnlineStatusLists`), cached in the store with its fetch time.

Each list must be a ``BitstringStatusListCredential`` signed by the *passport's*
issuer with a key under its ``assertionMethod`` and inside the key's window, hold
at least 131,072 entries, and decode within a bound. The freshest list valid at
the verification time is used; it is ``status-stale`` when past its
``validUntil`` or older (by ``validFrom``) than the verifier's maximum age.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from innopass._internal.credential import issuer_id
from innopass._internal.jsonio import JsonLimits, JSONObject, JSONValue, loads_strict
from innopass._internal.net import Fetcher
from innopass._internal.suites import Cryptosuite
from innopass._internal.timestamps import beyond, format_datetime, parse_datetime
from innopass.did import Resolver
from innopass.errors import MalformedInputError, NetworkError, StatusListError
from innopass.status import (
    DEFAULT_MAX_LIST_BYTES,
    StatusEntry,
    StatusList,
    StatusPurpose,
    parse_status_list_credential,
)
from innopass.verifier._cache import VerifiedCache, content_key
from innopass.verifier._signed import (
    CheckFailed,
    SignedBy,
    check_key_window,
    verify_data_integrity,
)
from innopass.verifier.result import FailureCode, FailureFamily

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.verifier.store import IssuerTrust

__all__ = [
    "CachedStatusList",
    "CheckedStatusList",
    "OnlineStatusLists",
    "StatusCandidate",
    "StatusSources",
    "VerifiedStatusList",
    "check_entry",
    "status_list_cache",
    "status_list_under",
    "verify_status_list",
]

_OUTCOME: Final[Mapping[str, FailureCode]] = {
    StatusPurpose.REVOCATION: FailureCode.REVOKED,
    StatusPurpose.SUSPENSION: FailureCode.SUSPENDED,
}


@dataclass(frozen=True, slots=True)
class VerifiedStatusList:
    """A status list whose signature, issuer and encoding were checked."""

    list: StatusList
    valid_from: datetime | None
    valid_until: datetime | None
    fetched_at: datetime | None = None
    credential: JSONObject = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.list.id


@dataclass(frozen=True, slots=True)
class CachedStatusList:
    """A status-list credential held in the trust store, with when it was fetched."""

    id: str
    fetched_at: datetime
    credential: JSONObject = field(repr=False)

    @property
    def issuer(self) -> str:
        """The DID that issued the list (``""`` when it names none)."""
        return issuer_id(self.credential) or ""

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "fetchedAt": format_datetime(self.fetched_at),
            "credential": self.credential,
        }

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> CachedStatusList:
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise MalformedInputError("cached status list needs an id", path=path)
        credential = obj.get("credential")
        if not isinstance(credential, dict):
            raise MalformedInputError(
                "cached status list needs a credential", path=f"{path}/credential"
            )
        return cls(
            id=str(obj["id"]),
            fetched_at=parse_datetime(obj.get("fetchedAt"), path=f"{path}/fetchedAt"),
            credential=credential,
        )


@dataclass(frozen=True, slots=True)
class StatusCandidate:
    """A status-list credential from some source, not yet checked."""

    credential: JSONObject
    fetched_at: datetime | None = None


def status_list_under(list_id: str, base: str) -> bool:
    """Whether ``list_id`` is ``base`` or a path below it."""
    if list_id == base:
        return True
    return list_id.startswith(base if base.endswith(("/", "#", "?")) else base + "/")


def _time(credential: Mapping[str, JSONValue], name: str) -> datetime | None:
    value = credential.get(name)
    return None if value is None else parse_datetime(value, path=f"/{name}")


@dataclass(frozen=True, slots=True)
class CheckedStatusList:
    """What checking a status list's encoding and signature established (no time, no trust)."""

    list: StatusList
    signed: SignedBy


def status_list_cache(
    *, max_entries: int = 64, max_bytes: int = 64 * 1024 * 1024
) -> VerifiedCache[CheckedStatusList]:
    """A cache of checked status lists, bounded in count and in decoded bytes held."""
    return VerifiedCache(
        max_entries=max_entries, max_weight=max_bytes, weigh=lambda c: len(c.list.bits)
    )


def verify_status_list(
    credential: Mapping[str, JSONValue],
    *,
    issuer: str,
    resolver: Resolver,
    trust: IssuerTrust | None,
    suites: Mapping[str, Cryptosuite],
    max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    fetched_at: datetime | None = None,
    cache: VerifiedCache[CheckedStatusList] | None = None,
) -> VerifiedStatusList:
    """Check a status-list credential issued by ``issuer``; raise :class:`CheckFailed`.

    ``trust`` supplies the key windows; without it (an untrusted passport issuer,
    already reported by the issuer check) only the signature binds the list to
    the issuer. A list that is wrong is ``status-list-invalid``; one that cannot be
    checked here (suite not allowed, key not resolvable offline) is
    ``status-unavailable``.

    With a ``cache``, a list with the same id and canonical bytes as one checked
    before is not decoded or signature-checked again; its issuer, its key (resolved
    now, through ``resolver``) and the key's window are checked every time, and the
    time rules are the caller's (:func:`check_entry`).
    """

    def invalid(message: str, path: str = "") -> CheckFailed:
        return CheckFailed(FailureCode.STATUS_LIST_INVALID, message, path)

    key = None if cache is None else content_key(credential)
    hit = None if cache is None else cache.get(key)
    if hit is not None:
        decoded = hit.list
    else:
        try:
            decoded = parse_status_list_credential(credential, max_bytes=max_bytes)
        except (StatusListError, MalformedInputError) as exc:
            raise invalid(f"status list unusable: {exc}") from exc
    if issuer_id(credential) != issuer:
        raise invalid(
            f"status list {decoded.id} is issued by {decoded.issuer}, not by {issuer}", "/issuer"
        )
    bases = () if trust is None else trust.status_list_bases
    outside = next((b for b in bases if not status_list_under(decoded.id, b)), None)
    if outside is not None:
        raise invalid(
            f"status list {decoded.id} is not under {issuer}'s statusListBase {outside}", "/id"
        )
    try:
        signed = verify_data_integrity(
            credential,
            issuer=issuer,
            resolver=resolver,
            suites=suites,
            known=None if hit is None else hit.signed,
        )
        if cache is not None and hit is None:
            cache.put(key, CheckedStatusList(list=decoded, signed=signed))
        if trust is not None:
            created = signed.proof.created
            if created is None:
                raise CheckFailed(
                    FailureCode.MALFORMED, "proof has no created time", "/proof/created"
                )
            check_key_window(
                trust.key_window(signed.method.id),
                vm_id=signed.method.id,
                created=created,
                path="/proof",
            )
        valid_from, valid_until = _time(credential, "validFrom"), _time(credential, "validUntil")
    except CheckFailed as exc:
        message = f"status list {decoded.id}: {exc.code}: {exc.message}"
        if exc.code.family is FailureFamily.UNVERIFIABLE:  # cannot be checked here: not wrong
            raise CheckFailed(FailureCode.STATUS_UNAVAILABLE, message, exc.path) from exc
        raise invalid(message, exc.path) from exc
    except MalformedInputError as exc:
        raise invalid(f"status list {decoded.id}: {exc.message}", exc.path) from exc
    return VerifiedStatusList(
        list=decoded,
        valid_from=valid_from,
        valid_until=valid_until,
        fetched_at=fetched_at,
        credential=dict(credential),
    )


class OnlineStatusLists:
    """Fetches status-list credentials over HTTPS with an injected fetcher (``--online`` only)."""

    __slots__ = ("_fetcher", "_limits")

    def __init__(self, fetcher: Fetcher, *, limits: JsonLimits) -> None:
        self._fetcher = fetcher
        self._limits = limits

    def fetch(self, list_id: str) -> JSONObject:
        """The credential at ``list_id``; :class:`NetworkError` or :class:`MalformedInputError`."""
        if not list_id.startswith("https://"):
            raise NetworkError(list_id, f"status list {list_id} has no HTTPS location")
        body = self._fetcher.fetch(
            list_id, max_bytes=self._limits.max_bytes, accept="application/vc, application/json"
        )
        value = loads_strict(body, limits=self._limits)
        if not isinstance(value, dict):
            raise MalformedInputError("fetched status list is not a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class StatusSources:
    """Where the status check looks for lists, in one verification."""

    candidates: Sequence[StatusCandidate]
    online: OnlineStatusLists | None = None
    on_fetched: Callable[[CachedStatusList], None] | None = None
    _by_id: Mapping[str, tuple[StatusCandidate, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, list[StatusCandidate]] = {}
        for candidate in self.candidates:
            list_id = candidate.credential.get("id")
            if isinstance(list_id, str):
                by_id.setdefault(list_id, []).append(candidate)
        object.__setattr__(self, "_by_id", {k: tuple(v) for k, v in by_id.items()})

    def for_id(self, list_id: str) -> tuple[StatusCandidate, ...]:
        """The candidates whose ``id`` is ``list_id`` (an index: no scan per entry)."""
        return self._by_id.get(list_id, ())

    @classmethod
    def of(
        cls,
        *,
        supplied: Sequence[JSONObject],
        cached: Mapping[tuple[str, str], CachedStatusList] | Mapping[str, CachedStatusList],
        online: OnlineStatusLists | None = None,
        on_fetched: Callable[[CachedStatusList], None] | None = None,
    ) -> StatusSources:
        """Supplied lists (command line, bundle) first, then the store's cache."""
        candidates = [StatusCandidate(c) for c in supplied]
        candidates += [StatusCandidate(c.credential, c.fetched_at) for c in cached.values()]
        return cls(candidates=tuple(candidates), online=online, on_fetched=on_fetched)


@dataclass(frozen=True, slots=True)
class StatusPolicy:
    """The time rules a status list must meet."""

    now: datetime
    skew: timedelta
    max_age: timedelta


def check_entry(
    entry: StatusEntry,
    *,
    path: str,
    issuer: str,
    sources: StatusSources,
    verify: Callable[[JSONObject, datetime | None], VerifiedStatusList],
    policy: StatusPolicy,
) -> CheckFailed | None:
    """Check one status entry; return its failure, or ``None`` when the bit is clear.

    ``verify`` checks a candidate list for this passport's issuer (raising
    :class:`CheckFailed`).
    """
    lists: list[VerifiedStatusList] = []
    invalid: CheckFailed | None = None
    for candidate in sources.for_id(entry.list_id):
        try:
            lists.append(verify(candidate.credential, candidate.fetched_at))
        except CheckFailed as exc:
            invalid = invalid or exc
    chosen = _freshest(lists, policy, entry)
    if (chosen is None or _stale(chosen, policy, path) is not None) and sources.online is not None:
        fetched = _fetch(entry.list_id, sources, verify, policy)
        if isinstance(fetched, CheckFailed):
            invalid = invalid or fetched
        elif fetched is not None:
            chosen = _freshest([*lists, fetched], policy, entry)
    where = f"{path}/statusListCredential"
    if chosen is None:
        if invalid is not None:
            return CheckFailed(invalid.code, invalid.message, where)
        return CheckFailed(
            FailureCode.STATUS_UNAVAILABLE,
            f"no status list {entry.list_id} valid at {policy.now.isoformat()} is held"
            + (
                ""
                if sources.online
                else " (offline: give it with --status-list, a bundle or trust import)"
            ),
            where,
        )
    if entry.purpose not in chosen.list.purposes:
        return CheckFailed(
            FailureCode.STATUS_LIST_INVALID,
            f"status list {chosen.id} is for {', '.join(chosen.list.purposes)}, "
            f"not {entry.purpose}",
            f"{path}/statusPurpose",
        )
    try:
        is_set = chosen.list.is_set(entry.index)
    except StatusListError as exc:
        return CheckFailed(FailureCode.STATUS_LIST_INVALID, str(exc), f"{path}/statusListIndex")
    outcome = _OUTCOME.get(entry.purpose)
    if is_set and outcome is not None:
        return CheckFailed(outcome, f"the issuer has {outcome.value} this credential", path)
    return _stale(chosen, policy, path)


def _freshest(
    lists: Sequence[VerifiedStatusList], policy: StatusPolicy, entry: StatusEntry
) -> VerifiedStatusList | None:
    """The list to read ``entry`` from, among those that had started by the verification time.

    Revocation is final, so any such list with the revocation bit set wins; otherwise
    the list with the latest ``validFrom``, and on a tie the one with the bit set
    (the cautious reading).
    """
    usable = [
        s
        for s in lists
        if s.valid_from is None or not beyond(s.valid_from, policy.now, policy.skew)
    ]
    if not usable:
        return None

    def bit(s: VerifiedStatusList) -> bool:
        try:
            return entry.purpose in s.list.purposes and s.list.is_set(entry.index)
        except StatusListError:
            return False

    if entry.purpose == StatusPurpose.REVOCATION:
        revoked = [s for s in usable if bit(s)]
        usable = revoked or usable
    return max(usable, key=lambda s: (s.valid_from is not None, s.valid_from or policy.now, bit(s)))


def _stale(chosen: VerifiedStatusList, policy: StatusPolicy, path: str) -> CheckFailed | None:
    if chosen.valid_until is not None and beyond(policy.now, chosen.valid_until, policy.skew):
        return CheckFailed(
            FailureCode.STATUS_STALE,
            f"status list {chosen.id} expired at {chosen.valid_until.isoformat()}",
            path,
        )
    as_of = chosen.valid_from or chosen.fetched_at
    if as_of is None or policy.now - as_of > policy.max_age:
        return CheckFailed(
            FailureCode.STATUS_STALE,
            f"status list {chosen.id} is older than the allowed {policy.max_age}",
            path,
        )
    return None


def _fetch(
    list_id: str,
    sources: StatusSources,
    verify: Callable[[JSONObject, datetime | None], VerifiedStatusList],
    policy: StatusPolicy,
) -> VerifiedStatusList | CheckFailed | None:
    """Fetch, check and cache a list online; ``None`` when it cannot be fetched."""
    assert sources.online is not None
    try:
        credential = sources.online.fetch(list_id)
    except (NetworkError, MalformedInputError):
        return None
    try:
        verified = verify(credential, policy.now)
    except CheckFailed as exc:
        return exc
    if verified.id != list_id:
        return CheckFailed(
            FailureCode.STATUS_LIST_INVALID, f"{list_id} served the list {verified.id}"
        )
    if sources.on_fetched is not None:
        sources.on_fetched(
            CachedStatusList(id=verified.id, fetched_at=policy.now, credential=credential)
        )
    return verified
