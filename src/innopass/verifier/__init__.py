"""Verifying innovator passports offline: the verifier, its results, its trust store and home.

>>> from innopass.verifier import TrustStore, Verifier
>>> store = TrustStore().with_issuer("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
>>> verifier = Verifier(store)

``Verifier.verify()`` never raises on bad input; it returns a
:class:`VerificationResult` whose ``verdict`` is ``verified``, ``rejected`` or
``indeterminate``. A :class:`TrustStore` is an immutable value; a
:class:`VerifierHome` keeps one on disk and changes it only under a lock. The
verifier never imports the issuer and makes no network call unless it was given a
fetcher.
"""

from innopass._internal.limits import Limits
from innopass._internal.net import Fetcher, OfflineFetcher, RequestsFetcher
from innopass.errors import FailureCode, FailureFamily
from innopass.verifier._home import VerifierHome
from innopass.verifier._online import FetchedMaterial
from innopass.verifier._parties import IssuerTrust, PinnedParty, TrustSource
from innopass.verifier._presentation import PresentationResult
from innopass.verifier._result import (
    CheckName,
    CheckResult,
    CheckStatus,
    Condition,
    Failure,
    IssuerInfo,
    PassportFacts,
    StatusMessageInfo,
    StatusSource,
    Succession,
    TrustedBy,
    Verdict,
    VerificationResult,
)
from innopass.verifier._status_lists import HeldStatusList
from innopass.verifier._trust_lists import AcceptedTrustList
from innopass.verifier._trust_store import HeldDidDocument, TrustStore, TrustView
from innopass.verifier._verifier import (
    DEFAULT_JOSE_ALGORITHMS,
    DEFAULT_SUITES,
    SUPPORTED_JOSE_ALGORITHMS,
    Verifier,
)

__all__ = [
    "DEFAULT_JOSE_ALGORITHMS",
    "DEFAULT_SUITES",
    "SUPPORTED_JOSE_ALGORITHMS",
    "AcceptedTrustList",
    "CheckName",
    "CheckResult",
    "CheckStatus",
    "Condition",
    "Failure",
    "FailureCode",
    "FailureFamily",
    "FetchedMaterial",
    "Fetcher",
    "HeldDidDocument",
    "HeldStatusList",
    "IssuerInfo",
    "IssuerTrust",
    "Limits",
    "OfflineFetcher",
    "PassportFacts",
    "PinnedParty",
    "PresentationResult",
    "RequestsFetcher",
    "StatusMessageInfo",
    "StatusSource",
    "Succession",
    "TrustSource",
    "TrustStore",
    "TrustView",
    "TrustedBy",
    "Verdict",
    "VerificationResult",
    "Verifier",
    "VerifierHome",
]
