"""model/negative_indices.py: `xs[(-1)]` → `xs[-1]`, and nothing else."""

from __future__ import annotations

import pytest
from codeqa_model.negative_indices import plain_negative_indices


@pytest.mark.parametrize(
    ("code", "plain"),
    [
        ("xs[(-1)]", "xs[-1]"),
        ("url[:(-4)]", "url[:-4]"),
        ("xs[(-3):]", "xs[-3:]"),
        ("s[::(-1)]", "s[::-1]"),
        ("a[(-1)][(-2)]", "a[-1][-2]"),
        ("d[(-n)]", "d[-n]"),
        ("if url:\n    url = url[:(-1)]", "if url:\n    url = url[:-1]"),
    ],
)  # fmt: skip
def test_a_wrapped_negative_index_loses_its_parentheses(code: str, plain: str) -> None:
    assert plain_negative_indices(code, ())[0] == plain


@pytest.mark.parametrize(
    "code",
    [
        "f((-1))",  # a call's argument is no index
        "xs[(-1) + 2]",  # the parentheses group part of a larger index
        "xs[(-(n + 1))]",  # the minus applies to a group
        "'[(-1)]'",  # text inside a string
        "xs[-1]",
        "xs[(-1)",  # does not parse
    ],
)
def test_anything_else_is_left_as_written(code: str) -> None:
    assert plain_negative_indices(code, ((0, 1),)) == (code, ((0, 1),))


def test_the_intent_values_spans_move_with_the_text() -> None:
    code, spans = plain_negative_indices("items[(-1)] + other[0]", ((0, 5), (14, 19)))
    assert code == "items[-1] + other[0]"
    assert [code[s:e] for s, e in spans] == ["items", "other"]
