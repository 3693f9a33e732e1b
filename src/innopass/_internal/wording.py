"""The words a person reads for the codes a record uses (no classes: cheap to import).

The verifier and the human views read a validated record as JSON and put its
codes into words here, without importing :mod:`innopass.record`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["LOCAL_REQUIREMENTS", "STATUS_REASONS", "local_requirement", "status_reason"]

#: ``local_requirements_for_adopters[].requirement`` → what the adopter must do, in words.
LOCAL_REQUIREMENTS: Final[Mapping[str, str]] = {
    "dcb0160_deployment_case": "DCB0160 deployment safety case",
    "local_cso_signoff": "Local clinical safety officer sign-off",
    "local_dpia": "Local data protection impact assessment",
    "data_processing_agreement": "Data processing agreement",
    "adopter_dspt_standards_met": "Adopter's DSPT at Standards Met",
    "lawful_procurement_route": "Lawful procurement route and contract",
    "integration_testing": "Integration testing with local systems",
    "ebme_acceptance_testing": "EBME acceptance and electrical safety testing",
    "ipc_review": "Infection prevention and control review",
    "staff_training": "Staff training",
    "local_formulary_or_product_committee": "Local formulary or product committee noting",
    "information_asset_registration": "Information asset registration",
}


def local_requirement(requirement: str, note: str) -> str:
    """A local requirement as one line: its kind in words, then the note, if any."""
    label = LOCAL_REQUIREMENTS[requirement]
    return f"{label}: {note}" if note else label


#: ``message`` status-list reasons (``innopass.status.StatusReason``) → what they mean, in words.
STATUS_REASONS: Final[Mapping[str, str]] = {
    "none": "no message",
    "superseded": "superseded by a newer passport for this record",
    "field-safety-notice": "a field safety notice was issued for the product",
    "under-review": "the assessing organisation is reviewing its assessment",
    "withdrawn-by-supplier": "withdrawn by the supplier",
    "certificate-withdrawn": "a certificate the assessment relied on expired or was withdrawn",
    "issuer-succeeded": "the assessing organisation merged into another or closed",
    "framework-retired": "a version of an assessment framework it used was retired",
}


def status_reason(message: str) -> str:
    """A status message in words (an issuer's own message, not innopass's, as it is)."""
    return STATUS_REASONS.get(message, message)
