"""Sorts in the order the intent asks for (model/sort_order.py): largest first where it says
so, and a plain reversal, not a reversed sort, where it asks to reverse and for no order."""

from __future__ import annotations

import pytest
from codeqa_model.sort_order import reverse_without_sorting, sort_largest_first


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


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        ("reverse list `xs`", "sorted(xs, reverse=True)", "xs[::-1]"),
        ("reverse a list `array`", "array.sort(reverse=True)", "array.reverse()"),
        ("reverse string `s`", "print(sorted(s, reverse=True))", "print(s[::-1])"),
    ],
)
def test_a_reversed_sort_becomes_a_reversal_where_no_order_is_asked(
    intent: str, code: str, fixed: str
) -> None:
    assert reverse_without_sorting(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        # the intent asks for an order: the sort may be meant
        ("sort `xs` in reverse", "sorted(xs, reverse=True)"),
        ("reverse sort list `xs` by length", "sorted(xs, reverse=True)"),
        ("reverse the order of the words in `sentence`", "sorted(sentence, reverse=True)"),
        # a key sorts by something: not a plain reversal
        ("reverse list `xs`", "sorted(xs, key=len, reverse=True)"),
        # a call's result or an expression: a slice may not apply, or bind wrongly
        ("reverse the keys of dict `d`", "sorted(d.keys(), reverse=True)"),
        ("reverse lists `a` and `b` joined", "sorted(a + b, reverse=True)"),
        # nothing says reverse
        ("get list `xs`", "sorted(xs, reverse=True)"),
    ],
)
def test_a_reversed_sort_is_kept_where_it_may_be_meant(intent: str, code: str) -> None:
    assert reverse_without_sorting(intent, code, ()) == (code, ())


def test_the_reversal_keeps_the_intent_s_value_spans() -> None:
    assert reverse_without_sorting("reverse list `xs`", "sorted(xs, reverse=True)", ((7, 9),)) == (
        "xs[::-1]",
        ((0, 2),),
    )
