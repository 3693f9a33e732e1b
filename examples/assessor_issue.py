"""Role: the assessor at the issuing trust (RF4). Check a record, sign its passport, publish.

    python examples/assessor_issue.py WORKDIR

Creates the organisation home WORKDIR/rf4 (a did:web organisation, keys encrypted
with $INNOPASS_PASSPHRASE), checks the example wound-dressing record against the
schema and the record rules, issues its passport, publishes the status lists and
writes what the others need: WORKDIR/passport.json, WORKDIR/bundle.json (passport,
DID document and status lists in one file), WORKDIR/rf4.json (the public
description, for the anchor) and WORKDIR/status/.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import innopass
from innopass.record import example

work = Path(sys.argv[1])
secret = os.environ.get("INNOPASS_PASSPHRASE", "correct horse battery staple")
name = "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST"

home = innopass.OrganisationHome.init(
    work / "rf4", ods_code="RF4", name=name, passphrase=secret, did_web="rf4.nhs.example"
)
(work / "rf4.json").write_text(json.dumps(home.export().to_json(), indent=2), encoding="utf-8")

# The record: its JSON Schema first (from_json), then the rules a schema cannot state.
record = innopass.AssessmentRecord.from_json(example("device"))
problems = record.problems(now=datetime.now(UTC), ods_code="RF4")
if problems:
    sys.exit("\n".join(str(p) for p in problems))

with innopass.Issuer.from_home(home.path, passphrase=secret) as issuer:
    passport = issuer.issue(record)  # recorded in the ledger before the file is written
    passport.write(work / "passport.json")
    issuer.publish_status_lists(work / "status")
    bundle = issuer.bundle(passport.id)
(work / "bundle.json").write_text(json.dumps(bundle.to_json(), indent=2), encoding="utf-8")
print(f"issued {passport.id} for {record.product_name}")
