"""VC Data Model 2.0 conformance: the one set of rules the issuer and the verifier both apply.

:func:`credential_problems` and :func:`presentation_problems` walk a document once,
over its top level and the objects the data model defines there (issuer, subjects,
status, schema, evidence, terms of use, refresh services, related resources), and
return every problem as a :class:`~innopass.errors.CheckFailed` with a JSON pointer.
They never look inside claims (a passport's ``assessmentRecord`` is an ``@json``
literal, its own schema's business), so the walk costs the same for a small
credential and a 200 KB passport. The issuer refuses to sign a document with any
problem; the verifier reports them under ``parse``.

Failure codes, one per family (FORMATS.md §9):

- ``malformed``: not a VC 2.0 credential (or presentation) at all: ``@context``
  not starting with the VC 2.0 context, no ``VerifiableCredential`` type, no
  issuer, no subject, data-model objects that are not objects, a ``validFrom`` or
  ``validUntil`` that is not a dateTimeStamp, a validity period that ends before it
  starts;
- ``context-invalid``: a later ``@context`` item that is neither a URL nor a
  context object, or a context that redefines a protected term;
- ``id-invalid``: an ``id`` (of the credential, a subject, the issuer, a status
  entry, a schema, …) that is not a single URL; a ``credentialSchema`` without one;
- ``type-invalid``: a ``type`` value that is not a term or an absolute URL mapped by
  the contexts in force; a data-model object that must have a ``type`` and has none;
- ``language-value-invalid``: a ``name`` or ``description`` (of the credential or
  its issuer) that is neither a string nor language value objects (only
  ``@value``, ``@language``, ``@direction``);
- ``subject-empty``: a ``credentialSubject`` object with no claims;
- ``related-resource-invalid``: a ``relatedResource`` entry without a unique URL
  ``id`` or without a well-formed ``digestSRI``/``digestMultibase``;
- ``digest-mismatch``: a related resource innopass holds (a bundled context or
  schema) whose digest is not the one given.

Type mapping is decided offline, as far as innopass's bundled contexts allow: the
VC 2.0 and innopass contexts are read from the package and inline context objects
from the document; once a context innopass does not hold is in force, a term it
could define is given the benefit of the doubt (nothing is fetched).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from innopass._internal.contexts import CREDENTIALS_V2, PINNED, context_bytes
from innopass._internal.credential import VC_TYPE
from innopass._internal.encoding import base58btc_decode
from innopass._internal.jsonio import JSONObject, JSONValue, as_list, pointer
from innopass._internal.timestamps import parse_datetime
from innopass.errors import (
    CheckFailed,
    CredentialInvalidError,
    FailureCode,
    MalformedInputError,
)

__all__ = [
    "ENVELOPED_CREDENTIAL_TYPE",
    "ENVELOPED_PRESENTATION_TYPE",
    "PRESENTATION_TYPE",
    "VC_TYPE",
    "Held",
    "credential_problems",
    "data_url_content",
    "data_url_parts",
    "envelope_problems",
    "enveloped_jws_text",
    "held_resource",
    "is_url",
    "presentation_problems",
    "require_conforming",
]

PRESENTATION_TYPE: Final = "VerifiablePresentation"
ENVELOPED_CREDENTIAL_TYPE: Final = "EnvelopedVerifiableCredential"
ENVELOPED_PRESENTATION_TYPE: Final = "EnvelopedVerifiablePresentation"

#: ``url -> bytes`` of a resource innopass holds, or ``None``.
Held = Callable[[str], bytes | None]

# RFC 3986 absolute URI (RFC 3987 IRIs: non-ASCII allowed): a scheme, then no space,
# control character or character URIs exclude; http(s) also need an authority. One
# pattern, so that a URL costs one match.
_URI_CHAR = r'[^\x00-\x20\x7f<>"{}|\\^`]'
_AUTHORITY_CHAR = r'[^\x00-\x20\x7f<>"{}|\\^`/?#]'
_URL = re.compile(
    rf"(?i:https?)://{_AUTHORITY_CHAR}+{_URI_CHAR}*"
    rf"|(?!(?i:https?):)[A-Za-z][A-Za-z0-9+.-]*:{_URI_CHAR}+"
)
_MAX_URL: Final = 8192

#: Objects the data model requires to carry a ``type`` (VC DM 2.0 §4.5 table).
_TYPED: Final = ("credentialStatus", "termsOfUse", "evidence", "refreshService", "credentialSchema")
_LANGUAGE_KEYS: Final = frozenset({"@value", "@language", "@direction"})
_DIRECTIONS: Final = frozenset({"ltr", "rtl"})
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})")
_SRI_SIZES: Final = {"sha256": 32, "sha384": 48, "sha512": 64}
#: multihash code → (hashlib name, digest length): sha2-256, sha2-384, sha2-512.
_MULTIHASH: Final = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64)}


def is_url(value: object) -> bool:
    """An absolute URL (RFC 3986 ``absolute-URI``, non-ASCII letters allowed as in IRIs)."""
    return isinstance(value, str) and len(value) <= _MAX_URL and _URL.fullmatch(value) is not None


def _fail(code: FailureCode, message: str, path: str) -> CheckFailed:
    return CheckFailed(code, message, path)


# --- contexts and terms ---------------------------------------------------------------

_NEEDS_VOCAB: Final = ""
"""A term defined without ``@id``: its IRI comes from ``@vocab``."""


@dataclass(slots=True)
class _Terms:
    """The active context, as far as type mapping needs it."""

    iris: dict[str, str | None] = field(default_factory=dict)
    """term → IRI as written (``None``: defined as null, i.e. not mapped)."""
    definitions: dict[str, object] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    vocab: bool = False
    unknown: bool = False
    """A context innopass cannot read is in force: it may define any term."""
    decided: dict[str, str | None] = field(default_factory=dict)
    """type value → its problem (``None``: none) under these terms, remembered (the
    bundled contexts' terms are shared by every run and never change)."""

    def copy(self) -> _Terms:
        return _Terms(
            dict(self.iris), dict(self.definitions), set(self.protected), self.vocab, self.unknown
        )

    def expand(self, value: str) -> str | None:
        """The absolute IRI ``value`` (a term, compact IRI or IRI) maps to, if it can be told."""
        if value.startswith("@"):
            return value
        prefix, colon, suffix = value.partition(":")
        if colon:
            if not suffix.startswith("//") and prefix in self.iris:
                base = self.iris[prefix]
                expanded = None if base is None else self.expand(base)
                return None if expanded is None else expanded + suffix
            return value
        iri = self.iris.get(value)
        return None if iri is None or iri == _NEEDS_VOCAB else self.expand(iri)


def _normal(definition: object) -> object:
    """A term definition as JSON-LD compares it for protected terms (``@protected`` aside)."""
    if isinstance(definition, str):
        return {"@id": definition}
    if isinstance(definition, dict):
        return {k: v for k, v in definition.items() if k != "@protected"}
    return definition


def _process(terms: _Terms, context: Mapping[str, JSONValue], path: str) -> list[CheckFailed]:
    """Apply one context object to ``terms``; the problems it has."""
    problems: list[CheckFailed] = []
    protect = context.get("@protected") is True
    if "@import" in context:
        terms.unknown = True
    if "@vocab" in context:
        vocab = context["@vocab"]
        if vocab is not None and not (isinstance(vocab, str) and (vocab == "" or is_url(vocab))):
            problems.append(
                _fail(FailureCode.CONTEXT_INVALID, "@vocab is not an IRI", f"{path}/@vocab")
            )
        terms.vocab = vocab is not None
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        if term in terms.protected and _normal(definition) != _normal(terms.definitions[term]):
            problems.append(
                _fail(
                    FailureCode.CONTEXT_INVALID,
                    f"the context redefines the protected term {term[:60]!r}",
                    path + pointer(term),
                )
            )
            continue
        if definition is None:
            iri: str | None = None
        elif isinstance(definition, str):
            iri = definition
        elif isinstance(definition, dict):
            raw = definition.get("@id", _NEEDS_VOCAB)
            iri = raw if isinstance(raw, str) else None
        else:
            problems.append(
                _fail(
                    FailureCode.CONTEXT_INVALID,
                    f"the definition of {term[:60]!r} is not a string or an object",
                    path + pointer(term),
                )
            )
            continue
        terms.iris[term] = iri
        terms.definitions[term] = definition
        if protect or (isinstance(definition, dict) and definition.get("@protected") is True):
            terms.protected.add(term)
        else:
            terms.protected.discard(term)
    return problems


@functools.cache
def _bundled_terms(urls: tuple[str, ...]) -> _Terms:
    """The active context after the bundled contexts ``urls``, in order (read once)."""
    terms = _Terms()
    for url in urls:
        document = json.loads(context_bytes(url))
        _process(terms, document["@context"], "")
    return terms


def _context_terms(context: JSONValue, problems: list[CheckFailed]) -> _Terms:
    """The terms ``@context`` puts in force, and its problems (the first item is checked by
    the caller)."""
    items = as_list(context)
    bundled: list[str] = []
    position = 1
    for item in items[1:]:
        if not (isinstance(item, str) and item in PINNED):
            break
        bundled.append(item)
        position += 1
    terms = _bundled_terms((CREDENTIALS_V2, *bundled))
    if position == len(items):
        return terms  # the common case: nothing but bundled contexts, decided once
    terms = terms.copy()
    for index in range(position, len(items)):
        item = items[index]
        path = pointer("@context", index)
        if isinstance(item, str):
            if not is_url(item):
                problems.append(
                    _fail(FailureCode.CONTEXT_INVALID, "a @context item is not a URL", path)
                )
            elif item in PINNED:
                problems += _process(terms, json.loads(context_bytes(item))["@context"], path)
            else:
                terms.unknown = True  # never fetched: its terms cannot be told
        elif isinstance(item, dict):
            problems += _process(terms, item, path)
        else:
            problems.append(
                _fail(
                    FailureCode.CONTEXT_INVALID,
                    "a @context item must be a URL or a context object",
                    path,
                )
            )
    return terms


def _check_context(doc: Mapping[str, JSONValue], what: str) -> tuple[_Terms, list[CheckFailed]]:
    problems: list[CheckFailed] = []
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        problems.append(
            _fail(
                FailureCode.MALFORMED,
                f"not a VC 2.0 {what}: @context must start with {CREDENTIALS_V2}",
                "/@context",
            )
        )
        if not isinstance(context, list) or not context:
            return _bundled_terms((CREDENTIALS_V2,)), problems
    return _context_terms(context, problems), problems


# --- the walk ----------------------------------------------------------------------------


def _check_types(
    terms: _Terms, value: JSONValue, path: str, problems: list[CheckFailed]
) -> tuple[str, ...]:
    """Each ``type`` value a string, a term or an absolute URL the contexts map; the values."""
    found: list[str] = []
    items = as_list(value)
    if not items:
        problems.append(_fail(FailureCode.TYPE_INVALID, "type has no value", path))
    for index, item in enumerate(items):
        where = f"{path}/{index}" if isinstance(value, list) else path
        if not isinstance(item, str) or not item:
            problems.append(_fail(FailureCode.TYPE_INVALID, "a type must be a string", where))
            continue
        found.append(item)
        problem = _type_problem(terms, item)
        if problem is not None:
            problems.append(_fail(FailureCode.TYPE_INVALID, problem, where))
    return tuple(found)


def _type_problem(terms: _Terms, value: str) -> str | None:
    decided = terms.decided
    if value in decided:
        return decided[value]
    problem = decided[value] = _decide_type(terms, value)
    return problem


def _decide_type(terms: _Terms, value: str) -> str | None:
    if ":" in value:
        expanded = terms.expand(value)
        return None if expanded is not None and is_url(expanded) else f"{value[:80]!r} is not a URL"
    if value in terms.iris:
        iri = terms.iris[value]
        if iri is None:
            return f"{value[:80]!r} is defined as null by the @context"
        if iri == _NEEDS_VOCAB:
            return None if terms.vocab or terms.unknown else f"{value[:80]!r} maps to no IRI"
        expanded = terms.expand(value)
        if expanded is None:
            return None if terms.unknown else f"{value[:80]!r} maps to no IRI"
        if expanded.startswith("@") or is_url(expanded):
            return None
        if ":" not in expanded and (terms.vocab or terms.unknown):
            return None  # a relative IRI, resolved against @vocab
        return f"{value[:80]!r} is mapped to {expanded[:80]!r}, which is not a URL"
    if terms.vocab or terms.unknown:
        return None
    return f"{value[:80]!r} is not defined by the @context (and no @vocab is in force)"


def _check_id(value: JSONValue, path: str, problems: list[CheckFailed]) -> None:
    if not is_url(value):
        what = "a list" if isinstance(value, list) else "not a URL"
        problems.append(_fail(FailureCode.ID_INVALID, f"id must be a single URL ({what})", path))


def _check_node(
    terms: _Terms,
    node: JSONObject,
    path: str,
    problems: list[CheckFailed],
    *,
    needs_type: bool = False,
    needs_id: bool = False,
) -> None:
    """A data-model object's ``id`` and ``type``."""
    if "id" in node:
        _check_id(node["id"], f"{path}/id", problems)
    elif needs_id:
        problems.append(_fail(FailureCode.ID_INVALID, "an id (a URL) is required", f"{path}/id"))
    if "type" in node:
        _check_types(terms, node["type"], f"{path}/type", problems)
    elif needs_type:
        problems.append(_fail(FailureCode.TYPE_INVALID, "a type is required", f"{path}/type"))


def _objects(
    doc: Mapping[str, JSONValue], name: str, problems: list[CheckFailed]
) -> list[tuple[JSONObject, str]]:
    """``doc[name]``: one object or a list of them, each with its path (problems for others)."""
    value = doc.get(name)
    if value is None:
        return []
    if isinstance(value, dict):
        return [(value, f"/{name}")]
    if not isinstance(value, list):
        problems.append(
            _fail(
                FailureCode.MALFORMED, f"{name} must be an object or a list of objects", f"/{name}"
            )
        )
        return []
    out = []
    for index, item in enumerate(value):  # ``name`` is a data-model term: nothing to escape
        if isinstance(item, dict):
            out.append((item, f"/{name}/{index}"))
        else:
            problems.append(
                _fail(FailureCode.MALFORMED, f"each {name} must be an object", f"/{name}/{index}")
            )
    return out


def _check_language(value: JSONValue, path: str, problems: list[CheckFailed]) -> None:
    """A string, a language value object, or a list of language value objects (VC DM §11.1)."""
    if isinstance(value, str):
        return
    items = value if isinstance(value, list) and value else [value]
    for index, item in enumerate(items):
        where = f"{path}/{index}" if isinstance(value, list) else path
        problem = None
        if isinstance(item, str) and isinstance(value, list):
            continue
        if not isinstance(item, dict):
            problem = "must be a string or a language value object"
        elif not _LANGUAGE_KEYS.issuperset(item):
            extra = sorted(set(item) - _LANGUAGE_KEYS)
            problem = f"a language value object allows only @value, @language, @direction: {extra}"
        elif not isinstance(item.get("@value"), str):
            problem = "a language value object needs a string @value"
        elif "@language" in item and not isinstance(item["@language"], str):
            problem = "@language must be a language tag"
        elif "@direction" in item and item["@direction"] not in _DIRECTIONS:
            problem = "@direction must be ltr or rtl"
        if problem is not None:
            problems.append(_fail(FailureCode.LANGUAGE_VALUE_INVALID, problem, where))


def _check_names(node: Mapping[str, JSONValue], path: str, problems: list[CheckFailed]) -> None:
    for name in ("name", "description"):
        if name in node:
            _check_language(node[name], f"{path}/{name}", problems)


def _check_issuer(terms: _Terms, doc: Mapping[str, JSONValue], problems: list[CheckFailed]) -> None:
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        if not isinstance(issuer.get("id"), str) or not issuer["id"]:
            problems.append(
                _fail(FailureCode.MALFORMED, "the issuer object must have an id", "/issuer/id")
            )
        _check_node(terms, issuer, "/issuer", problems)
        _check_names(issuer, "/issuer", problems)
    elif isinstance(issuer, str) and issuer:
        _check_id(issuer, "/issuer", problems)
    else:
        problems.append(
            _fail(FailureCode.MALFORMED, "issuer must be a URL or an object with an id", "/issuer")
        )


def _check_subjects(
    terms: _Terms, doc: Mapping[str, JSONValue], problems: list[CheckFailed]
) -> None:
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) and not (
        isinstance(subject, list) and subject and all(isinstance(s, dict) for s in subject)
    ):
        problems.append(
            _fail(
                FailureCode.MALFORMED,
                "credentialSubject must be an object or a list of objects",
                "/credentialSubject",
            )
        )
        return
    for node, path in _objects(doc, "credentialSubject", problems):
        if not node:
            problems.append(
                _fail(FailureCode.SUBJECT_EMPTY, "a credentialSubject carries no claims", path)
            )
        _check_node(terms, node, path, problems)


def _sri_digest(value: JSONValue) -> tuple[str, bytes] | None:
    if not isinstance(value, str):
        return None
    match = _SRI.fullmatch(value)
    if match is None:
        return None
    try:
        digest = base64.b64decode(match.group(2), validate=True)
    except binascii.Error:
        return None
    name = match.group(1)
    return (name, digest) if len(digest) == _SRI_SIZES[name] else None


def _multibase_digest(value: JSONValue) -> tuple[str, bytes] | None:
    """A multibase (``u`` base64url or ``z`` base58btc) multihash: (hash name, digest)."""
    if not isinstance(value, str) or len(value) < 2 or len(value) > 200:
        return None
    try:
        if value[0] == "u":
            text = value[1:]
            if "=" in text:
                return None
            data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        elif value[0] == "z":
            data = base58btc_decode(value[1:])
        else:
            return None
    except (binascii.Error, ValueError, KeyError):
        return None
    if len(data) < 2 or data[0] not in _MULTIHASH:
        return None
    name, size = _MULTIHASH[data[0]]
    return (name, data[2:]) if data[1] == size and len(data) == size + 2 else None


def _check_related(doc: Mapping[str, JSONValue], held: Held, problems: list[CheckFailed]) -> None:
    value = doc.get("relatedResource")
    if value is None:
        return
    items = as_list(value)
    seen: set[str] = set()
    invalid = FailureCode.RELATED_RESOURCE_INVALID
    for index, item in enumerate(items):
        path = pointer("relatedResource", index) if isinstance(value, list) else "/relatedResource"
        if not isinstance(item, dict):
            problems.append(_fail(invalid, "a related resource must be an object", path))
            continue
        resource = item.get("id")
        if not is_url(resource):
            problems.append(_fail(invalid, "a related resource needs a URL id", f"{path}/id"))
        elif resource in seen:
            problems.append(_fail(invalid, "two related resources have the same id", f"{path}/id"))
        else:
            assert isinstance(resource, str)
            seen.add(resource)
        if "mediaType" in item and not isinstance(item["mediaType"], str):
            problems.append(_fail(invalid, "mediaType must be a string", f"{path}/mediaType"))
        digests: list[tuple[str, tuple[str, bytes]]] = []
        for name, reader in (("digestSRI", _sri_digest), ("digestMultibase", _multibase_digest)):
            if name not in item:
                continue
            for position, entry in enumerate(as_list(item[name])):
                where = f"{path}/{name}" + (f"/{position}" if isinstance(item[name], list) else "")
                digest = reader(entry)
                if digest is None:
                    problems.append(_fail(invalid, f"{name} is not a well-formed digest", where))
                else:
                    digests.append((where, digest))
        if "digestSRI" not in item and "digestMultibase" not in item:
            problems.append(
                _fail(invalid, "a related resource needs digestSRI or digestMultibase", path)
            )
        content = held(resource) if isinstance(resource, str) and digests else None
        if content is None:
            continue
        for where, (algorithm, expected) in digests:
            if hashlib.new(algorithm, content).digest() != expected:
                problems.append(
                    _fail(
                        FailureCode.DIGEST_MISMATCH,
                        f"the digest of {str(resource)[:120]} (held by innopass) is not this one",
                        where,
                    )
                )


@functools.cache
def held_resource(url: str) -> bytes | None:
    """The bytes of a resource innopass ships: a bundled ``@context`` or an innopass schema."""
    if url in PINNED:
        return context_bytes(url)
    from innopass._internal import schema  # only when a credential names such a resource

    name = schema.schema_file_for_id(url)
    return None if name is None else schema.schema_bytes(name)


def _check_times(doc: Mapping[str, JSONValue], problems: list[CheckFailed]) -> None:
    """``validFrom`` and ``validUntil`` are dateTimeStamps, and the period is not reversed."""
    times = []
    for name in ("validFrom", "validUntil"):
        if name not in doc:
            continue
        try:
            times.append(parse_datetime(doc[name], path=f"/{name}"))
        except MalformedInputError as exc:
            problems.append(_fail(FailureCode.MALFORMED, exc.message, exc.path))
    if len(times) == 2 and times[1] < times[0]:
        problems.append(
            _fail(FailureCode.MALFORMED, "validUntil is before validFrom", "/validUntil")
        )


def _check_common(
    terms: _Terms, doc: Mapping[str, JSONValue], held: Held, problems: list[CheckFailed]
) -> None:
    if "id" in doc:
        _check_id(doc["id"], "/id", problems)
    _check_names(doc, "", problems)
    _check_times(doc, problems)
    for node, path in _objects(doc, "proof", problems):
        if "type" not in node:
            problems.append(
                _fail(FailureCode.TYPE_INVALID, "a proof must have a type", f"{path}/type")
            )
    for name in _TYPED:
        for node, path in _objects(doc, name, problems):
            _check_node(
                terms, node, path, problems, needs_type=True, needs_id=name == "credentialSchema"
            )
    _check_related(doc, held, problems)


def credential_problems(
    doc: Mapping[str, JSONValue], *, held: Held = held_resource
) -> list[CheckFailed]:
    """Every VC Data Model 2.0 problem of the credential ``doc`` (module docstring).

    ``held`` gives the bytes of a related resource the caller holds (default: the
    contexts and schemas innopass ships); its digests are checked against them.
    """
    terms, problems = _check_context(doc, "credential")
    types = _check_types(terms, doc["type"], "/type", problems) if "type" in doc else ()
    if VC_TYPE not in types:
        problems.append(_fail(FailureCode.MALFORMED, f"type must include {VC_TYPE}", "/type"))
    _check_issuer(terms, doc, problems)
    _check_subjects(terms, doc, problems)
    _check_common(terms, doc, held, problems)
    return problems


def presentation_problems(
    doc: Mapping[str, JSONValue], *, held: Held = held_resource
) -> list[CheckFailed]:
    """Every VC Data Model 2.0 problem of the presentation ``doc`` (not of the credentials
    it carries: each is checked as a credential)."""
    terms, problems = _check_context(doc, "presentation")
    types = _check_types(terms, doc["type"], "/type", problems) if "type" in doc else ()
    if PRESENTATION_TYPE not in types:
        problems.append(
            _fail(FailureCode.MALFORMED, f"type must include {PRESENTATION_TYPE}", "/type")
        )
    holder = doc.get("holder")
    if isinstance(holder, dict):
        if "id" not in holder:
            problems.append(
                _fail(FailureCode.ID_INVALID, "the holder object must have an id", "/holder/id")
            )
        _check_node(terms, holder, "/holder", problems)
    elif holder is not None:
        _check_id(holder, "/holder", problems)
    credentials = doc.get("verifiableCredential")
    if credentials is not None:
        for index, item in enumerate(as_list(credentials)):
            if not isinstance(item, dict):
                problems.append(
                    _fail(
                        FailureCode.MALFORMED,
                        "verifiableCredential entries must be credential objects, "
                        "not strings, numbers or URLs",
                        pointer("verifiableCredential", index)
                        if isinstance(credentials, list)
                        else "/verifiableCredential",
                    )
                )
    _check_common(terms, doc, held, problems)
    return problems


def require_conforming(
    doc: Mapping[str, JSONValue], *, presentation: bool = False, held: Held = held_resource
) -> None:
    """Raise :class:`~innopass.errors.CredentialInvalidError` unless ``doc`` conforms (what
    the issuer and the holder call before they sign)."""
    problems = (presentation_problems if presentation else credential_problems)(doc, held=held)
    if problems:
        raise CredentialInvalidError(
            problems, what="presentation" if presentation else "credential"
        )


def data_url_parts(value: str) -> tuple[str, bool, str]:
    """``(media type, base64?, data)`` of an RFC 2397 ``data:`` URL (else MalformedInputError)."""
    meta, comma, data = value.removeprefix("data:").partition(",")
    if not comma:
        raise MalformedInputError("the enveloped credential's id is not a data: URL", path="/id")
    media_type, *params = meta.split(";")
    encoded = bool(params) and params[-1].strip().lower() == "base64"
    return media_type.strip().lower(), encoded, data


def data_url_content(encoded: bool, data: str) -> str:
    if not encoded:
        return urllib.parse.unquote(data, errors="strict")
    try:
        return base64.b64decode(data, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise MalformedInputError(f"the data: URL is not valid base64: {exc}", path="/id") from exc


def enveloped_jws_text(value: Mapping[str, JSONValue]) -> str | None:
    """The compact JWS an ``EnvelopedVerifiableCredential`` holds as ``application/vc+jwt``;
    ``None`` when ``value`` is no such envelope. Raises :class:`MalformedInputError` for a
    ``data:`` URL that cannot be read."""
    if ENVELOPED_CREDENTIAL_TYPE not in as_list(value.get("type")):
        return None
    identifier = value.get("id")
    if not isinstance(identifier, str) or not identifier.startswith("data:"):
        return None
    media_type, encoded, data = data_url_parts(identifier)
    return data_url_content(encoded, data) if media_type == "application/vc+jwt" else None


def envelope_problems(doc: Mapping[str, JSONValue], expected_type: str) -> list[CheckFailed]:
    """The problems of an enveloped credential or presentation object (VC DM 2.0 §4.13):
    a ``@context`` starting with the VC 2.0 context, ``type`` exactly ``expected_type``, and a
    ``data:`` URL ``id`` (read by the caller)."""
    problems: list[CheckFailed] = []
    items = as_list(doc.get("@context"))
    if not items or items[0] != CREDENTIALS_V2:
        problems.append(
            _fail(
                FailureCode.MALFORMED,
                f"an {expected_type} must have the @context {CREDENTIALS_V2}",
                "/@context",
            )
        )
    types = as_list(doc.get("type"))
    if types != [expected_type]:
        problems.append(_fail(FailureCode.TYPE_INVALID, f"type must be {expected_type}", "/type"))
    identifier = doc.get("id")
    if not isinstance(identifier, str) or not identifier.startswith("data:"):
        problems.append(
            _fail(FailureCode.ID_INVALID, "id must be a data: URL holding the credential", "/id")
        )
    return problems
