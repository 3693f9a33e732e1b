"""Issue 9, reproduced holes on the verifier side: each test failed on the code before its fix.

Trust-source combination (hole 2), online fetching (hole 3) and the standards
defects (hole 5). The issuer-side holes are in ``test_issue9_issuer.py``.
"""

from __future__ import annotations

import base64
import copy
import gzip
import time
from datetime import timedelta
from typing import Any

import pytest

from innopass._internal.bitstring import decode_bitstring
from innopass.errors import NetworkError, StatusListError
from innopass.record import example
from innopass.status import new_bitstring
from innopass.trust import OrganisationDescription
from innopass.verifier import Limits, TrustStore, Verifier
from verifier_factory import (
    NOW,
    AccreditedScope,
    MapFetcher,
    Org,
    bundle,
    jwt_passport,
    make_verifier,
    no_fetching,
    passport,
    trust_list,
    unsigned_passport,
)

__all__ = ["no_fetching"]


def codes(result: Any) -> set[str]:
    return {f.code for f in result.failures}


# --- hole 2: several trust sources add up ---------------------------------------------


def test_pinning_a_did_key_keeps_the_trust_lists_scope_and_ods_binding() -> None:
    anchor, rf4 = Org.did_key("X26", "NATIONAL ANCHOR"), Org.did_key()
    listed = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital",)),))
    record: Any = example("device")
    record["assessing_org"]["ods_code"] = "R1H"
    credential = passport(rf4, record=record)
    run = make_verifier(
        anchors=[anchor.did],
        issuers=[rf4.did],
        trust_lists=[trust_list(anchor, [listed])],
        status_lists=rf4.status_lists(),
    )
    result = run.verify(credential)
    assert result.verdict == "rejected"
    assert "issuer-untrusted" in codes(result)


def test_a_tampered_description_cannot_swap_the_key_a_trust_list_gives() -> None:
    anchor, rf4 = Org.did_key("X26", "NATIONAL ANCHOR"), Org.did_web()
    listed = rf4.trusted_issuer()
    forged = Org.did_web()  # same DID and key id, another key
    tampered = rf4.description()
    tampered["didDocument"] = forged.document.to_json()
    credential = passport(forged, created=NOW - timedelta(hours=2))
    run = make_verifier(
        anchors=[anchor.did],
        issuers=[OrganisationDescription.from_json(tampered)],
        trust_lists=[trust_list(anchor, [listed])],
        status_lists=forged.status_lists(),
    )
    result = run.verify(credential)
    assert result.verdict == "rejected"
    assert "trust-conflict" in codes(result)


def test_an_assessor_no_source_vouches_for_is_marked_claimed() -> None:
    rf4 = Org.did_key()
    run = make_verifier(issuers=[rf4.did], status_lists=rf4.status_lists())
    result = run.verify(passport(rf4))
    assert result.verdict == "verified"
    assert result.issuer.claimed
    assert result.passport is not None
    assert result.passport.assessing_organisation is not None
    assert result.passport.assessing_organisation.claimed
    output: Any = result.to_json()
    assert output["passport"]["assessing_organisation"]["claimed"] is True


def test_an_assessor_the_trust_list_vouches_for_is_not_claimed() -> None:
    anchor, rf4 = Org.did_key("X26", "NATIONAL ANCHOR"), Org.did_key()
    run = make_verifier(
        anchors=[anchor.did],
        trust_lists=[trust_list(anchor, [rf4.trusted_issuer()])],
        status_lists=rf4.status_lists(),
    )
    result = run.verify(passport(rf4))
    assert result.verdict == "verified"
    assert result.passport is not None
    assert result.passport.assessing_organisation is not None
    assert not result.passport.assessing_organisation.claimed


# --- hole 3: online fetching --------------------------------------------------------------


def test_the_run_budget_bounds_all_fetches_of_one_verification() -> None:
    rf4 = Org.did_web()
    credential = passport(rf4)

    class SlowFetcher(MapFetcher):
        def fetch(
            self,
            url: str,
            *,
            max_bytes: int,
            accept: str = "application/json",
            timeout: float | None = None,
        ) -> bytes:
            self.calls.append(url)
            assert timeout is not None
            assert timeout <= 0.5
            time.sleep(0.3)
            raise NetworkError(url, "slow")

    fetcher = SlowFetcher({})
    verifier = Verifier(
        TrustStore().with_issuer(rf4.organisation()),
        clock=lambda: NOW,
        fetcher=fetcher,
        limits=Limits(fetch_timeout=0.5, run_fetch_budget=0.4),
    )
    result = verifier.verify(credential)
    assert result.verdict == "indeterminate"
    assert len(fetcher.calls) == 2  # revocation fetched; suspension's only within budget
    # the second call either got a smaller timeout or was never made
    assert "status-unavailable" in codes(result)


def test_nothing_is_fetched_for_an_untrusted_issuer() -> None:
    rf4 = Org.did_key()
    fetcher = MapFetcher({})
    unsigned = unsigned_passport(rf4)
    unsigned["credentialStatus"] = [
        {
            "id": f"https://10.0.0.{i}:8080/l#1",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "1",
            "statusListCredential": f"https://10.0.0.{i}:8080/l",
        }
        for i in range(16)
    ]
    verifier = Verifier(TrustStore(), clock=lambda: NOW, fetcher=fetcher, trust_no_one=True)
    result = verifier.verify(unsigned)
    assert result.verdict == "rejected"
    signed = verifier.verify(rf4.sign(unsigned))
    assert signed.verdict == "rejected"
    assert fetcher.calls == []
    assert verifier.fetched is not None
    assert verifier.fetched.status_lists() == ()


# --- hole 5: standards defects ---------------------------------------------------------------


def _encoded(bits: bytes) -> bytes:
    return gzip.compress(bits, mtime=0)


def _padded() -> str:
    """A valid list's encoding with its ``=`` padding kept."""
    for n in range(1, 64):
        text = base64.urlsafe_b64encode(_encoded(b"\x01" * n + new_bitstring())).decode()
        if text.endswith("="):
            return "u" + text
    raise AssertionError("no padded encoding found")


@pytest.mark.parametrize(
    "text",
    [
        _padded(),
        "u" + base64.b64encode(_encoded(b"\xfb\xff" * 8192)).decode().rstrip("="),  # + and /
        "z" + base64.urlsafe_b64encode(_encoded(new_bitstring())).decode().rstrip("="),
        "U" + base64.urlsafe_b64encode(_encoded(new_bitstring())).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(_encoded(new_bitstring())).decode().rstrip("=") + "\n",
        "u " + base64.urlsafe_b64encode(_encoded(new_bitstring())).decode().rstrip("="),
    ],
)
def test_encoded_list_must_be_unpadded_base64url(text: str) -> None:
    with pytest.raises(StatusListError):
        decode_bitstring(text)


def test_encoded_list_alphabet_needs_standard_chars_to_matter() -> None:
    # sanity: the standard-alphabet case above really contains + or /
    data = base64.b64encode(_encoded(b"\xfb\xff" * 8192)).decode()
    assert "+" in data or "/" in data


def test_a_status_list_with_a_padded_encoded_list_is_refused() -> None:
    rf4 = Org.did_key()
    lists = rf4.status_lists()
    unsigned = copy.deepcopy(lists[0])
    del unsigned["proof"]
    subject = unsigned["credentialSubject"]
    assert isinstance(subject, dict)
    body = str(subject["encodedList"])[1:]
    subject["encodedList"] = "u" + body + "=" * (-len(body) % 4)
    if subject["encodedList"] == "u" + body:
        subject["encodedList"] = "u" + body + "=="
    padded = rf4.sign(unsigned)
    run = make_verifier(issuers=[rf4.did], status_lists=[padded, lists[1]])
    result = run.verify(passport(rf4))
    assert result.verdict != "verified"
    assert "status-list-invalid" in codes(result) or "status-unavailable" in codes(result)


def _jwt_without_iat(org: Org) -> str:
    import json

    def part(value: object) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    credential = unsigned_passport(org)
    payload = dict(credential, iss=org.did, jti=credential["id"])
    header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": org.keys[0].vm_id}
    signing_input = f"{part(header)}.{part(payload)}"
    signature = org.keys[0].private.sign(signing_input.encode())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def test_vc_jwt_without_iat_verifies_when_the_key_window_is_unbounded() -> None:
    rf4 = Org.did_key()
    run = make_verifier(issuers=[rf4.did], status_lists=rf4.status_lists())
    assert run.verify(_jwt_without_iat(rf4)).verdict == "verified"
    assert run.verify(jwt_passport(rf4)).verdict == "verified"


def test_previous_proof_naming_no_proof_present_fails() -> None:
    rf4 = Org.did_key()
    credential = passport(rf4)
    proof = credential["proof"]
    assert isinstance(proof, dict)
    chained = rf4.sign({k: v for k, v in credential.items() if k != "proof"})
    # a second proof naming a proof id that is not present
    second = dict(chained["proof"])
    second["previousProof"] = "urn:uuid:not-here"
    credential["proof"] = [proof, second]
    run = make_verifier(issuers=[rf4.did], status_lists=rf4.status_lists())
    result = run.verify(credential)
    assert result.verdict == "rejected"
    assert "malformed" in codes(result)


def test_a_proof_set_of_two_good_proofs_verifies() -> None:
    rf4 = Org.did_key()
    unsigned = unsigned_passport(rf4)
    one = rf4.sign(unsigned)
    two = rf4.sign(unsigned, created=NOW - timedelta(minutes=30))
    credential = dict(one)
    credential["proof"] = [one["proof"], two["proof"]]
    run = make_verifier(issuers=[rf4.did], status_lists=rf4.status_lists())
    assert run.verify(credential).verdict == "verified"
    bad = copy.deepcopy(credential)
    bad["proof"][1]["proofValue"] = one["proof"]["proofValue"][:-4] + "AAAA"
    assert run.verify(bad).verdict == "rejected"


def test_bundle_of_untrusted_issuer_is_not_kept() -> None:
    rf4 = Org.did_key()
    verifier = Verifier(TrustStore(), clock=lambda: NOW, trust_no_one=True)
    result = verifier.verify(bundle(passport(rf4), rf4))
    assert result.verdict == "rejected"
    assert verifier.trust.status_lists == {} or len(verifier.trust.status_lists) == 0


def test_a_fetcher_written_before_timeouts_still_works() -> None:
    rf4 = Org.did_web()

    class OldFetcher:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def fetch(self, url: str, *, max_bytes: int, accept: str = "application/json") -> bytes:
            self.calls.append(url)
            raise NetworkError(url, "404")

    fetcher = OldFetcher()
    verifier = Verifier(
        TrustStore().with_issuer(rf4.organisation()),
        clock=lambda: NOW,
        fetcher=fetcher,  # type: ignore[arg-type]  # the old protocol is what is tested
    )
    result = verifier.verify(passport(rf4))
    assert result.verdict == "indeterminate"
    assert "internal-error" not in codes(result)
    assert len(fetcher.calls) == 2
