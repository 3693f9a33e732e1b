"""Two verifier-home imports at once, in two processes, never undo each other.

The architecture issue's reproduction: one ``innopass trust import`` of a revocation
and, at the same time, one of a bundle carrying an older, clean copy of that list;
or trust list v2 and v1 imported at once. Without a lock and a merge at write time,
the run that loaded first and wrote last silently undid the other (a revoked
passport verified again; a trust list rolled back from v2 to v1).

Each pair runs in two spawned processes against one home, with the interleaving
staged rather than left to chance. Inside :meth:`VerifierHome.update`, after the
home has been read and before anything is written, the *first* import signals that
it holds what it read and waits (briefly) for the *second* to have read too; the
second starts only then, and waits for the first's write before its own change
returns. So a home that did not lock the whole read-change-write, or wrote from a
stale read, loses the first import's change on every round; a correct home makes
the second import block until the first has written, and the second then sees the
first's change and re-applies the rules ("revocation is final", no rollback) to it.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import pytest

from innopass.errors import FailureCode, TrustImportError
from innopass.status import parse_status_list_credential
from innopass.trust import Bundle
from innopass.verifier import Verifier, VerifierHome
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    Org,
    bundle,
    clock,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
)

_SPAWN: Final = multiprocessing.get_context("spawn")
#: How long the first import, holding what it read, waits for the second to read too.
#: A correct home makes the second wait for the lock, so this is only ever waited in
#: full once per worker pair (the second's signal is then left over for the next round).
_FIRST_WAITS: Final = 0.2
#: Bound on every other wait, so a broken home fails the test instead of hanging it.
_TIMEOUT: Final = 30.0
_OK: Final = "ok"

# --- the worker processes ----------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One import in a worker: ``kind`` (status, bundle or trust) of ``document`` into ``home``."""

    kind: str
    home: str
    document: str


class _Staging:
    """The semaphores that stage one round (see the module docstring)."""

    def __init__(self) -> None:
        self.entered = _SPAWN.Semaphore(0)  # the first import has read the home
        self.read = _SPAWN.Semaphore(0)  # the second import has read the home
        self.written = _SPAWN.Semaphore(0)  # the first import's update has returned


def _run_import(job: Job) -> str:
    document = json.loads(job.document)
    home = VerifierHome(job.home)
    try:
        if job.kind == "status":
            home.import_status_list(document, now=NOW)
        elif job.kind == "bundle":
            home.import_bundle(Bundle.from_json(document), now=NOW)
        else:
            home.import_trust_list(document)
    except TrustImportError as exc:
        return str(exc.failure)
    return _OK


def _worker(
    jobs: Sequence[Job],
    firsts: Sequence[bool],
    barrier: Any,
    staging: _Staging,
    results: Any,
    name: str,
) -> None:
    """Run ``jobs`` in order, one per round; in round ``i`` this worker goes first if
    ``firsts[i]``. Puts ``(name, round, outcome)`` on ``results`` for each."""
    real_update = VerifierHome.update
    first = False

    def staged_update(self: VerifierHome, change: Any, **options: Any) -> Any:
        def staged_change(store: Any) -> Any:
            if first:
                staging.entered.release()
                staging.read.acquire(timeout=_FIRST_WAITS)
            else:
                staging.read.release()
                if not staging.written.acquire(timeout=_TIMEOUT):
                    raise AssertionError("the first import never finished")
            return change(store)

        try:
            return real_update(self, staged_change, **options)
        finally:
            if first:
                staging.written.release()

    VerifierHome.update = staged_update  # type: ignore[method-assign]
    for index, (job, goes_first) in enumerate(zip(jobs, firsts, strict=True)):
        barrier.wait(timeout=_TIMEOUT)
        first = goes_first
        if not first and not staging.entered.acquire(timeout=_TIMEOUT):
            results.put((name, index, "the first import never started"))
            continue
        try:
            outcome = _run_import(job)
        except Exception as exc:  # reported to the test, which fails on it
            outcome = f"error: {type(exc).__name__}: {exc}"
        results.put((name, index, outcome))


def _run_pairs(
    a_jobs: Sequence[Job], b_jobs: Sequence[Job], a_first: Sequence[bool]
) -> list[tuple[str, str]]:
    """Run the pairs ``(a_jobs[i], b_jobs[i])`` concurrently in two processes, round by
    round; return the outcomes ``(a's, b's)`` of each round."""
    barrier = _SPAWN.Barrier(2)
    staging = _Staging()
    results = _SPAWN.Queue()
    workers = [
        _SPAWN.Process(
            target=_worker, args=(jobs, firsts, barrier, staging, results, name), daemon=True
        )
        for name, jobs, firsts in (
            ("a", a_jobs, list(a_first)),
            ("b", b_jobs, [not f for f in a_first]),
        )
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[tuple[str, int], str] = {}
    try:
        for _ in range(len(a_jobs) + len(b_jobs)):
            name, index, outcome = results.get(timeout=_TIMEOUT + 30)
            outcomes[(name, index)] = outcome
    finally:
        for worker in workers:
            worker.join(timeout=_TIMEOUT)
            if worker.is_alive():
                worker.terminate()
                worker.join()
    assert [w.exitcode for w in workers] == [0, 0]
    return [(outcomes[("a", i)], outcomes[("b", i)]) for i in range(len(a_jobs))]


# --- the two scenarios -----------------------------------------------------------------------


@dataclass
class Material:
    """Signed material shared by every round."""

    anchor: Org
    issuer: Org
    passport: dict[str, Any]
    revoked: dict[str, Any]
    """The revocation list with the passport's bit set (validFrom: an hour ago)."""
    clean_bundle: dict[str, Any]
    """A bundle with an older (two hours), clean copy of that list."""
    v1: dict[str, Any]
    v2: dict[str, Any]


@pytest.fixture(scope="module")
def material() -> Material:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    issuer = Org.did_key(ods="RF4")
    credential = passport(issuer)
    clean = issuer.status_list("revocation", valid_from=NOW - timedelta(hours=2))
    issuer.set_bit("revocation", REVOCATION_INDEX)
    revoked = issuer.status_list("revocation", valid_from=NOW - timedelta(hours=1))
    return Material(
        anchor=anchor,
        issuer=issuer,
        passport=credential,
        revoked=revoked,
        clean_bundle=bundle(credential, issuer, status_lists=[clean]),
        v1=trust_list(anchor, [issuer.trusted_issuer()], version=1),
        v2=trust_list(anchor, [issuer.trusted_issuer()], version=2),
    )


def _revocation_template(root: Path, m: Material) -> Path:
    """A home trusting the issuer (anchor and trust list v1), holding its suspension list."""
    template = root / "revocation-template"
    VerifierHome(template).update(
        lambda store: (
            store.with_anchor(m.anchor.did)
            .with_trust_list(m.v1)
            .with_status_list(m.issuer.status_list("suspension"), now=NOW)
        )
    )
    return template


def _trust_template(root: Path, m: Material) -> Path:
    """A home pinning the anchor, holding no trust list yet."""
    template = root / "trust-template"
    VerifierHome(template).update(lambda store: store.with_anchor(m.anchor.did))
    return template


def _copies(template: Path, root: Path, count: int) -> list[Path]:
    homes = [root / f"{template.name}-{i}" for i in range(count)]
    for home in homes:
        shutil.copytree(template, home)
    return homes


def _revocation_jobs(homes: Sequence[Path], m: Material) -> tuple[list[Job], list[Job]]:
    revoked, clean = json.dumps(m.revoked), json.dumps(m.clean_bundle)
    return (
        [Job("status", str(h), revoked) for h in homes],
        [Job("bundle", str(h), clean) for h in homes],
    )


def _trust_jobs(homes: Sequence[Path], m: Material) -> tuple[list[Job], list[Job]]:
    v2, v1 = json.dumps(m.v2), json.dumps(m.v1)
    return [Job("trust", str(h), v2) for h in homes], [Job("trust", str(h), v1) for h in homes]


def _assert_revocation_survived(home: Path, m: Material) -> None:
    store = VerifierHome(home).load()
    held = store.status_lists[(m.issuer.did, m.issuer.list_id("revocation"))]
    assert held.credential == m.revoked
    assert parse_status_list_credential(held.credential).is_set(REVOCATION_INDEX)
    result = Verifier(store, clock=clock()).verify(m.passport)
    assert result.codes == {FailureCode.REVOKED}


def _assert_v2_held(home: Path, m: Material) -> None:
    verifier_home = VerifierHome(home)
    held = verifier_home.load().trust_lists[m.anchor.did]
    assert held.version == 2
    assert held.credential == m.v2
    with pytest.raises(TrustImportError) as refused:  # and v2 is the rollback mark
        verifier_home.import_trust_list(m.v1)
    assert refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK


#: Each scenario's outcomes (a's import, b's import) when a goes first, and when b does.
_EXPECTED: Final = {
    "revocation": {True: (_OK, "status-stale"), False: (_OK, _OK)},
    "trust": {True: (_OK, "trust-list-rollback"), False: (_OK, _OK)},
}


_BOTH_ORDERS: Final = [True, False]  # a (revocation; v2) first, then b (the bundle; v1) first


def test_a_concurrent_bundle_import_never_undoes_a_revocation(
    tmp_path: Path, material: Material
) -> None:
    homes = _copies(_revocation_template(tmp_path, material), tmp_path, len(_BOTH_ORDERS))
    revoke, clean = _revocation_jobs(homes, material)
    outcomes = _run_pairs(revoke, clean, _BOTH_ORDERS)
    # the staging held: revocation first, the older clean copy met it and was refused;
    # bundle first, the revocation then replaced the clean copy
    assert outcomes == [_EXPECTED["revocation"][f] for f in _BOTH_ORDERS]
    for home in homes:
        _assert_revocation_survived(home, material)


def test_concurrent_trust_list_imports_never_roll_back(tmp_path: Path, material: Material) -> None:
    homes = _copies(_trust_template(tmp_path, material), tmp_path, len(_BOTH_ORDERS))
    newer, older = _trust_jobs(homes, material)
    outcomes = _run_pairs(newer, older, _BOTH_ORDERS)
    assert outcomes == [_EXPECTED["trust"][f] for f in _BOTH_ORDERS]
    for home in homes:
        _assert_v2_held(home, material)


_ROUNDS: Final = 100


def test_concurrent_imports_pass_100_times_in_a_row(tmp_path: Path, material: Material) -> None:
    """Both pairs, 100 rounds each, alternating which import goes first; every round holds."""
    revocation_homes = _copies(_revocation_template(tmp_path, material), tmp_path, _ROUNDS)
    trust_homes = _copies(_trust_template(tmp_path, material), tmp_path, _ROUNDS)
    revoke, clean = _revocation_jobs(revocation_homes, material)
    newer, older = _trust_jobs(trust_homes, material)
    a_first = [i % 2 == 0 for i in range(_ROUNDS)]
    # one worker pair runs all 200 rounds: revocation rounds, then trust-list rounds
    outcomes = _run_pairs([*revoke, *newer], [*clean, *older], a_first + a_first)
    expected = [_EXPECTED["revocation"][f] for f in a_first] + [
        _EXPECTED["trust"][f] for f in a_first
    ]
    assert outcomes == expected
    for home in revocation_homes:
        _assert_revocation_survived(home, material)
    for home in trust_homes:
        _assert_v2_held(home, material)
