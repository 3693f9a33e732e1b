"""docs/LIMITS.md lists every ``Limits`` setting with its real default."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

from innopass import Limits

DOC = Path(__file__).resolve().parents[2] / "docs" / "LIMITS.md"


def _shown(value: object) -> str:
    if isinstance(value, timedelta):
        if value.days:
            return f"{value.days} days"
        return f"{value.seconds // 60} minutes"
    if isinstance(value, float):
        return f"{value:g} s"
    assert isinstance(value, int)
    return f"{value // 2**20} MiB" if value >= 2**20 else str(value)


def test_the_table_lists_every_setting_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", DOC.read_text(), flags=re.M))
    defaults = Limits()
    for field in dataclasses.fields(Limits):
        assert field.name in rows, f"{field.name} is not in docs/LIMITS.md"
        assert rows[field.name].strip() == _shown(getattr(defaults, field.name)), field.name
