"""The share of the values an intent gives that a candidate leaves out: its quoted values and
its bare numbers.

"wrap `text` into lines of at most 20 characters" answered by `textwrap.wrap(text)` has left
out the one value the user gave; so has `random.sample(items, 3)` under "pick 4 random items".
Quoted values were counted already (`match_evidence.values_missing`); a number written in the
intent's words is a value as much. Numbers inside quotes, back-ticks or words (`md5`, `utf-8`,
`base64`) are not bare.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.match_evidence import canonical, values_missing
from codeqa_model.pyast import parse_quietly
from codeqa_model.slots import BARE_NUMBER_RE

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")


def bare_numbers(intent: str) -> list[float]:
    """The numbers the intent writes as words' neighbours, outside quotes and back-ticks."""
    return [float(n) for n in BARE_NUMBER_RE.findall(_QUOTED.sub(" ", intent))]


def values_left_out(intent: str, code: str) -> float:
    """In [0, 1]: of the intent's quoted values and bare numbers, the share `code` lacks (0
    when it gives none)."""
    numbers = bare_numbers(intent)
    quoted = len([v for v in canonical(intent)[1] if v])
    if not numbers:
        return values_missing(intent, code)
    lacking = quoted * values_missing(intent, code) if quoted else 0.0
    lacking += sum(n not in _code_numbers(code) for n in numbers)
    return lacking / (quoted + len(numbers))


def _code_numbers(code: str) -> set[float]:
    tree = parse_quietly(code)
    if tree is None:
        return {float(n) for n in BARE_NUMBER_RE.findall(code)}
    return {
        float(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }
