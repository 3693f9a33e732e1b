"""innopass: NHS innovator passports as W3C Verifiable Credentials, verified offline.

One canonical assessment record, signed once by the assessing NHS organisation,
verified by any other trust from files it holds::

    import innopass

    with innopass.Issuer.from_home("rf4", passphrase=...) as issuer:
        passport = issuer.issue(innopass.AssessmentRecord.load("record.json"))
    result = innopass.Verifier(trust).verify(passport.text())

Public modules: :mod:`innopass.issuer`, :mod:`innopass.verifier`,
:mod:`innopass.errors`, :mod:`innopass.did`, :mod:`innopass.status`,
:mod:`innopass.trust`, :mod:`innopass.record`, :mod:`innopass.keys`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from innopass import record
from innopass.errors import InnopassError, VerificationFailed
from innopass.issuer import IssuedPassport, Issuer, OrganisationHome
from innopass.keys import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    KeyType,
    P256PrivateKey,
    P256PublicKey,
    PrivateKey,
    PublicKey,
)
from innopass.record import AssessmentRecord
from innopass.trust import Bundle, OrganisationDescription
from innopass.verifier import (
    Failure,
    FailureCode,
    TrustStore,
    Verdict,
    VerificationResult,
    Verifier,
)

try:
    __version__ = version("innopass")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "AssessmentRecord",
    "Bundle",
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "Failure",
    "FailureCode",
    "InnopassError",
    "IssuedPassport",
    "Issuer",
    "KeyType",
    "OrganisationDescription",
    "OrganisationHome",
    "P256PrivateKey",
    "P256PublicKey",
    "PrivateKey",
    "PublicKey",
    "TrustStore",
    "Verdict",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "__version__",
    "record",
]
