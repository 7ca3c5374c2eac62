"""What a candidate says that its intent does not: literals carried over from another question.

A retrieved pair or a beam that memorised one brings its own question's details along:
`xs.sort(key=lambda item: item['date'], reverse=True)` for "sort list `xs` in reverse order",
`s.count('Hello')` for "count words in `s`". A programmer rejects such code at a glance; the
generator's probability and the matcher do not see it, because the code is fluent and on topic.
Counting the literals that neither the intent nor the common idioms explain gives the ranking a
way to prefer the plain answer (`sorted(xs, reverse=True)`); `engine.unexplained_weight`, chosen
on validation by `codeqa-train tune`, says how much.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings

# Short strings are idioms, not details: modes ('w', 'rb'), separators (',', '\n', ''), and
# the numbers indexing and slicing use.
_MAX_IDIOM_CHARS = 2
_IDIOM_NUMBERS = frozenset({0, 1, 2, -1})
_WORD = re.compile(r"\w+")
# strftime/printf directives say how, not what: '%Y-%m-%d' is the idiom for a date format
_FORMAT = re.compile(r"%[a-zA-Z]")
# Stack Overflow answers print what the asker wanted back; a user wants the value.
_SHOW_WORDS = frozenset({"print", "display", "show", "output", "echo", "log"})
MAX_COUNT = 3  # past three unexplained details a candidate is simply wrong; no need to rank


@functools.lru_cache(maxsize=4096)
def unexplained_details(code: str, intent: str) -> int:
    """How many of `code`'s string and number literals the intent does not mention (at most
    `MAX_COUNT`; 0 for code that does not parse — ranking already puts that last).

    A string is explained when the intent contains it (quoted or not), it is an idiom of at
    most two characters or a format ('%Y-%m-%d'); a number when it is 0, 1, 2 or -1 or the
    intent has it as a word. A `print(...)` around the answer the intent did not ask to show
    counts as one more.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    words = set(_WORD.findall(intent.lower()))
    count = 0
    if _prints_unasked(tree, words):
        count += 1
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or node is None:
            continue
        value = node.value
        if isinstance(value, str | bytes):
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            if len(text) <= _MAX_IDIOM_CHARS or text in intent or _FORMAT.search(text):
                continue
        elif isinstance(value, int | float):
            if value in _IDIOM_NUMBERS or str(value) in words:
                continue
        else:
            continue
        count += 1
        if count == MAX_COUNT:
            break
    return count


def _prints_unasked(tree: ast.Module, words: set[str]) -> bool:
    """The code's statements are `print(...)` calls and the intent never says show/print."""
    calls = [s.value for s in tree.body if isinstance(s, ast.Expr)]
    printing = any(
        isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == "print"
        for c in calls
    )
    return printing and not (words & _SHOW_WORDS)
