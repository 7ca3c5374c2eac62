"""An `if C: pass`, `return C`, `name = C` or `name += C` candidate is offered as C."""

from __future__ import annotations

import pytest
from codeqa_model.bare_expression import bare_expression


def test_the_condition_replaces_an_empty_if_and_spans_move() -> None:
    code = "if ('name' in d):\n    pass"
    start = code.index("'name'")
    fixed, spans = bare_expression(code, ((start, start + 6),))
    assert fixed == "'name' in d"
    assert fixed[spans[0][0] : spans[0][1]] == "'name'"
    assert bare_expression("if len(path) == 0: pass", ()) == ("len(path) == 0", ())
    assert bare_expression("return s[::-1]", ((7, 8),)) == ("s[::-1]", ((0, 1),))


def test_an_if_that_does_something_is_kept() -> None:
    for code in (
        "if x:\n    pass\nelse:\n    y()",
        "if x:\n    print(1)",
        "if x:\n    pass\nz = 1",
        "if (x:\n    pass",
        "sorted(xs)",
        "return",
        "return x\ny = 1",
    ):
        assert bare_expression(code, ()) == (code, ())


def test_a_print_nobody_asked_for_gives_its_argument() -> None:
    assert bare_expression("print(s.split(','))", ((6, 7),), "split `s` on commas") == (
        "s.split(',')",
        ((0, 1),),
    )
    shown = "print(name.upper())"
    assert bare_expression(shown, (), "print string `name` in upper case") == (shown, ())
    for kept in ("print(a, b)", "print(x, sep='')", "print(*xs)"):
        assert bare_expression(kept, (), "join them") == (kept, ())


@pytest.mark.parametrize(
    ("code", "value", "intent", "fixed"),
    [
        # a builtin's name bound: every later use of the builtin breaks
        (
            "str = open('readme.md', 'r').read()",
            "'readme.md'",
            "read all text from 'readme.md'",
            "open('readme.md', 'r').read()",
        ),
        # the question's own name bound in the user's file
        (
            "woduplicates = list(set(items))",
            "items",
            "remove duplicates from list `items`",
            "list(set(items))",
        ),
        # the question's own list extended: NameError where nothing binds it
        (
            "results += [f for f in os.listdir('docs') if f.endswith('.md')]",
            "'docs'",
            "list files in 'docs' ending '.md'",
            "[f for f in os.listdir('docs') if f.endswith('.md')]",
        ),
    ],
)
def test_a_lone_binding_the_user_did_not_ask_for_gives_its_value(
    code: str, value: str, intent: str, fixed: str
) -> None:
    start = code.index(value)
    got, spans = bare_expression(code, ((start, start + len(value)),), intent)
    assert got == fixed
    assert got[spans[0][0] : spans[0][1]] == value


@pytest.mark.parametrize(
    ("kept", "intent"),
    [
        ("list = [1, 2]", "set `list` to 1 and 2"),  # the user's own `list`
        ("text = open(p).read()", "read file `p` into a variable"),
        ("text = open(p).read()", "store the text of file `p` in `text`"),
        ("str = s.strip()\nprint(str)", "strip `s`"),
        ("results += [1, 2]", "add 1 and 2 to `results`"),  # the user's own list
        ("n -= 1", "decrement n"),
        ("total = 0\ntotal += x", "add `x`"),
    ],
)
def test_a_binding_the_user_asked_for_or_uses_is_kept(kept: str, intent: str) -> None:
    assert bare_expression(kept, (), intent) == (kept, ())
