"""The verifier: six checks over a passport, all run, every failure collected; presentations.

:meth:`Verifier.verify` takes a Data Integrity passport, a compact ``vc+jwt`` JWS
or a bundle (as text, bytes or parsed JSON) and returns a
:class:`~innopass.verifier.VerificationResult`. It never raises on bad input. The
input is read once into an envelope (:mod:`._envelope`); each check is a
function of that envelope and the context of the run (:mod:`._checks`).

A credential with no ``credentialStatus`` skips the status check; for an
innovator passport, whose format requires status, that is also a ``malformed``
failure (a missing entry cannot be fixed by fetching anything).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import orjson

from innopass._internal.cache import ContentKey, VerifiedCache, content_key
from innopass._internal.credential import issuer_id
from innopass._internal.datamodel import Held, held_resource
from innopass._internal.jose import JWT_TYPE, ParsedJws
from innopass._internal.jsonio import JSONObject, JSONValue, loads_strict, read_file_limited
from innopass._internal.limits import DEFAULT, Limits
from innopass._internal.net import Fetcher
from innopass._internal.suites import SUITES
from innopass._internal.timestamps import beyond, format_datetime, utc_now
from innopass.errors import (
    CheckFailed,
    ConfigurationError,
    FailureCode,
    LimitExceededError,
    MalformedInputError,
    TrustImportError,
)
from innopass.verifier._checks import (
    Context,
    Found,
    VerifiedLists,
    check_adoption,
    check_issuer,
    check_proof,
    check_record,
    check_status,
    check_validity,
)
from innopass.verifier._envelope import Envelope, load_input, open_envelope
from innopass.verifier._facts import issuer_info, passport_facts
from innopass.verifier._online import FetchedMaterial, Online
from innopass.verifier._presentation import (
    PresentationResult,
    check_presentation_proof,
    is_presentation,
    open_presentation,
)
from innopass.verifier._result import CheckName, Failure, StatusSource, VerificationResult
from innopass.verifier._status_lists import CheckedStatusList, status_list_cache
from innopass.verifier._trust_lists import (
    AcceptedTrustList,
    CheckedTrustList,
    rollback_problem,
    trust_list_cache,
    verify_trust_list,
)
from innopass.verifier._trust_store import TrustStore

__all__ = [
    "DEFAULT_JOSE_ALGORITHMS",
    "DEFAULT_SUITES",
    "JWT_FORMAT",
    "SUPPORTED_JOSE_ALGORITHMS",
    "Verifier",
]

DEFAULT_SUITES: Final = ("eddsa-jcs-2022", "ecdsa-jcs-2019")
DEFAULT_JOSE_ALGORITHMS: Final = ("EdDSA", "ES256", "ES384")
#: The JOSE algorithms innopass can verify at all (a verifier allows a subset).
SUPPORTED_JOSE_ALGORITHMS: Final = frozenset(DEFAULT_JOSE_ALGORITHMS)
JWT_FORMAT: Final = JWT_TYPE
#: Decoded status-list bytes the cache may hold per entry, on average (1 MiB).
_CACHED_LIST_BYTES: Final = 1024 * 1024
#: Strict copies of lists offered per call that a verifier keeps (see :class:`_OfferedCopies`).
_OFFERED_COPIES: Final = 32
#: The most JSON text those copies may stand for in all (16 MiB).
_OFFERED_COPY_BYTES: Final = 16 * 1024 * 1024
_ALL_BUT_PARSE: Final = frozenset(CheckName) - {CheckName.PARSE}


class Verifier:
    """Verifies innovator passports against a :class:`TrustStore`, offline unless given a fetcher.

    All options are keyword-only and checked here: unknown suites or algorithms,
    or a store that trusts no one (unless ``trust_no_one=True`` says that is
    meant) raise :class:`~innopass.errors.ConfigurationError` at once.

    ``trust_lists`` and ``status_lists`` are offered to every verification (as the
    command line's ``--trust-list`` and ``--status-list``): checked at each use,
    never kept; each must be JSON (:class:`~innopass.errors.ConfigurationError`).

    ``fetcher`` allows ``--online`` fetching (status lists of trusted issuers
    whose proof verified; did:web documents of issuers pinned by DID alone);
    what it fetched is kept in ``fetched`` (a bounded
    :class:`~innopass.verifier.FetchedMaterial`, one of its own when not given).

    ``resources`` are related resources the caller holds (``url -> bytes``): a
    credential's ``relatedResource`` digests are checked against them, and against
    the contexts and schemas innopass ships.

    A verifier remembers up to ``cache_size`` status lists (and a few trust lists)
    whose signatures it has checked, keyed by their id and the SHA-256 of their
    canonical bytes, so a batch sharing a list checks its signature once. Trust,
    key windows and every time rule are applied on each :meth:`verify`.
    """

    __slots__ = (
        "_base_view",
        "_clock",
        "_content_keys",
        "_fetched",
        "_fetcher",
        "_held",
        "_jose_algorithms",
        "_limits",
        "_offered",
        "_status_cache",
        "_status_lists",
        "_store",
        "_suites",
        "_trust_list_cache",
        "_trust_lists",
        "_verified_lists",
    )

    def __init__(
        self,
        trust: TrustStore,
        *,
        suites: Collection[str] = DEFAULT_SUITES,
        jose_algorithms: Collection[str] = DEFAULT_JOSE_ALGORITHMS,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits = DEFAULT,
        fetcher: Fetcher | None = None,
        fetched: FetchedMaterial | None = None,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
        cache_size: int = 64,
        trust_no_one: bool = False,
        resources: Mapping[str, bytes] = {},
    ) -> None:
        if not isinstance(trust, TrustStore):
            raise ConfigurationError("trust must be a TrustStore")
        if trust.is_empty() and not trust_no_one:
            raise ConfigurationError(
                "the trust store pins no anchor and no issuer: every issuer would be untrusted "
                "(pass trust_no_one=True if that is what you mean)"
            )
        unknown = sorted(set(suites) - set(SUITES))
        if unknown or not suites:
            raise ConfigurationError(
                f"unknown or no cryptosuites: {unknown}; innopass has {sorted(SUITES)}"
            )
        bad_algs = sorted(set(jose_algorithms) - SUPPORTED_JOSE_ALGORITHMS)
        if bad_algs:
            raise ConfigurationError(
                f"JOSE algorithms {bad_algs} are not supported "
                f"(only {sorted(SUPPORTED_JOSE_ALGORITHMS)})"
            )
        if cache_size < 0:
            raise ConfigurationError("the cache size must be ≥ 0")
        if fetched is not None and fetcher is None:
            raise ConfigurationError("fetched material is kept only when a fetcher is given")
        if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in resources.items()):
            raise ConfigurationError("resources must map URLs to bytes")
        held = dict(resources)
        self._held: Held = held_resource if not held else functools.partial(_held, held)
        self._store = trust
        self._suites = {name: SUITES[name] for name in suites}
        self._jose_algorithms = frozenset(jose_algorithms)
        self._clock = clock
        self._limits = limits
        self._fetcher = fetcher
        self._fetched = fetched if fetched is not None or fetcher is None else FetchedMaterial()
        self._status_cache: VerifiedCache[CheckedStatusList] = status_list_cache(
            max_entries=cache_size, max_bytes=cache_size * _CACHED_LIST_BYTES
        )
        self._trust_list_cache: VerifiedCache[CheckedTrustList] = trust_list_cache(
            max_entries=min(cache_size, 16)
        )
        self._trust_lists = tuple(_strict_copy(item, "trust list") for item in trust_lists)
        self._status_lists = tuple(_strict_copy(item, "status list") for item in status_lists)
        self._base_view = trust.view() if fetcher is None else None
        owned = (*self._status_lists, *(h.credential for h in trust.status_lists.values()))
        self._content_keys: dict[int, tuple[JSONObject, ContentKey | None]] = {
            id(credential): (credential, content_key(credential, from_json=True))
            for credential in owned
        }
        self._offered = _OfferedCopies(self._content_keys)
        self._verified_lists = VerifiedLists(
            max_entries=cache_size, max_bytes=cache_size * _CACHED_LIST_BYTES
        )

    @property
    def trust(self) -> TrustStore:
        """The trust store this verifier consults (it never changes)."""
        return self._store

    @property
    def fetched(self) -> FetchedMaterial | None:
        """What ``--online`` verification fetched (``None`` when offline)."""
        return self._fetched

    @property
    def limits(self) -> Limits:
        return self._limits

    # --- the pipeline --------------------------------------------------------------

    def verify(
        self,
        passport: str | bytes | Mapping[str, object],
        *,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
    ) -> VerificationResult:
        """Verify one passport, JWT passport (bare or in an ``EnvelopedVerifiableCredential``)
        or bundle. Never raises on bad input.

        ``trust_lists`` and ``status_lists`` are offered for this verification only,
        besides those the verifier was built with: each is checked now (a trust list
        must be signed by a pinned anchor and be no older than its anchor's held
        list; a status list must be the passport issuer's) and nothing is kept.
        Raises :class:`~innopass.errors.ConfigurationError` only for programming
        errors: the injected clock returned a naive datetime, or an offered list is
        not JSON.
        """
        now = self._now()
        offered_trust, offered_status = self._run_lists(trust_lists, status_lists)
        try:
            return self._verify(passport, now, offered_trust, offered_status)
        except Exception as exc:  # a verifier bug must not become a crash on hostile input
            failure = Failure(
                code=FailureCode.INTERNAL_ERROR,
                message=f"verifier error: {type(exc).__name__}: {exc}",
                check=CheckName.PARSE,
            )
            return VerificationResult.build(
                failures=[failure], skipped=_ALL_BUT_PARSE, checked_at=now
            )

    def verify_file(
        self,
        path: str | Path,
        *,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
    ) -> VerificationResult:
        """Read the file at ``path`` (within the size limit) and :meth:`verify` it.

        A file over the size limit is a ``rejected`` result (``malformed``), like any
        over-size input. A file that cannot be read or is not a regular file (a
        device such as ``/dev/zero``, a FIFO, a directory) raises
        :class:`~innopass.errors.MalformedInputError`: an input error, not a passport.
        """
        try:
            data = read_file_limited(path, max_bytes=self._limits.max_bytes)
        except LimitExceededError as exc:
            failure = Failure(
                code=FailureCode.MALFORMED, message=exc.message, check=CheckName.PARSE
            )
            return VerificationResult.build(failures=[failure], skipped=_ALL_BUT_PARSE)
        return self.verify(data, trust_lists=trust_lists, status_lists=status_lists)

    def verify_presentation(
        self,
        presentation: str | bytes | Mapping[str, object],
        *,
        challenge: str | None = None,
        domain: str | None = None,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
    ) -> PresentationResult:
        """Verify a VC 2.0 presentation and every credential in it. Never raises on bad input.

        ``presentation`` is JSON with a Data Integrity ``authentication`` proof, a
        compact ``vp+jwt`` or an ``EnvelopedVerifiablePresentation``. ``challenge``
        and ``domain`` are what this verifier expects (the challenge it gave the
        holder, its own domain): the proof must carry exactly these. Give them; without
        them the result says they were not checked, and a replayed presentation would
        pass. Each credential inside is verified as :meth:`verify` does, with the same
        trust and the lists offered here.
        """
        result = self.verify_any(
            presentation,
            challenge=challenge,
            domain=domain,
            trust_lists=trust_lists,
            status_lists=status_lists,
            presentation=True,
        )
        assert isinstance(result, PresentationResult)
        return result

    def verify_any(
        self,
        document: str | bytes | Mapping[str, object],
        *,
        challenge: str | None = None,
        domain: str | None = None,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
        presentation: bool | None = None,
    ) -> VerificationResult | PresentationResult:
        """Verify whatever ``document`` is: a passport, JWT passport or bundle (as
        :meth:`verify`) or a presentation (as :meth:`verify_presentation`), read once.

        ``presentation`` forces one reading (``True``: a presentation, ``False``: a
        credential); by default the input decides (a ``vp+jwt``, or JSON whose
        ``type`` names a presentation).
        """
        now = self._now()
        offered_trust, offered_status = self._run_lists(trust_lists, status_lists)
        try:
            value, plain = load_input(document, self._limits.json)
        except MalformedInputError as exc:
            failure = Failure(
                code=FailureCode.MALFORMED,
                message=exc.message,
                path=exc.path,
                check=CheckName.PARSE,
            )
            return _failed(failure, bool(presentation), challenge, domain, now)
        as_presentation = is_presentation(value) if presentation is None else presentation
        try:
            if as_presentation:
                return self._verify_presentation(
                    value, plain, now, offered_trust, offered_status, challenge, domain
                )
            return self._verify(value, now, offered_trust, offered_status, loaded=True, plain=plain)
        except Exception as exc:  # a verifier bug must not become a crash on hostile input
            failure = Failure(
                code=FailureCode.INTERNAL_ERROR,
                message=f"verifier error: {type(exc).__name__}: {exc}",
                check=CheckName.PARSE,
            )
            return _failed(failure, as_presentation, challenge, domain, now)

    def verify_any_file(
        self,
        path: str | Path,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        trust_lists: Sequence[Mapping[str, object]] = (),
        status_lists: Sequence[Mapping[str, object]] = (),
    ) -> VerificationResult | PresentationResult:
        """Read the file at ``path`` (within the size limit) and :meth:`verify_any` it.

        Errors as :meth:`verify_file`: a file over the limit is a ``rejected`` result;
        one that cannot be read raises :class:`~innopass.errors.MalformedInputError`.
        """
        try:
            data = read_file_limited(path, max_bytes=self._limits.max_bytes)
        except LimitExceededError as exc:
            failure = Failure(
                code=FailureCode.MALFORMED, message=exc.message, check=CheckName.PARSE
            )
            return VerificationResult.build(failures=[failure], skipped=_ALL_BUT_PARSE)
        return self.verify_any(
            data,
            challenge=challenge,
            domain=domain,
            trust_lists=trust_lists,
            status_lists=status_lists,
        )

    def _run_lists(
        self,
        trust_lists: Sequence[Mapping[str, object]],
        status_lists: Sequence[Mapping[str, object]],
    ) -> tuple[tuple[JSONObject, ...], tuple[JSONObject, ...]]:
        """The trust and status lists in force for one call: the verifier's, then those offered
        (their strict copies)."""
        return (
            (*self._trust_lists, *(self._offered.copy(t, "a trust list") for t in trust_lists)),
            (*self._status_lists, *(self._offered.copy(s, "a status list") for s in status_lists)),
        )

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ConfigurationError("the verifier's clock returned a naive datetime")
        return now.astimezone(UTC)

    def _verify_presentation(
        self,
        value: JSONValue | ParsedJws,
        plain: bool,
        now: datetime,
        trust_lists: Sequence[JSONObject],
        status_lists: Sequence[JSONObject],
        challenge: str | None,
        domain: str | None,
    ) -> PresentationResult:
        env, parse_failures = open_presentation(
            value,
            limits=self._limits.json,
            max_proofs=self._limits.max_proofs,
            held=self._held,
            plain=plain,
        )
        parse = Found(CheckName.PARSE)
        for problem in parse_failures:
            parse.failed(problem)
        if env is None:
            return PresentationResult.build(
                failures=parse.failures,
                skipped=[CheckName.PROOF],
                challenge=challenge,
                domain=domain,
            )
        ctx = self._context(None, now, trust_lists, status_lists)
        proof, key = check_presentation_proof(env, ctx, challenge=challenge, domain=domain)
        credentials = [
            self._verify(item, now, trust_lists, status_lists, loaded=True, plain=env.plain)
            for item in env.credentials
        ]
        return PresentationResult.build(
            failures=[*parse.failures, *proof.failures],
            skipped=[CheckName.PROOF] if proof.skipped else [],
            credentials=credentials,
            format=env.format,
            presentation_id=env.id,
            holder=env.signer,
            challenge=challenge,
            domain=domain,
            verification_method=key,
        )

    def _verify(
        self,
        passport: object,
        now: datetime,
        trust_lists: Sequence[JSONObject],
        status_lists: Sequence[JSONObject],
        *,
        loaded: bool = False,
        plain: bool = False,
    ) -> VerificationResult:
        envelope, parse_failures = open_envelope(
            passport,
            limits=self._limits.json,
            max_proofs=self._limits.max_proofs,
            held=self._held,
            loaded=loaded,
            plain=plain,
        )
        parse = Found(CheckName.PARSE)
        for problem in parse_failures:
            parse.failed(problem)
        if envelope is None:
            return VerificationResult.build(
                failures=parse.failures, skipped=_ALL_BUT_PARSE, checked_at=now
            )
        ctx = self._context(envelope, now, trust_lists, status_lists)
        proof, signing = check_proof(envelope, ctx)
        adoption = None
        if envelope.is_adoption:
            record, adoption = check_adoption(envelope)
            facts = None
        else:
            record, facts = check_record(envelope)
        issuer, trust = check_issuer(envelope, ctx, signing, facts)
        validity = check_validity(envelope, ctx)
        sources: list[StatusSource] = []
        status, messages = check_status(envelope, ctx, trust, signing, sources=sources)
        checks = (parse, proof, issuer, validity, status, record)
        return VerificationResult.build(
            failures=[f for check in checks for f in check.failures],
            skipped=[check.name for check in checks if check.skipped],
            format=envelope.format,
            credential_id=envelope.id,
            issuer=issuer_info(envelope, trust, ctx.trust, facts, now),
            passport=passport_facts(envelope, facts, trust, ctx.trust, now),
            credential=envelope.credential,
            verification_method=signing.proofs[0].vm_id if signing.proofs else None,
            status_sources=sources,
            checked_at=now,
            status_messages=messages,
            adoption=adoption,
        )

    # --- the trust in force for one run ----------------------------------------------

    def _context(
        self,
        envelope: Envelope | None,
        now: datetime,
        trust_lists: Sequence[JSONObject],
        status_lists: Sequence[JSONObject],
    ) -> Context:
        skew = self._limits.max_clock_skew

        def started(listed: AcceptedTrustList) -> bool:
            return listed.valid_from is None or not beyond(listed.valid_from, now, skew)

        problems: list[CheckFailed] = []
        offered = self._offered_trust_lists(envelope, trust_lists, started, problems)
        waiting = [
            held
            for anchor, held in self._store.trust_lists.items()
            if anchor in self._store.anchors and not started(held)
        ]
        problems += [_not_yet_valid(held, "") for held in waiting]
        online = None
        if self._fetcher is not None and self._fetched is not None:
            online = Online(self._fetcher, self._fetched, limits=self._limits)
        verified_lists = None
        if self._base_view is not None and not offered and not waiting:
            view = self._base_view
            verified_lists = self._verified_lists
        else:
            view = self._store.view(
                offered,
                online=None if online is None else online.did_resolver(now),
                usable=started,
            )
        return Context(
            now=now,
            skew=skew,
            status_max_age=self._limits.status_max_age,
            suites=self._suites,
            jose_algorithms=self._jose_algorithms,
            max_status_list_bytes=self._limits.max_status_list_bytes,
            trust=view,
            trust_failures=tuple(problems),
            status_lists=(
                (*status_lists, *envelope.bundle_status_lists)
                if envelope is not None
                else tuple(status_lists)
            ),
            status_cache=self._status_cache,
            online=online,
            content_keys=self._content_keys,
            verified_lists=verified_lists,
        )

    def _offered_trust_lists(
        self,
        envelope: Envelope | None,
        given: Sequence[JSONObject],
        started: Callable[[AcceptedTrustList], bool],
        problems: list[CheckFailed],
    ) -> list[AcceptedTrustList]:
        """The trust lists offered for this run that may be used (newer than the held ones)."""
        store = self._store
        offered: list[tuple[JSONObject, bool]] = [(c, True) for c in given]
        if envelope is not None and envelope.bundle_trust_list is not None:
            offered.append((envelope.bundle_trust_list, False))
        accepted: list[AcceptedTrustList] = []
        for candidate, explicit in offered:
            if not explicit and issuer_id(candidate) not in store.anchors:
                continue  # a bundle's trust list from an anchor we do not pin cannot help
            prefix = "" if explicit else "/trustList"
            try:
                listed = verify_trust_list(
                    candidate,
                    anchors=store.anchors,
                    suites=self._suites,
                    cache=self._trust_list_cache,
                    from_json=True,  # offered lists are strict copies; bundles were parsed
                )
            except TrustImportError as exc:
                problems.append(
                    CheckFailed(
                        exc.failure, f"trust list refused: {exc.message}", prefix + exc.path
                    )
                )
                continue
            if not started(listed):
                problems.append(_not_yet_valid(listed, prefix))
                continue
            rollback = rollback_problem(listed, store.trust_lists.get(listed.anchor))
            if rollback is not None:
                if explicit:
                    problems.append(CheckFailed(FailureCode.TRUST_LIST_ROLLBACK, rollback, prefix))
                continue
            accepted.append(listed)
        return accepted


def _failed(
    failure: Failure,
    presentation: bool,
    challenge: str | None,
    domain: str | None,
    now: datetime,
) -> VerificationResult | PresentationResult:
    """The result of a run that failed before any check: of a presentation, or a credential
    (as of ``now``, as every credential result says)."""
    if presentation:
        return PresentationResult.build(
            failures=[failure], skipped=[CheckName.PROOF], challenge=challenge, domain=domain
        )
    return VerificationResult.build(failures=[failure], skipped=_ALL_BUT_PARSE, checked_at=now)


def _held(resources: Mapping[str, bytes], url: str) -> bytes | None:
    found = resources.get(url)
    return found if found is not None else held_resource(url)


def _not_yet_valid(listed: AcceptedTrustList, prefix: str) -> CheckFailed:
    assert listed.valid_from is not None
    return CheckFailed(
        FailureCode.TRUST_LIST_INVALID,
        f"trust list version {listed.version} is not valid before "
        f"{format_datetime(listed.valid_from)}",
        prefix + "/validFrom",
    )


class _OfferedCopies:
    """The strict copies of the lists offered to :meth:`Verifier.verify`, by their JSON text.

    A batch offers the same status lists (``--status-list``) with every passport: each
    is still written out as JSON and compared with its copy on every call (so a list
    that is not JSON, or changed since, is seen), but the same text is not parsed again.
    The copy stands for nothing but that text (the key is its SHA-256), is never
    modified (nothing on the verification path writes to a list), and its cache key
    (:func:`~innopass._internal.cache.content_key`) is registered in the verifier's
    ``content_keys`` while it is held, so the status check does not hash it again.
    Bounded in entries and in text; thread-safe.
    """

    __slots__ = ("_content_keys", "_copies", "_lock", "_size")

    def __init__(self, content_keys: dict[int, tuple[JSONObject, ContentKey | None]]) -> None:
        self._content_keys = content_keys
        self._copies: OrderedDict[bytes, tuple[JSONObject, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = 0

    def copy(self, item: Mapping[str, object], what: str) -> JSONObject:
        """:func:`_strict_copy` of ``item``, the one held when its JSON text was seen before."""
        text = _json_text(item, what)
        digest = hashlib.sha256(text).digest()
        with self._lock:
            held = self._copies.get(digest)
            if held is not None:
                self._copies.move_to_end(digest)
        if held is None:
            value = _strict_value(item, text, what)
            self._hold(digest, value, len(text))
            return value
        value = held[0]
        if value != item:  # orjson writes NaN as null
            raise ConfigurationError(f"a {what} given to the verifier is not a JSON object")
        return value

    def _hold(self, digest: bytes, value: JSONObject, size: int) -> None:
        if size > _OFFERED_COPY_BYTES:
            return
        key = content_key(value, from_json=True)
        with self._lock:
            if digest in self._copies:
                return
            self._copies[digest] = (value, size)
            self._content_keys[id(value)] = (value, key)
            self._size += size
            while len(self._copies) > _OFFERED_COPIES or self._size > _OFFERED_COPY_BYTES:
                _, (old, old_size) = self._copies.popitem(last=False)
                del self._content_keys[id(old)]
                self._size -= old_size


def _json_text(item: Mapping[str, object], what: str) -> bytes:
    try:
        return orjson.dumps(item)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise ConfigurationError(f"a {what} given to the verifier is not JSON: {exc}") from exc


def _strict_value(item: Mapping[str, object], text: bytes, what: str) -> JSONObject:
    try:
        value = loads_strict(text)
    except MalformedInputError as exc:
        raise ConfigurationError(f"a {what} given to the verifier is not JSON: {exc}") from exc
    if not isinstance(value, dict) or value != item:  # orjson writes NaN as null
        raise ConfigurationError(f"a {what} given to the verifier is not a JSON object")
    return value


def _strict_copy(item: Mapping[str, object], what: str) -> JSONObject:
    """``item`` as the strict reader reads it; :class:`ConfigurationError` if it is not JSON.

    A caller's list is configuration, not hostile input: one that is not a JSON
    object (a NaN, a non-string key, an object that is not JSON) is a programming
    error, raised at once.
    """
    return _strict_value(item, _json_text(item, what), what)
