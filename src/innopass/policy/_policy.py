"""An acceptance policy: read from TOML, checked against its schema and its rules.

The file is TOML (standard library ``tomllib``), read as JSON (TOML dates and times
become RFC 3339 strings) and checked against ``schemas/acceptance-policy.schema.json``;
then what the schema cannot say: rule ids are unique, a policy names at least one
``issuer`` rule, a ``device-class`` rule gives one ceiling per ladder, a framework
window starts before it ends. The policy's ``digestSRI`` is over the file's exact
bytes, so an adoption record names the policy it was decided under.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from innopass._internal import schema
from innopass._internal.encoding import sha384_sri
from innopass._internal.jsonio import JSONValue, read_file_limited
from innopass._internal.timestamps import format_datetime
from innopass.adoption import Decision, PolicyRef
from innopass.errors import MalformedInputError, PolicyError, SchemaProblem
from innopass.policy._decide import decide_result
from innopass.policy._model import Rule, ladder_of

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.verifier import VerificationResult

__all__ = ["MAX_POLICY_BYTES", "POLICY_SCHEMA", "Policy", "template_text"]

POLICY_SCHEMA: Final = "acceptance-policy.schema.json"
#: A policy file larger than this is refused.
MAX_POLICY_BYTES: Final = 1024 * 1024


def _as_json(value: Any, path: str = "") -> JSONValue:
    """TOML values as JSON: dates ``YYYY-MM-DD``, date-times RFC 3339 in UTC."""
    if isinstance(value, dict):
        return {str(k): _as_json(v, f"{path}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v, f"{path}/{i}") for i, v in enumerate(value)]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PolicyError([SchemaProblem(path, "a date-time needs a time zone (Z)")])
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        raise PolicyError([SchemaProblem(path, "a time of day alone means nothing here")])
    if isinstance(value, str | int | float | bool):
        return value
    raise PolicyError([SchemaProblem(path, f"unexpected value {value!r}")])  # pragma: no cover


def _rule_problems(rules: Sequence[Mapping[str, Any]]) -> list[SchemaProblem]:
    """What the schema cannot say about the rules."""
    problems: list[SchemaProblem] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        rule_id = str(rule["id"])
        if rule_id in seen:
            problems.append(
                SchemaProblem(f"/rules/{i}/id", f"rule id {rule_id!r} is also rule {seen[rule_id]}")
            )
        seen.setdefault(rule_id, i)
        if rule_id.startswith("builtin:"):
            problems.append(SchemaProblem(f"/rules/{i}/id", "ids starting builtin: are innopass's"))
        kind = rule["kind"]
        if kind == "device-class":
            ladders = [ladder_of(str(c)) for c in rule["max"]]
            numbers = [ladder[0] for ladder in ladders if ladder is not None]
            if len(set(numbers)) != len(numbers):
                problems.append(
                    SchemaProblem(f"/rules/{i}/max", "give at most one ceiling per ladder")
                )
        elif kind == "framework":
            for j, window in enumerate(rule["accept"]):
                start, end = window.get("decided_from"), window.get("decided_before")
                if start is not None and end is not None and start >= end:
                    problems.append(
                        SchemaProblem(
                            f"/rules/{i}/accept/{j}", "decided_from must be before decided_before"
                        )
                    )
        elif kind == "go-live":
            ids = [str(a["id"]) for a in rule.get("actions", [])]
            for j, action_id in enumerate(ids):
                if ids.index(action_id) != j:
                    problems.append(
                        SchemaProblem(f"/rules/{i}/actions/{j}/id", f"{action_id!r} is given twice")
                    )
    if not any(rule["kind"] == "issuer" for rule in rules):
        problems.append(
            SchemaProblem("/rules", "a policy needs an issuer rule: which issuers it accepts")
        )
    return problems


@dataclass(frozen=True, slots=True)
class Policy:
    """An adopting trust's acceptance policy (docs/FORMATS.md §10).

    Read one with :meth:`load` (a TOML file) or :meth:`from_text`; apply it with
    :meth:`decide` (or :func:`innopass.policy.decide`, which verifies first).
    """

    id: str
    version: str
    rules: tuple[Rule, ...]
    digest_sri: str
    """SHA-384 SRI of the policy's bytes as read."""
    organisation: str | None = None
    title: str | None = None
    source: str | None = None
    """Where the policy was read from (a path), for messages."""

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read and check the policy file at ``path``.

        Raises :class:`~innopass.errors.PolicyError` listing every problem, and
        :class:`~innopass.errors.MalformedInputError` for a file that cannot be read.
        """
        data = read_file_limited(path, max_bytes=MAX_POLICY_BYTES)
        return cls.from_bytes(data, source=str(path))

    @classmethod
    def from_text(cls, text: str, *, source: str | None = None) -> Policy:
        """A policy from TOML text (its digest is over the UTF-8 bytes)."""
        return cls.from_bytes(text.encode("utf-8"), source=source)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str | None = None) -> Policy:
        """A policy from the bytes of a TOML file (see :meth:`load`)."""
        if len(data) > MAX_POLICY_BYTES:
            raise MalformedInputError(f"the policy is over the limit of {MAX_POLICY_BYTES} bytes")
        try:
            # a byte order mark, as some Windows editors write, is not part of the TOML
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise PolicyError([SchemaProblem("", "the policy is not UTF-8 text")]) from exc
        try:
            parsed = tomllib.loads(text)
            value = _as_json(parsed)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError([SchemaProblem("", f"not TOML: {exc}")]) from exc
        except RecursionError as exc:  # arrays or tables nested thousands deep
            raise PolicyError([SchemaProblem("", "the policy is nested too deeply")]) from exc
        return cls.from_json(value, digest_sri=sha384_sri(data), source=source)

    @classmethod
    def from_json(cls, value: JSONValue, *, digest_sri: str, source: str | None = None) -> Policy:
        """A policy from its JSON form (what the TOML reads as), checked; ``digest_sri`` is
        the digest of the document it came from."""
        problems = list(schema.iter_problems(value, POLICY_SCHEMA))
        if problems:
            raise PolicyError(problems)
        valid: Any = value
        problems = _rule_problems(valid["rules"])
        if problems:
            raise PolicyError(problems)
        head = valid["policy"]
        return cls(
            id=str(head["id"]),
            version=str(head["version"]),
            organisation=head.get("organisation"),
            title=head.get("title"),
            digest_sri=digest_sri,
            source=source,
            rules=tuple(
                Rule(
                    id=str(r["id"]),
                    kind=str(r["kind"]),
                    params=r,
                    profiles=tuple(r.get("profiles", ())),
                    on_fail=r.get("on_fail"),
                    note=r.get("note"),
                )
                for r in valid["rules"]
            ),
        )

    @property
    def ref(self) -> PolicyRef:
        """How a decision names this policy."""
        return PolicyRef(
            id=self.id,
            version=self.version,
            digest_sri=self.digest_sri,
            organisation=self.organisation,
            title=self.title,
        )

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def kinds(self) -> frozenset[str]:
        return frozenset(r.kind for r in self.rules)

    def decide(
        self,
        result: VerificationResult,
        *,
        passport: str | bytes | Mapping[str, JSONValue] | None = None,
        at: datetime | None = None,
        done: Iterable[str] = (),
    ) -> Decision:
        """Apply this policy to a verification ``result`` (see :func:`innopass.policy.decide`).

        ``passport``, the verified input, gives the passport's digest (a Data
        Integrity passport's digest is also found from the result alone); ``at`` is
        the time of the decision (default: the verification's, ``result.checked_at``);
        ``done`` the ids of local actions
        already done. Returns a :class:`~innopass.adoption.Decision`.
        """
        return decide_result(self, result, passport=passport, at=at, done=done)


def template_text(*, organisation: str | None = None) -> str:
    """The commented example policy ``innopass policy template`` writes.

    ``organisation``, an ODS code, is written as the policy's organisation.
    """
    text = resources.files(__package__).joinpath("template.toml").read_text(encoding="utf-8")
    if organisation is not None:
        text = text.replace(
            '# organisation = "R1H"    # your ODS code (innopass policy template --ods R1H)',
            f'organisation = "{organisation}"',
        )
    return text
