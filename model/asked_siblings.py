"""Call the function of a module the intent names: `hashlib.md5(...)` → `hashlib.sha512(...)`
under "the sha512 hex digest of string `s`".

Training pairs know md5 and sha256 far better than sha512 or blake2b, so the nearest answer
often calls the wrong sibling, and the API check rightly fails it ("calls hashlib.md5; the
intent names hashlib.sha512"), leaving only worse candidates. Names with a digit (`sha512`,
`b32encode`, `crc32`) are no English words, so where the intent spells exactly one such
function of a module the code calls, and the code calls another function of that module whose
name has a digit too and never names the asked one, the call is renamed. The API table says
which names are the module's functions (or classes: `hashlib.blake2b`); nothing is imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from codeqa_model.api_table import CLASS, FUNCTION, ApiTable
from codeqa_model.pyast import (
    SourcePositions,
    dotted_parts,
    import_aliases,
    parse_quietly,
    replace_ranges,
)

Spans = tuple[tuple[int, int], ...]
_DIGIT_WORD = re.compile(r"\b[A-Za-z_]+\d\w*\b")


def call_asked_sibling(
    intent: str, code: str, spans: Spans, table: ApiTable | None, aliases: Mapping[str, str]
) -> tuple[str, Spans]:
    """`code` with its calls of a module's digit-named function renamed to the one the intent
    names (see the module docstring); `spans` moved with the text; unchanged otherwise."""
    asked = unsaid_digit_names(intent, code)
    if table is None or not asked:
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    bound = {**aliases, **import_aliases(tree)}
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        chain = dotted_parts(node.func)
        if chain is None or len(chain) != 2 or not _DIGIT_WORD.fullmatch(chain[1]):
            continue
        module = bound.get(chain[0], chain[0])
        if not table.has_module(module):
            continue
        siblings = [w for w in asked if _function(table, module, w)]
        if len(siblings) == 1:
            end = where.extent(node.func)[1]
            edits.append((end - len(chain[1]), end, siblings[0]))
    return replace_ranges(code, spans, edits)


def unsaid_digit_names(intent: str, code: str) -> set[str]:
    """The digit-named words of `intent` (`sha512`, `b64encode`), lower-cased, that `code` never
    says: the functions the intent may be naming that the code does not call (shared with the
    API check, which fails the code for them where this cannot rename a call)."""
    named = {w.lower() for w in _DIGIT_WORD.findall(intent)}
    return named - {w.lower() for w in _DIGIT_WORD.findall(code)}


def _function(table: ApiTable, module: str, name: str) -> bool:
    entry = table.entry(module, name)
    return entry is not None and entry.kind in (FUNCTION, CLASS)  # hashlib.blake2b is a class
