"""Bitstring Status List 1.0 vectors: bit order, minimum length, spec examples."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from conftest import vectors_dir
from innopass._internal.jsonio import load_file_strict
from innopass.errors import StatusListError
from innopass.status import (
    MIN_ENTRIES,
    StatusEntry,
    bit_at,
    decode_bitstring,
    encode_bitstring,
    new_bitstring,
    parse_status_list_credential,
    status_entries,
    with_bit,
)


def _lists() -> list[Any]:
    data: Any = load_file_strict(vectors_dir("bitstring-status-list") / "encoded-lists.json")
    lists: list[Any] = data["lists"]
    return lists


def test_encoded_lists_decode_with_msb_first_bits() -> None:
    for case in _lists():
        bits = decode_bitstring(case["encodedList"])
        assert len(bits) == case["decodedLengthBytes"]
        assert len(bits) * 8 == case["decodedLengthBits"]
        set_bits = [i for i in range(len(bits) * 8) if bits[i // 8] and bit_at(bits, i)]
        assert set_bits == case["setBitIndexesMsbFirst"]
        assert (len(bits) * 8 >= MIN_ENTRIES) == case["meetsMinimum131072Bits"]


def test_short_lists_are_refused_as_status_lists() -> None:
    for case in _lists():
        credential: dict[str, Any] = {
            "id": "https://example.org/status/1",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": "did:example:1",
            "credentialSubject": {
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": case["encodedList"],
            },
        }
        if case["meetsMinimum131072Bits"]:
            assert parse_status_list_credential(credential).size == case["decodedLengthBits"]
        else:
            with pytest.raises(StatusListError):
                parse_status_list_credential(credential)


def test_spec_example_entries() -> None:
    credential: Any = load_file_strict(
        vectors_dir("bitstring-status-list")
        / "spec-example-1-credential-with-revocation-and-suspension-entries.json"
    )
    entries = status_entries(credential)
    assert [(e.purpose, e.index) for e in entries] == [("revocation", 94567), ("suspension", 23452)]
    assert entries[0].to_json() == credential["credentialStatus"][0]


def test_spec_example_list_credential() -> None:
    credential: Any = load_file_strict(
        vectors_dir("bitstring-status-list")
        / "spec-example-3-bitstring-status-list-credential.json"
    )
    status_list = parse_status_list_credential(credential)
    assert status_list.size == MIN_ENTRIES
    assert not any(status_list.bits)


def test_round_trip_and_bit_setting() -> None:
    bits = with_bit(with_bit(new_bitstring(), 0, True), 50_000, True)
    decoded = decode_bitstring(encode_bitstring(bits))
    assert decoded[0] == 0x80
    assert bit_at(decoded, 50_000)
    assert not bit_at(decoded, 50_001)
    assert not bit_at(with_bit(decoded, 0, False), 0)


def test_decompression_bomb_is_refused() -> None:
    bomb = gzip.compress(bytes(64 * 1024 * 1024))
    import base64

    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(StatusListError):
        decode_bitstring(encoded)


def test_lying_gzip_trailer_is_refused() -> None:
    import base64

    data = bytearray(gzip.compress(bytes(MIN_ENTRIES // 8 * 4)))
    data[-4:] = (16384).to_bytes(4, "little")  # claims 16 KiB, inflates to 64 KiB
    encoded = "u" + base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()
    with pytest.raises(StatusListError):
        decode_bitstring(encoded)


@pytest.mark.parametrize("value", [None, 5, "", "zabc", "u!!!", "uAAAA"])
def test_malformed_encoded_lists(value: object) -> None:
    with pytest.raises(StatusListError):
        decode_bitstring(value)


def test_index_outside_list() -> None:
    with pytest.raises(StatusListError):
        bit_at(new_bitstring(), MIN_ENTRIES)


@pytest.mark.parametrize(
    "index",
    ["-1", "1.5", "0x10", 7, "", "١٢"],  # the last is Arabic-Indic digits
)
def test_malformed_status_index(index: Any) -> None:
    from innopass.errors import MalformedInputError

    with pytest.raises(MalformedInputError):
        StatusEntry.from_json(
            {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": index,
                "statusListCredential": "https://example.org/1",
            }
        )


@pytest.mark.parametrize("size", [True, 1.0, "1", 0, 9, None])
def test_status_size_must_be_an_integer_from_1_to_8(size: Any) -> None:
    """``statusSize: true`` equals 1 in Python; it is still not the integer 1."""
    from innopass.errors import MalformedInputError

    entry: dict[str, Any] = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://example.org/1",
    }
    assert StatusEntry.from_json(dict(entry)).index == 5
    assert StatusEntry.from_json({**entry, "statusSize": 1}).bits == 1
    with pytest.raises(MalformedInputError) as info:
        StatusEntry.from_json({**entry, "statusSize": size, "statusMessage": []})
    assert info.value.path.endswith("/statusSize")


def _messages(count: int) -> list[Any]:
    return [{"status": hex(v), "message": f"m{v}"} for v in range(count)]


def test_a_status_size_over_1_needs_a_message_for_each_value() -> None:
    """BSL 1.0 §2.1: with statusSize s > 1, statusMessage gives all 2^s status values."""
    from innopass.errors import MalformedInputError

    entry: dict[str, Any] = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": "5",
        "statusListCredential": "https://example.org/1",
        "statusSize": 2,
    }
    read = StatusEntry.from_json({**entry, "statusMessage": _messages(4)})
    assert read.bits == 2
    assert [m.value for m in read.messages or ()] == [0, 1, 2, 3]
    with pytest.raises(MalformedInputError) as missing:
        StatusEntry.from_json(entry)
    assert missing.value.path == "/credentialStatus"  # the entry lacks statusMessage
    for wrong in (_messages(3), _messages(8), [*_messages(3), {"status": "0x2", "message": "x"}]):
        with pytest.raises(MalformedInputError) as info:
            StatusEntry.from_json({**entry, "statusMessage": wrong})
        assert info.value.path == "/credentialStatus/statusMessage"


def test_multi_bit_values_are_read_most_significant_bit_first() -> None:
    """Entry i of size s occupies bits i*s .. i*s+s-1 (BSL 1.0 §3.2), MSB first."""
    from innopass.errors import StatusListError
    from innopass.status import new_bitstring, value_at, with_value

    bits = with_value(new_bitstring(16, 3), 2, 3, 0b101)
    assert bits[:2] == bytes([0b00000010, 0b10000000])  # bits 6, 7, 8 = 1, 0, 1
    assert [value_at(bits, i, 3) for i in range(4)] == [0, 0, 5, 0]
    assert [value_at(bits, i, 1) for i in (6, 7, 8)] == [1, 0, 1]
    with pytest.raises(StatusListError):
        with_value(bits, 2, 3, 8)  # does not fit in 3 bits
    with pytest.raises(StatusListError):
        value_at(bits, 16, 3)  # 16 * 3 bits are 6 bytes: entry 16 is outside
