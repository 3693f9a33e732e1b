"""VC 2.0 names and small readers shared by the issuer and the verifier (FORMATS.md §1)."""

from __future__ import annotations

from collections.abc import Mapping

from innopass._internal.jsonio import JSONValue

__all__ = [
    "ADOPTION_TYPE",
    "ISSUER_TYPE",
    "PASSPORT_TYPE",
    "SUBJECT_TYPE",
    "VC_TYPE",
    "credential_types",
    "issuer_id",
]

VC_TYPE = "VerifiableCredential"
PASSPORT_TYPE = "InnovatorPassport"
SUBJECT_TYPE = "AssessedTechnology"
ISSUER_TYPE = "NhsOrganisation"
ADOPTION_TYPE = "InnopassAdoption"


def issuer_id(credential: Mapping[str, JSONValue]) -> str | None:
    """The credential's issuer id (``issuer`` may be a URL or an object with ``id``)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def credential_types(credential: Mapping[str, JSONValue]) -> tuple[str, ...]:
    """The credential's ``type`` values (a string or a list of strings)."""
    value = credential.get("type")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()
