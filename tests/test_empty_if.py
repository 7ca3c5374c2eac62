"""An `if C: pass` candidate is offered as its condition C."""

from __future__ import annotations

from codeqa_model.empty_if import condition_of_empty_if


def test_the_condition_replaces_an_empty_if_and_spans_move() -> None:
    code = "if ('name' in d):\n    pass"
    start = code.index("'name'")
    fixed, spans = condition_of_empty_if(code, ((start, start + 6),))
    assert fixed == "'name' in d"
    assert fixed[spans[0][0] : spans[0][1]] == "'name'"
    assert condition_of_empty_if("if len(path) == 0: pass", ()) == ("len(path) == 0", ())


def test_an_if_that_does_something_is_kept() -> None:
    for code in (
        "if x:\n    pass\nelse:\n    y()",
        "if x:\n    print(1)",
        "if x:\n    pass\nz = 1",
        "if (x:\n    pass",
        "sorted(xs)",
    ):
        assert condition_of_empty_if(code, ()) == (code, ())
