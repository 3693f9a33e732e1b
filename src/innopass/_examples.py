"""The example records behind ``innopass record example`` and ``examples/*.json``.

The products and suppliers are fictional; the assessing trusts are real NHS
organisations. Evidence digests stand for documents that are not shipped.
"""

from __future__ import annotations

import copy
import hashlib

from innopass import schema
from innopass._json import JSONObject, JSONValue
from innopass.record import RECORD_FORMAT_VERSION

_PDF = "application/pdf"


def _org(ods: str, name: str, role: str, icb: str | None) -> JSONObject:
    return {"ods_code": ods, "name_at_issue": name, "org_role": role, "parent_icb_ods": icb}


def _ident(scheme: str, value: str) -> JSONObject:
    return {"scheme": scheme, "value": value}


def _answer(code: str, kind: str, value: JSONValue, refs: list[str], assurance: str) -> JSONObject:
    return {
        "question_code": code,
        "response": {"type": kind, "value": value},
        "evidence_refs": list(refs),
        "assurance": assurance,
    }


def _reviewer(
    reviewer_id: str,
    role: str,
    name: str,
    registration: tuple[str, str] | None,
    org: JSONObject,
    signed_at: str,
) -> JSONObject:
    return {
        "reviewer_id": reviewer_id,
        "role": role,
        "display_name": name,
        "professional_registration": (
            None if registration is None else {"body": registration[0], "number": registration[1]}
        ),
        "organisation": copy.deepcopy(org),
        "signed_off": True,
        "signed_at": signed_at,
    }


def _evidence(
    record: str,
    evidence_id: str,
    title: str,
    kind: str,
    *,
    issuer: str,
    issuer_id: JSONObject | None = None,
    covers_version: str | None,
    issued_on: str,
    valid_until: str | None,
    document_version: str | None,
    size_bytes: int,
    location: str,
    access: str,
    check: tuple[str, str | None, str, str, str],
    assurance: str,
    mandatory: bool,
    media_type: str = _PDF,
) -> JSONObject:
    method, source, checked_by, checked_at, result = check
    digest = hashlib.sha256(
        f"innopass example document {record}/{evidence_id}".encode()
    ).hexdigest()
    return {
        "evidence_id": evidence_id,
        "title": title,
        "type": kind,
        "issuer": {"name": issuer, "identifier": issuer_id},
        "covers_version": covers_version,
        "issued_on": issued_on,
        "valid_until": valid_until,
        "document_version": document_version,
        "sha256": digest,
        "media_type": media_type,
        "size_bytes": size_bytes,
        "locations": [location],
        "access": access,
        "verification": {
            "method": method,
            "source": source,
            "checked_by": checked_by,
            "checked_at": checked_at,
            "result": result,
        },
        "assurance": assurance,
        "mandatory": mandatory,
    }


def _local(requirement: str, note: str) -> JSONObject:
    return {"requirement": requirement, "note": note}


def _trigger(trigger: str, params: JSONObject | None = None) -> JSONObject:
    return {"trigger": trigger, "params": params or {}}


def device() -> JSONObject:
    rf4 = _org(
        "RF4",
        "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST",
        "nhs_trust",
        "QMF",
    )
    docs = "https://supplier.meridianwound.example/documents/"
    rec = "device"
    evidence: list[JSONValue] = [
        _evidence(
            rec,
            "ev-doc",
            "Declaration of Conformity, ArgentaCare Ag (UK MDR 2002)",
            "declaration_of_conformity",
            issuer="Meridian Wound Science Ltd",
            issuer_id=_ident("companies_house", "14829307"),
            covers_version="UDI-DI 05060981230013, 05060981230020",
            issued_on="2025-06-02",
            valid_until=None,
            document_version="DoC-AGC-004 rev 3",
            size_bytes=184_320,
            location=docs + "doc-agc-004-r3.pdf",
            access="public",
            check=("document_review", None, "rev-mdso", "2026-02-17T14:05:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-ukca-cert",
            "UKCA certificate, Annex II full quality assurance (class III)",
            "ukca_certificate",
            issuer="BSI Assurance UK Ltd (UK Approved Body 0086)",
            covers_version="UDI-DI 05060981230013, 05060981230020",
            issued_on="2025-05-27",
            valid_until="2028-05-26",
            document_version="UKCA 771204 issue 2",
            size_bytes=96_512,
            location=docs + "ukca-771204.pdf",
            access="public",
            check=(
                "registry_lookup",
                "https://www.gov.uk/government/publications/uk-approved-bodies-for-medical-devices",
                "rev-mdso",
                "2026-02-17T14:20:00Z",
                "verified",
            ),
            assurance="third_party_certified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-mhra-reg",
            "MHRA device registration record",
            "mhra_registration",
            issuer="Medicines and Healthcare products Regulatory Agency",
            covers_version=None,
            issued_on="2025-06-10",
            valid_until=None,
            document_version=None,
            size_bytes=41_230,
            location="https://pard.mhra.gov.uk/",
            access="public",
            check=(
                "registry_lookup",
                "https://pard.mhra.gov.uk/",
                "rev-mdso",
                "2026-02-17T14:30:00Z",
                "verified",
            ),
            assurance="assessor_verified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-iso13485",
            "ISO 13485:2016 certificate, design and manufacture of wound care products",
            "iso13485_certificate",
            issuer="BSI Assurance UK Ltd",
            covers_version=None,
            issued_on="2024-10-01",
            valid_until="2027-09-30",
            document_version="MD 744310",
            size_bytes=88_064,
            location=docs + "iso13485-md744310.pdf",
            access="public",
            check=(
                "registry_lookup",
                "https://www.bsigroup.com/en-GB/validate-bsi-issued-certificates/",
                "rev-mdso",
                "2026-02-17T14:40:00Z",
                "verified",
            ),
            assurance="third_party_certified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-ifu",
            "Instructions for use, ArgentaCare Ag",
            "instructions_for_use",
            issuer="Meridian Wound Science Ltd",
            covers_version="UDI-DI 05060981230013, 05060981230020",
            issued_on="2025-06-02",
            valid_until=None,
            document_version="IFU-AGC-EN rev 5",
            size_bytes=512_004,
            location=docs + "ifu-agc-en-r5.pdf",
            access="public",
            check=("document_review", None, "rev-tvn", "2026-02-19T10:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-eval",
            "Service evaluation: surgical site infection after cardiac and "
            "orthopaedic surgery, Queen's Hospital, 2025",
            "local_audit_or_service_evaluation",
            issuer="Barking, Havering and Redbridge University Hospitals NHS Trust",
            issuer_id=_ident("other", "ODS RF4"),
            covers_version="UDI-DI 05060981230013",
            issued_on="2025-12-05",
            valid_until=None,
            document_version="v1.2",
            size_bytes=1_204_224,
            location="https://nhs.example/rf4/evaluations/argentacare-ssi-2025.pdf",
            access="nhs_only",
            check=("document_review", None, "rev-ipc", "2026-02-20T09:30:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-hem",
            "Budget impact and cost-consequence model, 12 months",
            "health_economic_model",
            issuer="Meridian Wound Science Ltd",
            covers_version=None,
            issued_on="2025-11-14",
            valid_until=None,
            document_version="v2.0",
            size_bytes=348_160,
            location=docs + "argentacare-cost-model-v2.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            access="on_request",
            check=("document_review", None, "rev-fin", "2026-02-24T11:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=False,
        ),
        _evidence(
            rec,
            "ev-insurance",
            "Product liability insurance certificate",
            "insurance_certificate",
            issuer="Meridian Wound Science Ltd",
            covers_version=None,
            issued_on="2025-09-01",
            valid_until="2026-08-31",
            document_version=None,
            size_bytes=65_536,
            location=docs + "insurance-2025-26.pdf",
            access="on_request",
            check=("document_review", None, "rev-proc", "2026-02-24T15:00:00Z", "verified"),
            assurance="supplier_declared",
            mandatory=False,
        ),
    ]
    return {
        "schema": {"id": schema.RECORD_SCHEMA_ID, "version": RECORD_FORMAT_VERSION},
        "record_id": "urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735",
        "record_version": 1,
        "supersedes": None,
        "issued_at": "2026-03-16T10:30:00Z",
        "profile": "device",
        "assessing_org": rf4,
        "supplier": {
            "legal_name": "Meridian Wound Science Ltd",
            "identifiers": [
                _ident("companies_house", "14829307"),
                _ident("gln", "5060981230006"),
            ],
            "uk_responsible_person": None,
            "manufacturer_is_supplier": True,
        },
        "product": {
            "name": "ArgentaCare Ag silver alginate dressing",
            "description": (
                "Sterile, non-woven calcium alginate and carboxymethylcellulose dressing "
                "containing 1.2% ionic silver, in 10 cm x 10 cm and 15 cm x 15 cm."
            ),
            "intended_purpose": (
                "For the management of moderately to heavily exuding partial- and "
                "full-thickness wounds that are infected or at risk of infection, including "
                "surgical wounds, leg ulcers and pressure ulcers. The ionic silver acts as "
                "an antimicrobial within the dressing."
            ),
            "product_type": "consumable",
            "identifiers": [
                _ident("gtin", "05060981230013"),
                _ident("gtin", "05060981230020"),
                _ident("nhs_supply_chain_npc", "ELW482"),
            ],
            "regulatory": {
                "is_medical_device": True,
                "regime": "uk_mdr_2002",
                "device_class": "III",
                "marking": "UKCA",
                "conformity_body": {"name": "BSI Assurance UK Ltd", "number": "0086"},
                "certificates": ["ev-ukca-cert"],
                "ce_acceptance_end": None,
            },
            "nice_esf_tier": "not_in_scope",
            "software": None,
        },
        "scope": {
            "versions": {"kind": "udi_di_list", "value": "05060981230013, 05060981230020"},
            "care_settings": ["acute_inpatient", "outpatient", "community"],
            "patient_populations": ["adult", "older_people"],
            "user_types": ["clinician", "nurse_midwife"],
            "clinical_indications": [{"code": "76844004", "display": "Local infection of wound"}],
            "integrations_assessed": [],
            "exclusions": [
                "Use in neonates and children (not assessed)",
                "Use on patients with a known sensitivity to silver or alginates",
                "Use as a haemostat or as a surgical implant",
            ],
        },
        "frameworks": [
            {
                "id": "fw-ukmdr",
                "framework": "uk_mdr",
                "version": "UK MDR 2002 (SI 2002/618) as amended",
                "url": "https://www.legislation.gov.uk/uksi/2002/618/contents",
            },
            {
                "id": "fw-eval",
                "framework": "local_product_evaluation",
                "version": "BHRUT clinical product evaluation process v3 (2025)",
                "url": "https://www.bhrhospitals.nhs.uk/",
            },
            {
                "id": "fw-sq",
                "framework": "procurement_sq",
                "version": "Procurement Act 2023 supplier assessment (2025)",
                "url": "https://www.legislation.gov.uk/ukpga/2023/54/contents",
            },
        ],
        "domains": [
            {
                "domain": "regulatory",
                "framework": "fw-ukmdr",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer(
                        "REG-1",
                        "boolean",
                        True,
                        ["ev-ukca-cert", "ev-doc"],
                        "third_party_certified",
                    ),
                    _answer(
                        "REG-2",
                        "text",
                        "Class III (rule 13, medicinal substance: silver)",
                        ["ev-doc"],
                        "assessor_reviewed",
                    ),
                    _answer("REG-3", "boolean", True, ["ev-mhra-reg"], "assessor_verified"),
                    _answer(
                        "REG-4", "date", "2027-09-30", ["ev-iso13485"], "third_party_certified"
                    ),
                ],
                "reviewer_refs": ["rev-mdso"],
            },
            {
                "domain": "clinical_effectiveness",
                "framework": "fw-eval",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("CE-1", "decimal", "38", ["ev-eval"], "assessor_reviewed"),
                    _answer("CE-2", "integer", 412, ["ev-eval"], "assessor_reviewed"),
                    _answer(
                        "CE-3", "enum", "comparable_or_better", ["ev-eval"], "assessor_reviewed"
                    ),
                ],
                "reviewer_refs": ["rev-tvn", "rev-ipc"],
            },
            {
                "domain": "infection_prevention",
                "framework": "fw-eval",
                "result": "pass_with_conditions",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("IPC-1", "boolean", True, ["ev-ifu"], "assessor_reviewed"),
                    _answer(
                        "IPC-2",
                        "text",
                        "Single use; sterile until opened; discard any unused part of a dressing.",
                        ["ev-ifu"],
                        "supplier_declared",
                    ),
                ],
                "reviewer_refs": ["rev-ipc"],
            },
            {
                "domain": "economic_value",
                "framework": "fw-eval",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("EV-1", "decimal", "103250.00", ["ev-hem"], "assessor_reviewed"),
                    _answer("EV-2", "enum", "cost_saving", ["ev-hem"], "assessor_reviewed"),
                ],
                "reviewer_refs": ["rev-fin"],
            },
            {
                "domain": "procurement_commercial",
                "framework": "fw-sq",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("PC-1", "boolean", True, [], "assessor_verified"),
                    _answer("PC-2", "boolean", True, ["ev-insurance"], "supplier_declared"),
                ],
                "reviewer_refs": ["rev-proc"],
            },
        ],
        "evidence": evidence,
        "reviewers": [
            _reviewer(
                "rev-mdso",
                "medical_devices_safety_officer",
                "Medical devices safety officer",
                ("NMC", "09A1234E"),
                rf4,
                "2026-03-02T16:00:00Z",
            ),
            _reviewer(
                "rev-tvn",
                "clinical_lead",
                "Consultant nurse, tissue viability",
                ("NMC", "04I5678E"),
                rf4,
                "2026-03-03T12:15:00Z",
            ),
            _reviewer(
                "rev-ipc",
                "infection_prevention_control_lead",
                "Lead nurse, infection prevention",
                ("NMC", "97Y0123E"),
                rf4,
                "2026-03-04T09:40:00Z",
            ),
            _reviewer(
                "rev-fin",
                "health_economist_finance",
                "Finance business partner",
                None,
                rf4,
                "2026-03-05T11:20:00Z",
            ),
            _reviewer(
                "rev-proc",
                "procurement_lead",
                "Category manager, clinical consumables",
                None,
                rf4,
                "2026-03-05T15:45:00Z",
            ),
            _reviewer(
                "rev-chair",
                "decision_committee_chair",
                "Chair, Medical Devices Group",
                ("GMC", "4712093"),
                rf4,
                "2026-03-12T17:00:00Z",
            ),
        ],
        "outcome": {
            "decision": "approved_with_conditions",
            "decided_on": "2026-03-12",
            "decision_body": "Medical Devices Group",
            "rationale": (
                "Valid UKCA class III certification and MHRA registration. The local service "
                "evaluation showed a 38% reduction in surgical site infection in the wounds "
                "dressed, with a net saving of about GBP 103,000 a year. Silver dressings are "
                "to be used for a limited time, under tissue viability guidance."
            ),
            "conditions": [
                {
                    "condition_id": "cond-1",
                    "text": (
                        "Use for no more than two weeks on one wound without a documented review "
                        "by a tissue viability nurse (antimicrobial stewardship)."
                    ),
                    "category": "usage_restriction",
                    "responsible_party": "adopting_org",
                    "due": None,
                    "blocking": False,
                    "applies_to_adopters": True,
                    "status": "open",
                    "evidence_refs": ["ev-ifu"],
                },
                {
                    "condition_id": "cond-2",
                    "text": "Staff who apply the dressing are trained in its use before first use.",
                    "category": "pre_deployment",
                    "responsible_party": "adopting_org",
                    "due": "before_go_live",
                    "blocking": True,
                    "applies_to_adopters": True,
                    "status": "open",
                    "evidence_refs": [],
                },
                {
                    "condition_id": "cond-3",
                    "text": "The supplier sends its next periodic safety update report.",
                    "category": "evidence_update",
                    "responsible_party": "supplier",
                    "due": "2026-09-30",
                    "blocking": False,
                    "applies_to_adopters": False,
                    "status": "open",
                    "evidence_refs": [],
                },
            ],
        },
        "validity": {
            "valid_from": "2026-03-16",
            "valid_until": "2027-09-30",
            "review_due": "2027-03-15",
            "reassessment_triggers": [
                _trigger("regulatory_class_change"),
                _trigger("field_safety_notice_or_fsca"),
                _trigger("serious_incident_reported"),
                _trigger(
                    "certificate_expired_or_withdrawn",
                    {"evidence_ids": ["ev-ukca-cert", "ev-iso13485"]},
                ),
                _trigger("major_version_release", {"udi_di_change": True}),
            ],
        },
        "local_requirements_for_adopters": [
            _local(
                "ipc_review",
                "Local infection prevention and control review of storage, use and disposal.",
            ),
            _local(
                "staff_training",
                "Train the nurses who will apply it; the supplier provides training at no cost.",
            ),
            _local(
                "local_formulary_or_product_committee",
                "Note the product at the wound care formulary group.",
            ),
            _local(
                "lawful_procurement_route",
                "Buy through NHS Supply Chain (NPC ELW482) or another lawful route.",
            ),
        ],
    }


def digital() -> JSONObject:
    rj1 = _org("RJ1", "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "foundation_trust", "QKK")
    docs = "https://trust.kestrelremotecare.example/"
    rec = "digital"
    evidence: list[JSONValue] = [
        _evidence(
            rec,
            "ev-cscr",
            "Clinical Safety Case Report, Kestrel Virtual Ward 3.4",
            "clinical_safety_case_report",
            issuer="Kestrel Remote Care Ltd",
            covers_version="3.4",
            issued_on="2026-05-11",
            valid_until=None,
            document_version="CSCR-KVW-3.4 v1.1",
            size_bytes=902_144,
            location=docs + "safety/cscr-3.4.pdf",
            access="nhs_only",
            check=("document_review", None, "rev-cso", "2026-06-15T10:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-hazard-log",
            "Hazard log, Kestrel Virtual Ward 3.4",
            "hazard_log",
            issuer="Kestrel Remote Care Ltd",
            covers_version="3.4",
            issued_on="2026-05-11",
            valid_until=None,
            document_version="HL-KVW v27",
            size_bytes=210_944,
            location=docs + "safety/hazard-log-v27.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            access="nhs_only",
            check=("document_review", None, "rev-cso", "2026-06-15T11:30:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-dpia",
            "Supplier data protection impact assessment",
            "dpia",
            issuer="Kestrel Remote Care Ltd",
            covers_version="3.x",
            issued_on="2026-04-20",
            valid_until=None,
            document_version="v4",
            size_bytes=388_608,
            location=docs + "ig/dpia-v4.pdf",
            access="on_request",
            check=("document_review", None, "rev-dpo", "2026-06-18T14:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-ico",
            "ICO register entry",
            "ico_registration",
            issuer="Information Commissioner's Office",
            covers_version=None,
            issued_on="2026-02-15",
            valid_until="2027-02-14",
            document_version=None,
            size_bytes=12_288,
            location="https://ico.org.uk/ESDWebPages/Search",
            media_type="text/html",
            access="public",
            check=(
                "registry_lookup",
                "https://ico.org.uk/ESDWebPages/Search",
                "rev-dpo",
                "2026-06-18T14:10:00Z",
                "verified",
            ),
            assurance="assessor_verified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-dspt",
            "DSPT 2025-26 publication: Standards Met",
            "dspt_status",
            issuer="NHS England (Data Security and Protection Toolkit)",
            issuer_id=_ident("dspt_ods", "8KX21"),
            covers_version=None,
            issued_on="2026-06-24",
            valid_until="2027-06-30",
            document_version="2025-26",
            size_bytes=9_216,
            location="https://www.dsptoolkit.nhs.uk/OrganisationSearch",
            media_type="text/html",
            access="public",
            check=(
                "registry_lookup",
                "https://www.dsptoolkit.nhs.uk/OrganisationSearch",
                "rev-ig",
                "2026-07-01T09:00:00Z",
                "verified",
            ),
            assurance="assessor_verified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-ce-plus",
            "Cyber Essentials Plus certificate",
            "cyber_essentials_plus_certificate",
            issuer="IASME Consortium Ltd",
            covers_version=None,
            issued_on="2026-02-09",
            valid_until="2027-02-08",
            document_version=None,
            size_bytes=70_656,
            location=docs + "security/ce-plus-2026.pdf",
            access="public",
            check=(
                "registry_lookup",
                "https://iasme.co.uk/cyber-essentials/",
                "rev-cyber",
                "2026-06-22T13:00:00Z",
                "verified",
            ),
            assurance="third_party_certified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-pentest",
            "External penetration test summary (OWASP Top 10, web and mobile)",
            "penetration_test_summary",
            issuer="CREST-accredited testing provider",
            covers_version="3.4",
            issued_on="2026-04-28",
            valid_until="2027-04-27",
            document_version="v1.0",
            size_bytes=455_680,
            location=docs + "security/pentest-2026-summary.pdf",
            access="confidential",
            check=("document_review", None, "rev-cyber", "2026-06-22T15:30:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-fhir",
            "FHIR capability statement and API documentation",
            "fhir_capability_statement",
            issuer="Kestrel Remote Care Ltd",
            covers_version="3.4",
            issued_on="2026-05-11",
            valid_until=None,
            document_version="3.4.0",
            size_bytes=48_128,
            location=docs + "api/fhir/metadata",
            media_type="application/fhir+json",
            access="public",
            check=("independent_test", None, "rev-arch", "2026-06-25T16:00:00Z", "verified"),
            assurance="assessor_verified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-access",
            "Accessibility statement and WCAG 2.2 AA audit summary",
            "accessibility_statement",
            issuer="Kestrel Remote Care Ltd",
            covers_version="3.4",
            issued_on="2026-03-30",
            valid_until=None,
            document_version=None,
            size_bytes=22_528,
            location=docs + "accessibility",
            media_type="text/html",
            access="public",
            check=("document_review", None, "rev-a11y", "2026-06-26T10:30:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-sla",
            "Service level agreement",
            "sla",
            issuer="Kestrel Remote Care Ltd",
            covers_version=None,
            issued_on="2026-01-15",
            valid_until=None,
            document_version="SLA v6",
            size_bytes=131_072,
            location=docs + "contracts/sla-v6.pdf",
            access="on_request",
            check=("document_review", None, "rev-arch", "2026-06-25T16:30:00Z", "verified"),
            assurance="supplier_declared",
            mandatory=False,
        ),
    ]
    return {
        "schema": {"id": schema.RECORD_SCHEMA_ID, "version": RECORD_FORMAT_VERSION},
        "record_id": "urn:uuid:776063c2-f05b-4f8c-8fa6-405e26278279",
        "record_version": 1,
        "supersedes": None,
        "issued_at": "2026-07-21T09:00:00Z",
        "profile": "digital",
        "assessing_org": rj1,
        "supplier": {
            "legal_name": "Kestrel Remote Care Ltd",
            "identifiers": [
                _ident("companies_house", "13577820"),
                _ident("ico_registration", "ZB482213"),
                _ident("dspt_ods", "8KX21"),
            ],
            "uk_responsible_person": None,
            "manufacturer_is_supplier": True,
        },
        "product": {
            "name": "Kestrel Virtual Ward",
            "description": (
                "Remote monitoring platform for virtual wards: a patient app that records "
                "observations and symptoms, and a clinical dashboard for the virtual ward team."
            ),
            "intended_purpose": (
                "To collect patient-entered and Bluetooth-device observations at home and "
                "display them, unaltered and with the patient's own trends, to the virtual ward "
                "team. It does not interpret observations, calculate risk scores or recommend "
                "treatment."
            ),
            "product_type": "software",
            "identifiers": [
                _ident("app_store_id", "id6478120459"),
                _ident("other", "Google Play: com.kestrelremotecare.virtualward"),
            ],
            "regulatory": {
                "is_medical_device": False,
                "regime": "not_a_device",
                "device_class": "not_applicable",
                "marking": "none",
                "conformity_body": None,
                "certificates": [],
                "ce_acceptance_end": None,
            },
            "nice_esf_tier": "B",
            "software": {"deployment": "saas", "hosting_location": "uk_only"},
        },
        "scope": {
            "versions": {"kind": "semver_range", "value": ">=3.4.0 <4.0.0"},
            "care_settings": ["virtual_ward_home", "community"],
            "patient_populations": ["adult", "older_people"],
            "user_types": ["clinician", "nurse_midwife", "patient", "carer"],
            "clinical_indications": [
                {"code": "13645005", "display": "Chronic obstructive lung disease"},
                {"code": "84114007", "display": "Heart failure"},
            ],
            "integrations_assessed": [
                {
                    "system": "Epic EPR (GSTT instance, 2026 release)",
                    "standard": "FHIR R4 UK Core 2.0 (Observation, Patient)",
                    "direction": "bidirectional",
                },
                {
                    "system": "NHS login",
                    "standard": "OpenID Connect",
                    "direction": "inbound",
                },
            ],
            "exclusions": [
                "Children and young people under 18",
                "Use as the only means of escalation: the virtual ward's clinical response "
                "arrangements remain local",
            ],
        },
        "frameworks": [
            {
                "id": "fw-dtac",
                "framework": "dtac",
                "version": "DTAC 2 (2026-02-24)",
                "url": (
                    "https://transform.england.nhs.uk/key-tools-and-info/"
                    "digital-technology-assessment-criteria-dtac/"
                ),
            },
            {
                "id": "fw-dcb0129",
                "framework": "dcb0129",
                "version": "DCB0129 v4.2",
                "url": "https://digital.nhs.uk/data-and-information/information-standards",
            },
        ],
        "domains": [
            {
                "domain": "clinical_safety",
                "framework": "fw-dcb0129",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer(
                        "C1.1", "boolean", True, ["ev-cscr", "ev-hazard-log"], "assessor_reviewed"
                    ),
                    _answer(
                        "C1.2",
                        "text",
                        "Registered nurse, NMC registered; DCB0129 trained",
                        [],
                        "assessor_verified",
                    ),
                    _answer("C1.3", "enum", "not_applicable", [], "assessor_reviewed"),
                ],
                "reviewer_refs": ["rev-cso"],
            },
            {
                "domain": "data_protection",
                "framework": "fw-dtac",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("C2.1", "boolean", True, ["ev-ico"], "assessor_verified"),
                    _answer("C2.3.1", "enum", "standards_met", ["ev-dspt"], "assessor_verified"),
                    _answer("C2.3.2", "boolean", True, ["ev-dpia"], "assessor_reviewed"),
                    _answer("C2.5", "enum", "uk_only", [], "supplier_declared"),
                ],
                "reviewer_refs": ["rev-dpo", "rev-ig"],
            },
            {
                "domain": "technical_security",
                "framework": "fw-dtac",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("C3.1", "boolean", True, ["ev-ce-plus"], "third_party_certified"),
                    _answer("C3.2", "date", "2026-04-28", ["ev-pentest"], "assessor_reviewed"),
                    _answer("C3.4", "boolean", True, [], "supplier_declared"),
                ],
                "reviewer_refs": ["rev-cyber"],
            },
            {
                "domain": "interoperability",
                "framework": "fw-dtac",
                "result": "pass_with_conditions",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("C4.1", "boolean", True, ["ev-fhir"], "assessor_verified"),
                    _answer("C4.2", "boolean", True, [], "supplier_declared"),
                ],
                "reviewer_refs": ["rev-arch"],
            },
            {
                "domain": "usability_accessibility",
                "framework": "fw-dtac",
                "result": "pass",
                "score": {"value": "87.5", "max": "100", "method": "DTAC D1 weighted percentage"},
                "not_applicable_reason": None,
                "answers": [
                    _answer("D1.4", "enum", "wcag_2_2_aa", ["ev-access"], "assessor_reviewed"),
                    _answer("D1.11", "boolean", True, ["ev-sla"], "supplier_declared"),
                    _answer("D1.12", "decimal", "99.92", ["ev-sla"], "supplier_declared"),
                ],
                "reviewer_refs": ["rev-a11y"],
            },
        ],
        "evidence": evidence,
        "reviewers": [
            _reviewer(
                "rev-cso",
                "clinical_safety_officer",
                "Clinical safety officer",
                ("NMC", "06J2041E"),
                rj1,
                "2026-06-29T12:00:00Z",
            ),
            _reviewer(
                "rev-dpo",
                "data_protection_officer",
                "Data protection officer",
                None,
                rj1,
                "2026-06-30T10:00:00Z",
            ),
            _reviewer(
                "rev-ig",
                "information_governance_lead",
                "Information governance manager",
                None,
                rj1,
                "2026-07-01T09:30:00Z",
            ),
            _reviewer(
                "rev-cyber",
                "cyber_security_lead",
                "Cyber security lead",
                None,
                rj1,
                "2026-06-30T16:00:00Z",
            ),
            _reviewer(
                "rev-arch",
                "interoperability_architect",
                "Integration architect",
                None,
                rj1,
                "2026-07-02T11:00:00Z",
            ),
            _reviewer(
                "rev-a11y",
                "accessibility_specialist",
                "Digital accessibility specialist",
                None,
                rj1,
                "2026-07-02T14:00:00Z",
            ),
            _reviewer(
                "rev-chair",
                "decision_committee_chair",
                "Chair, Digital Design Authority",
                ("GMC", "6120587"),
                rj1,
                "2026-07-16T17:30:00Z",
            ),
        ],
        "outcome": {
            "decision": "approved_with_conditions",
            "decided_on": "2026-07-16",
            "decision_body": "Digital Design Authority",
            "rationale": (
                "Meets DTAC 2 across all five domains. The DCB0129 safety case is adequate for "
                "home monitoring without automated interpretation. The FHIR write-back of "
                "observations was tested against the trust's EPR test environment only."
            ),
            "conditions": [
                {
                    "condition_id": "cond-1",
                    "text": (
                        "Integration with each adopter's EPR is tested end to end before "
                        "observations are written back to the patient record."
                    ),
                    "category": "local_deployment",
                    "responsible_party": "adopting_org",
                    "due": "before_go_live",
                    "blocking": True,
                    "applies_to_adopters": True,
                    "status": "open",
                    "evidence_refs": ["ev-fhir"],
                },
                {
                    "condition_id": "cond-2",
                    "text": "The supplier sends each new penetration test summary within a month.",
                    "category": "evidence_update",
                    "responsible_party": "supplier",
                    "due": "2027-04-27",
                    "blocking": False,
                    "applies_to_adopters": False,
                    "status": "open",
                    "evidence_refs": ["ev-pentest"],
                },
            ],
        },
        "validity": {
            "valid_from": "2026-07-21",
            "valid_until": "2027-02-08",
            "review_due": "2027-01-08",
            "reassessment_triggers": [
                _trigger("major_version_release", {"semver_major_above": 3}),
                _trigger("intended_purpose_change"),
                _trigger("new_or_changed_hazard_above_threshold", {"risk_rating_at_least": 3}),
                _trigger("dspt_status_below_standards_met"),
                _trigger("data_processing_location_change"),
                _trigger("new_subprocessor_or_third_party_component"),
                _trigger("framework_version_retired", {"framework": "fw-dtac"}),
            ],
        },
        "local_requirements_for_adopters": [
            _local(
                "dcb0160_deployment_case",
                "Write the local deployment safety case and hazard log for your workflows.",
            ),
            _local("local_cso_signoff", "Your own clinical safety officer signs off deployment."),
            _local("local_dpia", "You are controller: complete your own DPIA."),
            _local(
                "data_processing_agreement",
                "Sign a data processing agreement with the supplier as processor.",
            ),
            _local(
                "integration_testing",
                "Test FHIR write-back with your EPR and configuration (condition cond-1).",
            ),
            _local("staff_training", "Train the virtual ward team on the dashboard."),
        ],
    }


def diagnostic() -> JSONObject:
    r0d = _org("R0D", "UNIVERSITY HOSPITALS DORSET NHS FOUNDATION TRUST", "foundation_trust", "QVV")
    docs = "https://www.helvion-diagnostics.example/uk/documents/"
    rec = "diagnostic"
    evidence: list[JSONValue] = [
        _evidence(
            rec,
            "ev-doc",
            "Declaration of Conformity, Helvion FluRapid A/B (UK MDR 2002, general IVD)",
            "declaration_of_conformity",
            issuer="Helvion Diagnostics GmbH",
            covers_version="Cartridge REF HFR-24, analyser REF HFA-1",
            issued_on="2025-08-18",
            valid_until=None,
            document_version="DoC-HFR-UK-02",
            size_bytes=153_600,
            location=docs + "doc-hfr-uk-02.pdf",
            access="public",
            check=("document_review", None, "rev-poct", "2026-01-20T10:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-mhra-reg",
            "MHRA registration via the UK responsible person",
            "mhra_registration",
            issuer="Medicines and Healthcare products Regulatory Agency",
            covers_version=None,
            issued_on="2025-09-03",
            valid_until=None,
            document_version=None,
            size_bytes=38_912,
            location="https://pard.mhra.gov.uk/",
            media_type="text/html",
            access="public",
            check=(
                "registry_lookup",
                "https://pard.mhra.gov.uk/",
                "rev-poct",
                "2026-01-20T10:30:00Z",
                "verified",
            ),
            assurance="assessor_verified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-iso13485",
            "ISO 13485:2016 certificate, Helvion Diagnostics GmbH",
            "iso13485_certificate",
            issuer="TÜV SÜD Product Service GmbH",
            covers_version=None,
            issued_on="2024-04-15",
            valid_until="2027-04-14",
            document_version="Q5 117042 0009 Rev. 01",
            size_bytes=81_920,
            location=docs + "iso13485.pdf",
            access="public",
            check=("document_review", None, "rev-poct", "2026-01-20T11:00:00Z", "verified"),
            assurance="third_party_certified",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-ifu",
            "Instructions for use, Helvion FluRapid A/B cartridge",
            "instructions_for_use",
            issuer="Helvion Diagnostics GmbH",
            covers_version="REF HFR-24",
            issued_on="2025-08-18",
            valid_until=None,
            document_version="IFU HFR-24 EN v7",
            size_bytes=1_048_576,
            location=docs + "ifu-hfr-24-en-v7.pdf",
            access="public",
            check=("document_review", None, "rev-micro", "2026-01-22T09:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-perf",
            "Clinical performance study: nasopharyngeal swabs, 1,046 patients, "
            "against laboratory RT-PCR",
            "clinical_study",
            issuer="Helvion Diagnostics GmbH",
            covers_version="REF HFR-24",
            issued_on="2025-03-10",
            valid_until=None,
            document_version="CPS-HFR-2024 final",
            size_bytes=2_457_600,
            location=docs + "clinical-performance-hfr-2024.pdf",
            access="on_request",
            check=("document_review", None, "rev-micro", "2026-01-22T14:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-eval",
            "Emergency department pilot, winter 2025-26: time to result, bed days and "
            "antiviral and antibiotic use",
            "local_audit_or_service_evaluation",
            issuer="University Hospitals Dorset NHS Foundation Trust",
            issuer_id=_ident("other", "ODS R0D"),
            covers_version="REF HFR-24",
            issued_on="2026-03-20",
            valid_until=None,
            document_version="v1.0",
            size_bytes=734_003,
            location="https://nhs.example/r0d/evaluations/flurapid-ed-pilot-2025-26.pdf",
            access="nhs_only",
            check=("document_review", None, "rev-lead", "2026-03-25T10:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=False,
        ),
        _evidence(
            rec,
            "ev-hem",
            "Cost-consequence analysis against laboratory PCR",
            "health_economic_model",
            issuer="University Hospitals Dorset NHS Foundation Trust",
            covers_version=None,
            issued_on="2026-03-27",
            valid_until=None,
            document_version="v1.1",
            size_bytes=286_720,
            location="https://nhs.example/r0d/evaluations/flurapid-cca-v1.1.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            access="nhs_only",
            check=("document_review", None, "rev-fin", "2026-03-30T15:00:00Z", "verified"),
            assurance="assessor_reviewed",
            mandatory=True,
        ),
        _evidence(
            rec,
            "ev-lims",
            "Connectivity specification: POCT1-A2 to middleware, HL7 v2.5.1 results to LIMS",
            "api_documentation",
            issuer="Helvion Diagnostics GmbH",
            covers_version="Analyser firmware 2.8",
            issued_on="2025-10-01",
            valid_until=None,
            document_version="CONN-HFA-2.8",
            size_bytes=402_432,
            location=docs + "connectivity-hfa-2.8.pdf",
            access="on_request",
            check=("independent_test", None, "rev-arch", "2026-02-12T13:00:00Z", "verified"),
            assurance="assessor_verified",
            mandatory=False,
        ),
    ]
    return {
        "schema": {"id": schema.RECORD_SCHEMA_ID, "version": RECORD_FORMAT_VERSION},
        "record_id": "urn:uuid:a43c51a0-8247-4ef9-8f4c-4879f8e55b56",
        "record_version": 2,
        "supersedes": "urn:uuid:7d18ca75-5782-4ded-ae62-c8e6eb243bff",
        "issued_at": "2026-04-14T08:45:00Z",
        "profile": "diagnostic",
        "assessing_org": r0d,
        "supplier": {
            "legal_name": "Helvion Diagnostics GmbH",
            "identifiers": [_ident("vat", "DE318845217"), _ident("duns", "315498223")],
            "uk_responsible_person": {
                "legal_name": "Helvion Diagnostics UK Ltd",
                "identifiers": [
                    _ident("companies_house", "12940371"),
                    _ident("mhra_account", "MHRA-UKRP-004417"),
                ],
                "uk_responsible_person": None,
                "manufacturer_is_supplier": False,
            },
            "manufacturer_is_supplier": True,
        },
        "product": {
            "name": "Helvion FluRapid A/B",
            "description": (
                "Rapid molecular (isothermal nucleic acid amplification) point-of-care test "
                "for influenza A and B: single-use cartridges run on a bench-top analyser, "
                "with results in 15 minutes."
            ),
            "intended_purpose": (
                "For the qualitative detection and differentiation of influenza A and "
                "influenza B viral RNA in nasopharyngeal swabs from patients with signs and "
                "symptoms of respiratory infection, as an aid to diagnosis. For professional "
                "use in near-patient settings."
            ),
            "product_type": "ivd",
            "identifiers": [
                _ident("gtin", "04064739811524"),
                _ident("udi_di", "04064739811524"),
                _ident("gtin", "05060981770106"),
            ],
            "regulatory": {
                "is_medical_device": True,
                "regime": "uk_mdr_2002",
                "device_class": "IVD_general",
                "marking": "UKCA",
                "conformity_body": None,
                "certificates": [],
                "ce_acceptance_end": None,
            },
            "nice_esf_tier": "not_in_scope",
            "software": {"deployment": "embedded", "hosting_location": "uk_only"},
        },
        "scope": {
            "versions": {"kind": "exact", "value": "Cartridge REF HFR-24; analyser REF HFA-1"},
            "care_settings": ["emergency_department", "acute_inpatient"],
            "patient_populations": ["adult", "paediatric"],
            "user_types": ["clinician", "nurse_midwife", "ahp"],
            "clinical_indications": [{"code": "6142004", "display": "Influenza"}],
            "integrations_assessed": [
                {
                    "system": "POCT middleware to trust LIMS",
                    "standard": "POCT1-A2; HL7 v2.5.1 ORU^R01",
                    "direction": "outbound",
                }
            ],
            "exclusions": [
                "Sample types other than nasopharyngeal swabs",
                "Use by patients (not a self-test)",
            ],
        },
        "frameworks": [
            {
                "id": "fw-ukmdr",
                "framework": "uk_mdr",
                "version": "UK MDR 2002 (SI 2002/618) Part IV, in vitro diagnostic devices",
                "url": "https://www.legislation.gov.uk/uksi/2002/618/contents",
            },
            {
                "id": "fw-eval",
                "framework": "local_product_evaluation",
                "version": "UHD point-of-care testing committee evaluation (2025)",
                "url": "https://www.uhd.nhs.uk/",
            },
        ],
        "domains": [
            {
                "domain": "regulatory",
                "framework": "fw-ukmdr",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("REG-1", "enum", "ivd_general", ["ev-doc"], "assessor_reviewed"),
                    _answer("REG-3", "boolean", True, ["ev-mhra-reg"], "assessor_verified"),
                    _answer(
                        "REG-4", "date", "2027-04-14", ["ev-iso13485"], "third_party_certified"
                    ),
                ],
                "reviewer_refs": ["rev-poct"],
            },
            {
                "domain": "clinical_effectiveness",
                "framework": "fw-eval",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("PERF-SENS-A", "decimal", "96.2", ["ev-perf"], "assessor_reviewed"),
                    _answer("PERF-SPEC-A", "decimal", "99.1", ["ev-perf"], "assessor_reviewed"),
                    _answer("PERF-SENS-B", "decimal", "94.8", ["ev-perf"], "assessor_reviewed"),
                    _answer("PERF-SPEC-B", "decimal", "99.6", ["ev-perf"], "assessor_reviewed"),
                    _answer("TTR-MIN", "integer", 15, ["ev-ifu", "ev-eval"], "assessor_reviewed"),
                ],
                "reviewer_refs": ["rev-micro", "rev-lead"],
            },
            {
                "domain": "economic_value",
                "framework": "fw-eval",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [
                    _answer("EV-1", "decimal", "1.4", ["ev-eval", "ev-hem"], "assessor_reviewed"),
                    _answer("EV-2", "enum", "cost_saving", ["ev-hem"], "assessor_reviewed"),
                ],
                "reviewer_refs": ["rev-fin"],
            },
            {
                "domain": "interoperability",
                "framework": "fw-eval",
                "result": "pass",
                "score": None,
                "not_applicable_reason": None,
                "answers": [_answer("INT-1", "boolean", True, ["ev-lims"], "assessor_verified")],
                "reviewer_refs": ["rev-arch"],
            },
        ],
        "evidence": evidence,
        "reviewers": [
            _reviewer(
                "rev-poct",
                "clinical_engineering_ebme",
                "Point-of-care testing manager",
                ("HCPC", "BS061247"),
                r0d,
                "2026-03-31T12:00:00Z",
            ),
            _reviewer(
                "rev-micro",
                "clinical_lead",
                "Consultant microbiologist",
                ("GMC", "7034112"),
                r0d,
                "2026-04-01T10:00:00Z",
            ),
            _reviewer(
                "rev-lead",
                "clinical_lead",
                "Consultant in emergency medicine",
                ("GMC", "6609285"),
                r0d,
                "2026-04-01T16:00:00Z",
            ),
            _reviewer(
                "rev-fin",
                "health_economist_finance",
                "Divisional finance manager",
                None,
                r0d,
                "2026-04-02T11:00:00Z",
            ),
            _reviewer(
                "rev-arch",
                "interoperability_architect",
                "Pathology informatics lead",
                None,
                r0d,
                "2026-04-02T15:30:00Z",
            ),
            _reviewer(
                "rev-chair",
                "decision_committee_chair",
                "Chair, Point-of-Care Testing Committee",
                ("GMC", "4420618"),
                r0d,
                "2026-04-09T17:00:00Z",
            ),
        ],
        "outcome": {
            "decision": "approved",
            "decided_on": "2026-04-09",
            "decision_body": "Point-of-Care Testing Committee",
            "rationale": (
                "Performance against laboratory RT-PCR is comparable to laboratory testing. "
                "In the emergency department pilot, results in 15 minutes reduced bed days in "
                "side rooms and unnecessary antibiotic use. Results reach the LIMS through the "
                "existing POCT middleware. Version 2 replaces version 1 after the pilot data."
            ),
            "conditions": [],
        },
        "validity": {
            "valid_from": "2026-04-14",
            "valid_until": "2027-04-14",
            "review_due": "2026-10-01",
            "reassessment_triggers": [
                _trigger("major_version_release", {"udi_di_change": True}),
                _trigger("field_safety_notice_or_fsca"),
                _trigger("regulatory_class_change", {"note": "UK IVD reclassification"}),
                _trigger("certificate_expired_or_withdrawn", {"evidence_ids": ["ev-iso13485"]}),
                _trigger("nice_guidance_changed"),
            ],
        },
        "local_requirements_for_adopters": [
            _local(
                "lawful_procurement_route",
                "Buy analysers and cartridges through a lawful route (framework or tender).",
            ),
            _local(
                "ebme_acceptance_testing",
                "Acceptance and electrical safety testing of each analyser by EBME.",
            ),
            _local(
                "integration_testing",
                "Test result flow from your POCT middleware to your LIMS and EPR.",
            ),
            _local(
                "staff_training",
                "Operators trained and registered with the POCT team before use.",
            ),
        ],
        "extensions": {
            "https://w3id.org/innopass/ext/poct/v1": {
                "quality_control": "Internal control in every cartridge; external QA quarterly",
                "operators_trained_in_pilot": 64,
            }
        },
    }
