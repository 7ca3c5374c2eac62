"""model/asked_types.py: a call that plainly gives the type the intent asks for, and the
engine's `type_weight` that ranks it up."""

from __future__ import annotations

import pytest
from codeqa_model.asked_types import answers_asked_type, asked_type


@pytest.mark.parametrize(
    ("intent", "wanted"),
    [
        ("convert integer `n` to a string", "str"),
        ("convert list `nums` to a set", "set"),
        ("get a random float between 1 and 10", "float"),
        ("read the lines of file 'a.txt' into a list", "list"),
        ("sort list `xs`", None),
        ("convert string `s` to float list", None),  # the type word is no answer's type
    ],
)
def test_the_asked_type_is_read_off_the_intent(intent: str, wanted: str | None) -> None:
    assert asked_type(intent) == wanted


@pytest.mark.parametrize(
    ("intent", "code", "agrees"),
    [
        ("convert integer `n` to a string", "str(n)", 1.0),
        ("convert integer `n` to a string", "text = str(n)", 1.0),
        ("convert integer `n` to a string", "int(n)", 0.0),  # the other type
        ("convert integer `n` to a string", "struct.unpack('d', x)[0]", 0.0),  # unknown
        ("convert list `nums` to a set", "set(nums)", 1.0),
        ("convert list `nums` to a set", "{x for x in nums}", 0.0),  # brackets say nothing
        ("get the keys of dict `d` as a list", "list(d)", 1.0),
        ("get the keys of dict `d` as a list", "[k for k in d]", 0.0),
        ("convert integer `n` to a string", "s = str(n)\nprint(s)", 0.0),  # one statement only
        ("sort list `xs`", "sorted(xs)", 0.0),  # no type asked
        ("convert integer `n` to a string", "str(n", 0.0),  # does not parse
    ],
)
def test_only_a_call_of_the_asked_type_agrees(intent: str, code: str, agrees: float) -> None:
    assert answers_asked_type(intent, code) == agrees


def test_the_api_table_s_returns_say_what_more_calls_give() -> None:
    intent = "encode string `s` in base64 as a string"
    returns = {"email.base64mime.body_encode": "str", "base64.b64encode": "bytes"}
    assert answers_asked_type(intent, "email.base64mime.body_encode(s)") == 0.0
    assert answers_asked_type(intent, "email.base64mime.body_encode(s)", None, returns) == 1.0
    # a bytes method's result: decode gives text
    assert answers_asked_type(intent, "base64.b64encode(s.encode()).decode()", None, returns) == 1.0
    assert answers_asked_type(intent, "base64.b64encode(s.encode())", None, returns) == 0.0
