"""openvc-core's eddsa-jcs-2022 sign and verify of innopass's own unsigned passports.

Run by ``bench/run.py --openvc PYTHON`` with the interpreter of a separate venv
where openvc-core is installed (``pip install openvc-core``); it imports nothing
from innopass, so the two never share a process or a dependency set.

    PYTHON bench/openvc_peer.py JOB.json

The job file (written by run.py) holds, per passport, the unsigned passport with
its ``credentialStatus`` (and no ``proof``), the status list credentials it
points at, and how many operations and runs to time. openvc re-signs the status
lists with its own did:key (it must: the credential's issuer is rebound to that
key) and resolves them from memory through its own verifying resolver, so the
"verify + status" figure is its whole offline pipeline: proof, issuer binding,
dates and both status entries, each status list's proof checked as openvc does
it (on every call: its resolver keeps no cache). Prints one JSON object: ops/s
per run and their median, or ``{"error": ...}`` when openvc-core cannot be used.
"""

from __future__ import annotations

import copy
import gc
import importlib
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


def _rate(items: Sequence[Any], fn: Callable[[Any], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def _figure(runs: list[float], n: int) -> dict[str, Any]:
    return {
        "ops_s": round(statistics.median(runs), 1),
        "runs_ops_s": [round(r, 1) for r in runs],
        "n": n,
    }


def _rebind(credential: dict[str, Any], did: str) -> dict[str, Any]:
    out = copy.deepcopy(credential)
    out.pop("proof", None)
    if isinstance(out.get("issuer"), dict):
        out["issuer"]["id"] = did
    else:
        out["issuer"] = did
    return out


def _with_id(credential: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(credential)
    out["id"] = f"urn:uuid:{uuid.uuid4()}"
    return out


def run(job: dict[str, Any]) -> dict[str, Any]:
    ed25519 = importlib.import_module("cryptography.hazmat.primitives.asymmetric.ed25519")
    verify_mod = importlib.import_module("openvc")
    keys = importlib.import_module("openvc.keys")
    multibase = importlib.import_module("openvc.multibase")
    di_jcs = importlib.import_module("openvc.proof.di_jcs")
    resolvers = importlib.import_module("openvc.resolvers")

    secret = ed25519.Ed25519PrivateKey.generate()
    raw = keys.Ed25519SigningKey(secret, kid="_").public_key_raw()
    value = multibase.encode_multibase(bytes([0xED, 0x01]) + raw)  # multicodec ed25519-pub
    did = f"did:key:{value}"
    key = keys.Ed25519SigningKey(secret, kid=f"{did}#{value}")
    suite = di_jcs.EddsaJcsProofSuite()

    def sign(credential: dict[str, Any]) -> dict[str, Any]:
        return dict(suite.add_proof(credential, signing_key=key, verification_method=key.kid))

    held = {str(item["id"]): json.dumps(sign(_rebind(item, did))) for item in job["status_lists"]}
    resolve_status_list = resolvers.default_status_list_resolver(fetch=lambda url: held[url])
    policy = verify_mod.VerificationPolicy()
    runs = int(job["runs"])
    warmup = int(job["warmup"])
    results: dict[str, Any] = {}
    for kind, spec in job["passports"].items():
        n = int(spec["n"])
        with_status = _rebind(spec["credential"], did)
        plain = {k: v for k, v in with_status.items() if k != "credentialStatus"}

        def verify(text: str) -> None:
            verify_mod.verify_credential(json.loads(text), policy=policy)

        def verify_status(text: str) -> None:
            verify_mod.verify_credential(
                json.loads(text), policy=policy, resolve_status_list=resolve_status_list
            )

        for _ in range(warmup):
            verify(json.dumps(sign(_with_id(plain))))
            verify_status(json.dumps(sign(_with_id(with_status))))
        sign_runs: list[float] = []
        verify_runs: list[float] = []
        status_runs: list[float] = []
        for _ in range(runs):
            unsigned = [_with_id(plain) for _ in range(n)]
            sign_runs.append(_rate(unsigned, sign))
            texts = [json.dumps(sign(c)) for c in unsigned]
            verify_runs.append(_rate(texts, verify))
            status_texts = [json.dumps(sign(_with_id(with_status))) for _ in range(n)]
            status_runs.append(_rate(status_texts, verify_status))
        results[kind] = {
            "bytes": len(json.dumps(plain, separators=(",", ":")).encode()),
            "sign": _figure(sign_runs, n),
            "verify": _figure(verify_runs, n),
            "verify_status": _figure(status_runs, n),
        }
    return results


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: PYTHON bench/openvc_peer.py JOB.json", file=sys.stderr)
        return 2
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        installed = version("openvc-core")
    except PackageNotFoundError:
        print(json.dumps({"error": f"openvc-core is not installed for {sys.executable}"}))
        return 0
    try:
        results = run(job)
    except Exception as exc:  # report exactly why, for the benchmark to print
        print(json.dumps({"error": f"openvc-core {installed}: {type(exc).__name__}: {exc}"}))
        return 0
    print(
        json.dumps(
            {
                "peer": "openvc-core (EddsaJcsProofSuite, verify_credential)",
                "version": installed,
                "python": sys.version.split()[0],
                "mode": "sequential, single process; status lists resolved from memory",
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
