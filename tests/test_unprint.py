"""A lone print(x) is offered as x unless the intent asks to print."""

from __future__ import annotations

from codeqa_model.unprint import unwrap_print


def test_a_printed_value_is_offered_bare_with_its_spans_moved() -> None:
    code = "print(os.environ.get('HOME'))"
    assert unwrap_print(code, ((21, 27),), "get environment variable 'HOME'") == (
        "os.environ.get('HOME')",
        ((15, 21),),
    )


def test_printing_stays_when_asked_for_or_not_a_lone_print() -> None:
    keep = [
        ("print(x.upper())", "print string `x` in upper case"),
        ("print(x.upper())", "show `x` in capitals"),
        ("print(a, b)", "get `a` and `b`"),
        ("print(x, end='')", "get `x`"),
        ("for x in xs:\n    print(x)", "get each `x`"),
        ("y = 1\nprint(y)", "get one"),
        ("print(", "get it"),
    ]
    for code, intent in keep:
        assert unwrap_print(code, (), intent) == (code, ())
