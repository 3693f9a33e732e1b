"""Role: the national trust anchor. Keep the roster of accredited issuers; sign a trust list.

    python examples/anchor_trust_list.py WORKDIR

Creates the anchor's home WORKDIR/anchor, adds RF4 (from WORKDIR/rf4.json, which
assessor_issue.py wrote) to its roster, accredited for devices only, and signs the
next trust list from the whole roster: WORKDIR/trust-list.json. It also writes
WORKDIR/anchor.json, the description verifiers pin.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import innopass
from innopass.issuer import change_roster
from innopass.trust import AccreditedScope

work = Path(sys.argv[1])
secret = os.environ.get("INNOPASS_PASSPHRASE", "correct horse battery staple")

home = innopass.OrganisationHome.init(
    work / "anchor", ods_code="X24", name="NHS ENGLAND", passphrase=secret,
    did_web="trust.nhs.example",
)  # fmt: skip
(work / "anchor.json").write_text(json.dumps(home.export().to_json(), indent=2), encoding="utf-8")

rf4 = innopass.OrganisationDescription.from_json(json.loads((work / "rf4.json").read_text()))
devices = AccreditedScope(profiles=("device",), domains=())
change_roster(
    home.path,
    lambda roster: roster.added(rf4, scopes=[devices]),
    action="roster-change",
    subject=rf4.ods_code,
)
with innopass.TrustAnchor.from_home(home.path, passphrase=secret) as anchor:
    signed, changes = anchor.sign_roster()
(work / "trust-list.json").write_text(signed.text(), encoding="utf-8")
print(f"signed trust list version {signed.version}: " + "; ".join(changes))
