"""Bundled @context documents: the official copies match their published digests, and
innopass serves byte-identical, hash-pinned copies offline."""

from __future__ import annotations

import hashlib

import pytest

from conftest import vectors_dir
from innopass._internal import contexts
from innopass.errors import MalformedInputError

# SHA-256 digests as published in the specifications (VC DM 2.0, DI 1.0, BSL 1.0 RECs),
# recorded in tests/vectors/data/README.md (the copy of shared/vectors).
PUBLISHED = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "data-integrity-v2.jsonld": "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    "jwk-v1.jsonld": "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
    "status-list-v1.jsonld": "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
}


@pytest.mark.parametrize(("name", "digest"), sorted(PUBLISHED.items()))
def test_official_context_digest(name: str, digest: str) -> None:
    data = (vectors_dir("contexts") / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest


def test_bundled_v2_context_is_the_official_one() -> None:
    official = (vectors_dir("contexts") / "credentials-v2.jsonld").read_bytes()
    assert contexts.context_bytes(contexts.CREDENTIALS_V2) == official


def test_every_pinned_context_loads_and_matches_its_pin() -> None:
    for url, (_, digest) in contexts.PINNED.items():
        assert hashlib.sha256(contexts.context_bytes(url)).hexdigest() == digest


def test_unknown_context_is_never_fetched() -> None:
    with pytest.raises(MalformedInputError):
        contexts.context_bytes("https://www.w3.org/ns/credentials/examples/v2")
