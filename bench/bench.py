"""Verification speed against the raw signature floor.

Prints, for each stage of the pipeline and for the whole of ``Verifier.verify``,
the mean time per operation and its ratio to a bare Ed25519 (or P-256) signature
check over the same 64 bytes a Data Integrity proof signs. Measured, never
asserted: run it, read it, compare runs.

    python bench/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from innopass import AssessmentRecord, Issuer, OrganisationHome, TrustStore, Verifier, record
from innopass._internal.canonical import canonicalize
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import verify_proof
from innopass._internal.schema import is_valid
from innopass._internal.suites import SUITES
from innopass.keys import KeyType, generate_private_key

PASSPHRASE = "bench passphrase"  # noqa: S105 - a throw-away home in a temporary directory


def _time(fn: Callable[[], object], rounds: int) -> float:
    """Median of five batches of ``rounds`` calls, in microseconds per call."""
    fn()  # warm caches (compiled validators, imports)
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        batches.append((time.perf_counter() - start) / rounds * 1e6)
    return statistics.median(batches)


def _measure(key_type: KeyType, home: Path, rounds: int) -> list[tuple[str, float, float]]:
    key = generate_private_key(key_type)
    message = bytes(64)
    signature = key.sign(message)
    public = key.public_key()
    floor = _time(lambda: public.verify(signature, message), rounds * 5)
    label = key_type.value
    rows = [(f"{label}: signature check (floor)", floor, floor)]

    org = OrganisationHome.init(
        home, ods_code="RF4", name="BENCH TRUST", passphrase=PASSPHRASE, key_type=key_type
    )
    rec = AssessmentRecord.from_json(record.example("device"))
    with Issuer.from_home(home, passphrase=PASSPHRASE) as issuer:
        di = issuer.issue(rec)
        jwt = issuer.issue(rec, format="jwt")
        lists = [s.credential for s in issuer.signed_status_lists()]
        bundle = issuer.bundle(di.id).to_json()
    signer = org.description().did_document.verification_methods[0].public_key
    trust = TrustStore()
    trust.pin_issuer(org.description())
    for status_list in lists:
        trust.add_status_list(status_list)
    verifier = Verifier(trust)
    di_text, jwt_text = di.text(), jwt.text()
    credential = loads_strict(di_text)
    assert isinstance(credential, dict)
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    assert verifier.verify(di_text).verified
    assert verifier.verify(jwt_text).verified

    stages: list[tuple[str, Callable[[], object]]] = [
        ("strict JSON parse of the passport", lambda: loads_strict(di_text)),
        ("JCS of the passport", lambda: canonicalize(credential)),
        (
            "Data Integrity proof (JCS + hash + signature)",
            lambda: verify_proof(credential, suites=SUITES, key=signer),
        ),
        ("record schema validation", lambda: is_valid(subject["assessmentRecord"])),
        ("Verifier.verify: DI passport text", lambda: verifier.verify(di_text)),
        ("Verifier.verify: parsed DI passport", lambda: verifier.verify(credential)),
        ("Verifier.verify: vc+jwt passport", lambda: verifier.verify(jwt_text)),
        ("Verifier.verify: bundle", lambda: verifier.verify(bundle)),
    ]
    rows += [(f"{label}: {name}", _time(fn, rounds), floor) for name, fn in stages]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="calls per timed batch")
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for key_type in (KeyType.ED25519, KeyType.P256):
            rows += _measure(key_type, Path(tmp) / key_type.value, args.rounds)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'operation':<{width}}  {'µs/op':>10}  {'ops/s':>9}  {'× floor':>8}")
    for name, micros, floor in rows:
        print(f"{name:<{width}}  {micros:>10.1f}  {1e6 / micros:>9.0f}  {micros / floor:>8.1f}")


if __name__ == "__main__":
    main()
