"""Sort/max/min keys that read a field or position the intent never names are dropped."""

from __future__ import annotations

import pytest
from codeqa_model.stray_keys import drop_stray_keys


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        (
            "get the maximum value in list `nums`",
            "max(nums, key=lambda x: x['score'])",
            "max(nums)",
        ),
        (
            "sort list `xs` in reverse",
            "xs.sort(key=lambda item: item['date'], reverse=True)",
            "xs.sort(reverse=True)",
        ),
        ("sort `words`", "words.sort(key=operator.attrgetter('score'))", "words.sort()"),
        ("sort `rows`", "sorted(rows, key=itemgetter('age'))", "sorted(rows)"),
        (
            "get the keys of dict `d` sorted by value",
            "sorted(d, key=lambda x: d[x]['weight'])",
            "sorted(d, key=lambda x: d[x])",
        ),
        (
            "sort list `xs` in reverse order",
            "xs.sort(key=lambda e: e['key']['subkey'], reverse=True)",
            "xs.sort(reverse=True)",
        ),
        (
            "sort `xs` by name",
            "sorted(xs, key=lambda e: e['name']['first'])",
            "sorted(xs, key=lambda e: e['name'])",
        ),
        (
            "sort list `xs` in descending order",
            "xs.sort(key=lambda x: x[2], reverse=True)",
            "xs.sort(reverse=True)",
        ),
        ("largest number in `nums`", "max(nums, key=operator.itemgetter(1))", "max(nums)"),
        ("the largest value in list `nums`", "max(nums, key=itemgetter(1))", "max(nums)"),
        ("sort dict `d` by key", "sorted(d.items(), key=lambda x: x[1])", "sorted(d.items())"),
        # the question's largest-first order and number base, not the user's
        (
            "sort list `people` by key 'age'",
            "people.sort(key=lambda e: e['age'], reverse=True)",
            "people.sort(key=lambda e: e['age'])",
        ),
        ("sort list `xs`", "sorted(xs, reverse=True, key=lambda x: x[1])", "sorted(xs)"),
        ("sort list `xs`", "xs.sort(key=lambda x: x[1], reverse=True)", "xs.sort()"),
        ("convert string `s` to an integer", "int(s, 16)", "int(s)"),
        ("convert string `s` to an integer", "int(s, base=2)", "int(s)"),
        # a longer lambda that reads one field wherever it uses its parameter
        (
            "get the minimum of list `temps`",
            "min(temps, key=lambda x: float('inf') if math.isnan(x[1]) else x[1])",
            "min(temps)",
        ),
        # a number inside the quoted text is the value, not a base
        ("convert string '42' to an integer", "int('42', 2)", "int('42')"),
    ],
)
def test_a_key_on_an_unnamed_field_is_dropped(intent: str, code: str, fixed: str) -> None:
    assert drop_stray_keys(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("sort list `xs` by 'date'", "sorted(xs, key=lambda item: item['date'])"),
        ("sort `xs` by DATE", "sorted(xs, key=lambda item: item['date'])"),
        ("sort `xs` by the second item", "sorted(xs, key=lambda x: x[1])"),
        ("sort list of tuples `pairs`", "sorted(pairs, key=lambda x: x[1])"),
        ("max of `rows` on column 2", "max(rows, key=itemgetter(2))"),
        ("sort `names` in descending order", "sorted(names, key=lambda x: d[x][0])"),
        ("longest word in `words`", "max(words, key=len)"),
        ("sort `xs`", "sorted(xs, key=lambda x: x['a'"),
        ("sort dict `d` by value", "sorted(d.items(), key=lambda x: x[1])"),
        ("sort `xs` newest first", "sorted(xs, reverse=True)"),
        ("convert hex string `s` to an integer", "int(s, 16)"),
        ("parse string `s` in base 2", "int(s, 2)"),
        ("convert string `s` to an integer", "int(s, 10)"),
        ("convert '101' from 2 digits to an integer", "int('101', 2)"),
        ("sort list `xs`", "sorted(xs, key=lambda x: (sum(x[1:]), x[0]))"),
        ("get the minimum of list `xs`", "min(xs, key=lambda x: abs(x[0] - x[1]))"),
    ],
)
def test_a_key_the_intent_asks_for_is_kept(intent: str, code: str) -> None:
    assert drop_stray_keys(intent, code, ()) == (code, ())


def test_spans_move_and_a_span_inside_the_key_keeps_the_code() -> None:
    code = "sorted(xs, key=lambda x: x['n'], reverse=flag)"
    span = (code.index("flag"), code.index("flag") + 4)
    fixed, spans = drop_stray_keys("sort `xs` by `flag`", code, (span,))
    assert fixed == "sorted(xs, reverse=flag)" and fixed[slice(*spans[0])] == "flag"
    inside = (code.index("'n'"), code.index("'n'") + 3)
    assert drop_stray_keys("sort `xs`", code, (inside,)) == (code, (inside,))
