"""Put back as a name the intent's variable that a candidate wrote as a string.

"write string `s` to file 'out.txt'" gets `open('out.txt', 'w').write('s\\n')`: the model learned
from CoNaLa, whose intents back-tick string values too, to put a back-ticked slot inside quotes.
Under the product's grammar a back-ticked name the intent gives a type ("string `s`", "list
`xs`", or a spelling like `url`) is a variable, so the literal becomes the name: `write(s +
'\\n')` (a string keeps the whitespace the literal added), `'xs'` → `xs`. Values the intent also
quotes stay literals, and so do keys (`d['name']`), items of a literal list and a bare one-letter
literal (`open(p, 'a')` under "list `a`").
"""

from __future__ import annotations

import ast

from codeqa_model.api_check import stated_types
from codeqa_model.pyast import SourcePositions, parse_quietly, replace_ranges
from codeqa_model.slots import canonicalize_intent

Spans = tuple[tuple[int, int], ...]


def unquote_variables(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each string literal that spells a typed variable of the intent replaced by
    the name; `spans` moved with the text (a span inside a replaced literal goes)."""
    typed = stated_types(intent)
    if not typed or not any(f"'{n}" in code or f'"{n}' in code for n in typed):
        return code, spans
    quoted = {s.value for s in canonicalize_intent(intent)[1] if s.kind == "str"}
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    where = SourcePositions(code)
    nodes = list(ast.walk(tree))
    keys = {id(n.slice) for n in nodes if isinstance(n, ast.Subscript)}  # d['name'] is a key
    receivers = {id(n.value) for n in nodes if isinstance(n, ast.Attribute)}
    # ['a', 'b', 'c', 'd'] lists letters, whatever `d` is
    listed = {id(e) for n in nodes if isinstance(n, ast.List | ast.Tuple | ast.Set) for e in n.elts}
    edits: list[tuple[int, int, str]] = []
    for node in nodes:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        name = node.value.strip()
        if name not in typed or name in quoted or id(node) in keys | listed:
            continue
        if len(name) == 1 and node.value == name:
            continue  # 'a' is a mode, a letter, a separator as often as the list `a`
        text = _as_expression(node.value, name, typed[name])
        if text is None:
            continue
        if id(node) in receivers and text != name:
            text = f"({text})"
        start, end = where.extent(node)
        edits.append((start, end, text))
    spans = tuple(sp for sp in spans if not any(s <= sp[0] and sp[1] <= e for s, e, _ in edits))
    return replace_ranges(code, spans, edits)


def _as_expression(literal: str, name: str, kind: str) -> str | None:
    """`name`, or for a string with whitespace around it in the literal, `name + '\\n'`."""
    if literal == name:
        return name
    if kind != "str":
        return None
    before, _, after = literal.partition(name)
    parts = [repr(before)] if before else []
    parts.append(name)
    if after:
        parts.append(repr(after))
    return " + ".join(parts)
