"""The parts of a policy the decision reads: rules, and the device-class ladders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["DEVICE_LADDERS", "Rule", "ladder_of"]

#: Device classes in order of risk, one ladder per regime (a ``device-class`` ceiling
#: applies within its ladder); classes on one rung rank alike.
DEVICE_LADDERS: Final[tuple[tuple[tuple[str, ...], ...], ...]] = (
    (("I",), ("Is", "Im", "Ir"), ("IIa",), ("IIb",), ("III",), ("AIMD",)),
    (("IVD_general",), ("IVD_self_test",), ("IVD_list_B",), ("IVD_list_A",)),
    (("IVD_A",), ("IVD_B",), ("IVD_C",), ("IVD_D",)),
)


def ladder_of(device_class: str) -> tuple[int, int] | None:
    """``(ladder, rung)`` of a device class; ``None`` for ``not_applicable``."""
    for number, ladder in enumerate(DEVICE_LADDERS):
        for rung, classes in enumerate(ladder):
            if device_class in classes:
                return number, rung
    return None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a policy: its id, kind, the profiles it applies to, and its parameters."""

    id: str
    kind: str
    params: Mapping[str, Any] = field(repr=False)
    """The rule as the policy gives it (checked against its kind's schema)."""
    profiles: tuple[str, ...] = ()
    """The record profiles the rule applies to (empty: every profile)."""
    on_fail: str | None = None
    note: str | None = None

    def applies_to(self, profile: str) -> bool:
        return not self.profiles or profile in self.profiles
