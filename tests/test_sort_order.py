"""Under an intent that asks for a largest-first order, a sort that states none sorts in
reverse (model/sort_order.py)."""

from __future__ import annotations

import pytest
from codeqa_model.sort_order import sort_largest_first


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        (
            "sort the numbers in `scores` from highest to lowest in place",
            "scores.sort()",
            "scores.sort(reverse=True)",
        ),
        ("sort list `xs` in descending order", "sorted(xs)", "sorted(xs, reverse=True)"),
        (
            "sort list `words` by length, longest first",
            "words.sort(key=len)",
            "words.sort(key=len, reverse=True)",
        ),
        (
            "sort dict `d` by value, largest first",
            "sorted(d.items(), key=lambda kv: kv[1])",
            "sorted(d.items(), key=lambda kv: kv[1], reverse=True)",
        ),
        ("sort the names in `names` from z to a", "sorted(names)", "sorted(names, reverse=True)"),
    ],
)
def test_a_sort_that_states_no_order_sorts_largest_first(
    intent: str, code: str, fixed: str
) -> None:
    assert sort_largest_first(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        # no largest-first words: ascending is what sorted does
        ("sort list `xs`", "sorted(xs)"),
        ("sort the names in `names` from a to z", "sorted(names)"),
        ("get the 3 most common words in `words`", "sorted(words)[:3]"),
        # already reversed, some way or other
        ("sort list `xs` in descending order", "xs.sort(reverse=True)"),
        ("sort list `xs` in descending order", "sorted(xs)[::-1]"),
        ("sort list `xs` in descending order", "list(reversed(sorted(xs)))"),
        ("sort list `xs` in descending order", "sorted(xs, key=lambda x: -x)"),
        ("sort pairs `ps` by count, highest first", "sorted(ps, key=lambda p: (-p[1], p[0]))"),
        # keywords it cannot see into
        ("sort `xs` in reverse order", "sorted(xs, **options)"),
    ],
)
def test_a_sort_is_left_alone_when_nothing_asks_or_it_is_reversed_already(
    intent: str, code: str
) -> None:
    assert sort_largest_first(intent, code, ()) == (code, ())


def test_the_intent_s_values_move_with_the_text() -> None:
    # `xs` at 7..9: the insertion comes after it
    assert sort_largest_first("sort `xs` in descending order", "sorted(xs)", ((7, 9),)) == (
        "sorted(xs, reverse=True)",
        ((7, 9),),
    )
