"""A bytes API handed text gets it encoded (model/text_to_bytes.py)."""

from __future__ import annotations

import pytest
from codeqa_model.pyast import replace_ranges
from codeqa_model.text_to_bytes import encode_text_arguments


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        ("encode string `s` as base64", "base64.b64encode(s)", "base64.b64encode(s.encode())"),
        ("md5 of string `s`", "hashlib.md5(s).hexdigest()", "hashlib.md5(s.encode()).hexdigest()"),
        (
            "md5 of 'abc'",
            "hashlib.md5('abc').hexdigest()",
            "hashlib.md5('abc'.encode()).hexdigest()",
        ),
        (
            "sha256 of string `s`",
            "hashlib.new('sha256', s).hexdigest()",
            "hashlib.new('sha256', s.encode()).hexdigest()",
        ),
        ("compress string `text` with zlib", "zlib.compress(text)", "zlib.compress(text.encode())"),
    ],
)
def test_text_given_to_a_bytes_api_is_encoded(intent: str, code: str, fixed: str) -> None:
    assert encode_text_arguments(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("md5 of bytes `data`", "hashlib.md5(data).hexdigest()"),  # bytes already
        ("md5 of `data`", "hashlib.md5(data).hexdigest()"),  # no type said: left to the check
        ("decode base64 string `s`", "base64.b64decode(s)"),  # decoders take text
        ("md5 of string `s`", "hashlib.md5(s.encode()).hexdigest()"),
        ("md5 of string `s`", "hashlib.md5(s"),  # does not parse
    ],
)
def test_other_calls_are_left_alone(intent: str, code: str) -> None:
    assert encode_text_arguments(intent, code, ()) == (code, ())


def test_the_value_span_stays_on_the_value() -> None:
    code = "base64.b64encode(s)"
    at = code.index("s)")
    fixed, spans = encode_text_arguments("encode string `s` as base64", code, ((at, at + 1),))
    assert fixed[spans[0][0] : spans[0][1]] == "s"


def test_text_inserted_at_a_span_end_goes_after_it() -> None:
    code, spans = replace_ranges("json.load(path)", ((10, 14),), [(10, 10, "open("), (14, 14, ")")])
    assert code == "json.load(open(path))" and code[spans[0][0] : spans[0][1]] == "path"
