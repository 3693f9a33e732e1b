"""The verifier: six checks over a passport, all run, every failure collected.

:meth:`Verifier.verify` takes a Data Integrity passport, a compact ``vc+jwt`` JWS
or a bundle (as text, bytes or parsed JSON) and returns a
:class:`~innopass.verifier.result.VerificationResult`. It never raises on bad
input. The checks (PRODUCT.md §5):

1. ``parse``: strict JSON or a compact JWS within the size and depth limits; a VC
   2.0 envelope (``@context`` starting with the VC 2.0 context, ``type``,
   ``issuer``, ``credentialSubject``).
2. ``proof``: the suite (or JOSE ``alg``) is on this verifier's allow-list; the
   key is a DID URL of the issuer, resolved through the trust store only, listed
   under ``assertionMethod``; the signature verifies.
3. ``issuer``: the issuer is pinned or named by the trust list in force (signed
   by a pinned anchor, not rolled back, not expired); the proof's ``created``
   (a JWT's ``iat``) falls inside the key's window and the key is not
   compromised; the issuer was not withdrawn before signing; the ODS codes agree;
   a trust-listed issuer is accredited for the record's profile and domains.
4. ``validity``: ``validFrom``/``validUntil`` with the configured clock skew.
5. ``status``: every ``BitstringStatusListEntry`` against a verified, fresh list.
6. ``record``: an innovator passport (exact ``@context`` and type); the record
   passes the schema; ``recordDigest`` and the schema's ``digestSRI`` match.

Failure paths are JSON pointers into the credential (for a JWT, into its payload;
``/header/…`` points into the JWS protected header). A credential with no
``credentialStatus`` skips the status check; for an innovator passport, whose
format requires status, that is also a ``malformed`` failure (a missing entry
cannot be fixed by fetching anything, so it is not ``status-unavailable``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from innopass._internal.canonical import sha256_digest, shared_canonical_forms
from innopass._internal.contexts import CREDENTIALS_V2, PASSPORT_CONTEXT
from innopass._internal.credential import (
    PASSPORT_TYPE,
    SUBJECT_TYPE,
    VC_TYPE,
    credential_types,
    issuer_id,
)
from innopass._internal.jose import (
    JWT_TYPE,
    ParsedJws,
    check_vc_jwt_header,
    looks_like_compact_jws,
    parse_compact_jws,
    verify_vc_jwt,
)
from innopass._internal.jsonio import (
    DEFAULT_LIMITS,
    JsonLimits,
    JSONObject,
    JSONValue,
    loads_strict,
    pointer,
    read_file_limited,
)
from innopass._internal.net import Fetcher
from innopass._internal.proof import DataIntegrityProof, parse_proof
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.suites import SUITES, Cryptosuite
from innopass._internal.timestamps import beyond, parse_datetime, utc_now
from innopass.errors import (
    ConfigurationError,
    InvalidSignatureError,
    LimitExceededError,
    MalformedInputError,
    ProofError,
    RecordInvalidError,
    UnsupportedSuiteError,
)
from innopass.record import AssessmentRecord
from innopass.status import DEFAULT_MAX_LIST_BYTES, status_entries
from innopass.trust import Bundle, is_bundle
from innopass.verifier._signed import (
    CheckFailed,
    check_key_window,
    resolve_key,
    verify_data_integrity,
)
from innopass.verifier.result import (
    CheckName,
    Condition,
    Failure,
    FailureCode,
    IssuerInfo,
    PassportFacts,
    VerificationResult,
)
from innopass.verifier.status import (
    OnlineStatusLists,
    StatusPolicy,
    StatusSources,
    VerifiedStatusList,
    check_entry,
    status_list_cache,
    verify_status_list,
)
from innopass.verifier.store import (
    AcceptedTrustList,
    IssuerTrust,
    TrustImportError,
    TrustResolver,
    TrustSource,
    TrustStore,
    trust_list_cache,
    verify_trust_list,
)

__all__ = [
    "DEFAULT_JOSE_ALGORITHMS",
    "DEFAULT_SUITES",
    "JWT_FORMAT",
    "SUPPORTED_JOSE_ALGORITHMS",
    "Verifier",
]

DEFAULT_SUITES: Final = ("eddsa-jcs-2022", "ecdsa-jcs-2019")
DEFAULT_JOSE_ALGORITHMS: Final = ("EdDSA", "ES256")
#: The JOSE algorithms innopass can verify at all (a verifier allows a subset).
SUPPORTED_JOSE_ALGORITHMS: Final = frozenset(DEFAULT_JOSE_ALGORITHMS)
JWT_FORMAT: Final = JWT_TYPE
#: The largest NumericDate a ``datetime`` can hold (9999-12-31T23:59:59Z).
_MAX_NUMERIC_DATE: Final = 253402300799
_MAX_SCHEMA_FAILURES: Final = 50
_RECORD_PATH: Final = "/credentialSubject/assessmentRecord"
_REVOCATION: Final = "revocation"
#: Decoded status-list bytes the cache may hold per entry, on average (1 MiB).
_CACHED_LIST_BYTES: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Parsed:
    """The input after the parse check."""

    credential: JSONObject
    jws: ParsedJws | None = None
    bundle: Bundle | None = None


@dataclass(frozen=True, slots=True)
class _Signature:
    """What the proof check learned, whether or not the signature verified."""

    vm_id: str | None
    created: datetime | None
    path: str
    format: str | None


@dataclass(slots=True)
class _Run:
    """Working state of one verification."""

    now: datetime
    failures: list[Failure] = field(default_factory=list)
    skipped: set[CheckName] = field(default_factory=set)

    def fail(self, check: CheckName, code: FailureCode, message: str, path: str = "") -> None:
        self.failures.append(Failure(code=code, message=message, path=path, check=check))

    def failed(self, check: CheckName, exc: CheckFailed) -> None:
        self.fail(check, exc.code, exc.message, exc.path)


@dataclass(frozen=True, slots=True)
class _Context:
    """Trust material in force for one verification."""

    trust_list: tuple[AcceptedTrustList, ...]
    """The trust lists in force, at most one per anchor, none rolled back."""
    resolver: TrustResolver
    supplied_status_lists: tuple[JSONObject, ...]
    trust_failures: tuple[CheckFailed, ...]


class Verifier:
    """Verifies innovator passports against a :class:`TrustStore`, offline unless given a fetcher.

    All options are keyword-only and checked here: unknown suites or algorithms,
    a negative skew or an empty trust store (unless ``trust_no_one=True``, or
    :meth:`trusting_no_one`) raise :class:`ConfigurationError` at once.

    A verifier remembers up to ``cache_size`` status lists (and a few trust lists)
    whose signatures it has checked, keyed by their id and the SHA-256 of their
    canonical bytes, so a batch of passports sharing a list checks its signature
    once. Only the signature check and decoding are skipped: trust, key windows
    and every time rule are applied on each :meth:`verify`. ``cache_size=0``
    turns this off.
    """

    __slots__ = (
        "_clock",
        "_fetcher",
        "_jose_algorithms",
        "_limits",
        "_max_list_bytes",
        "_skew",
        "_status_cache",
        "_status_max_age",
        "_store",
        "_suites",
        "_trust_list_cache",
    )

    def __init__(
        self,
        trust: TrustStore,
        *,
        suites: Collection[str] = DEFAULT_SUITES,
        jose_algorithms: Collection[str] = DEFAULT_JOSE_ALGORITHMS,
        clock: Callable[[], datetime] = utc_now,
        max_clock_skew: timedelta = timedelta(minutes=5),
        status_max_age: timedelta = timedelta(days=7),
        fetcher: Fetcher | None = None,
        limits: JsonLimits = DEFAULT_LIMITS,
        max_status_list_bytes: int = DEFAULT_MAX_LIST_BYTES,
        trust_no_one: bool = False,
        cache_size: int = 64,
    ) -> None:
        if not isinstance(trust, TrustStore):
            raise ConfigurationError("trust must be a TrustStore")
        if trust.is_empty() and not trust_no_one:
            raise ConfigurationError(
                "the trust store has no anchor, issuer or trust list: every issuer would be "
                "untrusted (use Verifier.trusting_no_one(...) if that is what you mean)"
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
        if (
            max_clock_skew < timedelta(0)
            or status_max_age <= timedelta(0)
            or max_status_list_bytes <= 0
            or cache_size < 0
        ):
            raise ConfigurationError(
                "clock skew and cache size must be ≥ 0; status age and list size limits must be > 0"
            )
        self._store = trust
        self._suites: Mapping[str, Cryptosuite] = {name: SUITES[name] for name in suites}
        self._jose_algorithms = frozenset(jose_algorithms)
        self._clock = clock
        self._skew = max_clock_skew
        self._status_max_age = status_max_age
        self._fetcher = fetcher
        self._limits = limits
        self._max_list_bytes = max_status_list_bytes
        self._status_cache = status_list_cache(
            max_entries=cache_size, max_bytes=cache_size * _CACHED_LIST_BYTES
        )
        self._trust_list_cache = trust_list_cache(max_entries=min(cache_size, 16))

    @classmethod
    def trusting_no_one(cls, trust: TrustStore | None = None, **options: Any) -> Verifier:
        """A verifier that may have no trust source: every issuer not pinned is untrusted."""
        return cls(trust or TrustStore(), trust_no_one=True, **options)

    @classmethod
    def from_home(cls, home: str | Path, **options: Any) -> Verifier:
        """A verifier over the trust store held in a verifier home (FORMATS.md §7)."""
        return cls(TrustStore.load(home), **options)

    @property
    def trust(self) -> TrustStore:
        """The trust store this verifier consults (online fetches are cached into it)."""
        return self._store

    # --- the pipeline --------------------------------------------------------------

    def verify(self, passport: str | bytes | Mapping[str, object]) -> VerificationResult:
        """Verify one passport, JWT passport or bundle. Never raises on bad input.

        Raises :class:`ConfigurationError` only when the injected clock returns a
        naive datetime (a programming error).
        """
        now = self._clock()
        if now.tzinfo is None:
            raise ConfigurationError("the verifier's clock returned a naive datetime")
        run = _Run(now=now.astimezone(UTC))
        try:
            with shared_canonical_forms():
                return self._verify(passport, run)
        except Exception as exc:
            run.fail(
                CheckName.PARSE,
                FailureCode.INTERNAL_ERROR,
                f"verifier error: {type(exc).__name__}: {exc}",
            )
            return VerificationResult.build(
                failures=run.failures, skipped=set(CheckName) - {CheckName.PARSE}
            )

    def verify_file(self, path: str | Path) -> VerificationResult:
        """Read the file at ``path`` (within the size limit) and :meth:`verify` it.

        A file over the size limit is a ``rejected`` result (``malformed``), like any
        over-size input. A file that cannot be read or is not a regular file (a
        device such as ``/dev/zero``, a FIFO, a directory) raises
        :class:`MalformedInputError`: that is an input error, not a passport.
        """
        try:
            data = read_file_limited(path, max_bytes=self._limits.max_bytes)
        except LimitExceededError as exc:
            failure = Failure(
                code=FailureCode.MALFORMED, message=exc.message, path="", check=CheckName.PARSE
            )
            return VerificationResult.build(
                failures=[failure], skipped=set(CheckName) - {CheckName.PARSE}
            )
        return self.verify(data)

    def _verify(
        self, passport: str | bytes | Mapping[str, object], run: _Run
    ) -> VerificationResult:
        parsed = self._parse(passport, run)
        if parsed is None:
            return VerificationResult.build(
                failures=run.failures, skipped=set(CheckName) - {CheckName.PARSE}
            )
        credential = parsed.credential
        issuer = issuer_id(credential)
        if issuer is None:
            run.skipped.update({CheckName.PROOF, CheckName.ISSUER, CheckName.STATUS})
        context = self._context(parsed.bundle, run)
        signature = self._check_proof(parsed, issuer, context, run) if issuer else None
        record = self._check_record(credential, run)
        trust = (
            self._check_issuer(credential, issuer, signature, record, context, run)
            if issuer
            else None
        )
        self._check_validity(credential, run)
        if issuer is not None:
            self._check_status(credential, issuer, trust, context, run)
        return VerificationResult.build(
            failures=run.failures,
            skipped=run.skipped,
            format=None if signature is None else signature.format,
            credential_id=_string(credential.get("id")),
            issuer=_issuer_info(credential, issuer, trust),
            passport=_facts(credential, record),
            credential=credential,
            verification_method=None if signature is None else signature.vm_id,
        )

    # --- 1. parse ------------------------------------------------------------------

    def _parse(self, passport: str | bytes | Mapping[str, object], run: _Run) -> _Parsed | None:
        def malformed(message: str, path: str = "") -> None:
            run.fail(CheckName.PARSE, FailureCode.MALFORMED, message, path)

        try:
            value = self._load(passport)
        except MalformedInputError as exc:
            malformed(exc.message, exc.path)
            return None
        bundle = None
        if is_bundle(value) and not isinstance(value, ParsedJws):
            try:
                bundle = Bundle.from_json(value)
            except MalformedInputError as exc:
                malformed(f"not a valid bundle: {exc.message}", exc.path)
                return None
            inner = bundle.passport
            value = self._jws(inner, run) if isinstance(inner, str) else inner
            if value is None:
                return None
        if isinstance(value, ParsedJws):
            parsed = _Parsed(credential=value.payload, jws=value, bundle=bundle)
        elif isinstance(value, dict):
            parsed = _Parsed(credential=value, bundle=bundle)
        else:
            malformed("not a credential: expected a JSON object or a compact JWS")
            return None
        for problem in _envelope_problems(parsed.credential):
            malformed(*problem)
        return parsed

    def _load(self, passport: str | bytes | Mapping[str, object]) -> JSONValue | ParsedJws:
        """JSON or a compact JWS from the input (raises :class:`MalformedInputError`)."""
        if isinstance(passport, Mapping):
            try:
                text = json.dumps(dict(passport), allow_nan=False)
            except (TypeError, ValueError, RecursionError) as exc:
                raise MalformedInputError(f"not JSON data: {exc}") from exc
            return loads_strict(text, limits=self._limits)
        if not isinstance(passport, str | bytes | bytearray):
            raise MalformedInputError(f"cannot verify a {type(passport).__name__}")
        if len(passport) > self._limits.max_bytes:
            raise MalformedInputError(f"input is over the limit of {self._limits.max_bytes} bytes")
        text = (
            passport
            if isinstance(passport, str)
            else bytes(passport).decode("utf-8", errors="replace")
        )
        if looks_like_compact_jws(text):
            return parse_compact_jws(text, limits=self._limits)
        return loads_strict(passport, limits=self._limits)

    def _jws(self, token: str, run: _Run) -> ParsedJws | None:
        try:
            return parse_compact_jws(token, limits=self._limits)
        except MalformedInputError as exc:
            run.fail(CheckName.PARSE, FailureCode.MALFORMED, exc.message, "/passport")
            return None

    # --- trust in force ------------------------------------------------------------

    def _context(self, bundle: Bundle | None, run: _Run) -> _Context:
        """The trust lists in force (one per anchor), the resolver and the supplied status lists."""
        store = self._store
        problems: list[CheckFailed] = []
        chosen: dict[str, AcceptedTrustList] = {
            held.anchor: held
            for held in store.trust_lists_in_force()
            if not self._not_yet_valid(held, run, "", problems)
        }
        offered: list[tuple[JSONObject, bool]] = [(c, True) for c in store.candidate_trust_lists]
        if bundle is not None and bundle.trust_list is not None:
            offered.append((bundle.trust_list, False))
        for candidate, explicit in offered:
            if not explicit and issuer_id(candidate) not in store.anchors:
                continue  # a bundle's trust list from an anchor we do not pin cannot help
            prefix = "" if explicit else "/trustList"
            try:
                accepted = verify_trust_list(
                    candidate,
                    anchors=store.anchors,
                    suites=self._suites,
                    cache=self._trust_list_cache,
                )
            except TrustImportError as exc:
                problems.append(
                    CheckFailed(exc.code, f"trust list refused: {exc.message}", prefix + exc.path)
                )
                continue
            if self._not_yet_valid(accepted, run, prefix, problems):
                continue
            rollback = store.rollback_problem(accepted)  # older than its anchor's held list
            if rollback is not None:
                if explicit:
                    problems.append(CheckFailed(FailureCode.TRUST_LIST_ROLLBACK, rollback, prefix))
                continue
            current = chosen.get(accepted.anchor)
            if current is None or accepted.version > current.version:
                chosen[accepted.anchor] = accepted  # per run, the newest of each anchor wins
        in_force = tuple(chosen[anchor] for anchor in sorted(chosen))
        supplied = list(store.candidate_status_lists)
        if bundle is not None:
            supplied += bundle.status_lists
        resolver = store.resolver(trust_list=in_force, fetcher=self._fetcher, now=run.now)
        return _Context(
            trust_list=in_force,
            resolver=resolver,
            supplied_status_lists=tuple(supplied),
            trust_failures=tuple(problems),
        )

    def _not_yet_valid(
        self, listed: AcceptedTrustList, run: _Run, prefix: str, problems: list[CheckFailed]
    ) -> bool:
        """A trust list whose ``validFrom`` is still ahead (beyond the skew) is not used."""
        if listed.valid_from is None or not beyond(listed.valid_from, run.now, self._skew):
            return False
        problems.append(
            CheckFailed(
                FailureCode.TRUST_LIST_INVALID,
                f"trust list version {listed.version} is not valid before "
                f"{listed.valid_from.isoformat()}",
                prefix + "/validFrom",
            )
        )
        return True

    # --- 2. proof ------------------------------------------------------------------

    def _check_proof(
        self, parsed: _Parsed, issuer: str, context: _Context, run: _Run
    ) -> _Signature:
        if parsed.jws is not None:
            return self._check_jws(parsed.jws, issuer, context, run)
        credential = parsed.credential
        try:
            proof: DataIntegrityProof | None = parse_proof(credential)
        except (ProofError, UnsupportedSuiteError):
            proof = None  # reported by verify_data_integrity below
        try:
            verify_data_integrity(
                credential,
                issuer=issuer,
                resolver=context.resolver,
                suites=self._suites,
                proof=proof,
            )
        except CheckFailed as exc:
            run.failed(CheckName.PROOF, exc)
        if proof is None:
            return _Signature(vm_id=None, created=None, path="/proof", format=None)
        self._proof_times(proof.created, proof.expires, run, "/proof")
        return _Signature(
            vm_id=proof.verification_method,
            created=proof.created,
            path="/proof/created",
            format=proof.cryptosuite,
        )

    def _check_jws(self, jws: ParsedJws, issuer: str, context: _Context, run: _Run) -> _Signature:
        alg = jws.header.get("alg")
        kid = _string(jws.header.get("kid"))
        try:
            if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
                raise CheckFailed(
                    FailureCode.SIGNATURE_INVALID,
                    f"JWS alg {alg!r} carries no issuer signature (unsigned or a shared MAC)",
                    "/header/alg",
                )
            if "b64" in jws.header:
                # RFC 7797 unencoded payloads: a vc+jwt signs the encoded payload only.
                raise CheckFailed(
                    FailureCode.MALFORMED,
                    "a vc+jwt must not use the JWS b64 header (unencoded payload)",
                    "/header/b64",
                )
            check_vc_jwt_header(jws, algorithms=self._jose_algorithms)
            assert kid is not None  # checked by check_vc_jwt_header
            method, _ = resolve_key(context.resolver, kid, issuer=issuer, path="/header/kid")
            verify_vc_jwt(jws, method.public_key, algorithms=self._jose_algorithms)
        except CheckFailed as exc:
            run.failed(CheckName.PROOF, exc)
        except ProofError as exc:
            run.fail(CheckName.PROOF, FailureCode.MALFORMED, str(exc), exc.path)
        except UnsupportedSuiteError as exc:
            run.fail(CheckName.PROOF, FailureCode.UNSUPPORTED_SUITE, str(exc), "/header/alg")
        except InvalidSignatureError as exc:
            run.fail(
                CheckName.PROOF,
                FailureCode.SIGNATURE_INVALID,
                f"signature does not verify: {exc}",
                "",
            )
        if "proof" in jws.payload:
            run.fail(
                CheckName.PROOF,
                FailureCode.MALFORMED,
                "a vc+jwt payload must not carry a Data Integrity proof",
                "/proof",
            )
        created = self._jwt_claims(jws.payload, run)
        return _Signature(vm_id=kid, created=created, path="/iat", format=JWT_FORMAT)

    def _jwt_claims(self, payload: JSONObject, run: _Run) -> datetime | None:
        """Check ``iat``/``nbf``/``exp``/``jti``; return ``iat`` (the signing time)."""
        times: dict[str, datetime] = {}
        for claim in ("iat", "nbf", "exp"):
            value = payload.get(claim)
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= _MAX_NUMERIC_DATE
            ):
                run.fail(
                    CheckName.PROOF,
                    FailureCode.MALFORMED,
                    f"{claim} must be a NumericDate (whole seconds, 0 to {_MAX_NUMERIC_DATE})",
                    f"/{claim}",
                )
                continue
            times[claim] = datetime.fromtimestamp(value, UTC)
        if "iat" not in payload:
            run.fail(
                CheckName.PROOF,
                FailureCode.MALFORMED,
                "a vc+jwt needs iat (its signing time)",
                "/iat",
            )
        if "jti" in payload and payload["jti"] != payload.get("id"):
            run.fail(
                CheckName.PROOF,
                FailureCode.MALFORMED,
                "jti does not equal the credential id",
                "/jti",
            )
        if "nbf" in times and beyond(times["nbf"], run.now, self._skew):
            run.fail(
                CheckName.PROOF, FailureCode.NOT_YET_VALID, "the JWT is not valid yet (nbf)", "/nbf"
            )
        self._proof_times(times.get("iat"), times.get("exp"), run, "")
        return times.get("iat")

    def _proof_times(
        self, created: datetime | None, expires: datetime | None, run: _Run, base: str
    ) -> None:
        """A proof made in the future or past its own expiry is not accepted."""
        created_name, expires_name = ("created", "expires") if base else ("iat", "exp")
        if created is not None and beyond(created, run.now, self._skew):
            run.fail(
                CheckName.PROOF,
                FailureCode.NOT_YET_VALID,
                f"the proof was made in the future ({created.isoformat()})",
                f"{base}/{created_name}",
            )
        if expires is not None and beyond(run.now, expires, self._skew):
            run.fail(
                CheckName.PROOF,
                FailureCode.EXPIRED,
                f"the proof expired at {expires.isoformat()}",
                f"{base}/{expires_name}",
            )

    # --- 3. issuer -----------------------------------------------------------------

    def _check_issuer(
        self,
        credential: JSONObject,
        issuer: str,
        signature: _Signature | None,
        record: AssessmentRecord | None,
        context: _Context,
        run: _Run,
    ) -> IssuerTrust | None:
        for problem in context.trust_failures:
            run.failed(CheckName.ISSUER, problem)
        trust = self._store.issuer_trust(issuer, context.trust_list)
        if trust is None:
            run.fail(
                CheckName.ISSUER,
                FailureCode.ISSUER_UNTRUSTED,
                f"{issuer} is not pinned and not in an accepted trust list",
                "/issuer",
            )
            return None
        listed = trust.trust_list
        if (
            trust.source is TrustSource.TRUST_LIST
            and listed is not None
            and listed.valid_until is not None
            and beyond(run.now, listed.valid_until, self._skew)
        ):
            run.fail(
                CheckName.ISSUER,
                FailureCode.TRUST_LIST_EXPIRED,
                f"the trust list naming {issuer} (version {listed.version}) has expired: "
                "import a newer one",
                "/issuer",
            )
        self._check_ods_codes(credential, trust, record, run)
        if record is not None and trust.scopes is not None:
            domains = [d.domain.value for d in record.domains]
            if not any(scope.covers(record.profile.value, domains) for scope in trust.scopes):
                run.fail(
                    CheckName.ISSUER,
                    FailureCode.ISSUER_UNTRUSTED,
                    f"{trust.ods_code} is not accredited for {record.profile.value} "
                    "assessments of these domains",
                    f"{_RECORD_PATH}/profile",
                )
        if signature is None or signature.vm_id is None or signature.created is None:
            if (
                signature is not None
                and signature.vm_id is not None
                and signature.format != JWT_FORMAT
            ):
                # (a JWT without iat is already reported by the proof check)
                run.fail(
                    CheckName.ISSUER,
                    FailureCode.MALFORMED,
                    "the proof has no creation time, so the key's validity cannot be checked",
                    signature.path,
                )
            run.skipped.add(CheckName.ISSUER)
            return trust
        try:
            check_key_window(
                trust.key_window(signature.vm_id),
                vm_id=signature.vm_id,
                created=signature.created,
                path=signature.path,
            )
        except CheckFailed as exc:
            run.failed(CheckName.ISSUER, exc)
        if trust.status == "withdrawn" and (
            trust.withdrawn_at is None or signature.created >= trust.withdrawn_at
        ):
            entry = listed.content.issuer(issuer) if listed is not None else None
            successor = (
                f" (successor: {entry.successor})" if entry is not None and entry.successor else ""
            )
            run.fail(
                CheckName.ISSUER,
                FailureCode.ISSUER_WITHDRAWN,
                f"{issuer} was withdrawn before this was signed{successor}",
                signature.path,
            )
        return trust

    @staticmethod
    def _check_ods_codes(
        credential: JSONObject, trust: IssuerTrust, record: AssessmentRecord | None, run: _Run
    ) -> None:
        if trust.ods_code is None:
            return
        claimed = credential.get("issuer")
        claimed_ods = claimed.get("odsCode") if isinstance(claimed, dict) else None
        if claimed_ods is not None and claimed_ods != trust.ods_code:
            run.fail(
                CheckName.ISSUER,
                FailureCode.ISSUER_UNTRUSTED,
                f"the credential claims ODS code {claimed_ods!r}, "
                f"but its issuer is {trust.ods_code}",
                "/issuer/odsCode",
            )
        if record is not None and record.assessing_org.ods_code != trust.ods_code:
            run.fail(
                CheckName.ISSUER,
                FailureCode.ISSUER_UNTRUSTED,
                f"the record names {record.assessing_org.ods_code} as assessor, "
                f"but it was signed by {trust.ods_code}",
                f"{_RECORD_PATH}/assessing_org/ods_code",
            )

    # --- 4. validity ---------------------------------------------------------------

    def _check_validity(self, credential: JSONObject, run: _Run) -> None:
        passport = PASSPORT_TYPE in credential_types(credential)
        times: dict[str, datetime] = {}
        for name in ("validFrom", "validUntil"):
            value = credential.get(name)
            if value is None:
                if passport:
                    run.fail(
                        CheckName.VALIDITY,
                        FailureCode.MALFORMED,
                        f"a passport must have {name}",
                        f"/{name}",
                    )
                continue
            try:
                times[name] = parse_datetime(value, path=f"/{name}")
            except MalformedInputError as exc:
                run.fail(CheckName.VALIDITY, FailureCode.MALFORMED, exc.message, exc.path)
        start, end = times.get("validFrom"), times.get("validUntil")
        if start is not None and beyond(start, run.now, self._skew):
            run.fail(
                CheckName.VALIDITY,
                FailureCode.NOT_YET_VALID,
                f"not valid before {start.isoformat()}",
                "/validFrom",
            )
        if end is not None and beyond(run.now, end, self._skew):
            run.fail(
                CheckName.VALIDITY,
                FailureCode.EXPIRED,
                f"expired at {end.isoformat()}",
                "/validUntil",
            )
        if start is not None and end is not None and end < start:
            run.fail(
                CheckName.VALIDITY,
                FailureCode.MALFORMED,
                "validUntil is before validFrom",
                "/validUntil",
            )

    # --- 5. status -----------------------------------------------------------------

    def _check_status(
        self,
        credential: JSONObject,
        issuer: str,
        trust: IssuerTrust | None,
        context: _Context,
        run: _Run,
    ) -> None:
        try:
            entries = status_entries(credential)
        except MalformedInputError as exc:
            run.fail(CheckName.STATUS, FailureCode.MALFORMED, exc.message, exc.path)
            return
        passport = PASSPORT_TYPE in credential_types(credential)
        if not entries:
            run.skipped.add(CheckName.STATUS)
            if passport:
                run.fail(
                    CheckName.STATUS,
                    FailureCode.MALFORMED,
                    "an innovator passport must carry credentialStatus (revocation and suspension)",
                    "/credentialStatus",
                )
            return
        if passport and not any(e.purpose == _REVOCATION for e in entries):
            run.fail(
                CheckName.STATUS,
                FailureCode.MALFORMED,
                "no revocation status entry",
                "/credentialStatus",
            )
        store = self._store
        sources = StatusSources.of(
            supplied=context.supplied_status_lists,
            cached=store.status_lists,
            online=None
            if self._fetcher is None
            else OnlineStatusLists(self._fetcher, limits=self._limits),
            on_fetched=store.cache_status_list,
        )
        policy = StatusPolicy(now=run.now, skew=self._skew, max_age=self._status_max_age)

        # Each candidate is checked at most once per verification (two entries often
        # share a list), and through the verifier's cache across verifications.
        checked: dict[
            tuple[int, datetime | None], tuple[JSONObject, VerifiedStatusList | CheckFailed]
        ] = {}

        def verify(candidate: JSONObject, fetched_at: datetime | None) -> VerifiedStatusList:
            memo = (id(candidate), fetched_at)
            held = checked.get(memo)
            # (the candidate is kept with its outcome, so its id cannot be reused meanwhile)
            outcome = held[1] if held is not None and held[0] is candidate else None
            if outcome is None:
                try:
                    outcome = verify_status_list(
                        candidate,
                        issuer=issuer,
                        resolver=context.resolver,
                        trust=trust,
                        suites=self._suites,
                        max_bytes=self._max_list_bytes,
                        fetched_at=fetched_at,
                        cache=self._status_cache,
                    )
                except CheckFailed as exc:
                    outcome = exc
                checked[memo] = (candidate, outcome)
            if isinstance(outcome, CheckFailed):
                raise outcome
            return outcome

        for index, entry in enumerate(entries):
            problem = check_entry(
                entry,
                path=_entry_path(credential, index),
                issuer=issuer,
                sources=sources,
                verify=verify,
                policy=policy,
            )
            if problem is not None:
                run.failed(CheckName.STATUS, problem)

    # --- 6. record -----------------------------------------------------------------

    def _check_record(self, credential: JSONObject, run: _Run) -> AssessmentRecord | None:
        context = credential.get("@context")
        if context != list(PASSPORT_CONTEXT) or PASSPORT_TYPE not in credential_types(credential):
            run.fail(
                CheckName.RECORD,
                FailureCode.NOT_A_PASSPORT,
                f"not an innovator passport: @context must be {list(PASSPORT_CONTEXT)} "
                f"and type must include {PASSPORT_TYPE}",
                "/@context" if context != list(PASSPORT_CONTEXT) else "/type",
            )
            return None

        def invalid(code: FailureCode, message: str, path: str) -> None:
            run.fail(CheckName.RECORD, code, message, path)

        subject = credential.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("type") != SUBJECT_TYPE:
            invalid(
                FailureCode.SCHEMA_INVALID,
                f"credentialSubject must be one {SUBJECT_TYPE}",
                "/credentialSubject",
            )
            return None
        self._check_schema_reference(credential.get("credentialSchema"), invalid)
        raw = subject.get("assessmentRecord")
        if not isinstance(raw, dict):
            invalid(FailureCode.SCHEMA_INVALID, "assessmentRecord must be an object", _RECORD_PATH)
            return None
        record: AssessmentRecord | None = None
        try:
            record = AssessmentRecord.from_json(raw)
        except RecordInvalidError as exc:
            for problem in exc.problems[:_MAX_SCHEMA_FAILURES]:
                invalid(FailureCode.SCHEMA_INVALID, problem.message, _RECORD_PATH + problem.path)
            if len(exc.problems) > _MAX_SCHEMA_FAILURES:
                invalid(
                    FailureCode.SCHEMA_INVALID,
                    f"… and {len(exc.problems) - _MAX_SCHEMA_FAILURES} more schema problems",
                    _RECORD_PATH,
                )
        try:
            digest = sha256_digest(raw)
        except MalformedInputError as exc:
            invalid(FailureCode.SCHEMA_INVALID, exc.message, _RECORD_PATH + exc.path)
        else:
            if subject.get("recordDigest") != digest:
                invalid(
                    FailureCode.DIGEST_MISMATCH,
                    "recordDigest is not the SHA-256 of the canonical record",
                    "/credentialSubject/recordDigest",
                )
        if record is not None and subject.get("id") != record.record_id:
            invalid(
                FailureCode.SCHEMA_INVALID,
                "credentialSubject id is not the record_id",
                "/credentialSubject/id",
            )
        return record

    @staticmethod
    def _check_schema_reference(
        reference: JSONValue, invalid: Callable[[FailureCode, str, str], None]
    ) -> None:
        if not isinstance(reference, dict) or reference.get("type") != "JsonSchema":
            invalid(
                FailureCode.SCHEMA_INVALID,
                "credentialSchema must be a JsonSchema reference",
                "/credentialSchema",
            )
            return
        if reference.get("id") != RECORD_SCHEMA_ID:
            invalid(
                FailureCode.SCHEMA_INVALID,
                f"credentialSchema id is not {RECORD_SCHEMA_ID}",
                "/credentialSchema/id",
            )
        elif reference.get("digestSRI") != _record_schema_sri():
            invalid(
                FailureCode.DIGEST_MISMATCH,
                "credentialSchema digestSRI does not match the bundled record schema",
                "/credentialSchema/digestSRI",
            )


# --- helpers -----------------------------------------------------------------------


@functools.cache
def _record_schema_sri() -> str:
    """The bundled record schema's ``digestSRI`` (its bytes do not change while running)."""
    return schema_digest_sri(RECORD_SCHEMA)


def _string(value: JSONValue) -> str | None:
    return value if isinstance(value, str) else None


def _envelope_problems(credential: JSONObject) -> list[tuple[str, str]]:
    """VC 2.0 envelope problems as ``(message, path)``."""
    problems: list[tuple[str, str]] = []
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        problems.append(
            (f"not a VC 2.0 credential: @context must start with {CREDENTIALS_V2}", "/@context")
        )
    if VC_TYPE not in credential_types(credential):
        problems.append((f"type must include {VC_TYPE}", "/type"))
    if issuer_id(credential) is None:
        problems.append(("issuer must be a URL or an object with an id", "/issuer"))
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) and not (
        isinstance(subject, list) and subject and all(isinstance(s, dict) for s in subject)
    ):
        problems.append(
            ("credentialSubject must be an object or a list of objects", "/credentialSubject")
        )
    if "id" in credential and not isinstance(credential["id"], str):
        problems.append(("id must be a string", "/id"))
    return problems


def _entry_path(credential: JSONObject, index: int) -> str:
    return (
        pointer("credentialStatus", index)
        if isinstance(credential.get("credentialStatus"), list)
        else "/credentialStatus"
    )


def _issuer_info(
    credential: JSONObject, issuer: str | None, trust: IssuerTrust | None
) -> IssuerInfo:
    """The issuer's ODS code and name from the trust source; else the claims, marked ``claimed``.

    A credential's own ``issuer.odsCode``/``name`` are never shown as fact: a
    pinned ``did:key`` can claim to be anyone.
    """
    if trust is not None and (trust.ods_code is not None or trust.name is not None):
        return IssuerInfo(id=issuer, ods_code=trust.ods_code, name=trust.name)
    claimed = credential.get("issuer")
    if isinstance(claimed, dict):
        ods_code, name = _string(claimed.get("odsCode")), _string(claimed.get("name"))
        if ods_code is not None or name is not None:
            return IssuerInfo(id=issuer, ods_code=ods_code, name=name, claimed=True)
    return IssuerInfo(id=issuer)


def _facts(credential: JSONObject, record: AssessmentRecord | None) -> PassportFacts | None:
    """The facts a person acts on; from the validated record, else only what is safe to show."""
    valid_from, valid_until = (
        _string(credential.get("validFrom")),
        _string(credential.get("validUntil")),
    )
    if record is None:
        if PASSPORT_TYPE not in credential_types(credential):
            return None
        subject = credential.get("credentialSubject")
        raw = subject.get("assessmentRecord") if isinstance(subject, dict) else None
        product = raw.get("product") if isinstance(raw, dict) else None
        name = _string(product.get("name")) if isinstance(product, dict) else None
        return PassportFacts(product=name, valid_from=valid_from, valid_until=valid_until)
    org = record.assessing_org
    return PassportFacts(
        product=record.product_name,
        assessing_organisation=IssuerInfo(ods_code=org.ods_code, name=org.name_at_issue),
        profile=record.profile.value,
        outcome=record.outcome_decision.value,
        conditions=tuple(
            Condition(
                id=c.condition_id,
                text=c.text,
                responsible_party=c.responsible_party.value,
                blocking=c.blocking,
                due=None if c.due is None else str(c.due),
            )
            for c in record.outcome.conditions
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        local_actions=record.local_actions(),
    )
