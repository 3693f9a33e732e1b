"""Crash safety and concurrency of ``innopass issue``, with real processes.

One test kills a batch issue with SIGKILL part-way through and checks what is
left: no half-written passport, a sound ledger that knows every passport file
written, and no status index used twice. Another runs two issuing processes on
one home at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

import innopass
from innopass._internal.jsonio import dumps_pretty, loads_strict
from innopass._internal.proof import verify_data_integrity
from innopass._internal.suites import SUITES
from innopass.did import StaticResolver
from innopass.issuer import Ledger, OrganisationHome
from innopass.issuer._issuer import ISSUE_GROUP
from innopass.record import example

PASS = "crash test passphrase"
SRC = str(Path(innopass.__file__).resolve().parents[1])

pytestmark = pytest.mark.slow


def environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["INNOPASS_PASSPHRASE"] = PASS
    env["INNOPASS_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH")) if p)
    return env


def make_records(directory: Path, count: int, prefix: str = "r") -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        record = example("device")
        record["record_id"] = f"urn:uuid:{uuid.uuid4()}"
        path = directory / f"{prefix}{i:03}.json"
        path.write_text(dumps_pretty(record), encoding="utf-8")
        paths.append(path)
    return paths


def issue_process(
    home: Path, records: list[Path], out: Path, *options: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "innopass", "issue", *map(str, records), "-o", str(out), *options],
        env=environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def passport_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith(".")) if out.exists() else []


def check_home(home: Path, out: Path) -> int:
    """Everything a crash or a race must not break; returns the number of passports."""
    leftovers = [p for p in out.iterdir() if p.name.startswith(".")] if out.exists() else []
    # atomic_write's temporary files are hidden and never named like a passport
    assert all(p.name.endswith(".tmp") for p in leftovers), leftovers
    organisation = OrganisationHome.open(home).description()
    resolver = StaticResolver({organisation.did: organisation.did_document})
    with Ledger.open(home / "ledger.sqlite") as ledger:
        assert ledger.integrity_check() == "ok"
        ledger.verify_audit_chain()
        known = {p.id: p for p in ledger.passports()}
        for path in passport_files(out):
            assert path.suffix == ".json", path
            credential = loads_strict(path.read_bytes())  # a whole passport, or this fails
            assert isinstance(credential, dict)
            entry = known.get(str(credential["id"]))
            assert entry is not None, f"{path.name} is not in the ledger"
            assert path.read_text(encoding="utf-8") == entry.credential_text
            assert path.name == str(credential["id"]).removeprefix("urn:uuid:") + ".json"
            proof = credential["proof"]
            assert isinstance(proof, dict)
            method = organisation.did_document.method(str(proof["verificationMethod"]))
            assert method is not None
            [signed] = verify_data_integrity(
                credential, issuer=organisation.did, resolver=resolver, suites=SUITES
            )
            assert signed.method.id == method.id == entry.verification_method
            assert signed.method.public_key == method.public_key
        allocations = ledger.all_allocations()
        used = Counter((purpose, number, index) for purpose, number, index, _ in allocations)
        assert all(count == 1 for count in used.values()), "a status index was used twice"
        per_passport = Counter(passport_id for *_, passport_id in allocations)
        assert set(per_passport) == set(known)
        assert set(per_passport.values()) <= {3}  # revocation, suspension, message
        return len(known)


def test_sigkill_during_a_batch_issue(tmp_path: Path) -> None:
    home = tmp_path / "home"
    OrganisationHome.init(home, ods_code="RF4", name="Barking", passphrase=PASS)
    records = make_records(tmp_path / "records", 2 * ISSUE_GROUP + 22)  # three groups
    out = tmp_path / "out"
    process = issue_process(home, records, out)
    deadline = time.monotonic() + 60
    # into the second group: the first group's files are written, made durable and reported
    while len(passport_files(out)) < ISSUE_GROUP + 5 and process.poll() is None:
        assert time.monotonic() < deadline, "the issuer wrote nothing"
        time.sleep(0.002)
    assert process.poll() is None, "the batch finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    stdout, _ = process.communicate()
    assert process.returncode == -signal.SIGKILL

    written = len(passport_files(out))
    assert ISSUE_GROUP + 5 <= written < len(records)
    recorded = check_home(home, out)
    # a group is committed whole, before any of its files is written: the ledger holds
    # whole groups, and only the passports of the last committed group may lack a file
    assert recorded % ISSUE_GROUP == 0
    assert 0 <= recorded - written <= ISSUE_GROUP
    # every passport reported to the user has its file (reported only once the group's
    # files and their directory are durable)
    reported = [line.split(" -> ")[1].split()[0] for line in stdout.decode().splitlines()]
    assert reported
    assert all(Path(target).is_file() for target in reported)

    # the home keeps working after the crash (the records were issued: reissue them)
    again = issue_process(home, records[:3], tmp_path / "again", "--reissue")
    _, stderr = again.communicate(timeout=60)
    assert again.returncode == 0, stderr.decode()
    assert check_home(home, tmp_path / "again") == recorded + 3


def test_two_issuers_on_one_home_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    OrganisationHome.init(home, ods_code="RF4", name="Barking", passphrase=PASS)
    out = tmp_path / "out"
    first = issue_process(home, make_records(tmp_path / "a", 15, "a"), out)
    second = issue_process(home, make_records(tmp_path / "b", 15, "b"), out)
    for process in (first, second):
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()
    assert len(passport_files(out)) == 30
    assert check_home(home, out) == 30


@pytest.mark.parametrize("existing", [False, True], ids=["new-path", "empty-dir"])
def test_concurrent_org_inits_on_one_path(tmp_path: Path, existing: bool) -> None:
    home = tmp_path / "home"
    if existing:
        home.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "innopass", "org", "init", "--ods", code, "--name", code],
            env=environment(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for code in ("RF4", "R1H", "RJ1", "RQM")
    ]
    results = [(p.wait(timeout=60), p.communicate()[1].decode()) for p in processes]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    for code, stderr in results:
        assert "Traceback" not in stderr
        assert "internal error" not in stderr
        if code == 2:
            assert len(stderr.strip().splitlines()) == 1, stderr
    organisation = OrganisationHome.open(home)
    winner = organisation.description().ods_code
    assert winner in ("RF4", "R1H", "RJ1", "RQM")
    organisation.load_key(organisation.current_key_id(), PASS)
    assert [p.name for p in organisation.keys_dir.iterdir()] == [
        organisation.key_path(organisation.current_key_id()).name
    ]
    assert not [p.name for p in tmp_path.iterdir() if ".org-init-" in p.name]
    assert not [p.name for p in home.iterdir() if ".org-init-" in p.name]
    with organisation.open_ledger() as ledger:
        assert [e.action for e in ledger.audit_entries()] == ["org-init"]
