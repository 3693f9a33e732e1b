"""The assessment record: the subject of an innovator passport, as frozen dataclasses.

The JSON form is fixed by ``schemas/assessment-record.schema.json``;
:meth:`AssessmentRecord.from_json` validates against it first and
:meth:`AssessmentRecord.to_json` gives back exactly the JSON it was built from, so
``AssessmentRecord.from_json(d).to_json() == d`` for every valid ``d`` and the
record's digest does not change on the way through.

The round trip is exact by design of the schema: a field is either required (and
may then be ``null`` where the outline says so) or optional (and then never
``null``). Here ``None`` means ``null`` for a required field and "absent" for an
optional one (``display_name``, ``question_text_hash``, ``sbom_ref``,
``extensions``). Dates are :class:`datetime.date`, instants are UTC
:class:`datetime.datetime` (the schema allows one spelling of each), decimals stay
strings, and free-form objects (trigger ``params``, ``extensions``) are kept as
they were. The members are the fields, in the schema's order; the conversion
itself is :mod:`innopass._internal.serial`'s, after the schema has passed.

:func:`template` gives a blank record to fill in and :func:`example` a complete,
valid record for each profile (the files ``examples/record-*.json``, shipped in the
package).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from innopass._internal import schema, wording
from innopass._internal.canonical import sha256_digest
from innopass._internal.jsonio import (
    JSONObject,
    dumps_pretty,
    load_file_strict,
    loads_strict,
    require_object,
)
from innopass._internal.serial import Codec, Converter, copy_json, member
from innopass.errors import ConfigurationError, MalformedInputError, SchemaProblem

__all__ = [
    "BEFORE_GO_LIVE",
    "MANDATORY_DOMAINS",
    "RECORD_FORMAT_VERSION",
    "Access",
    "Answer",
    "AssessmentRecord",
    "Assurance",
    "CareSetting",
    "ClinicalIndication",
    "ConditionCategory",
    "ConditionStatus",
    "ConformityBody",
    "Decision",
    "Deployment",
    "DeviceClass",
    "Direction",
    "Domain",
    "DomainAssessment",
    "DomainResult",
    "EsfTier",
    "EvidenceCheckResult",
    "EvidenceIssuer",
    "EvidenceItem",
    "EvidenceType",
    "EvidenceVerification",
    "EvidenceVerificationMethod",
    "FrameworkRef",
    "FrameworkType",
    "HostingLocation",
    "Identifier",
    "Integration",
    "LocalRequirement",
    "LocalRequirementType",
    "Marking",
    "OrgRef",
    "OrgRole",
    "Outcome",
    "OutcomeCondition",
    "PartyRef",
    "PatientPopulation",
    "Product",
    "ProductType",
    "ProfessionalRegistration",
    "Profile",
    "ReassessmentTrigger",
    "RegistrationBody",
    "Regulatory",
    "RegulatoryRegime",
    "Response",
    "ResponseType",
    "ResponsibleParty",
    "Reviewer",
    "ReviewerRole",
    "SchemaRef",
    "Scope",
    "ScopeVersions",
    "Score",
    "Software",
    "TriggerType",
    "UserType",
    "Validity",
    "VersionKind",
    "example",
    "local_requirement_text",
    "template",
]


class Profile(StrEnum):
    """The product profile; it fixes the mandatory domains."""

    DIGITAL = "digital"
    DEVICE = "device"
    DIAGNOSTIC = "diagnostic"


class OrgRole(StrEnum):
    """Role of an organisation."""

    NHS_TRUST = "nhs_trust"
    FOUNDATION_TRUST = "foundation_trust"
    ICB = "icb"
    NHSE_REGION = "nhse_region"
    NATIONAL_BODY = "national_body"
    ACCREDITED_ASSESSOR = "accredited_assessor"
    OTHER = "other"


class ProductType(StrEnum):
    """Kind of product."""

    SOFTWARE = "software"
    SAMD = "samd"
    DEVICE = "device"
    CONSUMABLE = "consumable"
    IVD = "ivd"
    COMBINATION = "combination"
    SERVICE = "service"


class RegulatoryRegime(StrEnum):
    """Regulatory regime a product is placed on the market under."""

    UK_MDR_2002 = "uk_mdr_2002"
    EU_MDR = "eu_mdr"
    EU_IVDR = "eu_ivdr"
    EU_MDD_LEGACY = "eu_mdd_legacy"
    EU_IVDD_LEGACY = "eu_ivdd_legacy"
    NOT_A_DEVICE = "not_a_device"
    BORDERLINE_UNDETERMINED = "borderline_undetermined"


class DeviceClass(StrEnum):
    """Device class under the regime."""

    CLASS_I = "I"
    CLASS_IS = "Is"
    CLASS_IM = "Im"
    CLASS_IR = "Ir"
    CLASS_IIA = "IIa"
    CLASS_IIB = "IIb"
    CLASS_III = "III"
    AIMD = "AIMD"
    IVD_GENERAL = "IVD_general"
    IVD_SELF_TEST = "IVD_self_test"
    IVD_LIST_A = "IVD_list_A"
    IVD_LIST_B = "IVD_list_B"
    IVD_A = "IVD_A"
    IVD_B = "IVD_B"
    IVD_C = "IVD_C"
    IVD_D = "IVD_D"
    NOT_APPLICABLE = "not_applicable"


class Marking(StrEnum):
    """Conformity marking."""

    UKCA = "UKCA"
    CE = "CE"
    UKNI = "UKNI"
    CE_AND_UKNI = "CE_and_UKNI"
    NONE = "none"


class EsfTier(StrEnum):
    """NICE Evidence Standards Framework tier."""

    A = "A"
    B = "B"
    C = "C"
    NOT_IN_SCOPE = "not_in_scope"


class Deployment(StrEnum):
    """Software deployment model."""

    SAAS = "saas"
    ON_PREMISE = "on_premise"
    HYBRID = "hybrid"
    MOBILE_APP = "mobile_app"
    EMBEDDED = "embedded"


class HostingLocation(StrEnum):
    """Where software hosts its data."""

    UK_ONLY = "uk_only"
    EEA = "eea"
    OTHER = "other"


class VersionKind(StrEnum):
    """How a scope"s version value is to be read."""

    EXACT = "exact"
    SEMVER_RANGE = "semver_range"
    UDI_DI_LIST = "udi_di_list"
    LOT_RANGE = "lot_range"


class CareSetting(StrEnum):
    """A care setting."""

    ACUTE_INPATIENT = "acute_inpatient"
    OUTPATIENT = "outpatient"
    EMERGENCY_DEPARTMENT = "emergency_department"
    THEATRES = "theatres"
    CRITICAL_CARE = "critical_care"
    MATERNITY = "maternity"
    MENTAL_HEALTH = "mental_health"
    COMMUNITY = "community"
    PRIMARY_CARE = "primary_care"
    AMBULANCE = "ambulance"
    VIRTUAL_WARD_HOME = "virtual_ward_home"
    SOCIAL_CARE = "social_care"
    PHARMACY = "pharmacy"


class PatientPopulation(StrEnum):
    """A patient population."""

    ADULT = "adult"
    PAEDIATRIC = "paediatric"
    NEONATAL = "neonatal"
    MATERNITY = "maternity"
    OLDER_PEOPLE = "older_people"
    ALL = "all"


class UserType(StrEnum):
    """A type of user."""

    CLINICIAN = "clinician"
    NURSE_MIDWIFE = "nurse_midwife"
    AHP = "ahp"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"
    CARER = "carer"
    ADMIN = "admin"


class Direction(StrEnum):
    """Direction of an integration"s data flow, seen from the product."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BIDIRECTIONAL = "bidirectional"


class FrameworkType(StrEnum):
    """An assessment framework."""

    DTAC = "dtac"
    NICE_ESF = "nice_esf"
    DCB0129 = "dcb0129"
    DSPT = "dspt"
    PAQ = "paq"
    MDS2 = "mds2"
    UK_MDR = "uk_mdr"
    PROCUREMENT_SQ = "procurement_sq"
    LOCAL_PRODUCT_EVALUATION = "local_product_evaluation"
    OTHER = "other"


class Domain(StrEnum):
    """An assessment domain."""

    CLINICAL_SAFETY = "clinical_safety"
    DATA_PROTECTION = "data_protection"
    TECHNICAL_SECURITY = "technical_security"
    INTEROPERABILITY = "interoperability"
    USABILITY_ACCESSIBILITY = "usability_accessibility"
    REGULATORY = "regulatory"
    CLINICAL_EFFECTIVENESS = "clinical_effectiveness"
    ECONOMIC_VALUE = "economic_value"
    INFECTION_PREVENTION = "infection_prevention"
    PROCUREMENT_COMMERCIAL = "procurement_commercial"
    SUSTAINABILITY = "sustainability"
    OTHER = "other"


class DomainResult(StrEnum):
    """Result of a domain assessment."""

    PASS = "pass"  # noqa: S105 (a result, not a secret)
    PASS_WITH_CONDITIONS = "pass_with_conditions"  # noqa: S105
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSED = "not_assessed"


class ResponseType(StrEnum):
    """Type of an answer"s value."""

    BOOLEAN = "boolean"
    TEXT = "text"
    ENUM = "enum"
    DATE = "date"
    DECIMAL = "decimal"
    INTEGER = "integer"


class Assurance(StrEnum):
    """How strongly a claim is backed, weakest to strongest (the order of the members)."""

    SUPPLIER_DECLARED = "supplier_declared"
    ASSESSOR_REVIEWED = "assessor_reviewed"
    ASSESSOR_VERIFIED = "assessor_verified"
    THIRD_PARTY_CERTIFIED = "third_party_certified"
    REGULATOR_OR_NATIONAL_BODY = "regulator_or_national_body"


class EvidenceType(StrEnum):
    """Kind of evidence."""

    CLINICAL_RISK_MANAGEMENT_PLAN = "clinical_risk_management_plan"
    HAZARD_LOG = "hazard_log"
    CLINICAL_SAFETY_CASE_REPORT = "clinical_safety_case_report"
    CSO_RELEASE_MEMO = "cso_release_memo"
    DPIA = "dpia"
    ICO_REGISTRATION = "ico_registration"
    DPO_RECORD = "dpo_record"
    DSPT_STATUS = "dspt_status"
    CYBER_ESSENTIALS_CERTIFICATE = "cyber_essentials_certificate"
    CYBER_ESSENTIALS_PLUS_CERTIFICATE = "cyber_essentials_plus_certificate"
    PENETRATION_TEST_SUMMARY = "penetration_test_summary"
    CODE_REVIEW_STATEMENT = "code_review_statement"
    ISO27001_CERTIFICATE = "iso27001_certificate"
    ISO13485_CERTIFICATE = "iso13485_certificate"
    DECLARATION_OF_CONFORMITY = "declaration_of_conformity"
    UKCA_CERTIFICATE = "ukca_certificate"
    CE_CERTIFICATE = "ce_certificate"
    MHRA_REGISTRATION = "mhra_registration"
    INSTRUCTIONS_FOR_USE = "instructions_for_use"
    PMS_REPORT_OR_PSUR = "pms_report_or_psur"
    FIELD_SAFETY_NOTICE = "field_safety_notice"
    PAQ_RESPONSE = "paq_response"
    MDS2 = "mds2"
    SBOM = "sbom"
    API_DOCUMENTATION = "api_documentation"
    FHIR_CAPABILITY_STATEMENT = "fhir_capability_statement"
    LOAD_TEST_REPORT = "load_test_report"
    ACCESSIBILITY_STATEMENT = "accessibility_statement"
    WCAG_AUDIT = "wcag_audit"
    USER_JOURNEYS_DATA_FLOWS = "user_journeys_data_flows"
    UAT_REPORT = "uat_report"
    SLA = "sla"
    AVAILABILITY_REPORT = "availability_report"
    CLINICAL_STUDY = "clinical_study"
    REAL_WORLD_EVIDENCE = "real_world_evidence"
    LOCAL_AUDIT_OR_SERVICE_EVALUATION = "local_audit_or_service_evaluation"
    HEALTH_ECONOMIC_MODEL = "health_economic_model"
    BUDGET_IMPACT = "budget_impact"
    NICE_GUIDANCE = "nice_guidance"
    FRAMEWORK_AWARD = "framework_award"
    CARBON_REDUCTION_PLAN = "carbon_reduction_plan"
    MODERN_SLAVERY_STATEMENT = "modern_slavery_statement"
    INSURANCE_CERTIFICATE = "insurance_certificate"
    FINANCIAL_STATEMENT = "financial_statement"
    DTAC_FORM = "dtac_form"
    OTHER = "other"


class Access(StrEnum):
    """Who may see a document."""

    PUBLIC = "public"
    NHS_ONLY = "nhs_only"
    ON_REQUEST = "on_request"
    CONFIDENTIAL = "confidential"


class EvidenceVerificationMethod(StrEnum):
    """How an assessor checked a document."""

    DOCUMENT_REVIEW = "document_review"
    REGISTRY_LOOKUP = "registry_lookup"
    INDEPENDENT_TEST = "independent_test"
    SITE_VISIT = "site_visit"
    NONE = "none"


class EvidenceCheckResult(StrEnum):
    """What an assessor"s check of a document found."""

    VERIFIED = "verified"
    DISCREPANCY = "discrepancy"
    UNABLE_TO_VERIFY = "unable_to_verify"


class ReviewerRole(StrEnum):
    """A reviewer"s role."""

    CLINICAL_SAFETY_OFFICER = "clinical_safety_officer"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    SENIOR_INFORMATION_RISK_OWNER = "senior_information_risk_owner"
    CALDICOTT_GUARDIAN = "caldicott_guardian"
    INFORMATION_GOVERNANCE_LEAD = "information_governance_lead"
    CYBER_SECURITY_LEAD = "cyber_security_lead"
    MEDICAL_DEVICES_SAFETY_OFFICER = "medical_devices_safety_officer"
    CLINICAL_ENGINEERING_EBME = "clinical_engineering_ebme"
    CLINICAL_LEAD = "clinical_lead"
    INFECTION_PREVENTION_CONTROL_LEAD = "infection_prevention_control_lead"
    PHARMACY_LEAD = "pharmacy_lead"
    PROCUREMENT_LEAD = "procurement_lead"
    HEALTH_ECONOMIST_FINANCE = "health_economist_finance"
    ACCESSIBILITY_SPECIALIST = "accessibility_specialist"
    INTEROPERABILITY_ARCHITECT = "interoperability_architect"
    DECISION_COMMITTEE_CHAIR = "decision_committee_chair"


class RegistrationBody(StrEnum):
    """A professional regulator."""

    GMC = "GMC"
    NMC = "NMC"
    HCPC = "HCPC"
    GPHC = "GPhC"
    OTHER = "other"


class Decision(StrEnum):
    """An assessment decision."""

    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    NOT_APPROVED = "not_approved"


class ConditionCategory(StrEnum):
    """Kind of condition."""

    PRE_DEPLOYMENT = "pre_deployment"
    USAGE_RESTRICTION = "usage_restriction"
    POST_DEPLOYMENT_MONITORING = "post_deployment_monitoring"
    EVIDENCE_UPDATE = "evidence_update"
    LOCAL_DEPLOYMENT = "local_deployment"
    CONTRACTUAL = "contractual"


class ResponsibleParty(StrEnum):
    """Who must meet a condition."""

    SUPPLIER = "supplier"
    ASSESSING_ORG = "assessing_org"
    ADOPTING_ORG = "adopting_org"


class ConditionStatus(StrEnum):
    """Where a condition stands."""

    OPEN = "open"
    MET = "met"
    WAIVED = "waived"
    LAPSED = "lapsed"


class TriggerType(StrEnum):
    """An event that calls for reassessment."""

    MAJOR_VERSION_RELEASE = "major_version_release"
    INTENDED_PURPOSE_CHANGE = "intended_purpose_change"
    REGULATORY_CLASS_CHANGE = "regulatory_class_change"
    NEW_OR_CHANGED_HAZARD_ABOVE_THRESHOLD = "new_or_changed_hazard_above_threshold"
    SERIOUS_INCIDENT_REPORTED = "serious_incident_reported"
    FIELD_SAFETY_NOTICE_OR_FSCA = "field_safety_notice_or_fsca"
    CERTIFICATE_EXPIRED_OR_WITHDRAWN = "certificate_expired_or_withdrawn"
    DSPT_STATUS_BELOW_STANDARDS_MET = "dspt_status_below_standards_met"
    DATA_PROCESSING_LOCATION_CHANGE = "data_processing_location_change"
    NEW_SUBPROCESSOR_OR_THIRD_PARTY_COMPONENT = "new_subprocessor_or_third_party_component"
    SUPPLIER_CHANGE_OF_CONTROL_OR_INSOLVENCY = "supplier_change_of_control_or_insolvency"
    ISSUER_ORG_DISSOLVED_OR_SUCCEEDED = "issuer_org_dissolved_or_succeeded"
    FRAMEWORK_VERSION_RETIRED = "framework_version_retired"
    NICE_GUIDANCE_CHANGED = "nice_guidance_changed"
    CONDITION_LAPSED = "condition_lapsed"


class LocalRequirementType(StrEnum):
    """Something an adopting organisation must still do itself."""

    DCB0160_DEPLOYMENT_CASE = "dcb0160_deployment_case"
    LOCAL_CSO_SIGNOFF = "local_cso_signoff"
    LOCAL_DPIA = "local_dpia"
    DATA_PROCESSING_AGREEMENT = "data_processing_agreement"
    ADOPTER_DSPT_STANDARDS_MET = "adopter_dspt_standards_met"
    LAWFUL_PROCUREMENT_ROUTE = "lawful_procurement_route"
    INTEGRATION_TESTING = "integration_testing"
    EBME_ACCEPTANCE_TESTING = "ebme_acceptance_testing"
    IPC_REVIEW = "ipc_review"
    STAFF_TRAINING = "staff_training"
    LOCAL_FORMULARY_OR_PRODUCT_COMMITTEE = "local_formulary_or_product_committee"
    INFORMATION_ASSET_REGISTRATION = "information_asset_registration"


BEFORE_GO_LIVE = "before_go_live"
"""The value of :attr:`OutcomeCondition.due` for a condition due before first use."""
RECORD_FORMAT_VERSION = "1.0.0"
"""The version of the record format these types describe (a record's ``schema.version``)."""

MANDATORY_DOMAINS: Mapping[Profile, frozenset[Domain]] = {
    Profile.DIGITAL: frozenset(
        {
            Domain.CLINICAL_SAFETY,
            Domain.DATA_PROTECTION,
            Domain.TECHNICAL_SECURITY,
            Domain.INTEROPERABILITY,
            Domain.USABILITY_ACCESSIBILITY,
        }
    ),
    Profile.DEVICE: frozenset(
        {
            Domain.REGULATORY,
            Domain.CLINICAL_EFFECTIVENESS,
            Domain.INFECTION_PREVENTION,
            Domain.ECONOMIC_VALUE,
            Domain.PROCUREMENT_COMMERCIAL,
        }
    ),
    Profile.DIAGNOSTIC: frozenset(
        {Domain.REGULATORY, Domain.CLINICAL_EFFECTIVENESS, Domain.ECONOMIC_VALUE}
    ),
}
"""The domains each profile must assess (record outline 4.4; the schema enforces them)."""


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _instant_json(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _due(value: str) -> date | str:
    return value if value == BEFORE_GO_LIVE else date.fromisoformat(value)


def _due_json(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


_CONVERTER = Converter({datetime: Codec(_instant, _instant_json)})
"""The record's converter: instants are UTC to the second, spelt ``YYYY-MM-DDThh:mm:ssZ``."""
_OPTIONAL = member(optional=True)
"""Field metadata of the optional members (absent exactly when ``None``)."""


class _Part:
    """A part of the record, converted to and from JSON by its fields' declarations."""

    __slots__ = ()

    def to_json(self) -> JSONObject:
        """The JSON form, as the schema spells it (optional members omitted when ``None``)."""
        return _CONVERTER.to_json(self)


@dataclass(frozen=True, slots=True)
class SchemaRef(_Part):
    """The schema a record was written against."""

    id: str
    version: str


@dataclass(frozen=True, slots=True)
class OrgRef(_Part):
    """An organisation as it was on the issue date; ``ods_code`` is an ODS code."""

    ods_code: str
    name_at_issue: str
    org_role: OrgRole
    parent_icb_ods: str | None


@dataclass(frozen=True, slots=True)
class Identifier(_Part):
    """An identifier in a named scheme (the schema fixes the schemes allowed where)."""

    scheme: str
    value: str


@dataclass(frozen=True, slots=True)
class PartyRef(_Part):
    """A supplier or manufacturer, with its UK responsible person when it is outside the UK."""

    legal_name: str
    identifiers: tuple[Identifier, ...]
    uk_responsible_person: PartyRef | None
    manufacturer_is_supplier: bool


@dataclass(frozen=True, slots=True)
class ConformityBody(_Part):
    """A UK Approved Body or EU Notified Body."""

    name: str
    number: str


@dataclass(frozen=True, slots=True)
class Regulatory(_Part):
    """Medical-device regulatory status; ``certificates`` are evidence ids."""

    is_medical_device: bool
    regime: RegulatoryRegime
    device_class: DeviceClass
    marking: Marking
    conformity_body: ConformityBody | None
    certificates: tuple[str, ...]
    ce_acceptance_end: date | None


@dataclass(frozen=True, slots=True)
class Software(_Part):
    """How software is deployed and hosted; ``sbom_ref`` (an evidence id) is optional."""

    deployment: Deployment
    hosting_location: HostingLocation
    sbom_ref: str | None = field(default=None, metadata=_OPTIONAL)


@dataclass(frozen=True, slots=True)
class Product(_Part):
    """The product assessed."""

    name: str
    description: str
    intended_purpose: str
    product_type: ProductType
    identifiers: tuple[Identifier, ...]
    regulatory: Regulatory
    nice_esf_tier: EsfTier
    software: Software | None


@dataclass(frozen=True, slots=True)
class ScopeVersions(_Part):
    """Which versions, UDI-DIs or lots an assessment covers; ``kind`` says how to read ``value``."""

    kind: VersionKind
    value: str


@dataclass(frozen=True, slots=True)
class ClinicalIndication(_Part):
    """A SNOMED CT concept: ``code`` (concept id) and ``display``."""

    code: str
    display: str


@dataclass(frozen=True, slots=True)
class Integration(_Part):
    """An integration that was assessed (e.g. an EPR over FHIR R4 UK Core)."""

    system: str
    standard: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class Scope(_Part):
    """What an assessment covers; an adopter's context is matched against it."""

    versions: ScopeVersions
    care_settings: tuple[CareSetting, ...]
    patient_populations: tuple[PatientPopulation, ...]
    user_types: tuple[UserType, ...]
    clinical_indications: tuple[ClinicalIndication, ...]
    integrations_assessed: tuple[Integration, ...]
    exclusions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FrameworkRef(_Part):
    """An assessment framework and version; domains refer to it by ``id``."""

    id: str
    framework: FrameworkType
    version: str
    url: str


@dataclass(frozen=True, slots=True)
class Response(_Part):
    """A typed answer: ``value`` is a bool, an int, or a string (text, code, date or decimal)."""

    type: ResponseType
    value: bool | int | str


@dataclass(frozen=True, slots=True)
class Answer(_Part):
    """One answered question; ``question_text_hash`` is optional."""

    question_code: str
    question_text_hash: str | None = field(default=None, kw_only=True, metadata=_OPTIONAL)
    response: Response
    evidence_refs: tuple[str, ...]
    assurance: Assurance


@dataclass(frozen=True, slots=True)
class Score(_Part):
    """A score such as a DTAC percentage; ``value`` and ``max`` are decimal strings."""

    value: str
    max: str
    method: str


@dataclass(frozen=True, slots=True)
class DomainAssessment(_Part):
    """The assessment of one domain; ``framework`` is a :class:`FrameworkRef` id."""

    domain: Domain
    framework: str
    result: DomainResult
    score: Score | None
    not_applicable_reason: str | None
    answers: tuple[Answer, ...]
    reviewer_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceIssuer(_Part):
    """Who issued a document (e.g. IASME, a CREST pen-test provider, MHRA)."""

    name: str
    identifier: Identifier | None


@dataclass(frozen=True, slots=True)
class EvidenceVerification(_Part):
    """How the assessor checked a document; ``checked_by`` is a reviewer id."""

    method: EvidenceVerificationMethod
    source: str | None
    checked_by: str
    checked_at: datetime
    result: EvidenceCheckResult


@dataclass(frozen=True, slots=True)
class EvidenceItem(_Part):
    """A document relied on: hashed (``sha256`` of its exact bytes) and referenced, never embedded.

    When ``mandatory`` is true its ``valid_until`` caps the record's validity
    (:meth:`AssessmentRecord.effective_valid_until`).
    """

    evidence_id: str
    title: str
    type: EvidenceType
    issuer: EvidenceIssuer
    covers_version: str | None
    issued_on: date
    valid_until: date | None
    document_version: str | None
    sha256: str
    media_type: str
    size_bytes: int
    locations: tuple[str, ...]
    access: Access
    verification: EvidenceVerification
    assurance: Assurance
    mandatory: bool


@dataclass(frozen=True, slots=True)
class ProfessionalRegistration(_Part):
    """Registration with a professional regulator (GMC, NMC, HCPC, GPhC)."""

    body: RegistrationBody
    number: str


@dataclass(frozen=True, slots=True)
class Reviewer(_Part):
    """A reviewer; the name (``display_name``) is optional, the sign-off is not."""

    reviewer_id: str
    role: ReviewerRole
    display_name: str | None = field(default=None, kw_only=True, metadata=_OPTIONAL)
    professional_registration: ProfessionalRegistration | None
    organisation: OrgRef
    signed_off: bool
    signed_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutcomeCondition(_Part):
    """A condition of the outcome; ``due`` is a date, :data:`BEFORE_GO_LIVE` or ``None``."""

    condition_id: str
    text: str
    category: ConditionCategory
    responsible_party: ResponsibleParty
    due: date | str | None = field(metadata=member(codec=Codec(_due, _due_json)))
    blocking: bool
    applies_to_adopters: bool
    status: ConditionStatus
    evidence_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome(_Part):
    """The decision, by whom, why, and on what conditions."""

    decision: Decision
    decided_on: date
    decision_body: str
    rationale: str
    conditions: tuple[OutcomeCondition, ...]


@dataclass(frozen=True, slots=True)
class ReassessmentTrigger(_Part):
    """An event that calls for reassessment, with free-form ``params``."""

    trigger: TriggerType
    params: JSONObject


@dataclass(frozen=True, slots=True)
class Validity(_Part):
    """When the decision holds. Dates; an end date means the end of that day in UTC."""

    valid_from: date
    valid_until: date
    review_due: date
    reassessment_triggers: tuple[ReassessmentTrigger, ...]


@dataclass(frozen=True, slots=True)
class LocalRequirement(_Part):
    """Something an adopting organisation must still do itself."""

    requirement: LocalRequirementType
    note: str

    @property
    def text(self) -> str:
        """One readable line: the requirement in words, then the note if there is one."""
        return local_requirement_text(self.requirement, self.note)


def local_requirement_text(requirement: LocalRequirementType | str, note: str) -> str:
    """A local requirement as one readable line: its kind in words, then the note, if any.

    ``requirement`` is a :class:`LocalRequirementType` (or its value, from a record
    already validated against the schema).
    """
    return wording.local_requirement(str(LocalRequirementType(requirement)), note)


@dataclass(frozen=True, slots=True)
class AssessmentRecord(_Part):
    """One assessment decision about one product: the subject of an innovator passport.

    Build it with :meth:`from_json` or :meth:`load`, which validate it against the
    record schema; ``to_json()`` gives the same JSON back.
    """

    schema: SchemaRef
    record_id: str
    record_version: int
    supersedes: str | None
    issued_at: datetime
    profile: Profile
    assessing_org: OrgRef
    supplier: PartyRef
    product: Product
    scope: Scope
    frameworks: tuple[FrameworkRef, ...]
    domains: tuple[DomainAssessment, ...]
    evidence: tuple[EvidenceItem, ...]
    reviewers: tuple[Reviewer, ...]
    outcome: Outcome
    validity: Validity
    local_requirements_for_adopters: tuple[LocalRequirement, ...]
    extensions: dict[str, JSONObject] | None = field(default=None, metadata=_OPTIONAL)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AssessmentRecord:
        """Validate ``obj`` (parsed JSON) against the record schema and build the record.

        Raises :class:`~innopass.errors.RecordInvalidError` listing every problem.
        """
        instance = dict(obj)
        schema.validate(instance)
        return _CONVERTER.from_json(cls, instance)

    @classmethod
    def load(cls, path: str | Path) -> AssessmentRecord:
        """Read a record file strictly and validate it.

        Raises :class:`~innopass.errors.MalformedInputError` for a file that cannot be
        read or is not JSON, :class:`~innopass.errors.RecordInvalidError` for one that
        fails the schema.
        """
        return cls.from_json(require_object(load_file_strict(path), what="record"))

    def to_json(self) -> JSONObject:
        """The record's JSON, equal to what it was built from (a fresh copy each call)."""
        return _CONVERTER.to_json(self)

    def dumps(self) -> str:
        """Pretty JSON for people (signatures and digests use :meth:`digest`'s canonical form)."""
        return dumps_pretty(self.to_json())

    def digest(self) -> str:
        """Hex SHA-256 of the record's RFC 8785 canonical form."""
        return sha256_digest(self.to_json())

    @property
    def product_name(self) -> str:
        """The product's name."""
        return self.product.name

    @property
    def outcome_decision(self) -> Decision:
        """The decision: approved, approved with conditions, or not approved."""
        return self.outcome.decision

    def effective_valid_until(self) -> datetime:
        """When the decision stops holding: the earliest of ``validity.valid_until`` and the
        ``valid_until`` of every mandatory evidence item, each at the end of its day (UTC).
        """
        days = [self.validity.valid_until]
        days.extend(e.valid_until for e in self.evidence if e.mandatory and e.valid_until)
        return _end_of_day(min(days))

    def problems(self, *, now: datetime, ods_code: str | None = None) -> tuple[SchemaProblem, ...]:
        """The record rules a JSON Schema cannot state, each with its JSON pointer.

        The one place ``innopass record validate`` and :meth:`Issuer.prepare
        <innopass.issuer.Issuer.prepare>` check them:

        - every cross-reference resolves: ``evidence_refs`` (answers, conditions),
          ``reviewer_refs``, a domain's ``framework``, ``regulatory.certificates``,
          ``software.sbom_ref``, ``verification.checked_by``, a trigger's
          ``evidence_ids``; and evidence, reviewer, framework and condition ids are
          unique;
        - no mandatory evidence has expired at ``now``, the record's validity has not
          ended, and its mandatory evidence does not expire before its validity starts;
        - with ``ods_code`` (the issuing organisation), the record names it as
          ``assessing_org``.
        """
        out: list[SchemaProblem] = []
        evidence = _ids(out, "evidence", [e.evidence_id for e in self.evidence], "evidence_id")
        reviewers = _ids(out, "reviewers", [r.reviewer_id for r in self.reviewers], "reviewer_id")
        frameworks = _ids(out, "frameworks", [f.id for f in self.frameworks], "id")
        conditions = [c.condition_id for c in self.outcome.conditions]
        _ids(out, "outcome/conditions", conditions, "condition_id")

        def ref(path: str, value: str, known: set[str], what: str) -> None:
            if value not in known:
                out.append(SchemaProblem(path, f"no {what} with id {value!r}"))

        def refs(path: str, values: tuple[str, ...], known: set[str], what: str) -> None:
            for n, value in enumerate(values):
                if value not in known:
                    out.append(SchemaProblem(f"{path}/{n}", f"no {what} with id {value!r}"))

        for d, domain in enumerate(self.domains):
            ref(f"/domains/{d}/framework", domain.framework, frameworks, "framework")
            refs(f"/domains/{d}/reviewer_refs", domain.reviewer_refs, reviewers, "reviewer")
            for a, answer in enumerate(domain.answers):
                refs(
                    f"/domains/{d}/answers/{a}/evidence_refs",
                    answer.evidence_refs,
                    evidence,
                    "evidence",
                )
        for c, condition in enumerate(self.outcome.conditions):
            refs(
                f"/outcome/conditions/{c}/evidence_refs",
                condition.evidence_refs,
                evidence,
                "evidence",
            )
        refs(
            "/product/regulatory/certificates",
            self.product.regulatory.certificates,
            evidence,
            "evidence",
        )
        software = self.product.software
        if software is not None and software.sbom_ref is not None:
            ref("/product/software/sbom_ref", software.sbom_ref, evidence, "evidence")
        for e, item in enumerate(self.evidence):
            checked_by = item.verification.checked_by
            ref(f"/evidence/{e}/verification/checked_by", checked_by, reviewers, "reviewer")
        for n, trigger in enumerate(self.validity.reassessment_triggers):
            listed = (
                trigger.params.get("evidence_ids") if isinstance(trigger.params, dict) else None
            )
            if isinstance(listed, list):
                named = tuple(v for v in listed if isinstance(v, str))
                refs(
                    f"/validity/reassessment_triggers/{n}/params/evidence_ids",
                    named,
                    evidence,
                    "evidence",
                )
        today = now.astimezone(UTC).date()
        for e, item in enumerate(self.evidence):
            if item.mandatory and item.valid_until is not None and item.valid_until < today:
                out.append(
                    SchemaProblem(
                        f"/evidence/{e}/valid_until",
                        f"mandatory evidence {item.evidence_id!r} expired on "
                        f"{item.valid_until.isoformat()}: renew it, or make it not mandatory",
                    )
                )
        if ods_code is not None and self.assessing_org.ods_code != ods_code:
            out.append(
                SchemaProblem(
                    "/assessing_org/ods_code",
                    f"{self.assessing_org.ods_code!r} is not this organisation ({ods_code})",
                )
            )
        valid_until = self.effective_valid_until()
        if self.validity.valid_until < today:
            out.append(SchemaProblem("/validity/valid_until", "the record's validity has ended"))
        elif valid_until <= datetime.combine(self.validity.valid_from, time(), tzinfo=UTC):
            out.append(
                SchemaProblem(
                    "/validity/valid_from",
                    "the record's mandatory evidence expires before its validity starts",
                )
            )
        return tuple(out)

    def local_actions(self) -> tuple[str, ...]:
        """What an adopting organisation must still do itself, one readable line each."""
        return tuple(r.text for r in self.local_requirements_for_adopters)

    def blocking_conditions(self) -> tuple[OutcomeCondition, ...]:
        """Conditions that must be met before use and are not yet met or waived."""
        done = (ConditionStatus.MET, ConditionStatus.WAIVED)
        return tuple(c for c in self.outcome.conditions if c.blocking and c.status not in done)


def _ids(out: list[SchemaProblem], where: str, ids: list[str], key: str) -> set[str]:
    """The ids of one kind, with a problem for each one given twice."""
    seen: set[str] = set()
    for n, value in enumerate(ids):
        if value in seen:
            out.append(SchemaProblem(f"/{where}/{n}/{key}", f"id {value!r} is given twice"))
        seen.add(value)
    return seen


def template() -> JSONObject:
    """A blank record to fill in: every required key, with empty placeholders.

    It is not valid until filled in; ``innopass record validate`` lists what is left.
    Booleans and enumerations are left as ``""`` so that none is answered by default.
    """
    org: JSONObject = {"ods_code": "", "name_at_issue": "", "org_role": "", "parent_icb_ods": None}
    return {
        "schema": {"id": schema.RECORD_SCHEMA_ID, "version": RECORD_FORMAT_VERSION},
        "record_id": "",
        "record_version": 1,
        "supersedes": None,
        "issued_at": "",
        "profile": "",
        "assessing_org": org,
        "supplier": {
            "legal_name": "",
            "identifiers": [],
            "uk_responsible_person": None,
            "manufacturer_is_supplier": "",
        },
        "product": {
            "name": "",
            "description": "",
            "intended_purpose": "",
            "product_type": "",
            "identifiers": [],
            "regulatory": {
                "is_medical_device": "",
                "regime": "",
                "device_class": "",
                "marking": "",
                "conformity_body": None,
                "certificates": [],
                "ce_acceptance_end": None,
            },
            "nice_esf_tier": "",
            "software": None,
        },
        "scope": {
            "versions": {"kind": "", "value": ""},
            "care_settings": [],
            "patient_populations": [],
            "user_types": [],
            "clinical_indications": [],
            "integrations_assessed": [],
            "exclusions": [],
        },
        "frameworks": [],
        "domains": [],
        "evidence": [],
        "reviewers": [],
        "outcome": {
            "decision": "",
            "decided_on": "",
            "decision_body": "",
            "rationale": "",
            "conditions": [],
        },
        "validity": {
            "valid_from": "",
            "valid_until": "",
            "review_due": "",
            "reassessment_triggers": [],
        },
        "local_requirements_for_adopters": [],
    }


_EXAMPLE_FILES: Mapping[Profile, str] = {
    Profile.DEVICE: "record-device-wound-dressing.json",
    Profile.DIGITAL: "record-digital.json",
    Profile.DIAGNOSTIC: "record-diagnostic-rapid-flu.json",
}
"""Each profile's example record: ``examples/<file>``, shipped as ``innopass/examples/<file>``."""
_REPO_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@cache
def _example(name: str) -> JSONObject:
    """The example record file ``name``, parsed once (from the package, else the source tree)."""
    try:
        packaged = files("innopass") / "examples" / name
        data = packaged.read_bytes() if packaged.is_file() else None
    except (ModuleNotFoundError, OSError):
        data = None  # not installed as a package: fall back to the source checkout
    try:
        if data is None:
            data = (_REPO_EXAMPLES / name).read_bytes()
        return require_object(loads_strict(data), what=f"example record {name}")
    except (OSError, MalformedInputError) as exc:
        raise ConfigurationError(f"example record {name!r} is not packaged with innopass") from exc


def example(profile: Profile | str = Profile.DEVICE) -> JSONObject:
    """A complete, valid example record for ``profile`` (``device``, ``digital`` or ``diagnostic``).

    The products and suppliers are fictional; the assessing trusts are real NHS
    organisations. Evidence digests stand for documents that are not shipped. The
    records are the files ``examples/record-*.json``; each call returns a fresh copy.
    Raises :class:`~innopass.errors.ConfigurationError` for an unknown profile.
    """
    try:
        chosen = Profile(profile)
    except ValueError:
        raise ConfigurationError(
            f"no example for profile {profile!r}: choose device, digital or diagnostic"
        ) from None
    fresh: JSONObject = copy_json(_example(_EXAMPLE_FILES[chosen]))
    return fresh
