"""model/strip_sides.py: strip the side of the string the intent names."""

from __future__ import annotations

import pytest
from codeqa_model.strip_sides import strip_named_side


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        ("remove trailing whitespace from string `line`", "line.strip()", "line.rstrip()"),
        ("strip the newline from the end of `line`", "line.strip('\\n')", "line.rstrip('\\n')"),
        ("remove the zeros at the start of `num`", "num.strip('0')", "num.lstrip('0')"),
        ("remove leading spaces from `s`", "s.rstrip().split()", "s.lstrip().split()"),
        ("strip whitespace from both ends of `s`", "s.rstrip()", "s.strip()"),
        ("trim the spaces around `s`", "s.lstrip()", "s.strip()"),
        # no side named, or nothing stripped: as it was
        ("strip the whitespace from `s`", "s.rstrip()", "s.rstrip()"),
        ("get the end of `s`", "s[-3:]", "s[-3:]"),
        ("remove trailing whitespace from `line`", "line.rstrip()", "line.rstrip()"),
    ],
)  # fmt: skip
def test_the_named_side_is_stripped(intent: str, code: str, expected: str) -> None:
    assert strip_named_side(intent, code, ())[0] == expected


def test_the_intent_s_value_keeps_its_span() -> None:
    code = "'  a  '.strip()"
    new, spans = strip_named_side("strip the end of '  a  '", code, ((0, 7),))
    assert new == "'  a  '.rstrip()" and [new[s:e] for s, e in spans] == ["'  a  '"]
