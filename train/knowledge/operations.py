"""Operations the Python HTML docs describe outside API entries: the Operation/Result tables and
`describe` entries of `library/stdtypes.html` (`x ** y` "x to the power y", `s + t` "the
concatenation of s and t", `d | other` "Create a new dictionary with the merged keys and values
of d and other", `s.pop() or s.pop(i)`) and the tutorial's list methods (`list.pop([i])`), whose
entries carry no id, so `htmldocs` never sees them. These are the everyday operations people ask
for most ("raise `x` to the power 3", "merge dicts `a` and `b`", "remove the last item of
`xs`") and no function's docstring says them.
"""

from __future__ import annotations

import ast
import builtins
import html
import re
from pathlib import Path

from codeqa_train.knowledge.htmldocs import SOURCE
from codeqa_train.knowledge.pysource import first_sentence
from codeqa_train.knowledge.records import GenPair

PAGES = ("library/stdtypes.html", "tutorial/datastructures.html")
_TABLE = re.compile(r"<table.*?</table>", re.S)
_HEAD = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_DESCRIBE = re.compile(
    r'<dl class="[^"]*describe[^"]*">\s*<dt[^>]*>(.*?)</dt>\s*<dd>\s*<p>(.*?)</p>', re.S
)
# entries without an id (`<dt class="sig sig-object py">`): the tutorial's list methods
_ANONYMOUS = re.compile(r'<dt class="sig sig-object py">(.*?)</dt>\s*<dd>\s*<p>(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]+>")
# the old optional-argument notation: `x[, i[, j]]`, `pop([i])` (a subscript `s[i]` stays)
_OPTIONAL = re.compile(r"\[,\s*[^\[\]]*\]|(?<=\()\[[^\[\]]*\](?=\))")
# Names an operation's text may spell as plain words too, so only these (and single letters)
# are taken for its values.
_VALUE_NAMES = frozenset(("key", "value", "other", "iterable"))
_BUILTINS = frozenset(dir(builtins))
# "same as s[i:j] = []" says nothing of its own; "if x is false, then y, else x" is `or`'s table
_NO_INTENT = re.compile(r"^(?:same as|equivalent to|if)\b", re.IGNORECASE)
_MODULES = frozenset(("math",))
# code spelled another way, to the end: "(same as s[len(s):len(s)] = [x])"
_ASIDE = re.compile(r"\s*\((?:same as|for the most part).*$")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def operation_rows(page: str) -> list[tuple[str, str]]:
    """(operation, description) pairs of one page: table rows under Operation/Result headers,
    `describe` entries and entries without an id."""
    rows = []
    for table in _TABLE.findall(page):
        heads = [_text(h) for h in _HEAD.findall(table)]
        if heads[:2] != ["Operation", "Result"]:
            continue
        for row in _ROW.findall(table):
            cells = [_text(c) for c in _CELL.findall(row)]
            if len(cells) >= 2:
                rows.append((cells[0], cells[1]))
    for pattern in (_DESCRIBE, _ANONYMOUS):
        rows += [(_text(op), _text(doc)) for op, doc in pattern.findall(page)]
    return rows


def _required(operation: str) -> str:
    while True:
        shorter = _OPTIONAL.sub("", operation)
        if shorter == operation:
            return operation
        operation = shorter


def _values(tree: ast.Module) -> list[str] | None:
    """The operation's value names (`s`, `x`, `key`) in order of appearance; None when it reads
    a name that is no value, no module and no builtin it calls or takes a method of (`set <=
    other`, `dictview.mapping`, `T[X, Y]` describe notation, not code)."""
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call | ast.Attribute):
            head = node.func if isinstance(node, ast.Call) else node.value
            if isinstance(head, ast.Name):
                called.add(id(head))
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or node.id in found:
            continue
        name = node.id
        if name in _MODULES or (name in _BUILTINS and id(node) in called):
            continue
        if name in _BUILTINS or not (len(name) == 1 or name in _VALUE_NAMES) or name.isupper():
            return None
        found.append(name)
    return found


def operation_pair(operation: str, description: str) -> list[GenPair]:
    """Generator pairs for one documented operation: one per alternative ("s.pop() or
    s.pop(i)"), the description's first sentence with the operation's values back-ticked as
    intent. None for what is no Python statement (`<`, `T[X, Y, ...]`) or says nothing of its
    own ("same as s[i:j] = []")."""
    doc = first_sentence(_ASIDE.sub("", description))
    if not doc or _NO_INTENT.match(doc):
        return []
    pairs = []
    for alternative in operation.split(" or "):
        code = _required(alternative.strip())
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            continue
        if len(tree.body) != 1 or "..." in code:
            continue
        values = _values(tree)
        if values is None:
            continue
        intent = doc
        for name in values:
            intent = re.sub(rf"(?<![\w`.]){re.escape(name)}(?![\w`(])", f"`{name}`", intent)
        missing = [n for n in values if f"`{n}`" not in intent]
        if missing:
            intent += f" With arguments {', '.join(f'`{n}`' for n in missing)}."
        pairs.append(GenPair(intent, code, SOURCE))
    return pairs


def read_operations(root: Path) -> list[GenPair]:
    """Every operation pair of `PAGES` under a Python HTML docs tree (none when absent)."""
    pairs: list[GenPair] = []
    for name in PAGES:
        path = root / name
        if path.is_file():
            page = path.read_text(encoding="utf-8", errors="replace")
            for operation, description in operation_rows(page):
                pairs += operation_pair(operation, description)
    return pairs
