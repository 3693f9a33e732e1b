"""Role: another NHS service that verifies passports in bulk, from trust material it holds.

    python examples/integrating_service.py WORKDIR

No home directory: the service builds its TrustStore in memory from the anchor's
description and trust list (WORKDIR/anchor.json, WORKDIR/trust-list.json), gives
the status lists it holds (WORKDIR/status/) to the verifier, and verifies every
passport and bundle in WORKDIR, printing one JSON object per file, as
`innopass verify --json` does (schemas/verify-output.schema.json). It exits 1 if
any is rejected, 3 if any is indeterminate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import innopass

work = Path(sys.argv[1])
anchor = innopass.OrganisationDescription.from_json(json.loads((work / "anchor.json").read_text()))
trust = innopass.TrustStore().with_anchor(anchor)
trust = trust.with_trust_list(json.loads((work / "trust-list.json").read_text()))
held = sorted(p for p in (work / "status").rglob("*") if p.is_file())
status_lists = [json.loads(p.read_text()) for p in held]
verifier = innopass.Verifier(trust, status_lists=status_lists)

verdicts = set()
for path in (work / "passport.json", work / "bundle.json"):
    result = verifier.verify_file(path)  # never raises on bad input
    verdicts.add(str(result.verdict))
    print(json.dumps({"file": path.name, **result.to_json()}, ensure_ascii=False))
sys.exit(1 if "rejected" in verdicts else 3 if "indeterminate" in verdicts else 0)
