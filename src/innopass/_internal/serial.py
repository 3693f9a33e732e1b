"""Frozen dataclasses to JSON and back: one converter, driven by the fields and their type hints.

Each innopass format (the assessment record, trust material, status entries)
declares its JSON shape once, as frozen dataclasses, and converts with a
:class:`Converter`::

    @dataclass(frozen=True, slots=True)
    class KeyWindow:
        id: str
        valid_from: datetime | None = field(default=None, metadata=member("validFrom"))

    CONVERTER = Converter({datetime: Codec(parse_datetime, format_datetime)})
    window = CONVERTER.from_json(KeyWindow, {"id": "did:x#1", "validFrom": None})
    CONVERTER.to_json(window)  # {"id": "did:x#1", "validFrom": None}

The members are the fields, in field order: a field's place fixes its member's
place in the output (a keyword-only field may stand anywhere). What a field
holds is read from its type hint:

- ``str``, ``bool``, ``int``; an :class:`~enum.Enum` by its value;
  :class:`datetime.date` as ``YYYY-MM-DD``; any type through the :class:`Codec`
  the converter was given for it (``datetime`` has no default: each format says
  how it spells an instant);
- ``tuple[T, ...]`` as an array; a nested dataclass as an object;
- ``X | None``: ``None`` is ``null``, or an absent member if the field is optional;
- a free-form object (``dict[...]``) or a union of JSON types (``JSONObject | str``,
  ``bool | int | str``): a value that is JSON already, deep-copied in and out so
  that nothing is shared with the caller (unless the field says ``copy=False``).

:func:`member` gives a field its JSON name (default: the field's name), makes it
``optional`` (absent exactly when ``None``, never written as ``null``; it must
default to ``None``), gives it its own :class:`Codec`, for the rare value no type
hint describes, or, with ``copy=False``, keeps the JSON values it holds as they
are: for whole documents carried only to be read (a bundle's passport), where a
copy would cost more than the rest of the conversion. A member that is not
optional is always written, as ``null`` when ``None``. A field with
``init=False`` is a constant of the format (a ``type`` tag, a
``formatVersion``): written, never read.

The converter converts; it does not validate. It assumes JSON that has passed the
format's JSON Schema (:mod:`innopass._internal.schema`), which is the public entry points'
job; given anything else it may raise anything. The one refusal it reports is a
codec's: a codec may raise :class:`~innopass.errors.MalformedInputError` for a
value the schema cannot rule out (an instant that leaves the calendar once in
UTC), and the converter sets the error's ``path`` to the JSON pointer of that
value, relative to the object converted.

Each class's type hints are resolved once, on first use, and compiled into a
plan: a decoding and an encoding function generated for that class (straight-line
code, as ``dataclasses`` itself generates ``__init__``), kept by the converter.
"""

from __future__ import annotations

import dataclasses
import operator
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Final, TypeVar

from innopass._internal.jsonio import JSONObject, JSONValue, pointer
from innopass.errors import MalformedInputError

__all__ = ["Codec", "Converter", "copy_json", "member"]

T = TypeVar("T")

_Function = Callable[[Any], Any]
_METADATA_KEY: Final = "innopass.serial"
#: Names that type hints may use without importing them (``JSONObject`` is built on them).
_HINT_NAMES: Final[dict[str, object]] = {"JSONValue": JSONValue, "JSONObject": JSONObject}
_JSON_SCALARS: Final = (str, int, float, bool, type(None))
_SCALAR_TYPES: Final = frozenset(_JSON_SCALARS)


@dataclasses.dataclass(frozen=True, slots=True)
class Codec:
    """How one kind of value is written: ``decode`` from JSON, ``encode`` back to JSON."""

    decode: _Function
    encode: _Function


@dataclasses.dataclass(frozen=True, slots=True)
class _Member:
    name: str | None = None
    optional: bool = False
    codec: Codec | None = None
    copy: bool = True


def member(
    name: str | None = None,
    *,
    optional: bool = False,
    codec: Codec | None = None,
    copy: bool = True,
) -> dict[str, object]:
    """Field metadata for the converter, as in ``field(metadata=member("odsCode"))``.

    ``name`` is the JSON member (default: the field's name); ``optional`` means
    absent exactly when ``None``; ``codec`` converts the field's non-null value;
    ``copy=False`` keeps the JSON values the field holds as they are, uncopied.
    """
    return {_METADATA_KEY: _Member(name, optional, codec, copy)}


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value: objects and arrays copied, scalars shared.

    Plain ``dict`` and ``list`` (what a JSON parser gives) are tested first, by
    type, which is twice as fast as ``isinstance`` and as :func:`copy.deepcopy`.
    """
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    if kind in _SCALAR_TYPES:
        return value
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(item) for item in value]
    return value


def _integral(value: Any) -> Any:
    """JSON Schema's ``integer`` admits ``1.0``; a field typed ``int`` gets ``1``."""
    return int(value) if value.__class__ is float else value


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class _Kind:
    """How a non-null value is converted: a leaf function pair, a nested plan or a tuple."""

    decode: _Function | None = None  # None: the JSON value is the value
    encode: _Function | None = None
    plan: _Plan | None = None
    item: _Kind | None = None  # tuple[item, ...]


_AS_IS: Final = _Kind()


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class _Field:
    attribute: str
    name: str
    optional: bool
    nullable: bool
    read: bool
    kind: _Kind


def _unbuilt(value: Any) -> Any:
    raise AssertionError("a plan was used before it was built")  # pragma: no cover


@dataclasses.dataclass(slots=True, eq=False)
class _Plan:
    """One class's conversion: its fields, then the two functions generated from them."""

    cls: type[Any]
    fields: tuple[_Field, ...] = ()
    decode: Callable[[Mapping[str, Any]], Any] = _unbuilt
    encode: Callable[[Any], JSONObject] = _unbuilt

    def locate(self, obj: Mapping[str, Any], error: MalformedInputError) -> None:
        """Set ``error.path`` to the value of ``obj`` that a codec refused.

        Run on the error path only: each member is decoded again, on its own, until
        one fails (decoding is pure); the generated code has no bookkeeping.
        """
        for f in self.fields:
            value = obj.get(f.name)
            if not f.read or value is None:
                continue
            try:
                _decode_one(f.kind, value)
            except MalformedInputError as found:
                error.path = pointer(f.name) + found.path
                return


def _decode_one(kind: _Kind, value: Any) -> None:
    """Decode ``value`` slowly, raising with a ``path`` relative to it."""
    if kind.item is not None:
        for index, item in enumerate(value):
            try:
                _decode_one(kind.item, item)
            except MalformedInputError as exc:
                exc.path = pointer(index) + exc.path
                raise
    elif kind.plan is not None:
        kind.plan.decode(value)  # a plan's own decoder locates its errors
    elif kind.decode is not None:
        kind.decode(value)


class _Source:
    """The source of one plan's two functions and the names they use."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.names: dict[str, object] = {
            "cls": plan.cls,
            "locate": plan.locate,
            "MalformedInputError": MalformedInputError,
        }
        self.late: list[tuple[str, _Plan, str]] = []  # names bound once every plan exists

    def _name(self, kind: _Kind, direction: str) -> str | None:
        """The name of the function that converts ``kind`` (None: the value as it is)."""
        name = f"{direction}_{len(self.names) + len(self.late)}"
        if kind.plan is not None:
            self.late.append((name, kind.plan, direction))
            return name
        function = kind.decode if direction == "decode" else kind.encode
        if function is None:
            return None
        self.names[name] = function
        return name

    def _expression(self, kind: _Kind, value: str, direction: str) -> str:
        """Python code converting the non-null ``value`` (code too) in ``direction``."""
        if kind.item is not None:
            name = self._name(kind.item, direction)
            container = "tuple" if direction == "decode" else "list"
            return f"{container}({value})" if name is None else f"{container}(map({name}, {value}))"
        name = self._name(kind, direction)
        return value if name is None else f"{name}({value})"

    def _value(self, f: _Field, value: str, direction: str) -> str:
        """Python code converting ``value``, which may be ``None`` if ``f`` is nullable."""
        if not f.nullable:
            return self._expression(f.kind, value, direction)
        expression = self._expression(f.kind, "v", direction)
        return value if expression == "v" else f"(None if (v := {value}) is None else {expression})"

    def decoder(self) -> str:
        required = []
        optional = []
        for f in self.plan.fields:
            if not f.read:
                continue
            if f.optional:
                expression = self._expression(f.kind, "v", "decode")
                optional.append(
                    f"        if (v := obj.get({f.name!r})) is not None:\n"
                    f"            kw[{f.attribute!r}] = {expression}\n"
                )
            else:
                required.append(f"{f.attribute}={self._value(f, f'obj[{f.name!r}]', 'decode')}")
        if optional:
            required.append("**kw")
        return (
            "def decode(obj):\n"
            "    try:\n"
            + ("        kw = {}\n" + "".join(optional) if optional else "")
            + f"        return cls({', '.join(required)})\n"
            "    except MalformedInputError as exc:\n"
            "        locate(obj, exc)\n"
            "        raise\n"
        )

    def encoder(self) -> str:
        head: list[str] = []  # the members before the first optional one: one dict display
        tail: list[str] = []  # the others, a statement each
        for f in self.plan.fields:
            if f.optional:
                expression = self._expression(f.kind, "v", "encode")
                tail.append(
                    f"    if (v := value.{f.attribute}) is not None:\n"
                    f"        out[{f.name!r}] = {expression}\n"
                )
            else:
                expression = self._value(f, f"value.{f.attribute}", "encode")
                if tail:
                    tail.append(f"    out[{f.name!r}] = {expression}\n")
                else:
                    head.append(f"{f.name!r}: {expression}")
        display = "{" + ", ".join(head) + "}"
        if not tail:
            return f"def encode(value):\n    return {display}\n"
        return f"def encode(value):\n    out = {display}\n" + "".join(tail) + "    return out\n"


def _is_json(hint: object) -> bool:
    return hint in _JSON_SCALARS or hint in (dict, list) or typing.get_origin(hint) in (dict, list)


class Converter:
    """Converts frozen dataclasses to JSON and back, with ``codecs`` for leaf types.

    ``codecs`` maps a type (e.g. :class:`datetime.datetime`) to the :class:`Codec`
    used wherever a type hint names it. Plans are built on first use and kept; a
    class that cannot be converted raises :class:`TypeError` then (see :meth:`check`).
    """

    __slots__ = ("_codecs", "_lock", "_plans")

    def __init__(self, codecs: Mapping[type, Codec] | None = None) -> None:
        self._codecs: dict[type, Codec] = dict(codecs or {})
        self._plans: dict[type, _Plan] = {}
        self._lock = threading.Lock()

    def from_json(self, cls: type[T], obj: Mapping[str, Any]) -> T:
        """Build a ``cls`` from JSON that has passed its schema (see the module docstring)."""
        plan = self._plans.get(cls) or self._build(cls)
        result: T = plan.decode(obj)
        return result

    def to_json(self, value: object) -> JSONObject:
        """The JSON object of a dataclass instance, sharing nothing with it."""
        cls = type(value)
        plan = self._plans.get(cls) or self._build(cls)
        return plan.encode(value)

    def check(self, cls: type) -> None:
        """Build ``cls``'s plan now; raise :class:`TypeError` if it cannot be converted."""
        self._plans.get(cls) or self._build(cls)

    # --- building plans -------------------------------------------------------------

    def _build(self, cls: type) -> _Plan:
        """Plan ``cls`` and every dataclass it holds, then publish the plans together.

        Plans are published only when complete, so that another thread never uses
        a half-built one; a class that holds itself refers to its own plan.
        """
        with self._lock:
            if cls in self._plans:
                return self._plans[cls]
            building: dict[type, _Plan] = {}
            plan = self._plan(cls, building)
            sources = [_Source(p) for p in building.values()]
            for source in sources:
                code = source.decoder() + source.encoder()
                # generated from field names and repr()'d member names only, as dataclasses does
                exec(code, source.names)  # noqa: S102
                source.plan.decode = typing.cast(Any, source.names["decode"])
                source.plan.encode = typing.cast(Any, source.names["encode"])
            for source in sources:
                for name, nested, direction in source.late:
                    source.names[name] = getattr(nested, direction)
            self._plans.update(building)
            return plan

    def _plan(self, cls: type, building: dict[type, _Plan]) -> _Plan:
        known = self._plans.get(cls) or building.get(cls)
        if known is not None:
            return known
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"{cls!r} is not a dataclass")
        plan = building[cls] = _Plan(cls)
        hints = typing.get_type_hints(cls, localns=_HINT_NAMES)
        fields = []
        for f in dataclasses.fields(cls):
            spec = f.metadata.get(_METADATA_KEY, _Member())
            where = f"{cls.__name__}.{f.name}"
            if spec.optional and f.default is not None:
                raise TypeError(f"{where}: an optional field must default to None")
            hint = hints[f.name]
            nullable = typing.get_origin(hint) in (types.UnionType, typing.Union) and type(
                None
            ) in typing.get_args(hint)
            kind = (
                _Kind(spec.codec.decode, spec.codec.encode)
                if spec.codec is not None
                else self._kind(hint, building, where, copy=spec.copy)
            )
            fields.append(
                _Field(f.name, spec.name or f.name, spec.optional, nullable, f.init, kind)
            )
        plan.fields = tuple(fields)
        return plan

    def _kind(
        self, hint: Any, building: dict[type, _Plan], where: str, *, copy: bool = True
    ) -> _Kind:
        """How a non-null value of type ``hint`` is converted (JSON values ``copy``'d or not)."""
        json_kind = _Kind(copy_json, copy_json) if copy else _AS_IS
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            kinds = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            if len(kinds) == 1:
                return self._kind(kinds[0], building, where, copy=copy)
            if not all(_is_json(kind) for kind in kinds):
                raise TypeError(f"{where}: {hint} is not a JSON value; give the field a codec")
            if any(kind not in _JSON_SCALARS for kind in kinds):
                return json_kind
            return _Kind(_integral) if int in kinds and float not in kinds else _AS_IS
        if hint in self._codecs:
            codec = self._codecs[hint]
            return _Kind(codec.decode, codec.encode)
        if hint is str or hint is bool:
            return _AS_IS
        if hint is int:
            return _Kind(int)
        if isinstance(hint, type) and issubclass(hint, Enum):
            by_value = {item.value: item for item in hint}
            return _Kind(by_value.__getitem__, operator.attrgetter("_value_"))
        if hint is date:
            return _Kind(date.fromisoformat, date.isoformat)
        if origin is tuple:
            args: Sequence[Any] = typing.get_args(hint)
            if len(args) != 2 or args[1] is not Ellipsis:
                raise TypeError(f"{where}: only tuple[T, ...] is supported, not {hint}")
            item = self._kind(args[0], building, where, copy=copy)
            if item.item is not None:
                raise TypeError(f"{where}: tuples of tuples are not supported")
            return _Kind(item=item)
        if _is_json(hint):
            return json_kind
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return _Kind(plan=self._plan(hint, building))
        if hint is datetime:
            raise TypeError(f"{where}: give the converter a codec for datetime")
        raise TypeError(f"{where}: cannot convert {hint!r}; give the field a codec")
