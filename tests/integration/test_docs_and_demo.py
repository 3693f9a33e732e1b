"""The README's Python example runs as written (from anywhere: it needs no file of the
source tree), and `innopass demo` tells the whole story."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README has no Python example"
    assert len(blocks[0].strip().splitlines()) <= 12
    monkeypatch.chdir(tmp_path)  # no source tree: it works from an installed package
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    result = namespace["result"]
    assert getattr(result, "verified") is True  # noqa: B009


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INNOPASS_PASSPHRASE"}
    proc = subprocess.run(
        [sys.executable, "-m", "innopass", "demo", "--keep", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("✔ VERIFIED  bundle.json") == 1
    # the adoption story: decide, sign the adoption record, count the reuse, refuse later
    assert "✔ ADOPT WITH ACTIONS" in out
    assert "[medical-devices-group]" in out
    assert "1 assessment(s) not repeated" in out
    assert out.rindex("✖ REFUSE") > out.rindex("✖ REJECTED")
    assert "Traceback" not in out + proc.stderr
    # It ends with the human view of the verified passport, then the revoked verdict.
    shown = out.index("$ innopass show --home r1h bundle.json")
    assert "✔ VERIFIED on " in out[shown:]
    assert "Use in neonates and children (not assessed)" in out[shown:]
    assert "Local actions left for your organisation" in out[shown:]
    revoked = out.rindex("✖ REJECTED  bundle.json")
    assert shown < revoked
    assert "revoked: the issuer has revoked this credential" in out[revoked:]
    # --keep prints the passphrase the homes' keys are encrypted with, and it opens them.
    found = re.search(r"export INNOPASS_PASSPHRASE=(\S+) ", out)
    assert found is not None, out[-400:]
    from innopass.issuer import Issuer

    with Issuer.from_home(tmp_path / "demo" / "rf4", passphrase=found.group(1)) as issuer:
        assert issuer.description.ods_code == "RF4"
    kept = tmp_path / "demo"
    assert (kept / "bundle.json").is_file()
    key_files = list((kept / "rf4" / "keys").iterdir())
    assert key_files
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in key_files)
    # The verifier home R1H was left with: the kept bundle now reads as revoked.
    from innopass.verifier import FailureCode, Verifier, VerifierHome

    store = VerifierHome(kept / "r1h").load()
    result = Verifier(store).verify((kept / "bundle.json").read_bytes())
    assert result.codes == {FailureCode.REVOKED}
    # R1H's adoption record, as it sent it, verifies for anyone who pins R1H
    from innopass.trust import OrganisationDescription
    from innopass.verifier import TrustStore

    r1h = OrganisationDescription.from_json(json.loads((kept / "r1h.json").read_text()))
    adoption = Verifier(TrustStore().with_issuer(r1h)).verify(
        (kept / "adoptions" / "r1h.json").read_bytes()
    )
    assert adoption.verified, adoption.failures
    assert adoption.adoption is not None
    assert adoption.adoption.decision == "adopt-with-actions"


@pytest.mark.usefixtures("fast_kdf")
@pytest.mark.parametrize("breakage", ["policy-refuses", "no-actions"])
def test_the_demo_fails_when_a_step_does_not_behave(
    breakage: str, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Exit 0 only when each step behaved as the story says: a decision that exits as
    the story does not expect, or one that lists other actions, stops the demo."""
    import innopass.policy as policy_module
    import innopass.policy._decide as decide_module

    monkeypatch.delenv("INNOPASS_PASSPHRASE", raising=False)
    if breakage == "policy-refuses":
        real = policy_module.template_text

        def refusing(*, organisation: str | None = None) -> str:
            return real(organisation=organisation).replace(
                'allow = ["device", "digital", "diagnostic"]', 'allow = ["digital"]'
            )

        monkeypatch.setattr(policy_module, "template_text", refusing)
    else:
        monkeypatch.setattr(decide_module, "_record_actions", lambda record: [])
    result = run("demo", "--keep", tmp_path / "demo")
    assert result.code != 0
    assert "step 8" in result.err
