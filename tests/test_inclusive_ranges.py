"""A range over a span the intent says inclusively counts up to its last number
(model/inclusive_ranges.py)."""

from __future__ import annotations

import pytest
from codeqa_model.inclusive_ranges import include_the_end


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        (
            "generate a list of numbers from 1 to 10",
            "[i for i in range(1, 10)]",
            ("[i for i in range(1, 10 + 1)]"),
        ),
        ("list the integers from 0 to 8", "list(range(8))", "list(range(8 + 1))"),
        (
            "5 random numbers from 1 to 50",
            "random.sample(range(1, 50), 5)",
            ("random.sample(range(1, 50 + 1), 5)"),
        ),
        ("the numbers 1 through 5", "list(range(1, 5))", "list(range(1, 5 + 1))"),
        ("count from -3 to 3", "range(-3, 3)", "range(-3, 3 + 1)"),
    ],
)
def test_the_stop_is_one_past_the_last_number(intent: str, code: str, fixed: str) -> None:
    assert include_the_end(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("numbers from 1 to 10 not including 10", "list(range(1, 10))"),
        ("numbers below 10", "list(range(10))"),
        ("every other number from 1 to 10", "range(1, 10, 2)"),  # a step: other bounds
        ("count down from 10 to 1", "range(10, 1)"),
        ("numbers from 1 to 10", "range(1, n)"),  # not the intent's numbers
        ("numbers from 1 to 10", "range(1, 11)"),  # already inclusive
    ],
)
def test_other_ranges_are_left_alone(intent: str, code: str) -> None:
    assert include_the_end(intent, code, ()) == (code, ())
