"""model/asked_siblings.py: the module function the intent names replaces its digit-named
sibling; nothing else moves."""

from __future__ import annotations

import pytest
from codeqa_model.api_table import ApiTable
from codeqa_model.asked_siblings import call_asked_sibling

TABLE = ApiTable(
    {
        "hashlib": {
            "md5": ["f", "string=b''"],
            "sha1": ["f", "string=b''"],
            "sha512": ["f", "string=b''"],
            "blake2b": ["c", "data=b''"],
            "new": ["f", "name, data=b''"],
        },
        "base64": {"b64encode": ["f", "s"], "b32encode": ["f", "s"]},
    }
)


def put(intent: str, code: str) -> str:
    return call_asked_sibling(intent, code, (), TABLE, {})[0]


@pytest.mark.parametrize(
    ("intent", "code", "renamed"),
    [
        ("get the sha512 hex digest of string `s`", "hashlib.md5(s.encode()).hexdigest()",
         "hashlib.sha512(s.encode()).hexdigest()"),
        ("a blake2b digest of bytes `data`", "h.update(hashlib.sha1(data).digest())",
         "h.update(hashlib.blake2b(data).digest())"),
        ("b32encode the bytes `b`", "import base64 as b64\nb64.b64encode(b)",
         "import base64 as b64\nb64.b32encode(b)"),
    ],
)  # fmt: skip
def test_the_named_function_is_called(intent: str, code: str, renamed: str) -> None:
    assert put(intent, code) == renamed


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("get the sha512 of `s`", "hashlib.sha512(s).hexdigest()"),  # already named
        ("get the sha512 of `s`", "hashlib.new('md5', s)"),  # `new` has no digit
        ("sha512 or sha1 of `s`", "hashlib.md5(s)"),  # two asked: which?
        ("the md5 of `s` as utf8", "hashlib.md5(s.encode('utf8'))"),  # utf8 is no function
        ("the sha512 of `s`", "m.md5(s)"),  # `m` is no module the table knows
    ],
)
def test_left_alone(intent: str, code: str) -> None:
    assert put(intent, code) == code


def test_spans_move_with_the_text() -> None:
    code, spans = call_asked_sibling(
        "sha512 of 'abc'", "hashlib.md5('abc')", ((12, 17),), TABLE, {}
    )
    assert code == "hashlib.sha512('abc')" and code[spans[0][0] : spans[0][1]] == "'abc'"
