"""Rewrites of a right snippet: some keep it right (how users write it), some make it wrong.

Keep-right rewrites (`user_form`) are applied to positives and negatives at the same rate, so a
trailing `return x` or a `def` header carries no label signal — the shipped matcher was lifted
from 0.01 to 0.24 by a `return items` line. Make-wrong rewrites (`perturb_literal`,
`drop_line`, `add_line`) keep most of the surface and change what the code does.
"""

from __future__ import annotations

import ast
import io
import random
import re
import textwrap
import tokenize

_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=[^=]")
_RESULT_NAMES = ("result", "out", "value", "items", "data", "res", "x")
MAX_DROP_STATEMENTS = 6
_FUNC_NAMES = ("main", "run", "helper", "process", "do_it", "handle", "compute")


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def user_form(code: str, rng: random.Random) -> str:
    """The snippet as it sits in a user's file: maybe `name = ...`, a trailing `return name` or
    `print(name)`, maybe inside a `def` (the checker sees the block the intent governs)."""
    lines = code.rstrip().split("\n")
    if len(lines) == 1 and rng.random() < 0.5 and not _ASSIGN.match(lines[0]):
        try:
            ast.parse(lines[0].strip(), mode="eval")
            lines = [f"{rng.choice(_RESULT_NAMES)} = {lines[0].strip()}"]
        except (SyntaxError, ValueError):
            pass
    last = _ASSIGN.match(lines[-1])
    if last and rng.random() < 0.6:
        name = last.group(1)
        lines.append(rng.choice((f"return {name}", f"print({name})")))
    out = "\n".join(lines)
    if rng.random() < 0.3:
        name = rng.choice(_FUNC_NAMES)
        out = f"def {name}():\n" + textwrap.indent(out, "    ")
    return out


def returned_form(code: str) -> str | None:
    """The snippet as the body of a function that returns its value: `return EXPR` for a
    one-line expression, or for the value of a last line `name = EXPR` (a function's
    `return max(words, key=len)`); None when the snippet is neither (or already returns)."""
    lines = code.rstrip().split("\n")
    last = lines[-1]
    assigned = _ASSIGN.match(last)
    expr = last[assigned.end() - 1 :].strip() if assigned else last.strip()
    if len(lines) == 1 and not assigned:
        expr = last.strip()
    elif not assigned or last != last.lstrip():
        return None
    if expr.startswith("print("):
        return None
    try:
        ast.parse(expr, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return "\n".join([*lines[:-1], f"return {expr}"])


def _literal_tokens(code: str) -> list[tokenize.TokenInfo]:
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return [t for t in toks if t.type in (tokenize.STRING, tokenize.NUMBER)]


def _other_literal(tok: tokenize.TokenInfo, rng: random.Random) -> str | None:
    text = tok.string
    if tok.type == tokenize.NUMBER:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        choices = [value + 1, value * 2 + 1, -value - 1, value + 10]
        return str(rng.choice([c for c in choices if c != value]))
    if text[:1] in "rbuRBUfF" and text[1:2] not in "'\"":
        return None  # two-letter prefixes: leave alone
    prefix = text[0] if text[0] not in "'\"" else ""
    body = text[len(prefix) :]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    inner = body[len(quote) : -len(quote)]
    words = ["x", "data", "foo", ",", ";", " ", "\\n", "name", "%Y", "utf-8", "abc", "1"]
    new = rng.choice([w for w in words if w != inner] + ([inner[::-1]] if len(inner) > 2 else []))
    if new == inner:
        return None
    return f"{prefix}{quote}{new}{quote}"


def perturb_literal(intent: str, code: str, rng: random.Random) -> str | None:
    """One string or number literal the intent mentions changed (the value the user asked for),
    or a `True`/`False` flipped. None when nothing fits."""
    toks = _literal_tokens(code)
    # only a value the intent names: changing an incidental literal (an encoding, a buffer
    # size in a mined function body) rarely makes the code wrong, so it would teach noise
    pool = [t for t in toks if t.string.strip("'\"rbuf") and t.string.strip("'\"rbuf") in intent]
    # a flag in a short snippet is what it does (`reverse=True`); in a long body, incidental
    short = code.strip().count("\n") < 3
    flips = list(re.finditer(r"\b(True|False)\b", code)) if short else []
    if not pool and not flips:
        return None
    lines = code.split("\n")
    if flips and (not pool or rng.random() < 0.2):
        m = rng.choice(flips)
        return code[: m.start()] + ("False" if m.group() == "True" else "True") + code[m.end() :]
    tok = rng.choice(pool)
    new = _other_literal(tok, rng)
    if new is None or tok.start[0] != tok.end[0]:
        return None
    row, col = tok.start[0] - 1, tok.start[1]
    lines[row] = lines[row][:col] + new + lines[row][tok.end[1] :]
    out = "\n".join(lines)
    return out if out != code else None


def _statement_lines(code: str) -> list[tuple[int, int, ast.stmt]]:
    """(first, last) 0-based line ranges of top-level and nested simple statements."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(
            node,
            ast.FunctionDef
            | ast.AsyncFunctionDef
            | ast.ClassDef
            | ast.If
            | ast.For
            | ast.While
            | ast.With
            | ast.Try
            | ast.AsyncFor
            | ast.AsyncWith,
        ):
            out.append((node.lineno - 1, (node.end_lineno or node.lineno) - 1, node))
    return sorted(out, key=lambda t: t[0])


def _does_work(node: ast.stmt) -> bool:
    """A statement whose removal changes what the code does: it calls something, and it is not
    an import, a `print`, a `return` of a bare name or `pass`."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.Pass | ast.Return):
        return False
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Name) and func.id == "print":
            return False
    return any(isinstance(n, ast.Call | ast.BinOp | ast.Subscript) for n in ast.walk(node))


def drop_line(code: str, rng: random.Random) -> str | None:
    """A multi-statement snippet with one working statement removed (still valid Python)."""
    stmts = [(a, b) for a, b, node in _statement_lines(code) if _does_work(node)]
    # in a long function one line less is often still the same function: 2 to 6 statements only
    if not 2 <= len(_statement_lines(code)) <= MAX_DROP_STATEMENTS or not stmts:
        return None
    lines = code.split("\n")
    for _ in range(4):
        a, b = rng.choice(stmts)
        indent = lines[a][: len(lines[a]) - len(lines[a].lstrip())]
        kept = lines[:a] + lines[b + 1 :]
        # a block left empty needs a body
        candidate = "\n".join(kept)
        if not _parses(candidate):
            candidate = "\n".join([*lines[:a], indent + "pass", *lines[b + 1 :]])
        if _parses(candidate) and candidate.strip() and candidate != code:
            return candidate
    return None


def add_line(code: str, foreign: str, rng: random.Random) -> str | None:
    """`code` with one working statement of another snippet inserted at a statement boundary."""
    stmts = [(a, b) for a, b, node in _statement_lines(foreign) if _does_work(node)]
    if not stmts:
        return None
    a, b = rng.choice(stmts)
    flines = foreign.split("\n")[a : b + 1]
    flines = textwrap.dedent("\n".join(flines)).split("\n")
    lines = code.rstrip().split("\n")
    top = [i for i, line in enumerate(lines) if line and not line[0].isspace()] + [len(lines)]
    at = rng.choice(top[1:] if len(top) > 1 else top)
    out = "\n".join(lines[:at] + flines + lines[at:])
    return out if _parses(out) and out != code else None
