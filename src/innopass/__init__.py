"""innopass: NHS innovator passports as W3C Verifiable Credentials, verified offline.

One canonical assessment record, signed once by the assessing NHS organisation,
verified by any other trust from files it holds::

    import innopass

    with innopass.Issuer.from_home("rf4", passphrase=secret) as issuer:
        passport = issuer.issue(innopass.AssessmentRecord.load("record.json"))
    trust = innopass.TrustStore().with_issuer(issuer.description)
    result = innopass.Verifier(trust).verify(passport.text())

The names here are the whole public API a user needs; the public packages
(:mod:`innopass.issuer`, :mod:`innopass.verifier`, :mod:`innopass.holder`,
:mod:`innopass.policy`, :mod:`innopass.adoption`, :mod:`innopass.record`,
:mod:`innopass.keys`, :mod:`innopass.trust`, :mod:`innopass.errors`,
:mod:`innopass.did`, :mod:`innopass.status`) hold a few more. Everything under
``innopass._internal`` (and every underscored module) is private.

Names are imported on first use, so that ``import innopass`` (and the command
line) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - what the lazy names are, for type checkers
    from innopass.adoption import Decision
    from innopass.errors import InnopassError, VerificationFailed
    from innopass.holder import Holder
    from innopass.issuer import (
        IssuedPassport,
        Issuer,
        OrganisationHome,
        PassportFormat,
        TrustAnchor,
    )
    from innopass.keys import (
        Ed25519PrivateKey,
        KeyType,
        P256PrivateKey,
        P384PrivateKey,
        PrivateKey,
        PublicKey,
    )
    from innopass.policy import Policy
    from innopass.record import AssessmentRecord
    from innopass.trust import Bundle, OrganisationDescription
    from innopass.verifier import (
        CheckName,
        Failure,
        FailureCode,
        Fetcher,
        Limits,
        PresentationResult,
        RequestsFetcher,
        TrustStore,
        Verdict,
        VerificationResult,
        Verifier,
        VerifierHome,
    )

#: Public name → the module it lives in.
_LAZY: dict[str, str] = {
    "AssessmentRecord": "innopass.record",
    "Bundle": "innopass.trust",
    "CheckName": "innopass.verifier",
    "Decision": "innopass.adoption",
    "Ed25519PrivateKey": "innopass.keys",
    "Failure": "innopass.verifier",
    "FailureCode": "innopass.verifier",
    "Fetcher": "innopass.verifier",
    "Holder": "innopass.holder",
    "InnopassError": "innopass.errors",
    "IssuedPassport": "innopass.issuer",
    "Issuer": "innopass.issuer",
    "KeyType": "innopass.keys",
    "Limits": "innopass.verifier",
    "OrganisationDescription": "innopass.trust",
    "OrganisationHome": "innopass.issuer",
    "P256PrivateKey": "innopass.keys",
    "P384PrivateKey": "innopass.keys",
    "PassportFormat": "innopass.issuer",
    "Policy": "innopass.policy",
    "PresentationResult": "innopass.verifier",
    "PrivateKey": "innopass.keys",
    "PublicKey": "innopass.keys",
    "RequestsFetcher": "innopass.verifier",
    "TrustAnchor": "innopass.issuer",
    "TrustStore": "innopass.verifier",
    "Verdict": "innopass.verifier",
    "VerificationFailed": "innopass.errors",
    "VerificationResult": "innopass.verifier",
    "Verifier": "innopass.verifier",
    "VerifierHome": "innopass.verifier",
}

__all__ = [
    "AssessmentRecord",
    "Bundle",
    "CheckName",
    "Decision",
    "Ed25519PrivateKey",
    "Failure",
    "FailureCode",
    "Fetcher",
    "Holder",
    "InnopassError",
    "IssuedPassport",
    "Issuer",
    "KeyType",
    "Limits",
    "OrganisationDescription",
    "OrganisationHome",
    "P256PrivateKey",
    "P384PrivateKey",
    "PassportFormat",
    "Policy",
    "PresentationResult",
    "PrivateKey",
    "PublicKey",
    "RequestsFetcher",
    "TrustAnchor",
    "TrustStore",
    "Verdict",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "VerifierHome",
    "__version__",
]  # a literal list, so that type checkers see each name as exported


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("innopass")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    else:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'innopass' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
