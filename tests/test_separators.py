"""A join or split gets the separator the intent names in words; anything unclear is left alone."""

from __future__ import annotations

import pytest
from codeqa_model.separators import named_separator, use_named_separator


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        ("join the strings in `parts` with a dash", "' '.join(str(x) for x in parts)", "'-'"),
        ("split string `s` on commas", "s.split(' ')", "s.split(',')"),
        ("join `xs` comma-separated", "''.join(xs)", "','.join(xs)"),
        ("join lines `ls` with newlines", "''.join(ls)", "'\\n'.join(ls)"),
        ("split `row` by tabs", "row.rsplit(',', 1)", "row.rsplit('\\t', 1)"),
        # a bare split() splits on whitespace: it gets the named separator too
        ("numbers in comma separated string `s`", "[int(i) for i in s.split()]", "s.split(',')"),
        ("split `row` on tabs", "row.split()", "row.split('\\t')"),
    ],
)
def test_the_named_separator_replaces_the_literal(intent: str, code: str, fixed: str) -> None:
    assert fixed in use_named_separator(intent, code, ())[0]


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("split string `s` on commas", "s.split(',')"),  # already right
        ("split string `s` on spaces", "s.split()"),  # whitespace is what it splits on
        ("split `s` on commas", "s.split() + t.split()"),  # two bare splits
        ("replace commas with dashes in `s`", "'-'.join(s.split(','))"),  # two named
        ("join `xs` with a comma and a space", "', '.join(xs)"),  # two named
        ("join `xs` with a dash", "'a'.join(xs).split('b')"),  # two literals
        ("join path `base` with 'data.csv'", "os.path.join(base, 'data.csv')"),
        ("reverse string `s`", "''.join(reversed(s))"),  # names no separator
    ],
)
def test_unclear_cases_are_left_alone(intent: str, code: str) -> None:
    assert use_named_separator(intent, code, ()) == (code, ())


def test_a_span_over_the_literal_keeps_the_code() -> None:
    code = "'x'.join(xs)"
    assert use_named_separator("join `xs` with a dash", code, ((0, 3),)) == (code, ((0, 3),))


def test_spans_move_with_the_text() -> None:
    code = "' , '.join(xs)"
    fixed, spans = use_named_separator("join `xs` with a dash", code, ((11, 13),))
    assert fixed == "'-'.join(xs)"
    assert fixed[spans[0][0] : spans[0][1]] == "xs"


def test_one_named_separator_is_read() -> None:
    assert named_separator("split the csv line `row` on semicolons") == ";"
    assert named_separator("split `s` on commas then join with dashes") is None
