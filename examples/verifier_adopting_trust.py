"""Role: an adopting trust (R1H) verifying a passport offline, and deciding whether to adopt it.

    python examples/verifier_adopting_trust.py WORKDIR

Keeps a verifier home WORKDIR/r1h: pins the national anchor (WORKDIR/anchor.json),
imports its trust list, then verifies the bundle RF4 handed over. The passport's
content is used only when the verdict is verified; otherwise it is what the file
claims, and the script says so and exits 1. Then R1H's acceptance policy (the
commented template, written to WORKDIR/r1h-policy.toml) decides: adopt,
adopt-with-actions, refer or refuse, with a reason per rule and the actions left.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import innopass
from innopass.policy import decide, template_text

work = Path(sys.argv[1])
home = innopass.VerifierHome(work / "r1h")
anchor = innopass.OrganisationDescription.from_json(json.loads((work / "anchor.json").read_text()))
home.pin_anchor(anchor)
home.import_trust_list(json.loads((work / "trust-list.json").read_text()))

result = innopass.Verifier(home.load()).verify((work / "bundle.json").read_bytes())
print(f"verdict: {result.verdict} (as of {result.checked_at})")
for source in result.status_sources:
    print(f"  {source.purpose} list signed {source.valid_from} ({source.source})")
if not result.content_verified or result.passport is None:
    for failure in result.failures:
        print(f"  {failure.code} at {failure.path or '/'}: {failure.message}")
    sys.exit("not verified: do not rely on this passport")

facts = result.passport
print(f"{facts.product}: {facts.outcome}, assessed by {facts.assessing_organisation.ods_code}")
for condition in facts.conditions:
    print(f"  condition for {condition.responsible_party}: {condition.text} (due {condition.due})")
print("still to do locally:")
for action in facts.local_actions:
    print(f"  - {action}")

policy_file = work / "r1h-policy.toml"
policy_file.write_text(template_text(organisation="R1H"))
decision = decide(innopass.Verifier(home.load()), (work / "bundle.json").read_bytes(),
                  innopass.Policy.load(policy_file))  # fmt: skip
print(f"decision under {decision.policy.id}: {decision.outcome}")
for reason in decision.reasons:
    if reason.finding in ("refer", "refuse"):
        print(f"  {reason.finding} ({reason.rule}) at {reason.pointer}: {reason.message}")
print(f"local actions left: {', '.join(a.id for a in decision.remaining) or 'none'}")
