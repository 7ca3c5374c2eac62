"""model/substring_membership.py: a quoted value is tested for whole, not letter by letter."""

from __future__ import annotations

import pytest
from codeqa_model.substring_membership import substring_membership

ASKS = "check if the string `s` contains the substring 'error'"


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        (ASKS, "any(e in s for e in 'error')", "'error' in s"),
        (ASKS, "all(e in s.lower() for e in 'error')", "'error' in s.lower()"),
        (ASKS, "if not any(e in s for e in 'error'):\n    pass",
         "if 'error' not in s:\n    pass"),
        (ASKS, "x = any(e in s for e in \"error\")", "x = \"error\" in s"),
        # letters asked for, one letter, a value the intent does not quote, a loop that does
        # more than test membership: as it was
        ("check if `s` has any of the letters 'abc'", "any(e in s for e in 'abc')",
         "any(e in s for e in 'abc')"),
        ("check if `s` contains 'x'", "any(e in s for e in 'x')", "any(e in s for e in 'x')"),
        (ASKS, "any(e in s for e in 'other')", "any(e in s for e in 'other')"),
        (ASKS, "any(e in s for e in 'error' if e)", "any(e in s for e in 'error' if e)"),
        (ASKS, "any(e.lower() in s for e in 'error')", "any(e.lower() in s for e in 'error')"),
        (ASKS, "any(e in e + s for e in 'error')", "any(e in e + s for e in 'error')"),
    ],
)  # fmt: skip
def test_a_loop_over_the_value_s_letters_tests_the_value(
    intent: str, code: str, expected: str
) -> None:
    assert substring_membership(intent, code, ())[0] == expected


def test_the_value_and_the_tested_name_keep_their_spans() -> None:
    code = "ok = any(e in s for e in 'error')"
    spans = ((14, 15), (25, 32), (0, 2))  # `s`, 'error', `ok`
    assert [code[a:b] for a, b in spans] == ["s", "'error'", "ok"]
    new, moved = substring_membership(ASKS, code, spans)
    assert new == "ok = 'error' in s"
    assert [new[a:b] for a, b in moved] == ["s", "'error'", "ok"]
