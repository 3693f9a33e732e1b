"""Adopting a passport: an acceptance policy, the decision it makes, and the reuse it shows.

Verification says whether a passport is genuine and current; adoption says whether
this trust can rely on it (PRODUCT.md §9)::

    from innopass.policy import Policy, decide

    policy = Policy.load("r1h-policy.toml")
    decision = decide(verifier, passport_text, policy)
    decision.outcome          # adopt, adopt-with-actions, refer or refuse
    decision.reasons          # each naming the rule id and a JSON pointer into the passport
    decision.remaining        # the local actions still to do

The data flows one way: verifier → trust policy → verdict → decision. This package
reads the verifier's results; it never imports the issuer (an adopting organisation
signs its adoption record with :meth:`innopass.issuer.Issuer.adopt`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from innopass._internal.jsonio import JSONValue
from innopass.adoption import (
    Decision,
    Finding,
    LocalAction,
    Outcome,
    PassportRef,
    PolicyRef,
    Reason,
)
from innopass.policy._model import DEVICE_LADDERS, Rule
from innopass.policy._policy import POLICY_SCHEMA, Policy, template_text
from innopass.policy._summary import AdoptionSummary, NotCounted, PassportReuse, summarise
from innopass.verifier import Verifier

__all__ = [
    "DEVICE_LADDERS",
    "POLICY_SCHEMA",
    "AdoptionSummary",
    "Decision",
    "Finding",
    "LocalAction",
    "NotCounted",
    "Outcome",
    "PassportRef",
    "PassportReuse",
    "Policy",
    "PolicyRef",
    "Reason",
    "Rule",
    "decide",
    "summarise",
    "template_text",
]


def decide(
    verifier: Verifier,
    passport: str | bytes | Mapping[str, JSONValue],
    policy: Policy,
    *,
    done: Iterable[str] = (),
    trust_lists: Iterable[Mapping[str, object]] = (),
    status_lists: Iterable[Mapping[str, object]] = (),
    at: datetime | None = None,
) -> Decision:
    """Verify ``passport`` with ``verifier``, then apply ``policy``: the adoption decision.

    The decision is made at the time the verification was (the verifier's clock) unless
    ``at`` is given;
    ``done`` names the local actions already done. Never raises on a bad passport
    (it is refused or referred, with the verification's failures as reasons).
    """
    result = verifier.verify(
        passport, trust_lists=tuple(trust_lists), status_lists=tuple(status_lists)
    )
    return policy.decide(result, passport=passport, at=at, done=done)
