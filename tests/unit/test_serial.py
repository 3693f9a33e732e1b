"""The one converter between frozen dataclasses and JSON (innopass._internal.serial)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import pytest

from innopass import record, status, trust
from innopass._internal.jsonio import JSONObject
from innopass._internal.serial import Codec, Converter, copy_json, member
from innopass.errors import MalformedInputError


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def _parse_time(value: str) -> datetime:
    if value.startswith("9999"):
        raise MalformedInputError("out of range")
    return datetime.fromisoformat(value)


def _format_time(value: datetime) -> str:
    return value.isoformat()


TIME = Codec(_parse_time, _format_time)


@dataclass(frozen=True, slots=True)
class Leaf:
    name: str
    count: int
    on: bool
    colour: Colour
    day: date
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Node:
    kind: str = field(default="Node", init=False, metadata=member("type"))
    label: str = field(metadata=member("nodeLabel"))
    note: str | None = field(default=None, kw_only=True, metadata=member(optional=True))
    leaves: tuple[Leaf, ...]
    tags: tuple[str, ...]
    colours: tuple[Colour, ...]
    parent: Node | None
    extra: JSONObject
    value: bool | int | str
    document: JSONObject | str
    upper: str = field(metadata=member(codec=Codec(str.upper, str.lower)))
    hidden: dict[str, JSONObject] | None = field(default=None, metadata=member(optional=True))


CONVERTER = Converter({datetime: TIME})

LEAF: JSONObject = {
    "name": "a",
    "count": 3,
    "on": True,
    "colour": "green",
    "day": "2026-05-01",
    "at": "2026-05-01T09:30:00+00:00",
}


def _node(**changes: Any) -> JSONObject:
    node: JSONObject = {
        "type": "Node",
        "nodeLabel": "root",
        "leaves": [dict(LEAF), dict(LEAF, at=None)],
        "tags": ["x", "y"],
        "colours": ["red"],
        "parent": None,
        "extra": {"deep": [{"a": 1}]},
        "value": 7,
        "document": {"id": "did:example:1"},
        "upper": "abc",
    }
    node.update(changes)
    return node


def test_round_trip_is_exact_with_member_order_from_the_fields() -> None:
    rest = _node(parent=_node())
    data: JSONObject = {
        "type": rest.pop("type"),
        "nodeLabel": rest.pop("nodeLabel"),
        "note": "n",  # a keyword-only field: its place is where it is declared
        **rest,
        "hidden": {"https://x.example/v1": {"k": True}},
    }
    node = CONVERTER.from_json(Node, data)
    assert node.label == "root"
    assert node.note == "n"
    assert node.leaves[0] == Leaf("a", 3, True, Colour.GREEN, date(2026, 5, 1), node.leaves[0].at)
    assert node.leaves[0].at == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert node.leaves[1].at is None
    assert node.colours == (Colour.RED,)
    assert isinstance(node.parent, Node)
    assert node.upper == "ABC"
    out = CONVERTER.to_json(node)
    assert out == data
    assert json.dumps(out) == json.dumps(data)  # the same order of members too
    leaves: Any = out["leaves"]
    assert type(leaves[0]["colour"]) is str


def test_optional_members_are_absent_exactly_when_none() -> None:
    node = CONVERTER.from_json(Node, _node())
    assert node.note is None
    assert node.hidden is None
    out = CONVERTER.to_json(node)
    assert "note" not in out
    assert "hidden" not in out
    assert out["parent"] is None  # a nullable member is always written


def test_constants_are_written_and_not_read() -> None:
    node = CONVERTER.from_json(Node, _node(type="ignored: the schema checks constants"))
    assert node.kind == "Node"
    assert CONVERTER.to_json(node)["type"] == "Node"


def test_nothing_is_shared_in_either_direction() -> None:
    data: Any = _node()
    node = CONVERTER.from_json(Node, data)
    data["extra"]["deep"][0]["a"] = 2
    data["document"]["id"] = "changed"
    assert node.extra == {"deep": [{"a": 1}]}
    assert node.document == {"id": "did:example:1"}
    out: Any = CONVERTER.to_json(node)
    out["extra"]["deep"].append(3)
    assert node.extra == {"deep": [{"a": 1}]}
    assert CONVERTER.to_json(node) == _node()


@dataclass(frozen=True, slots=True)
class Carrier:
    document: JSONObject | str = field(metadata=member(copy=False))
    documents: tuple[JSONObject, ...] = field(metadata=member(copy=False))
    optional: JSONObject | None = field(default=None, metadata=member(optional=True, copy=False))


def test_documents_carried_whole_may_be_held_uncopied() -> None:
    data: Any = {"document": {"a": [1]}, "documents": [{"b": 2}], "optional": {"c": {}}}
    carrier = CONVERTER.from_json(Carrier, data)
    assert carrier.document is data["document"]
    assert carrier.documents[0] is data["documents"][0]
    assert carrier.optional is data["optional"]
    out: Any = CONVERTER.to_json(carrier)
    assert out == data
    assert out["document"] is data["document"]
    assert CONVERTER.from_json(Carrier, {"document": "jws", "documents": []}).optional is None


def test_an_integer_that_arrives_as_a_float_becomes_an_int() -> None:
    """JSON Schema's ``integer`` admits 3.0; a field typed ``int`` holds 3."""
    node = CONVERTER.from_json(Node, _node(value=7.0, leaves=[dict(LEAF, count=3.0)]))
    assert type(node.value) is int
    assert type(node.leaves[0].count) is int
    text = CONVERTER.from_json(Node, _node(value="7.0"))
    assert text.value == "7.0"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (dict(LEAF, at="9999-01-01T00:00:00+00:00"), "/at"),
        (_node(leaves=[LEAF, dict(LEAF, at="9999-01-01T00:00:00+00:00")]), "/leaves/1/at"),
        (
            _node(parent=_node(leaves=[dict(LEAF, at="9999-12-31T00:00:00+00:00")])),
            "/parent/leaves/0/at",
        ),
    ],
)
def test_a_codec_refusal_is_located(data: JSONObject, path: str) -> None:
    cls = Leaf if "name" in data else Node
    with pytest.raises(MalformedInputError) as info:
        CONVERTER.from_json(cls, data)
    assert info.value.path == path


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    next: Chain | None


def test_a_class_may_hold_itself() -> None:
    data: JSONObject = {"name": "a", "next": {"name": "b", "next": {"name": "c", "next": None}}}
    chain = Converter().from_json(Chain, data)
    assert chain.next is not None
    assert chain.next.next is not None
    assert chain.next.next.name == "c"
    assert Converter().to_json(chain) == data


@dataclass(frozen=True)
class NoTimeCodec:
    at: datetime


@dataclass(frozen=True)
class Ambiguous:
    due: date | str


@dataclass(frozen=True)
class OptionalWithDefault:
    label: str = field(default="x", metadata=member(optional=True))


@dataclass(frozen=True)
class Pair:
    pair: tuple[int, str]


@dataclass(frozen=True)
class Nested:
    rows: tuple[tuple[str, ...], ...]


class NotADataclass:
    pass


@pytest.mark.parametrize("cls", [NoTimeCodec, Ambiguous, OptionalWithDefault, Pair, Nested])
def test_a_class_the_converter_cannot_describe_is_refused_when_planned(cls: type) -> None:
    with pytest.raises(TypeError):
        Converter().check(cls)


def test_only_dataclasses_are_converted() -> None:
    with pytest.raises(TypeError):
        Converter().to_json(NotADataclass())


def test_a_failed_plan_is_not_kept() -> None:
    converter = Converter()
    for _ in range(2):
        with pytest.raises(TypeError):
            converter.check(NoTimeCodec)
    converter.check(Chain)


def test_copy_json_copies_containers_only() -> None:
    value: Any = {"a": [1, {"b": "c"}], "d": (1, 2), "e": MappingProxyType({"f": [None]})}
    copied = copy_json(value)
    assert copied == {"a": [1, {"b": "c"}], "d": [1, 2], "e": {"f": [None]}}
    assert type(copied["e"]) is dict
    assert copied["a"] is not value["a"]
    assert copied["a"][1] is not value["a"][1]
    assert copied["e"]["f"] is not value["e"]["f"]


def _dataclasses_of(module: Any) -> list[type]:
    return [
        value
        for name in module.__all__
        if isinstance(value := getattr(module, name), type) and dataclasses.is_dataclass(value)
    ]


@pytest.mark.parametrize("cls", _dataclasses_of(record), ids=lambda c: c.__name__)
def test_every_record_class_has_a_plan(cls: type) -> None:
    record._CONVERTER.check(cls)


@pytest.mark.parametrize(
    "cls",
    [*_dataclasses_of(trust), status.StatusEntry],
    ids=lambda c: c.__name__,
)
def test_every_trust_and_status_class_has_a_plan(cls: type) -> None:
    converter = status._CONVERTER if cls is status.StatusEntry else trust._CONVERTER
    converter.check(cls)
