"""Sorts in the order the intent asks for, and only when it asks (model/sort_order.py): largest
first where it says so, a plain reversal where it asks to reverse and for no order, and no
sort of a list where it asks for no order."""

from __future__ import annotations

import pytest
from codeqa_model.sort_order import (
    reverse_without_sorting,
    sort_largest_first,
    sort_only_when_asked,
)


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


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        (
            "get the keys of dict `d` as a list",
            "sorted(list(d.keys()), key=lambda x: d[x])",
            "list(d.keys())",
        ),
        (
            "collect the names in `people`",
            "names = sorted([p.name for p in people])",
            ("names = [p.name for p in people]"),
        ),
    ],
)
def test_an_unasked_sort_of_a_list_is_that_list(intent: str, code: str, fixed: str) -> None:
    assert sort_only_when_asked(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        # an order word: the sort may be meant
        ("get the keys of dict `d` in order", "sorted(list(d.keys()))"),
        ("list the keys of `d` by value", "sorted(list(d.keys()), key=d.get)"),
        # not a list: sorted() changes the type (a dict's keys, a string's characters)
        ("get the keys of dict `d`", "sorted(d)"),
        ("get the letters of `s`", "sorted(set(s))"),
    ],
)
def test_a_sort_that_may_be_meant_or_changes_the_type_is_kept(intent: str, code: str) -> None:
    assert sort_only_when_asked(intent, code, ()) == (code, ())


def test_a_value_only_the_dropped_key_read_goes_with_it() -> None:
    # `d` at 12..13 stays; the `d` at 37..38 was only in the dropped key
    code = "sorted(list(d.keys()), key=lambda x: d[x])"
    assert sort_only_when_asked(
        "get the keys of dict `d` as a list", code, ((12, 13), (37, 38))
    ) == (
        "list(d.keys())",
        ((5, 6),),
    )
