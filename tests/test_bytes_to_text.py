"""model/bytes_to_text.py: a bytes answer is decoded where the intent asks for a string."""

from __future__ import annotations

import pytest
from codeqa_model.bytes_to_text import decode_bytes_answer

RETURNS = {"base64.b64encode": "bytes", "os.getcwd": "str"}


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        ("base64 encode string `s` into a string", "base64.b64encode(s.encode())",
         "base64.b64encode(s.encode()).decode()"),
        ("get `s` encoded as a string", "out = s.encode('utf-8')",
         "out = s.encode('utf-8').decode()"),
        # no string asked for, not bytes, not one answer, type unknown: as it was
        ("encode string `s` as base64", "base64.b64encode(s.encode())",
         "base64.b64encode(s.encode())"),
        ("get the working directory as a string", "os.getcwd()", "os.getcwd()"),
        ("base64 encode `s` into a string", "x = 1\nbase64.b64encode(s)",
         "x = 1\nbase64.b64encode(s)"),
        ("hash `s` into a string", "hashlib.md5(s).digest()", "hashlib.md5(s).digest()"),
    ],
)  # fmt: skip
def test_bytes_are_decoded_only_where_a_string_is_asked_for(
    intent: str, code: str, expected: str
) -> None:
    assert decode_bytes_answer(intent, code, (), RETURNS)[0] == expected


def test_without_the_table_s_returns_only_plain_bytes_are_known() -> None:
    code = "base64.b64encode(s.encode())"
    assert decode_bytes_answer("encode `s` into a string", code, ())[0] == code
