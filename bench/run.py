"""innopass side by side with the reference stacks and with the floors, in one run.

    python bench/run.py [--quick] [--json OUT] [--peers DIR] [--openvc PYTHON]

Measures, each as the median of several runs (the spread is printed too):

- innopass in process, for eddsa-jcs-2022 and vc+jwt (EdDSA) from an Ed25519 home
  and ecdsa-jcs-2019 and vc+jwt (ES256) from a P-256 home, on the device example
  passport and on a large one (≈ 200 KB: the example record with evidence items
  added): ``Issuer.issue`` (durable, the real ledger in a temporary home, no
  passport file written), ``Verifier.verify`` (a long-lived verifier, the full
  offline pipeline: pinned did:key issuer, status lists supplied, fixed clock) and
  the proof alone (``verify_data_integrity`` / ``verify_vc_jwt``);
- the floors: bare Ed25519 and P-256 sign and verify of 64 bytes, and the lean
  limit: strict parse + JCS + SHA-256 + the best signature check of the same bytes;
- the command line: ``innopass verify`` of N passport files and ``innopass issue``
  of N records, each in one process (N = 1,000); ``innopass --help`` and
  ``innopass verify`` of one bundle (whole process); ``-X importtime`` of
  ``innopass.cli``;
- the Node reference peer (``--peers DIR``, default ``$INNOPASS_PEERS``: a copy of
  ``../shared/peers`` after ``npm ci``) on innopass's own passports without proof
  and status; openvc-core (``--openvc PYTHON``: a separate venv's interpreter).

Prints tables (each innopass figure with its ratio to the peers and to the lean
limit, then the issue's targets as "target / measured / met?") and writes JSON
(default ``bench/results.json``). Nothing asserts a time: the exit code is 0
unless the benchmark itself breaks. ``--quick`` is the CI smoke run (tiny N).
"""

from __future__ import annotations

import argparse
import base64
import copy
import gc
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

import innopass
import innopass.record
from innopass._internal.canonical import canonicalize
from innopass._internal.encoding import base58btc_decode
from innopass._internal.jose import parse_compact_jws, verify_vc_jwt
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import verify_data_integrity
from innopass._internal.suites import SUITES
from innopass.did import DidKeyResolver
from innopass.issuer import Issuer, OrganisationHome
from innopass.keys import KeyType, PrivateKey, PublicKey, generate_private_key
from innopass.record import AssessmentRecord
from innopass.verifier import TrustStore, Verifier

T = TypeVar("T")
R = TypeVar("R")

HERE: Final = Path(__file__).resolve().parent
PASSPHRASE: Final = "innopass bench: a throw-away home"  # noqa: S105 - temporary homes only
LARGE_PASSPORT_BYTES: Final = 200_000
#: What a passport adds around its record (summary, issuer, status, proof), roughly.
PASSPORT_OVERHEAD_BYTES: Final = 1_500
JOSE_ALGORITHMS: Final = frozenset({"EdDSA", "ES256"})
PEERS_HOWTO: Final = (
    "cp -r ../shared/peers /tmp/peers && chmod -R u+w /tmp/peers && (cd /tmp/peers && npm ci), "
    "then --peers /tmp/peers (or INNOPASS_PEERS=/tmp/peers)"
)
OPENVC_HOWTO: Final = (
    "python3 -m venv /tmp/openvc-venv && /tmp/openvc-venv/bin/pip install openvc-core, "
    "then --openvc /tmp/openvc-venv/bin/python"
)
KINDS: Final = ("device", "large")


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """How much to measure: the full run, or the CI smoke run."""

    name: str
    runs: int
    n: Mapping[str, int]
    """Operations per timed run, by passport kind."""
    warmup: int
    batch_seconds: float
    """How long one timed batch of a micro-benchmark (the floors) lasts."""
    cli_n: int
    cli_runs: int
    process_runs: int
    node_n: Mapping[str, tuple[int, int]]
    """``--n`` and ``--n-jwt`` of the Node bench, by passport kind."""
    node_runs: int
    node_warmup: int
    openvc_n: Mapping[str, int]
    openvc_runs: int


FULL: Final = Mode(
    name="full",
    runs=5,
    n={"device": 100, "large": 16},
    warmup=5,
    batch_seconds=0.1,
    cli_n=1000,
    cli_runs=3,
    process_runs=5,
    node_n={"device": (300, 1000), "large": (40, 120)},
    node_runs=3,
    node_warmup=20,
    openvc_n={"device": 150, "large": 16},
    openvc_runs=3,
)
QUICK: Final = Mode(
    name="quick",
    runs=3,
    n={"device": 6, "large": 2},
    warmup=2,
    batch_seconds=0.01,
    cli_n=20,
    cli_runs=1,
    process_runs=2,
    node_n={"device": (10, 20), "large": (3, 5)},
    node_runs=1,
    node_warmup=3,
    openvc_n={"device": 6, "large": 2},
    openvc_runs=1,
)


@dataclass(frozen=True)
class Suite:
    """One way innopass secures a passport, and the peer figures for the same work."""

    name: str
    key_type: KeyType
    format: str
    """``di`` or ``jwt`` (``Issuer.issue(format=...)``)."""
    node: str | None
    """The Node bench format doing the same work, if any."""
    openvc: bool


BENCH_SUITES: Final = (
    Suite("eddsa-jcs-2022", KeyType.ED25519, "di", "jcs", True),
    Suite("ecdsa-jcs-2019", KeyType.P256, "di", None, False),
    Suite("vc+jwt EdDSA", KeyType.ED25519, "jwt", "jwt-eddsa", False),
    Suite("vc+jwt ES256", KeyType.P256, "jwt", "jwt-es256", False),
)


class BenchmarkBroken(RuntimeError):
    """The benchmark cannot produce a meaningful figure (a set-up or a verification failed)."""


# --- timing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Operations per second, one value per timed run; the median is the figure."""

    runs: tuple[float, ...]
    n: int
    """Operations in each run."""

    @property
    def median(self) -> float:
        return float(statistics.median(self.runs))

    @property
    def spread_pct(self) -> float:
        """Half the range of the runs, as a percentage of the median."""
        return (max(self.runs) - min(self.runs)) / 2 / self.median * 100

    def spread(self) -> str:
        return f"{_num(min(self.runs))}–{_num(max(self.runs))} (±{self.spread_pct:.0f}%)"

    def to_json(self) -> dict[str, Any]:
        return {
            "ops_s": round(self.median, 2),
            "us_op": round(1e6 / self.median, 2),
            "runs_ops_s": [round(r, 2) for r in self.runs],
            "n": self.n,
        }


def _time_each(items: Sequence[T], fn: Callable[[T], R]) -> tuple[float, list[R]]:
    """Operations per second of ``fn`` over ``items``, one after the other, and the results."""
    results: list[R] = []
    gc.collect()
    start = time.perf_counter()
    for item in items:
        results.append(fn(item))
    return len(items) / (time.perf_counter() - start), results


def _loop(fn: Callable[[], object], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def time_repeat(fn: Callable[[], object], *, runs: int, seconds: float) -> Rate:
    """``runs`` batches of calls of ``fn``, each batch lasting about ``seconds``."""
    fn()
    n = 1
    elapsed = _loop(fn, n)
    while elapsed < seconds / 8 and n < 1_000_000:
        n *= 4
        elapsed = _loop(fn, n)
    batch = max(1, round(n * seconds / elapsed)) if elapsed > 0 else n
    return Rate(tuple(batch / _loop(fn, batch) for _ in range(runs)), batch)


def time_process(cmd: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> tuple[float, str]:
    """Wall-clock seconds of one whole process, and its standard output; it must exit 0."""
    start = time.perf_counter()
    done = subprocess.run(
        list(cmd), env=dict(env), cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchmarkBroken(
            f"{' '.join(cmd[:3])} … exited {done.returncode}: {done.stderr.strip()[-800:]}"
        )
    return elapsed, done.stdout


def _num(value: float) -> str:
    """A rate or a count, with sensible precision."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- the passports -------------------------------------------------------------------------


def device_record() -> dict[str, Any]:
    return dict(innopass.record.example("device"))


def large_record(base: Mapping[str, Any], passport_bytes: int) -> dict[str, Any]:
    """The example record with evidence items added until its passport is ≈ ``passport_bytes``.

    Each added item is a copy of one of the example's own items with a new id, title
    and digest, and not mandatory (so the record's validity is unchanged). The
    record must still pass the record schema.
    """
    record = copy.deepcopy(dict(base))
    evidence: list[Any] = record["evidence"]
    templates = copy.deepcopy(evidence)
    size = len(compact(record).encode())
    i = 0
    while size < passport_bytes - PASSPORT_OVERHEAD_BYTES:
        item = copy.deepcopy(templates[i % len(templates)])
        i += 1
        item["evidence_id"] = f"ev-bulk-{i:04d}"
        item["title"] = f"{item['title']} (supporting copy {i})"
        item["sha256"] = hashlib.sha256(f"innopass bench evidence {i}".encode()).hexdigest()
        item["mandatory"] = False
        evidence.append(item)
        size += len(compact(item).encode()) + 1
    AssessmentRecord.from_json(record)  # raises if the schema refuses it
    return record


def with_new_id(record: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(record))
    out["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    return out


def unsigned(passport_text: str, *, keep_status: bool) -> dict[str, Any]:
    """A Data Integrity passport without its proof (and its status, unless kept)."""
    doc = json.loads(passport_text)
    doc.pop("proof", None)
    if not keep_status:
        doc.pop("credentialStatus", None)
    return dict(doc)


# --- innopass in process ---------------------------------------------------------------------


@dataclass
class SuiteRun:
    """What was measured for one suite on one passport kind."""

    suite: Suite
    kind: str
    issue: Rate | None = None
    issue_rates: list[float] = field(default_factory=list)
    verify: Rate | None = None
    proof: Rate | None = None
    texts: list[list[str]] = field(default_factory=list)
    """The passports issued in each timed run (verified in the matching verify run)."""
    warm: list[str] = field(default_factory=list)
    compact_bytes: int = 0
    file_bytes: int = 0


@dataclass
class HomeRun:
    key_type: KeyType
    did: str
    public_key: PublicKey
    status_lists: list[dict[str, Any]]
    runs: list[SuiteRun]


def _check_verified(results: Sequence[Any], what: str) -> None:
    bad = [r for r in results if not r.verified]
    if bad:
        first = bad[0]
        detail = "; ".join(f"{f.code}: {f.message}" for f in first.failures)
        raise BenchmarkBroken(f"{what}: {len(bad)} of {len(results)} not verified ({detail})")


def measure_home(
    key_type: KeyType, base_dir: Path, records: Mapping[str, Mapping[str, Any]], mode: Mode
) -> HomeRun:
    """Issue with each suite of ``key_type`` on each passport kind.

    The timed runs are interleaved (run 1 of every suite and kind, then run 2, …), so
    that a burst of other work on the machine spreads over all of them alike.
    """
    path = base_dir / f"home-{key_type.value}"
    home = OrganisationHome.init(
        path, ods_code="RF4", name="BENCH TRUST", passphrase=PASSPHRASE, key_type=key_type
    )
    suites = [s for s in BENCH_SUITES if s.key_type is key_type]
    runs = [SuiteRun(suite, kind) for suite in suites for kind in KINDS]
    with Issuer.from_home(path, passphrase=PASSPHRASE) as issuer:
        for run in runs:
            run.warm = [
                issuer.issue(with_new_id(records[run.kind]), format=run.suite.format).text()
                for _ in range(mode.warmup)
            ]
        for _ in range(mode.runs):
            for run in runs:
                batch = [with_new_id(records[run.kind]) for _ in range(mode.n[run.kind])]
                rate, issued = _time_each(batch, partial(issuer.issue, format=run.suite.format))
                run.issue_rates.append(rate)
                run.texts.append([p.text() for p in issued])
        status_lists = [dict(s.credential) for s in issuer.signed_status_lists()]
    for run in runs:
        run.issue = Rate(tuple(run.issue_rates), mode.n[run.kind])
        first = run.texts[0][0]
        run.file_bytes = len(first.encode())
        if run.suite.format == "di":
            run.compact_bytes = len(compact(json.loads(first)).encode())
    description = home.description()
    return HomeRun(
        key_type,
        description.did,
        description.did_document.verification_methods[0].public_key,
        status_lists,
        runs,
    )


def _lean_di(best: Callable[[bytes, bytes], object]) -> Callable[[tuple[bytes, bytes]], None]:
    """Strict parse, JCS and SHA-256 of proof configuration and document, one signature check."""

    def check(item: tuple[bytes, bytes]) -> None:
        data, signature = item
        doc = loads_strict(data)
        assert isinstance(doc, dict)
        proof = doc["proof"]
        assert isinstance(proof, dict)
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        unsecured = {k: v for k, v in doc.items() if k != "proof"}
        best(
            signature,
            hashlib.sha256(canonicalize(config)).digest()
            + hashlib.sha256(canonicalize(unsecured)).digest(),
        )

    return check


def _lean_jwt(best: Callable[[bytes, bytes], object]) -> Callable[[tuple[str, bytes]], None]:
    """Base64url-decode and strictly parse header and payload, one signature check."""

    def check(item: tuple[str, bytes]) -> None:
        token, signature = item
        head, body, _ = token.split(".")
        loads_strict(_b64url(head))
        loads_strict(_b64url(body))
        best(signature, token[: token.rindex(".")].encode())

    return check


def _di_item(text: str) -> tuple[bytes, bytes]:
    proof = json.loads(text)["proof"]
    return text.encode(), base58btc_decode(str(proof["proofValue"])[1:])


def _jwt_item(text: str) -> tuple[str, bytes]:
    token = text.strip()  # a .jwt file ends with a newline
    return token, _b64url(token.rsplit(".", 1)[1])


def measure_verify(
    homes: Sequence[HomeRun], floors: Floors, mode: Mode
) -> tuple[dict[str, Rate], dict[str, Rate]]:
    """Full pipeline and proof alone over the passports issued for each suite and kind.

    Run ``r`` verifies the passports issued in issue run ``r`` (each passport once per
    verifier), with a fresh long-lived verifier warmed on other passports. The runs
    are interleaved (run 1 of everything, then run 2, …), and the lean verify limits
    are timed in the same loop over the same eddsa-jcs-2022 and vc+jwt (EdDSA)
    passports, so that the ratios compare work done under the same load. Returns the
    lean limits (Data Integrity, vc+jwt) by passport kind.
    """
    now = datetime.now(UTC)  # after every passport and status list was signed
    resolver = DidKeyResolver()
    ed_home = next(h for h in homes if h.key_type is KeyType.ED25519)
    best = floors.best_verify[1](ed_home.public_key)
    by_name = {(run.suite.name, run.kind): run for run in ed_home.runs}
    di_items = {
        k: [[_di_item(t) for t in ts] for ts in by_name[("eddsa-jcs-2022", k)].texts] for k in KINDS
    }
    jwt_items = {
        k: [[_jwt_item(t) for t in ts] for ts in by_name[("vc+jwt EdDSA", k)].texts] for k in KINDS
    }
    for kind in KINDS:  # the floor checks real signatures
        ed_home.public_key.verify(di_items[kind][0][0][1], _di_hash(di_items[kind][0][0][0]))
        _lean_di(best)(di_items[kind][0][0])
        _lean_jwt(best)(jwt_items[kind][0][0])
    lean_di: dict[str, list[float]] = {k: [] for k in KINDS}
    lean_jwt: dict[str, list[float]] = {k: [] for k in KINDS}
    verify_rates: dict[tuple[int, int], list[float]] = {}
    proof_rates: dict[tuple[int, int], list[float]] = {}
    for r in range(mode.runs):
        for h, home in enumerate(homes):
            store = TrustStore().with_issuer(home.did)
            lists = home.status_lists
            check_di = partial(
                verify_data_integrity, issuer=home.did, resolver=resolver, suites=SUITES
            )
            check_jws = partial(
                verify_vc_jwt, issuer=home.did, resolver=resolver, algorithms=JOSE_ALGORITHMS
            )
            for i, run in enumerate(home.runs):
                what = f"{run.suite.name} {run.kind}"
                texts = run.texts[r]
                verifier = Verifier(store, clock=lambda: now)
                _check_verified([verifier.verify(t, status_lists=lists) for t in run.warm], what)
                rate, results = _time_each(texts, partial(verifier.verify, status_lists=lists))
                verify_rates.setdefault((h, i), []).append(rate)
                _check_verified(results, what)
                if run.suite.format == "di":
                    docs = [loads_strict(t) for t in texts]
                    proof_rates.setdefault((h, i), []).append(_time_each(docs, check_di)[0])
                else:
                    parsed = [parse_compact_jws(t) for t in texts]
                    proof_rates.setdefault((h, i), []).append(_time_each(parsed, check_jws)[0])
        for kind in KINDS:
            lean_di[kind].append(_time_each(di_items[kind][r], _lean_di(best))[0])
            lean_jwt[kind].append(_time_each(jwt_items[kind][r], _lean_jwt(best))[0])
    for h, home in enumerate(homes):
        for i, run in enumerate(home.runs):
            run.verify = Rate(tuple(verify_rates[(h, i)]), mode.n[run.kind])
            run.proof = Rate(tuple(proof_rates[(h, i)]), mode.n[run.kind])
    return (
        {k: Rate(tuple(v), mode.n[k]) for k, v in lean_di.items()},
        {k: Rate(tuple(v), mode.n[k]) for k, v in lean_jwt.items()},
    )


def _di_hash(data: bytes) -> bytes:
    doc = json.loads(data)
    config = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    return (
        hashlib.sha256(canonicalize(config)).digest()
        + hashlib.sha256(canonicalize(unsecured)).digest()
    )


# --- the floors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Floors:
    rows: list[tuple[str, Rate]]
    best_verify: tuple[str, Callable[[PublicKey], Callable[[bytes, bytes], object]]]
    """The fastest Ed25519 verify available: (label, key → verify(signature, message))."""
    best_sign: tuple[str, Callable[[bytes], object]]
    """The fastest Ed25519 sign available: (label, sign(message)) with a key of its own."""


def _nacl() -> Any:
    """PyNaCl (libsodium), when it happens to be installed; innopass does not need it."""
    try:
        return importlib.import_module("nacl.signing")
    except ImportError:
        return None


def _keys_verify(public: PublicKey) -> Callable[[bytes, bytes], object]:
    return public.verify


def _nacl_verify(nacl: Any, public: PublicKey) -> Callable[[bytes, bytes], object]:
    key = nacl.VerifyKey(public.raw_bytes())
    return lambda signature, message: key.verify(message, signature)


def measure_floors(mode: Mode) -> Floors:
    message = hashlib.sha512(b"innopass bench").digest()  # 64 bytes, as a JCS proof signs
    rows: list[tuple[str, Rate]] = []
    verifiers: list[tuple[str, Callable[[PublicKey], Callable[[bytes, bytes], object]], Rate]] = []
    signers: list[tuple[str, Callable[[bytes], object], Rate]] = []
    ed_key: PrivateKey | None = None
    for key_type in (KeyType.ED25519, KeyType.P256):
        key = generate_private_key(key_type)
        public = key.public_key()
        signature = key.sign(message)
        sign = time_repeat(partial(key.sign, message), runs=mode.runs, seconds=mode.batch_seconds)
        verify = time_repeat(
            partial(public.verify, signature, message), runs=mode.runs, seconds=mode.batch_seconds
        )
        rows += [
            (f"{key_type.value} sign, 64 bytes", sign),
            (f"{key_type.value} verify, 64 bytes", verify),
        ]
        if key_type is KeyType.ED25519:
            ed_key = key
            verifiers.append((f"{key_type.value} (innopass.keys)", _keys_verify, verify))
            signers.append((f"{key_type.value} (innopass.keys)", key.sign, sign))
    nacl = _nacl()
    if nacl is not None and ed_key is not None:
        seed = hashlib.sha256(b"innopass bench nacl").digest()
        signing = nacl.SigningKey(seed)
        verify_key = signing.verify_key
        signature = signing.sign(message).signature
        sign = time_repeat(
            lambda: signing.sign(message), runs=mode.runs, seconds=mode.batch_seconds
        )
        verify = time_repeat(
            lambda: verify_key.verify(message, signature),
            runs=mode.runs,
            seconds=mode.batch_seconds,
        )
        rows += [
            ("Ed25519 sign, 64 bytes (PyNaCl)", sign),
            ("Ed25519 verify, 64 bytes (PyNaCl)", verify),
        ]
        verifiers.append(("Ed25519 (PyNaCl)", partial(_nacl_verify, nacl), verify))
        signers.append(("Ed25519 (PyNaCl)", signing.sign, sign))
    best_v = max(verifiers, key=lambda v: v[2].median)
    best_s = max(signers, key=lambda s: s[2].median)
    return Floors(rows, (best_v[0], best_v[1]), (best_s[0], best_s[1]))


@dataclass(frozen=True)
class Lean:
    """The lean limits of one passport kind, for a Data Integrity (JCS) and a vc+jwt passport."""

    kind: str
    verify: Rate
    """Timed beside the verify runs, over the same passports (see :func:`measure_verify`)."""
    sign: Rate
    jwt_verify: Rate
    jwt_sign: Rate
    parts: list[tuple[str, Rate]]

    def limit(self, suite: Suite, work: str) -> Rate:
        """The limit an innopass figure for ``work`` (verify, proof, issue) is compared with."""
        if suite.format == "jwt":
            return self.jwt_sign if work == "issue" else self.jwt_verify
        return self.sign if work == "issue" else self.verify


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url_encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def measure_lean_parts(
    text: str, token: str, floors: Floors, mode: Mode
) -> tuple[Rate, Rate, list[tuple[str, Rate]]]:
    """The signing limits of these passports, and the parts of the verify limit, timed alone.

    ``text`` is an eddsa-jcs-2022 passport and ``token`` a vc+jwt (EdDSA) one. Signing
    (Data Integrity): JCS of the proof configuration and the document, SHA-256 of each,
    the best Ed25519 signature; (vc+jwt): compact JSON and base64url of the payload,
    the best Ed25519 signature. Returns (DI sign, vc+jwt sign, parts).
    """
    data = text.encode()
    doc = loads_strict(data)
    assert isinstance(doc, dict)
    proof = doc["proof"]
    assert isinstance(proof, dict)
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    _, best_sign = floors.best_sign

    def lean_sign() -> None:
        best_sign(
            hashlib.sha256(canonicalize(config)).digest()
            + hashlib.sha256(canonicalize(unsecured)).digest()
        )

    head, body, _ = token.strip().split(".")
    claims = loads_strict(_b64url(body))

    def lean_jwt_sign() -> None:
        payload = _b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
        best_sign(head.encode() + b"." + payload)

    canonical = canonicalize(unsecured)
    r, s = mode.runs, mode.batch_seconds
    parts = [
        ("strict parse (loads_strict)", time_repeat(lambda: loads_strict(data), runs=r, seconds=s)),
        ("json.loads (stdlib)", time_repeat(lambda: json.loads(data), runs=r, seconds=s)),
        ("JCS (canonicalize)", time_repeat(lambda: canonicalize(doc), runs=r, seconds=s)),
        (
            "json.dumps sort_keys (stdlib)",
            time_repeat(lambda: json.dumps(doc, sort_keys=True), runs=r, seconds=s),
        ),
        ("SHA-256", time_repeat(lambda: hashlib.sha256(canonical).digest(), runs=r, seconds=s)),
    ]
    return (
        time_repeat(lean_sign, runs=r, seconds=s),
        time_repeat(lean_jwt_sign, runs=r, seconds=s),
        parts,
    )


# --- the command line --------------------------------------------------------------------


# --- status lists at scale -------------------------------------------------------------------


@dataclass
class StatusScale:
    entries: int
    set_bits: int
    encoded_chars: int
    publish: Rate
    """Build and sign the list credential (GZIP, base64url, JCS, signature)."""
    decode_verify: Rate
    """Check its signature and expand it (what a verifier does once per list)."""
    lookup_ns: float
    """One status lookup in the expanded list."""

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "set_bits": self.set_bits,
            "encoded_chars": self.encoded_chars,
            "publish": self.publish.to_json(),
            "decode_verify": self.decode_verify.to_json(),
            "lookup_ns": round(self.lookup_ns, 1),
        }


def measure_status_lists(mode: Mode) -> list[StatusScale]:
    """Publish, then verify and expand, lists of the minimum size and of a million entries
    with one entry in a hundred set; then time lookups in the expanded list."""
    from innopass._internal.bitstring import bit_at
    from innopass._internal.proof import ProofOptions, add_proof
    from innopass._internal.suites import suite_for_key
    from innopass.did import did_key_from_public_key, verification_method_id
    from innopass.status import (
        MIN_ENTRIES,
        build_status_list_credential,
        parse_status_list_credential,
    )

    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key())
    options = ProofOptions(verification_method=verification_method_id(did))
    suite = suite_for_key(KeyType.ED25519)
    resolver = DidKeyResolver()
    now = datetime.now(UTC)
    figures = []
    for entries in (MIN_ENTRIES, 1_000_000):
        bits = bytearray((entries + 7) // 8)
        for index in range(0, entries, 100):
            bits[index // 8] |= 0x80 >> (index % 8)

        def publish(bits: bytes = bytes(bits), entries: int = entries) -> dict[str, Any]:
            unsigned = build_status_list_credential(
                list_id=f"urn:innopass:bench:{entries}",
                issuer_did=did,
                purpose="revocation",
                bits=bits,
                valid_from=now,
                valid_until=now + timedelta(days=7),
            )
            return add_proof(unsigned, key=key, suite=suite, options=options)

        signed = publish()
        text = json.dumps(signed)

        def decode_verify(text: str = text) -> bytes:
            credential = loads_strict(text)
            assert isinstance(credential, dict)
            verify_data_integrity(credential, issuer=did, resolver=resolver, suites=SUITES)
            return parse_status_list_credential(credential).bits

        expanded = decode_verify()
        if expanded != bytes(bits):
            raise BenchmarkBroken(f"the {entries}-entry list does not decode to what was signed")
        runs = max(3, mode.runs)
        publish_rate = time_repeat(publish, runs=runs, seconds=mode.batch_seconds * 5)
        verify_rate = time_repeat(decode_verify, runs=runs, seconds=mode.batch_seconds * 5)
        probes = [(i * 7919) % entries for i in range(100_000)]
        start = time.perf_counter()
        hits = sum(bit_at(expanded, i) for i in probes)
        lookup_ns = (time.perf_counter() - start) / len(probes) * 1e9
        if hits != sum(1 for i in probes if i % 100 == 0):
            raise BenchmarkBroken("status lookups disagree with the bits set")
        figures.append(
            StatusScale(
                entries=entries,
                set_bits=(entries + 99) // 100,
                encoded_chars=len(str(signed["credentialSubject"]["encodedList"])),
                publish=publish_rate,
                decode_verify=verify_rate,
                lookup_ns=lookup_ns,
            )
        )
    return figures


def innopass_command() -> list[str]:
    """The ``innopass`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("innopass")
    if script.exists():
        return [str(script)]
    found = shutil.which("innopass")
    return [found] if found else [sys.executable, "-m", "innopass"]


@dataclass
class CliFigures:
    n: int
    verify_files: list[float] = field(default_factory=list)
    verify_files_one_core: list[float] = field(default_factory=list)
    issue_records: list[float] = field(default_factory=list)
    help: list[float] = field(default_factory=list)
    verify_bundle: list[float] = field(default_factory=list)
    importtime_ms: list[float] = field(default_factory=list)
    import_top: list[tuple[str, float]] = field(default_factory=list)
    verify_import_ms: list[float] = field(default_factory=list)
    verify_import_top: list[tuple[str, float]] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    bytecode_cached: bool = False
    """Whether every innopass module had its .pyc (else each process compiles some)."""

    def to_json(self) -> dict[str, Any]:
        def block(times: list[float]) -> dict[str, Any]:
            return {
                "seconds": round(statistics.median(times), 4) if times else None,
                "runs_seconds": [round(t, 4) for t in times],
            }

        verify = block(self.verify_files)
        one_core = block(self.verify_files_one_core)
        issue = block(self.issue_records)
        if self.verify_files:
            verify["files_s"] = round(self.n / statistics.median(self.verify_files), 2)
        if self.verify_files_one_core:
            one_core["files_s"] = round(self.n / statistics.median(self.verify_files_one_core), 2)
        if self.issue_records:
            issue["records_s"] = round(self.n / statistics.median(self.issue_records), 2)
        return {
            "command": self.command,
            "bytecode_cached": self.bytecode_cached,
            "n": self.n,
            "verify_files": verify,
            "verify_files_jobs_1": one_core,
            "issue_records": issue,
            "help": block(self.help),
            "verify_bundle": block(self.verify_bundle),
            "importtime_innopass_cli_ms": {
                "median": round(statistics.median(self.importtime_ms), 1)
                if self.importtime_ms
                else None,
                "runs": [round(t, 1) for t in self.importtime_ms],
                "top_packages_ms": [[name, round(ms, 1)] for name, ms in self.import_top],
            },
            "importtime_verify_bundle_ms": {
                "median": round(statistics.median(self.verify_import_ms), 1)
                if self.verify_import_ms
                else None,
                "runs": [round(t, 1) for t in self.verify_import_ms],
                "top_packages_ms": [[name, round(ms, 1)] for name, ms in self.verify_import_top],
            },
        }


_IMPORT_LINE: Final = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def parse_importtime(stderr: str, startup: frozenset[str]) -> tuple[float, list[tuple[str, float]]]:
    """Total ms of the imports ``-X importtime`` reported, and self ms by top-level package.

    Only the import trees whose root is not in ``startup`` (what the interpreter
    imports before running anything: ``python -X importtime -c pass``) count.
    """
    total_us = 0
    by_package: dict[str, int] = {}
    pending: list[tuple[str, int]] = []
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match is None:
            continue
        self_us, cumulative_us, indent, name = match.groups()
        pending.append((name, int(self_us)))
        if len(indent) == 1:  # a top-level import: the lines before it were its tree
            if name not in startup:
                total_us += int(cumulative_us)
                for module, us in pending:
                    package = module.split(".")[0]
                    by_package[package] = by_package.get(package, 0) + us
            pending = []
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
    return total_us / 1000, [(name, us / 1000) for name, us in top]


def importtime(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path, startup: frozenset[str]
) -> tuple[float, list[tuple[str, float]]]:
    """``python -X importtime ARGS``: what it imported beyond start-up (the process must exit 0)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkBroken(f"python -X importtime {' '.join(args[:2])}: {done.stderr[-400:]}")
    return parse_importtime(done.stderr, startup)


def startup_imports(env: Mapping[str, str], cwd: Path) -> frozenset[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "pass"],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return frozenset(m.group(4) for m in map(_IMPORT_LINE.match, done.stderr.splitlines()) if m)


def _has_bytecode(source: Path) -> bool:
    return Path(importlib.util.cache_from_source(str(source))).exists()


def measure_cli(base_dir: Path, record: Mapping[str, Any], mode: Mode) -> CliFigures:
    """Whole processes, wall clock: batch verify and issue, --help, one bundle, import time."""
    cmd = innopass_command()
    figures = CliFigures(mode.cli_n, command=cmd)
    work = base_dir / "cli"
    work.mkdir()
    home_path = work / "org"
    verifier_home = work / "verifier-home"
    verifier_home.mkdir()
    home = OrganisationHome.init(
        home_path, ods_code="RF4", name="BENCH TRUST", passphrase=PASSPHRASE
    )
    description = work / "org.json"
    description.write_text(json.dumps(home.export().to_json(), indent=2), encoding="utf-8")
    records_dir = work / "records"
    records_dir.mkdir()
    record_files = []
    for i in range(mode.cli_n):
        path = records_dir / f"record-{i:04d}.json"
        path.write_text(json.dumps(with_new_id(record), indent=2), encoding="utf-8")
        record_files.append(str(path))
    # As a user's install has it: innopass's modules compiled to bytecode (pip does that for
    # a wheel; a first run does it for an editable install), whatever this shell says.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"INNOPASS_PASSPHRASE": PASSPHRASE, "INNOPASS_HOME": str(verifier_home)}
    package = Path(innopass.__file__).parent
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        env=env,
        capture_output=True,
        check=False,  # a read-only install: reported below
    )
    figures.bytecode_cached = all(_has_bytecode(p) for p in package.rglob("*.py"))

    issued_dirs: list[Path] = []
    for r in range(mode.cli_runs):
        if r:  # fresh record ids: issuing an id and version again is refused without --reissue
            for path_text in record_files:
                Path(path_text).write_text(
                    json.dumps(with_new_id(record), indent=2), encoding="utf-8"
                )
        out = work / f"issued-{r}"
        seconds, _ = time_process(
            [*cmd, "issue", "--home", str(home_path), "-o", str(out), *record_files],
            env=env,
            cwd=work,
        )
        figures.issue_records.append(seconds)
        issued_dirs.append(out)
    passports = sorted(str(p) for p in issued_dirs[0].iterdir())
    if len(passports) != mode.cli_n:
        raise BenchmarkBroken(f"innopass issue wrote {len(passports)} of {mode.cli_n} passports")

    with Issuer.from_home(home_path, passphrase=PASSPHRASE) as issuer:
        lists = issuer.publish_status_lists(work / "status")
        first_id = json.loads(Path(passports[0]).read_text(encoding="utf-8"))["id"]
        bundle = work / "bundle.json"
        bundle.write_text(json.dumps(issuer.bundle(first_id).to_json()), encoding="utf-8")
    status_args: list[str] = []
    for published in lists:
        status_args += ["--status-list", str(published.path)]
    trust_args = ["--trust-issuer", str(description)]

    for _ in range(mode.cli_runs):  # every core (the default), then one, interleaved
        for jobs, times in (
            ([], figures.verify_files),
            (["--jobs", "1"], figures.verify_files_one_core),
        ):
            seconds, printed = time_process(
                [*cmd, "verify", "--json", *jobs, *trust_args, *status_args, *passports],
                env=env,
                cwd=work,
            )
            verdicts = [json.loads(ln)["verdict"] for ln in printed.splitlines() if ln.strip()]
            if verdicts.count("verified") != mode.cli_n:
                raise BenchmarkBroken(
                    f"innopass verify: {verdicts.count('verified')} of {mode.cli_n}"
                )
            times.append(seconds)
    for _ in range(mode.process_runs):
        figures.help.append(time_process([*cmd, "--help"], env=env, cwd=work)[0])
        figures.verify_bundle.append(
            time_process([*cmd, "verify", *trust_args, str(bundle)], env=env, cwd=work)[0]
        )
    startup = startup_imports(env, work)
    # The console script is a Python file; without one, cmd is already python -m innopass.
    script = cmd[1:] if cmd[0] == sys.executable else cmd[:1]
    verify_args = [*script, "verify", *trust_args, str(bundle)]
    for _ in range(max(1, mode.process_runs // 2 + 1)):
        total, top = importtime(["-c", "import innopass.cli"], env=env, cwd=work, startup=startup)
        figures.importtime_ms.append(total)
        figures.import_top = top
        total, top = importtime(verify_args, env=env, cwd=work, startup=startup)
        figures.verify_import_ms.append(total)
        figures.verify_import_top = top
    return figures


# --- the peers ---------------------------------------------------------------------------------


@dataclass
class Peer:
    name: str
    skipped: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def run_node(peers: Path | None, fixtures: Mapping[str, Path], mode: Mode) -> Peer:
    """``node node/bench.mjs`` on each fixture (innopass's passports, no proof, no status)."""
    peer = Peer("node")
    if peers is None:
        peer.skipped = f"no --peers DIR and no $INNOPASS_PEERS; to include it: {PEERS_HOWTO}"
        return peer
    node = shutil.which("node")
    script = peers / "node" / "bench.mjs"
    if node is None:
        peer.skipped = "node is not on PATH"
        return peer
    if not script.is_file() or not (peers / "node_modules").is_dir():
        peer.skipped = f"{peers} is not a prepared copy of ../shared/peers; {PEERS_HOWTO}"
        return peer
    for kind, fixture in fixtures.items():
        n, n_jwt = mode.node_n[kind]
        cmd = [
            node,
            str(script),
            "--fixture",
            str(fixture),
            "--formats",
            "jcs,jwt-eddsa,jwt-es256",
            "--n",
            str(n),
            "--n-jwt",
            str(n_jwt),
            "--runs",
            str(mode.node_runs),
            "--warmup",
            str(mode.node_warmup),
        ]
        done = subprocess.run(cmd, cwd=peers, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            peer.skipped = (
                f"node bench.mjs failed on the {kind} passport: {done.stderr.strip()[-600:]}"
            )
            return peer
        peer.raw[kind] = json.loads(done.stdout)
    return peer


def node_rate(peer: Peer, kind: str, fmt: str | None, what: str) -> float | None:
    if fmt is None or kind not in peer.raw:
        return None
    result = peer.raw[kind]["results"].get(fmt)
    if result is None or result.get("verify_failures"):
        return None
    return float(result[f"{what}_ops_s"])


def run_openvc(python: str | None, job: Mapping[str, Any], base_dir: Path) -> Peer:
    peer = Peer("openvc-core")
    if python is None:
        peer.skipped = f"no --openvc PYTHON; to include it: {OPENVC_HOWTO}"
        return peer
    job_file = base_dir / "openvc-job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    try:
        done = subprocess.run(
            [python, str(HERE / "openvc_peer.py"), str(job_file)],
            capture_output=True,
            text=True,
            check=False,
            cwd=base_dir,
        )
    except OSError as exc:
        peer.skipped = f"cannot run {python}: {exc}"
        return peer
    try:
        out = json.loads(done.stdout)
    except json.JSONDecodeError:
        peer.skipped = (
            f"{python} bench/openvc_peer.py exited {done.returncode}: "
            f"{(done.stderr or done.stdout).strip()[-600:]}"
        )
        return peer
    if "error" in out:
        peer.skipped = str(out["error"])
        return peer
    peer.raw = out
    return peer


def openvc_rate(peer: Peer, kind: str, what: str) -> float | None:
    results = peer.raw.get("results", {})
    if kind not in results:
        return None
    return float(results[kind][what]["ops_s"])


# --- reporting ---------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


@dataclass(frozen=True)
class Target:
    text: str
    measured: str
    met: bool | None


@contextmanager
def _section(title: str) -> Iterator[None]:
    print(f"… {title}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    yield
    print(f"  ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)


def _load() -> float | None:
    """The 1-minute load average (other work on the machine skews every figure)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not on this platform
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="innopass benchmark: in process, floors, command line and peers, in one run"
    )
    parser.add_argument("--quick", action="store_true", help="tiny N (the CI smoke run)")
    parser.add_argument(
        "--json", type=Path, default=HERE / "results.json", metavar="OUT", help="results file"
    )
    parser.add_argument(
        "--peers",
        type=Path,
        default=Path(os.environ["INNOPASS_PEERS"]) if os.environ.get("INNOPASS_PEERS") else None,
        metavar="DIR",
        help="a prepared copy of ../shared/peers (default: $INNOPASS_PEERS)",
    )
    parser.add_argument(
        "--openvc",
        metavar="PYTHON",
        help="python of a separate venv with openvc-core installed",
    )
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    started = time.perf_counter()
    load_before = _load()
    if load_before is not None and load_before > 1.0:
        print(
            f"note: the load average is {load_before:.2f} before the run: other processes "
            "compete for the cores, and the figures will be lower and noisier",
            file=sys.stderr,
        )
    try:
        report = run_all(mode, args.peers, args.openvc)
    except BenchmarkBroken as exc:
        print(f"benchmark broken: {exc}", file=sys.stderr)
        return 1
    report["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    report["meta"]["load_average_1min"] = {"before": load_before, "after": _load()}
    print(f"load average (1 min): {load_before} before the run, {_load()} after")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json} ({report['meta']['elapsed_s']} s in all)")
    return 0


def run_all(mode: Mode, peers: Path | None, openvc: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="innopass-bench-") as tmp:
        base_dir = Path(tmp)
        device = device_record()
        with _section("building the large record"):
            large = large_record(device, LARGE_PASSPORT_BYTES)
        records = {"device": device, "large": large}
        homes: list[HomeRun] = []
        for key_type in (KeyType.ED25519, KeyType.P256):
            with _section(f"innopass in process, {key_type.value} home: issue"):
                homes.append(measure_home(key_type, base_dir, records, mode))
        runs = {(r.suite.name, r.kind): r for h in homes for r in h.runs}
        ed_home = homes[0]
        with _section("floors, signing limits and the parts of the verify limit"):
            floors = measure_floors(mode)
            signing = {
                kind: measure_lean_parts(
                    runs[("eddsa-jcs-2022", kind)].texts[0][0],
                    runs[("vc+jwt EdDSA", kind)].texts[0][0],
                    floors,
                    mode,
                )
                for kind in KINDS
            }
        with _section("innopass in process: verify and proof, with the lean verify limits"):
            lean_di, lean_jwt = measure_verify(homes, floors, mode)
        leans = {
            kind: Lean(kind, lean_di[kind], sign, lean_jwt[kind], jwt_sign, parts)
            for kind, (sign, jwt_sign, parts) in signing.items()
        }
        with _section("status lists at scale"):
            status_scale = measure_status_lists(mode)
        with _section("command line (whole processes)"):
            cli = measure_cli(base_dir, device, mode)
        fixtures: dict[str, Path] = {}
        openvc_job: dict[str, Any] = {
            "runs": mode.openvc_runs,
            "warmup": min(mode.warmup, 3),
            "status_lists": ed_home.status_lists,
            "passports": {},
        }
        for kind in KINDS:
            text = runs[("eddsa-jcs-2022", kind)].texts[0][0]
            fixture = base_dir / f"fixture-{kind}.json"
            fixture.write_text(compact(unsigned(text, keep_status=False)), encoding="utf-8")
            fixtures[kind] = fixture
            openvc_job["passports"][kind] = {
                "n": mode.openvc_n[kind],
                "credential": unsigned(text, keep_status=True),
            }
        with _section("Node reference peer"):
            node = run_node(peers, fixtures, mode)
        with _section("openvc-core"):
            ovc = run_openvc(openvc, openvc_job, base_dir)
        return report(mode, runs, floors, leans, cli, node, ovc, status_scale)


def report(
    mode: Mode,
    runs: Mapping[tuple[str, str], SuiteRun],
    floors: Floors,
    leans: Mapping[str, Lean],
    cli: CliFigures,
    node: Peer,
    ovc: Peer,
    status_scale: Sequence[StatusScale],
) -> dict[str, Any]:
    sizes = {
        kind: (
            runs[("eddsa-jcs-2022", kind)].compact_bytes,
            runs[("eddsa-jcs-2022", kind)].file_bytes,
        )
        for kind in KINDS
    }
    print(
        f"\ninnopass {innopass.__version__} benchmark ({mode.name} run): Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    )
    for kind, (compact_bytes, file_bytes) in sizes.items():
        print(f"  {kind} passport: {compact_bytes:,} bytes compact, {file_bytes:,} bytes as issued")
    print(
        f"  rates are ops/s, the median of {mode.runs} runs (spread: min–max); "
        "÷ lean = the lean limit's rate ÷ this rate (how far above the floor; lower is better); "
        "× peer = this rate ÷ the peer's rate for the same work (above 1: innopass is faster)"
    )

    rows: list[list[str]] = []
    rows_json: list[dict[str, Any]] = []
    for work, attr in (
        ("verify, full pipeline", "verify"),
        ("proof alone", "proof"),
        ("issue (durable)", "issue"),
    ):
        for suite in BENCH_SUITES:
            for kind in KINDS:
                run = runs[(suite.name, kind)]
                rate: Rate | None = getattr(run, attr)
                if rate is None:
                    continue
                lean = leans[kind].limit(suite, attr)
                peer_what = "issue" if attr == "issue" else "verify"
                node_r = node_rate(node, kind, suite.node, peer_what)
                if suite.openvc:
                    ovc_what = {"verify": "verify_status", "proof": "verify", "issue": "sign"}[attr]
                    ovc_r = openvc_rate(ovc, kind, ovc_what)
                else:
                    ovc_r = None
                to_lean = _div(lean.median, rate.median)
                to_node = _div(rate.median, node_r)
                to_ovc = _div(rate.median, ovc_r)
                rows.append(
                    [
                        work,
                        suite.name,
                        kind,
                        _num(rate.median),
                        rate.spread(),
                        _ratio(to_lean),
                        _ratio(to_node),
                        _ratio(to_ovc),
                    ]
                )
                rows_json.append(
                    {
                        "work": attr,
                        "suite": suite.name,
                        "passport": kind,
                        **rate.to_json(),
                        "lean_over_this": to_lean,
                        "node_ops_s": node_r,
                        "this_over_node": to_node,
                        "openvc_ops_s": ovc_r,
                        "this_over_openvc": to_ovc,
                    }
                )
    print("\n== innopass in process (one core)")
    print(
        _table(
            ["work", "suite", "passport", "ops/s", "spread", "÷ lean", "× Node", "× openvc"],
            rows,
            right=(3, 5, 6, 7),
        )
    )
    print(
        "  peers for the same work: Node = @digitalbazaar/vc eddsa-jcs-2022 / jose (proof, issuer "
        "binding, dates); openvc = verify_credential (full pipeline: with status; proof alone: "
        "proof + dates), EddsaJcsProofSuite.add_proof (issue)"
    )

    floor_rows = [
        [name, f"{1e6 / r.median:.1f}", _num(r.median), r.spread()] for name, r in floors.rows
    ]
    for kind in KINDS:
        for name, r in leans[kind].parts:
            floor_rows.append(
                [f"{name}, {kind} passport", f"{1e6 / r.median:.1f}", _num(r.median), r.spread()]
            )
    for kind in KINDS:
        limit = leans[kind]
        floor_rows.append(
            [
                f"LEAN LIMIT verify, {kind}*: parse+JCS+SHA-256+{floors.best_verify[0]}",
                f"{1e6 / limit.verify.median:.1f}",
                _num(limit.verify.median),
                limit.verify.spread(),
            ]
        )
        floor_rows.append(
            [
                f"lean limit sign, {kind}: JCS+SHA-256+{floors.best_sign[0]}",
                f"{1e6 / limit.sign.median:.1f}",
                _num(limit.sign.median),
                limit.sign.spread(),
            ]
        )
        for label, rate in (
            (
                f"lean limit vc+jwt verify, {kind}*: b64+parse+{floors.best_verify[0]}",
                limit.jwt_verify,
            ),
            (f"lean limit vc+jwt sign, {kind}: JSON+b64+{floors.best_sign[0]}", limit.jwt_sign),
        ):
            floor_rows.append([label, f"{1e6 / rate.median:.1f}", _num(rate.median), rate.spread()])
    print("\n== floors (one core)")
    print(_table(["operation", "µs/op", "ops/s", "spread"], floor_rows, right=(1, 2)))
    print(
        "  * timed in the verify loop, over the same passports as the full pipeline, "
        "interleaved with it"
    )
    if _nacl() is None:
        print("  PyNaCl is not installed: the best Ed25519 here is cryptography's (innopass.keys)")

    print("\n== status lists at scale (one core; one entry in a hundred set)")
    print(
        _table(
            ["entries", "encodedList", "publish ops/s", "verify+expand ops/s", "lookup"],
            [
                [
                    f"{f.entries:,}",
                    f"{f.encoded_chars:,} chars",
                    f"{_num(f.publish.median)} ({f.publish.spread()})",
                    f"{_num(f.decode_verify.median)} ({f.decode_verify.spread()})",
                    f"{f.lookup_ns:.0f} ns",
                ]
                for f in status_scale
            ],
            right=(0, 1, 2, 3, 4),
        )
    )
    print(
        "  a verifier expands each list once (kept with its verified signature) and reads "
        "each passport's bit by index"
    )

    node_verify = node_rate(node, "device", "jcs", "verify")
    node_issue = node_rate(node, "device", "jcs", "issue")
    cli_verify_s = statistics.median(cli.verify_files)
    cli_issue_s = statistics.median(cli.issue_records)
    cli_verify_rate = cli.n / cli_verify_s
    cli_issue_rate = cli.n / cli_issue_s
    help_s = statistics.median(cli.help)
    bundle_s = statistics.median(cli.verify_bundle)
    import_ms = statistics.median(cli.importtime_ms)
    one_core_s = statistics.median(cli.verify_files_one_core)
    cli_rows = [
        [
            f"innopass verify, {cli.n} files, one process (every core)",
            f"{cli_verify_s:.2f} s",
            f"{_num(cli_verify_rate)} files/s",
            _ratio(_div(cli_verify_rate, node_verify)),
        ],
        [
            f"innopass verify, {cli.n} files, one process, --jobs 1",
            f"{one_core_s:.2f} s",
            f"{_num(cli.n / one_core_s)} files/s",
            _ratio(_div(cli.n / one_core_s, node_verify)),
        ],
        [
            f"  speed-up from one core to {os.cpu_count()}",
            f"{one_core_s / cli_verify_s:.2f}×",
            "",
            "",
        ],
        [
            f"innopass issue, {cli.n} records, one process",
            f"{cli_issue_s:.2f} s",
            f"{_num(cli_issue_rate)} records/s",
            _ratio(_div(cli_issue_rate, node_issue)),
        ],
        ["innopass --help", f"{help_s:.3f} s", "", ""],
        ["innopass verify, one bundle", f"{bundle_s:.3f} s", "", ""],
        ["python -X importtime: import innopass.cli", f"{import_ms:.0f} ms", "", ""],
        [
            "python -X importtime: innopass verify, one bundle",
            f"{statistics.median(cli.verify_import_ms):.0f} ms",
            "",
            "",
        ],
    ]
    print(
        f"\n== command line (whole processes, wall clock; median of {mode.cli_runs} run(s) "
        f"of each batch and of {mode.process_runs} for single files)"
    )
    print(_table(["work", "time", "rate", "× Node (jcs, device)"], cli_rows, right=(1, 2, 3)))
    print(
        "  innopass's modules were compiled to bytecode beforehand, as in a user's install"
        if cli.bytecode_cached
        else "  note: some innopass modules have no .pyc (a read-only install?): each process "
        "compiles them"
    )
    for what, top in (
        ("import innopass.cli", cli.import_top),
        ("innopass verify ONE-BUNDLE", cli.verify_import_top),
    ):
        print(
            f"  heaviest packages imported by {what} (self ms): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in top)
        )

    print("\n== peers")
    if node.skipped:
        print(f"  Node reference peer: skipped: {node.skipped}")
    else:
        node_rows = []
        for kind in KINDS:
            raw = node.raw[kind]
            for result in raw["results"].values():
                node_rows.append(
                    [
                        result["label"],
                        kind,
                        _num(result["issue_ops_s"]),
                        _num(result["verify_ops_s"]),
                        str(result["n"]),
                        str(result["verify_failures"]),
                    ]
                )
        versions = node.raw[KINDS[0]]["versions"]
        print(
            f"  Node {versions.get('node')} (@digitalbazaar/vc "
            f"{versions.get('@digitalbazaar/vc')}, jose {versions.get('jose')}), "
            "sequential, one process"
        )
        print(
            _table(
                ["format", "passport", "issue ops/s", "verify ops/s", "n", "failures"],
                node_rows,
                right=(2, 3, 4, 5),
            )
        )
    if ovc.skipped:
        print(f"  openvc-core: skipped: {ovc.skipped}")
    else:
        ovc_rows = []
        for kind in KINDS:
            res = ovc.raw["results"][kind]
            ovc_rows.append(
                [
                    kind,
                    _num(res["sign"]["ops_s"]),
                    _num(res["verify"]["ops_s"]),
                    _num(res["verify_status"]["ops_s"]),
                    str(res["sign"]["n"]),
                ]
            )
        print(
            f"  openvc-core {ovc.raw['version']} (eddsa-jcs-2022, Python {ovc.raw['python']}), "
            "sequential, one process"
        )
        print(
            _table(
                ["passport", "sign ops/s", "verify (proof+dates)", "verify + status", "n"],
                ovc_rows,
                right=(1, 2, 3, 4),
            )
        )

    full = runs[("eddsa-jcs-2022", "device")].verify
    jwt = runs[("vc+jwt EdDSA", "device")].verify
    assert full is not None
    assert jwt is not None
    ovc_full = openvc_rate(ovc, "device", "verify_status")
    node_jwt = node_rate(node, "device", "jwt-eddsa", "verify")

    def at_least(value: float | None, goal: float) -> tuple[str, bool | None]:
        return ("not measured", None) if value is None else (f"{value:.2f}×", value >= goal)

    def at_most(value: float | None, goal: float, unit: str = "×") -> tuple[str, bool | None]:
        if value is None:
            return ("not measured", None)
        shown = f"{value:.2f}×" if unit == "×" else f"{value:.3f} s"
        return (shown, value <= goal)

    goals: list[tuple[str, tuple[str, bool | None]]] = [
        (
            "full verify, device, eddsa-jcs-2022 ≥ 3× Node eddsa-jcs-2022 verify",
            at_least(_div(full.median, node_verify), 3),
        ),
        (
            "full verify, device, eddsa-jcs-2022 ≥ 8× openvc-core (with status)",
            at_least(_div(full.median, ovc_full), 8),
        ),
        (
            "full verify, device, eddsa-jcs-2022 ≤ 2.5× the lean limit",
            at_most(_div(leans["device"].verify.median, full.median), 2.5),
        ),
        (
            f"innopass verify, {cli.n} files, one process ≥ 5× Node single-process verify",
            at_least(_div(cli_verify_rate, node_verify), 5),
        ),
        ("vc+jwt verify (EdDSA, device) ≥ 3× Node jose", at_least(_div(jwt.median, node_jwt), 3)),
        (
            f"innopass issue, batch of {cli.n} (durable) ≥ 3× Node eddsa-jcs-2022 issue",
            at_least(_div(cli_issue_rate, node_issue), 3),
        ),
        ("innopass --help < 0.2 s", at_most(help_s, 0.2, "s")),
        ("innopass verify ONE-BUNDLE < 0.4 s, whole process", at_most(bundle_s, 0.4, "s")),
    ]
    targets = [Target(text, measured, met) for text, (measured, met) in goals]
    print("\n== targets (issue 8)")
    print(
        _table(
            ["target", "measured", "met?"],
            [
                [t.text, t.measured, "?" if t.met is None else ("yes" if t.met else "no")]
                for t in targets
            ],
            right=(1,),
        )
    )
    if mode.name == "quick":
        print("  (quick run: tiny N, the figures are a smoke test, not a measurement)")

    return {
        "meta": {
            "innopass": innopass.__version__,
            "mode": mode.name,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "temporary_directory": tempfile.gettempdir(),
            "passport_bytes": {k: {"compact": c, "as_issued": f} for k, (c, f) in sizes.items()},
        },
        "innopass": rows_json,
        "floors": {name: r.to_json() for name, r in floors.rows},
        "lean": {
            kind: {
                "best_verify": floors.best_verify[0],
                "best_sign": floors.best_sign[0],
                "verify": lean.verify.to_json(),
                "sign": lean.sign.to_json(),
                "jwt_verify": lean.jwt_verify.to_json(),
                "jwt_sign": lean.jwt_sign.to_json(),
                "parts": {name: r.to_json() for name, r in lean.parts},
            }
            for kind, lean in leans.items()
        },
        "cli": cli.to_json(),
        "status_lists": [f.to_json() for f in status_scale],
        "node": {"skipped": node.skipped} if node.skipped else node.raw,
        "openvc": {"skipped": ovc.skipped} if ovc.skipped else ovc.raw,
        "targets": [{"target": t.text, "measured": t.measured, "met": t.met} for t in targets],
    }


if __name__ == "__main__":
    sys.exit(main())
