"""Decode a bytes answer where the intent asks for text: "base64 encode string `s` into a
string" gets `base64.b64encode(s.encode())`, which gives bytes; the user asked for a str.

The API check already sends such an answer behind (`api_check._wrong_result`: "gives a bytes;
the intent asks for a str"), and with it the one call that does the job. Decoding the result
is what the user would write, so a one-expression answer whose type is plainly bytes (a bytes
literal, `.encode()`, or a function whose stub says it returns bytes: the API table's
`returns`) gets `.decode()` under an intent that asks for a string.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from codeqa_model.api_check import asked_type, one_answer
from codeqa_model.asked_types import answer_type
from codeqa_model.pyast import SourcePositions, parse_quietly, replace_ranges

Spans = tuple[tuple[int, int], ...]
_ATOMS = (ast.Call, ast.Attribute, ast.Name, ast.Subscript, ast.Constant)


def decode_bytes_answer(
    intent: str, code: str, spans: Spans, returns: Mapping[str, str] | None = None
) -> tuple[str, Spans]:
    """`code` with `.decode()` after its one answer when that is bytes and the intent asks for a
    string; `spans` moved with the text; unchanged otherwise."""
    if asked_type(intent) != "str":
        return code, spans
    tree = parse_quietly(code)
    value = one_answer(tree) if tree is not None else None
    if value is None or answer_type(intent, value, returns) != "bytes":
        return code, spans
    start, end = SourcePositions(code).extent(value)
    if isinstance(value, _ATOMS):
        return replace_ranges(code, spans, [(end, end, ".decode()")])
    return replace_ranges(code, spans, [(start, start, "("), (end, end, ").decode()")])
