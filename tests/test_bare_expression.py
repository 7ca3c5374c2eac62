"""An `if C: pass`, `return C` or `str = C` candidate is offered as C."""

from __future__ import annotations

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


def test_a_lone_binding_of_a_builtins_name_gives_its_value() -> None:
    code = "str = open('readme.md', 'r').read()"
    start = code.index("'readme.md'")
    fixed, spans = bare_expression(code, ((start, start + 11),), "read all text from 'readme.md'")
    assert fixed == "open('readme.md', 'r').read()"
    assert fixed[spans[0][0] : spans[0][1]] == "'readme.md'"
    for kept, intent in (
        ("list = [1, 2]", "set `list` to 1 and 2"),  # the user's own `list`
        ("text = open(p).read()", "read file `p`"),
        ("str = s.strip()\nprint(str)", "strip `s`"),
    ):
        assert bare_expression(kept, (), intent) == (kept, ())


def test_a_lone_extension_of_an_unnamed_list_gives_its_value() -> None:
    code = "results += [f for f in os.listdir('docs') if f.endswith('.md')]"
    start = code.index("'docs'")
    fixed, spans = bare_expression(code, ((start, start + 6),), "list files in 'docs' ending '.md'")
    assert fixed == "[f for f in os.listdir('docs') if f.endswith('.md')]"
    assert fixed[spans[0][0] : spans[0][1]] == "'docs'"
    for kept, intent in (
        ("results += [1, 2]", "add 1 and 2 to `results`"),  # the user's own list
        ("n -= 1", "decrement n"),
        ("total = 0\ntotal += x", "add `x`"),
    ):
        assert bare_expression(kept, (), intent) == (kept, ())
