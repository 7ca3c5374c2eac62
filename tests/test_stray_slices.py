"""A slice of the user's value that no intent word asks for is dropped
(model/stray_slices.py)."""

from __future__ import annotations

import pytest
from codeqa_model.stray_slices import drop_stray_slices


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        ("join the list of strings `parts` with commas", "','.join(parts[1:])", "','.join(parts)"),
        ("convert list `xs` to a string", "str(xs[1:-1])", "str(xs)"),
        ("sum the list `nums`", "total = sum(nums[2:5])", "total = sum(nums)"),
    ],
)
def test_an_unasked_slice_of_the_user_s_value_is_dropped(
    intent: str, code: str, fixed: str
) -> None:
    assert drop_stray_slices(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        # the intent asks for a part, a position or a count
        ("join the list `parts` except the first", "','.join(parts[1:])"),
        ("get the first 3 items of `xs`", "xs[:3]"),
        ("remove the last character of `s`", "s[:-1]"),
        # a step reverses or picks: other words ask for that
        ("reverse string `s`", "s[::-1]"),
        # read in pieces on purpose
        ("capitalize string `s`", "s[0].upper() + s[1:]"),
        # not the user's value, or not a literal bound
        ("join the list `parts` with commas", "','.join(words[1:])"),
        ("join the list `parts` with commas", "','.join(parts[k:])"),
    ],
)
def test_a_slice_that_may_be_meant_is_kept(intent: str, code: str) -> None:
    assert drop_stray_slices(intent, code, ()) == (code, ())


def test_the_intent_s_value_spans_move_with_the_text() -> None:
    # `parts` at 9..14 stays where it is
    assert drop_stray_slices("join `parts` with commas", "','.join(parts[1:])", ((9, 14),)) == (
        "','.join(parts)",
        ((9, 14),),
    )
