"""The intent's typed variables written as strings go back to being names; keys, listed letters,
values the intent quotes and bare one-letter literals stay."""

from __future__ import annotations

import pytest
from codeqa_model.quoted_names import unquote_variables


@pytest.mark.parametrize(
    ("intent", "code", "want"),
    [
        (
            "write string `s` to file 'out.txt'",
            "open('out.txt', 'w').write('s\\n')",
            "open('out.txt', 'w').write(s + '\\n')",
        ),
        ("convert list `xs` to a list", "list('xs')", "list(xs)"),
        ("strip string `text`", "'text '.strip()", "(text + ' ').strip()"),
    ],
)
def test_a_typed_variable_written_as_a_string_becomes_the_name(
    intent: str, code: str, want: str
) -> None:
    assert unquote_variables(intent, code, ())[0] == want


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("get key 'xs' of dict `d` for list `xs`", "d['xs']"),
        ("write list `a` to file 'f.txt'", "open('f.txt', 'a')"),
        ("zip dict `d` with letters", "dict(zip(d, ['a', 'b', 'c', 'd']))"),
        ("find 'text' in string `text`", "text.find('text')"),
        ("print `result`", "print('result')"),  # no type given or implied
    ],
)
def test_keys_letters_and_quoted_values_stay(intent: str, code: str) -> None:
    assert unquote_variables(intent, code, ())[0] == code


def test_a_span_inside_the_replaced_literal_goes_and_later_ones_move() -> None:
    code = "open('out.txt', 'w').write('s\\n')"
    spans = ((5, 14), (28, 29))  # 'out.txt' and the s inside 's\n'
    new, moved = unquote_variables("write string `s` to file 'out.txt'", code, spans)
    assert new == "open('out.txt', 'w').write(s + '\\n')"
    assert moved == ((5, 14),)
