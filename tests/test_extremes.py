"""model/extremes.py: the max or min of a collection where the intent asks for its largest or
smallest, nothing else."""

from __future__ import annotations

import pytest
from codeqa_model.extremes import find_asked_extreme


@pytest.mark.parametrize(
    ("intent", "code", "found"),
    [
        ("get the largest value in the dict `scores`", "scores.values()", "max(scores.values())"),
        ("get the minimum value of the dict `prices`", "prices.values()", "min(prices.values())"),
        ("find the smallest item in the list `xs`", "xs", "min(xs)"),
        ("find the longest word in the string `s`", "s.split()", "max(s.split(), key=len)"),
        ("find the shortest line in file 'a.txt'", "open('a.txt').readlines()",
         "min(open('a.txt').readlines(), key=len)"),
        ("get the highest key of the dict `d`", "d.keys()", "max(d.keys())"),
    ],
)  # fmt: skip
def test_a_collection_becomes_its_extreme_where_the_intent_asks_for_one(
    intent: str, code: str, found: str
) -> None:
    assert find_asked_extreme(intent, code, ())[0] == found


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("get the largest value in the dict `d`", "max(d.values())"),  # found already
        ("find the smallest item in the list `xs`", "sorted(xs)"),  # a sort finds either end
        ("get the largest key in the dict `d`", "d"),  # a dict's max is a key: not decided here
        ("get the 3 largest values in the list `xs`", "xs"),  # several
        ("get the top values in the list `xs`", "xs"),
        ("get the maximum of each row of the list `rows`", "rows"),
        ("get the largest and smallest of list `xs`", "xs"),  # both
        ("get the values of the dict `d`", "d.values()"),  # no extreme asked
        ("cap the list `xs` at a maximum of 10", "xs"),  # a bound
        ("get the largest value in the dict `d`", "[v for k, v in d.items() if 'a' in k]"),
        ("get the largest word in `s`", "re.findall('[A-Z]+', s)"),  # a pattern of its own
        ("get the largest of `v`", "v.split()"),  # `v` of unknown type
        ("get the largest value in the dict `d`", "m = d.values()"),  # a statement
    ],
)
def test_left_alone(intent: str, code: str) -> None:
    assert find_asked_extreme(intent, code, ((0, 1),)) == (code, ((0, 1),))


def test_spans_move_with_the_text() -> None:
    code, spans = find_asked_extreme(
        "find the shortest line in file 'a.txt'", "open('a.txt').readlines()", ((5, 12),)
    )
    assert code[spans[0][0] : spans[0][1]] == "'a.txt'"


def test_a_function_the_table_says_returns_a_list_counts_too() -> None:
    intent = "the largest of the names `names` that match '*.txt'"
    code = "fnmatch.filter(names, '*.txt')"
    assert find_asked_extreme(intent, code, ())[0] == code
    returns = {"fnmatch.filter": "list"}
    assert find_asked_extreme(intent, code, (), returns)[0] == f"max({code})"
