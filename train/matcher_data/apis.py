"""Calls in a snippet and the APIs beside them: the material for API-swap negatives.

A call's dotted name is read with `ast` (never executed). Siblings come from a table of
module → function names built from API documentation and mined pairs, plus the public methods
of the builtin containers, so `os.getcwd()` can become `os.listdir()` and `s.split(",")` can
become `s.strip(",")` — code that still reads plausibly but does something else.
"""

from __future__ import annotations

import ast
import builtins
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from codeqa_model import pyast

# Common import aliases in Stack Overflow code; an `import x as y` inside the snippet wins.
ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "dt": "datetime"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BUILTIN_FUNCS = sorted(
    n
    for n in dir(builtins)
    if n.islower()
    and not n.startswith("_")
    and callable(getattr(builtins, n))
    and n not in {"exit", "quit", "copyright", "credits", "license", "help", "breakpoint"}
)
_TYPE_METHODS: dict[str, list[str]] = {
    t.__name__: sorted(n for n in dir(t) if not n.startswith("_"))
    for t in (str, list, dict, set, bytes)
}


@dataclass(frozen=True)
class Call:
    """One call in a snippet: its dotted name as written, and where its last name part is."""

    dotted: str  # e.g. "os.path.join", "s.split", "len"
    root: str  # "os", "s", "" for a bare name
    line: int  # 1-based line of the last name part
    start: int  # column span [start, end) of the last name part on that line
    end: int

    @property
    def name(self) -> str:
        return self.dotted.rsplit(".", 1)[-1]


def find_calls(code: str) -> tuple[list[Call], dict[str, str]]:
    """Calls whose callee is a dotted name, in source order, and the snippet's import aliases.
    ([], {}) for code that does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], {}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = pyast.dotted(node.func)
        end_line, end_col = node.func.end_lineno, node.func.end_col_offset
        if dotted is None or end_line is None or end_col is None:
            continue
        name = dotted.rsplit(".", 1)[-1]
        root = dotted.split(".")[0] if "." in dotted else ""
        calls.append(Call(dotted, root, end_line, end_col - len(name), end_col))
    calls.sort(key=lambda c: (c.line, c.start))
    return calls, pyast.import_aliases(tree)


def resolve(call: Call, aliases: dict[str, str]) -> str:
    """The call's full dotted path when its root is an imported or well-known module name."""
    if not call.root:
        return aliases.get(call.dotted, call.dotted)
    head, _, rest = call.dotted.partition(".")
    target = aliases.get(head) or ALIASES.get(head)
    return f"{target}.{rest}" if target else call.dotted


class ApiTable:
    """module path → sorted public function names, from documented and mined APIs."""

    def __init__(self, dotted_names: Iterable[str]) -> None:
        members: dict[str, set[str]] = {}
        for dotted in dotted_names:
            module, _, name = dotted.rpartition(".")
            if module and _NAME.fullmatch(name) and not name.startswith("_"):
                members.setdefault(module, set()).add(name)
        self.members = {m: sorted(n) for m, n in members.items() if len(n) >= 2}
        # `datetime.strptime` written after `from datetime import datetime`: match by last part
        self.by_last: dict[str, list[str]] = {}
        for module, names in self.members.items():
            last = module.rsplit(".", 1)[-1]
            self.by_last[last] = sorted({*self.by_last.get(last, []), *names})
        self.all = sorted({f"{m}.{n}" for m, ns in self.members.items() for n in ns})

    def siblings(self, call: Call, aliases: dict[str, str]) -> list[str]:
        """Other names that could stand where `call`'s last part stands, most specific first."""
        full = resolve(call, aliases)
        module, _, name = full.rpartition(".")
        for names in (self.members.get(module), self.by_last.get(module.rsplit(".", 1)[-1])):
            if names and name in names:
                return [n for n in names if _distinct(n, name)]
        if not call.root:
            return (
                [n for n in _BUILTIN_FUNCS if _distinct(n, name)] if name in _BUILTIN_FUNCS else []
            )
        for methods in _TYPE_METHODS.values():
            if name in methods:
                return [n for n in methods if _distinct(n, name)]
        return []


def _distinct(a: str, b: str) -> bool:
    """Names different enough that swapping them changes the meaning (not getcwd/getcwdb)."""
    if a == b:
        return False
    short, long_ = sorted((a.lower(), b.lower()), key=len)
    return not long_.startswith(short) and not long_.endswith(short)


def replace_span(code: str, call: Call, new_name: str) -> str:
    """`code` with the call's last name part replaced by `new_name`."""
    lines = code.split("\n")
    text = lines[call.line - 1]
    # ast columns are UTF-8 byte offsets
    raw = text.encode("utf-8")
    lines[call.line - 1] = (raw[: call.start] + new_name.encode() + raw[call.end :]).decode(
        "utf-8", errors="replace"
    )
    return "\n".join(lines)


def api_swap(code: str, table: ApiTable, rng: random.Random, foreign: float = 0.3) -> str | None:
    """`code` with one of its calls replaced by a sibling API (or, at rate `foreign`, by a name
    from another module when the snippet calls a module function); None when nothing fits."""
    calls, aliases = find_calls(code)
    options = [(c, table.siblings(c, aliases)) for c in calls]
    options = [(c, s) for c, s in options if s]
    if not options:
        return None
    call, siblings = rng.choice(options)
    full = resolve(call, aliases).rpartition(".")[0]
    known = full in table.members or full.rsplit(".", 1)[-1] in table.by_last
    if call.root and known and rng.random() < foreign and table.all:
        other = rng.choice(table.all)
        if _distinct(other.rpartition(".")[2], call.name):
            lines = code.split("\n")
            text = lines[call.line - 1].encode("utf-8")
            start = call.end - len(call.dotted)
            if start >= 0 and text[start : call.end].decode("utf-8", "replace") == call.dotted:
                lines[call.line - 1] = (text[:start] + other.encode() + text[call.end :]).decode(
                    "utf-8", errors="replace"
                )
                return "\n".join(lines)
    return replace_span(code, call, rng.choice(siblings))
