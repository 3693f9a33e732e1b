"""The view model behind verify, show and the page reads any record without crashing (issue 11).

When the verdict is not ``verified`` the record is only what a file claims, so every
member may have any type; the view must still be built, and never let a control
character through.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from innopass._view.page import render_html
from innopass._view.passport import build_view, clean
from innopass.record import example
from innopass.verifier import Failure, FailureCode, VerificationResult

_ODD: tuple[Any, ...] = (None, 1, 2.5, True, "x\x1b[31m", [], {}, [None, 3], {"a": [1]})


def _result(record: Any) -> VerificationResult:
    credential: Any = {
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "validFrom": "2026-05-01T00:00:00Z",
        "credentialSubject": {"assessmentRecord": record},
    }
    failure = Failure(code=FailureCode.SIGNATURE_INVALID, message="bad\x07", path="/proof")
    return VerificationResult.build(failures=[failure], credential=credential)


def _every_member(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            out += _every_member(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:2]):
            out += _every_member(child, (*path, index))
    return out


def _replaced(record: Any, path: tuple[Any, ...], odd: Any) -> Any:
    import copy

    changed = copy.deepcopy(record)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = odd
    return changed


@pytest.mark.parametrize("profile", ["device", "digital", "diagnostic"])
def test_any_member_of_any_type_still_gives_a_view(profile: str) -> None:
    record = example(profile)
    paths = _every_member(record)
    for path, odd in zip(paths, itertools.cycle(_ODD), strict=False):
        view = build_view(_result(_replaced(record, path, odd)), "f.json")
        assert not view.verified
        page = render_html(view)
        texts = [view.title, *(r.value for s in view.sections for r in s.rows), *view.reasons]
        assert all("\x1b" not in t and "\x07" not in t for t in texts), path
        assert "\x1b" not in page


@pytest.mark.parametrize("record", [None, [], "text", 3, {"outcome": "x", "evidence": [1, None]}])
def test_a_record_that_is_not_an_object_gives_a_view(record: Any) -> None:
    view = build_view(_result(record), "f.json")
    assert view.heading.lower().startswith("not verified")


def test_clean_escapes_control_and_bidi_characters() -> None:
    assert clean("a\x1b[2Jb\u202ec\n") == "a\\x1b[2Jb\\x202ec\\x0a"  # no line of its own
    # every bidirectional formatting character: the marks (ALM, LRM, RLM), embeddings and
    # overrides, and isolates
    for mark in ("\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
                 *map(chr, range(0x2066, 0x206A))):  # fmt: skip
        assert mark not in clean(f"a{mark}b")
    assert len(clean("x" * 5000)) == 2001
