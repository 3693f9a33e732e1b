"""The README's command line and the role examples run as written (issue 11, finding 6).

Every README block marked ``sh runnable`` is run, in order, by one shell in an
empty directory: the walk-through creates everything it uses (the anchor
included). Every script in ``examples/`` runs in order too, one per role, each
reading what the one before it wrote. ``.ci/run`` runs the scripts again against
the built wheel, outside the source tree.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = (
    "assessor_issue.py",
    "anchor_trust_list.py",
    "verifier_adopting_trust.py",
    "integrating_service.py",
)


def runnable_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh runnable\n(.*?)^```", text, re.S | re.M)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("INNOPASS_HOME", "INNOPASS_PASSPHRASE")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_cli_walk_through_creates_the_anchor_it_uses() -> None:
    script = "\n".join(runnable_blocks((REPO / "README.md").read_text()))
    assert script, "the README marks no block runnable"
    commands = [line.split("#")[0].strip() for line in script.splitlines()]
    homes_made = set()
    for command in commands:
        # An organisation home is made by org init, a verifier's home by its first pin.
        made = re.match(
            r"innopass (?:org init|trust pin-anchor|trust pin-issuer) --home (\S+)", command
        )
        if made:
            homes_made.add(made.group(1))
            continue
        used = re.search(r"--home (\S+)", command)
        if used:
            assert used.group(1) in homes_made, f"{command!r} uses a home the README never made"
    assert {"anchor", "rf4", "r1h"} <= homes_made


@pytest.mark.slow
def test_the_readme_runnable_blocks_run_in_order(tmp_path: Path) -> None:
    script = "\n".join(runnable_blocks((REPO / "README.md").read_text()))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert "✔ VERIFIED  bundle.json" in done.stdout
    assert "rejected  bundle.json" in done.stdout  # the last step: revoked
    assert (tmp_path / "passport.html").is_file()


@pytest.mark.slow
def test_the_examples_run_in_order_one_per_role(tmp_path: Path) -> None:
    assert sorted(p.name for p in (REPO / "examples").glob("*.py")) == sorted(EXAMPLES)
    outputs = []
    for name in EXAMPLES:
        done = subprocess.run(
            [sys.executable, str(REPO / "examples" / name), str(tmp_path)],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])
        outputs.append(done.stdout)
    assert "verdict: verified" in outputs[2]
    lines = [json.loads(line) for line in outputs[3].splitlines()]
    assert [line["verdict"] for line in lines] == ["verified", "verified"]
    assert all(line["content_verified"] for line in lines)
