"""Status lists on the verifier's side: checking them, choosing among copies, and the merge rules.

Each list must be a ``BitstringStatusListCredential`` signed by the *passport's*
issuer with a key under its ``assertionMethod`` and inside the key's window, be
under every ``statusListBase`` its trust sources give, hold at least 131,072
entries, and decode within a bound. Among the copies a verifier holds (its store,
the run's files, a bundle, a fetch), the freshest one valid at the verification
time is read; it is ``status-stale`` when past its ``validUntil`` or older (by
``validFrom``) than the verifier's maximum age. Revocation is final: a copy with
the revocation bit set wins, and no copy may replace a held one by clearing a set
revocation bit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from innopass._internal.bitstring import DEFAULT_MAX_LIST_BYTES, MIN_ENTRIES
from innopass._internal.cache import ContentKey, VerifiedCache, content_key
from innopass._internal.credential import issuer_id
from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.proof import SignedBy, verify_data_integrity
from innopass._internal.suites import Cryptosuite
from innopass._internal.timestamps import beyond, format_datetime, optional_time, parse_datetime
from innopass.did import Resolver
from innopass.errors import (
    CheckFailed,
    FailureCode,
    FailureFamily,
    MalformedInputError,
    StatusListError,
)
from innopass.status import StatusEntry, StatusList, StatusPurpose, parse_status_list_credential
from innopass.verifier._parties import IssuerTrust, key_window_problem

__all__ = [
    "CheckedStatusList",
    "EntryReading",
    "HeldStatusList",
    "StatusPolicy",
    "VerifiedStatusList",
    "clears_revocation",
    "may_replace",
    "older_than_held",
    "read_entry",
    "status_list_cache",
    "status_list_under",
    "verify_status_list",
]

_OUTCOME: Final[Mapping[str, FailureCode]] = {
    StatusPurpose.REVOCATION: FailureCode.REVOKED,
    StatusPurpose.SUSPENSION: FailureCode.SUSPENDED,
}


@dataclass(frozen=True, slots=True)
class HeldStatusList:
    """A status-list credential a verifier holds, with when it was fetched or imported."""

    id: str
    fetched_at: datetime
    credential: JSONObject = field(repr=False)

    @property
    def issuer(self) -> str:
        """The DID that issued the list (``""`` when it names none)."""
        return issuer_id(self.credential) or ""

    @property
    def key(self) -> tuple[str, str]:
        """``(issuer DID, list id)``: one trusted issuer can never replace another's list."""
        return (self.issuer, self.id)

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "fetchedAt": format_datetime(self.fetched_at),
            "credential": self.credential,
        }

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> HeldStatusList:
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise MalformedInputError("held status list needs an id", path=path)
        credential = obj.get("credential")
        if not isinstance(credential, dict):
            raise MalformedInputError(
                "held status list needs a credential", path=f"{path}/credential"
            )
        return cls(
            id=str(obj["id"]),
            fetched_at=parse_datetime(obj.get("fetchedAt"), path=f"{path}/fetchedAt"),
            credential=credential,
        )


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
class CheckedStatusList:
    """What checking a status list's encoding and signature established (no time, no trust)."""

    list: StatusList
    signed: tuple[SignedBy, ...]


def status_list_cache(
    *, max_entries: int = 64, max_bytes: int = 64 * 1024 * 1024
) -> VerifiedCache[CheckedStatusList]:
    """A cache of checked status lists, bounded in count and in decoded bytes held."""
    return VerifiedCache(
        max_entries=max_entries, max_weight=max_bytes, weigh=lambda c: len(c.list.bits)
    )


def status_list_under(list_id: str, base: str) -> bool:
    """Whether ``list_id`` is ``base`` or a path below it."""
    if list_id == base:
        return True
    return list_id.startswith(base if base.endswith(("/", "#", "?")) else base + "/")


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
    from_json: bool = False,
    cache_key: ContentKey | None = None,
) -> VerifiedStatusList:
    """Check a status-list credential issued by ``issuer``; raise :class:`CheckFailed`.

    ``trust`` supplies the key windows and list locations; without it (an
    untrusted passport issuer, already reported by the issuer check) only the
    signature binds the list to the issuer. A list that is wrong is
    ``status-list-invalid``; one that cannot be checked here (suite not allowed,
    key not resolvable offline) is ``status-unavailable``.

    With a ``cache``, a list with the same id and canonical bytes as one checked
    before is not decoded or signature-checked again; its issuer, its key
    (resolved now, through ``resolver``) and the key's window are checked every
    time, and the time rules are the caller's (:func:`read_entry`). ``from_json``:
    the credential was read by the strict reader (it is then hashed faster);
    ``cache_key`` is its :func:`~innopass._internal.cache.content_key` when the
    caller already knows it.
    """

    def invalid(message: str, path: str = "") -> CheckFailed:
        return CheckFailed(FailureCode.STATUS_LIST_INVALID, message, path)

    key = cache_key
    if key is None and cache is not None:
        key = content_key(credential, from_json=from_json)
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
            f"status list {decoded.id[:120]} is issued by {decoded.issuer[:120]}, not by {issuer}",
            "/issuer",
        )
    bases = () if trust is None else trust.status_list_bases
    outside = next((b for b in bases if not status_list_under(decoded.id, b)), None)
    if outside is not None:
        raise invalid(
            f"status list {decoded.id[:120]} is not under {issuer}'s statusListBase {outside}",
            "/id",
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
            for proof in signed:
                problem = key_window_problem(
                    trust.key_window(proof.method.id),
                    vm_id=proof.method.id,
                    created=proof.proof.created,
                    path=proof.proof.path,
                )
                if problem is not None:
                    raise problem
        valid_from = optional_time(credential, "validFrom")
        valid_until = optional_time(credential, "validUntil")
    except CheckFailed as exc:
        message = f"status list {decoded.id[:120]}: {exc.failure}: {exc.message}"
        if exc.failure.family is FailureFamily.UNVERIFIABLE:  # cannot be checked here: not wrong
            raise CheckFailed(FailureCode.STATUS_UNAVAILABLE, message, exc.path) from exc
        raise invalid(message, exc.path) from exc
    except MalformedInputError as exc:
        raise invalid(f"status list {decoded.id[:120]}: {exc.message}", exc.path) from exc
    return VerifiedStatusList(
        list=decoded,
        valid_from=valid_from,
        valid_until=valid_until,
        fetched_at=fetched_at,
        credential=dict(credential),
    )


@dataclass(frozen=True, slots=True)
class StatusPolicy:
    """The time rules a status list must meet."""

    now: datetime
    skew: timedelta
    max_age: timedelta


#: A candidate list: the credential, and when it was fetched (``None``: given for this run).
Candidate = tuple[JSONObject, datetime | None]


@dataclass(frozen=True, slots=True)
class EntryReading:
    """What one status entry said: its failure (or ``None``), and the value read from the list
    chosen (``None`` when no list could be read)."""

    failure: CheckFailed | None
    value: int | None = None
    list: VerifiedStatusList | None = None


def read_entry(
    entry: StatusEntry,
    *,
    path: str,
    candidates: Sequence[Candidate],
    verify: Callable[[JSONObject, datetime | None], VerifiedStatusList],
    policy: StatusPolicy,
    fetch: Callable[[str], VerifiedStatusList | CheckFailed | str | None] | None = None,
    offline_hint: str = "",
    on_chosen: Callable[[VerifiedStatusList], None] | None = None,
) -> EntryReading:
    """Read one status entry: its value, and its failure (``None`` when it does not fail).

    ``candidates`` are the copies of the entry's list held or given; ``verify``
    checks one for this passport's issuer (raising :class:`CheckFailed`);
    ``fetch``, when online, gets a fresh copy when none held will do (or says, as
    a string, why it could not be fetched). ``on_chosen`` is told which list the
    answer was read from. The value is ``statusSize`` bits at
    ``statusListIndex × statusSize`` (BSL 1.0 §3.2), and the list must hold at least
    131,072 entries of that size. A non-zero value is ``revoked`` or ``suspended``
    for those purposes; for ``message`` (and any other purpose) it is not a failure:
    it is reported, and the caller says what it means.
    """
    lists: list[VerifiedStatusList] = []
    invalid: CheckFailed | None = None
    for credential, fetched_at in candidates:
        try:
            lists.append(verify(credential, fetched_at))
        except CheckFailed as exc:
            invalid = invalid or exc
    chosen = _freshest(lists, policy, entry)
    not_fetched = ""
    if (chosen is None or _stale(chosen, policy, path) is not None) and fetch is not None:
        fetched = fetch(entry.list_id)
        if isinstance(fetched, CheckFailed):
            invalid = invalid or fetched
        elif isinstance(fetched, str):
            not_fetched = f"; fetching it failed: {fetched}"
        elif fetched is not None:
            chosen = _freshest([*lists, fetched], policy, entry)
    where = f"{path}/statusListCredential"
    if chosen is None:
        if invalid is not None:
            return EntryReading(CheckFailed(invalid.failure, invalid.message + not_fetched, where))
        return EntryReading(
            CheckFailed(
                FailureCode.STATUS_UNAVAILABLE,
                f"no status list {entry.list_id[:120]} valid at {format_datetime(policy.now)} "
                "is held" + (not_fetched or offline_hint),
                where,
            )
        )
    if on_chosen is not None:
        on_chosen(chosen)
    if entry.purpose not in chosen.list.purposes:
        return EntryReading(
            CheckFailed(
                FailureCode.STATUS_LIST_INVALID,
                f"status list {chosen.id[:120]} is for {', '.join(chosen.list.purposes)}, "
                f"not {entry.purpose}",
                f"{path}/statusPurpose",
            ),
            list=chosen,
        )
    if chosen.list.entries(entry.bits) < MIN_ENTRIES:
        return EntryReading(
            CheckFailed(
                FailureCode.STATUS_LIST_INVALID,
                f"status list {chosen.id[:120]} holds {chosen.list.entries(entry.bits)} entries "
                f"of {entry.bits} bits, fewer than {MIN_ENTRIES}",
                where,
            ),
            list=chosen,
        )
    try:
        value = chosen.list.value(entry.index, entry.bits)
    except StatusListError as exc:
        return EntryReading(
            CheckFailed(FailureCode.STATUS_LIST_INVALID, str(exc), f"{path}/statusListIndex"),
            list=chosen,
        )
    outcome = _OUTCOME.get(entry.purpose)
    if value and outcome is not None:
        return EntryReading(
            CheckFailed(outcome, f"the issuer has {outcome.value} this credential", path),
            value,
            chosen,
        )
    stale = _stale(chosen, policy, path)
    if stale is not None and not_fetched:
        stale = CheckFailed(stale.failure, stale.message + not_fetched, stale.path)
    return EntryReading(stale, value, chosen)


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
            return entry.purpose in s.list.purposes and s.list.value(entry.index, entry.bits) != 0
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
            f"status list {chosen.id[:120]} expired at {format_datetime(chosen.valid_until)}",
            path,
        )
    as_of = chosen.valid_from or chosen.fetched_at
    if as_of is None or policy.now - as_of > policy.max_age:
        return CheckFailed(
            FailureCode.STATUS_STALE,
            f"status list {chosen.id[:120]} is older than the allowed {policy.max_age}",
            path,
        )
    return None


# --- merge rules (revocation is final; no rollback) ------------------------------------------


def _set_bits_cleared(held: bytes, new: bytes) -> int:
    """How many bits set in ``held`` are clear in ``new`` (a shorter ``new`` clears the rest)."""
    old = int.from_bytes(held, "big")
    padded = new[: len(held)] + bytes(max(0, len(held) - len(new)))
    return (old & ~int.from_bytes(padded, "big")).bit_count()


def clears_revocation(held: HeldStatusList, new: StatusList) -> str | None:
    """Why ``new`` may not replace ``held``: it clears a revocation bit (revocation is final)."""
    try:
        old = parse_status_list_credential(held.credential, max_bytes=DEFAULT_MAX_LIST_BYTES)
    except (StatusListError, MalformedInputError):
        return None  # an unusable held list protects nothing: replace it
    if StatusPurpose.REVOCATION not in old.purposes:
        return None
    if StatusPurpose.REVOCATION not in new.purposes:
        if any(old.bits):
            return (
                f"the status list held for {new.id[:120]} records revocations; a list for "
                f"{', '.join(new.purposes)} may not replace it"
            )
        return None
    cleared = _set_bits_cleared(old.bits, new.bits)
    if cleared:
        return (
            f"the status list would clear {cleared} revocation bit(s) set in the list held "
            f"for {new.id[:120]}: revocation is final, so it is refused"
        )
    return None


def older_than_held(held: HeldStatusList, new_valid_from: datetime | None) -> bool:
    """Whether a list starting at ``new_valid_from`` is older than the one held."""
    try:
        held_from = optional_time(held.credential, "validFrom")
    except MalformedInputError:
        return False
    return held_from is not None and new_valid_from is not None and new_valid_from < held_from


def may_replace(held: HeldStatusList, new: HeldStatusList, *, max_bytes: int) -> bool:
    """Whether ``new`` may replace ``held`` (not older, clears no revocation)."""
    try:
        decoded = parse_status_list_credential(new.credential, max_bytes=max_bytes)
        new_from = optional_time(new.credential, "validFrom")
    except (StatusListError, MalformedInputError):
        return False
    return not older_than_held(held, new_from) and clears_revocation(held, decoded) is None
