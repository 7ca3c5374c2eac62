"""Whether a candidate answers with the type the intent asks for: `str(n)` under "convert
integer `n` to a string", `set(nums)` under "convert list `nums` to a set".

The API check already sends a candidate whose type plainly contradicts the asked one behind the
others (`api_check`: `int(n)` under "... to a string"). That leaves, among the rest, code of
unknown type (a retrieved `struct.unpack('d', ...)[0]`) ranked above code that plainly gives
what was asked. A call whose result type is known and is the one asked for gets
`engine.type_weight` in the ranking (chosen on validation). Only calls: a list comprehension or
a literal is a list or a dict by its brackets alone, whatever it holds.
"""

from __future__ import annotations

import ast

from codeqa_model.api_check import ASKS_FOR_TYPE, TYPE_WORDS, declared_types
from codeqa_model.name_types import name_types
from codeqa_model.pyast import parse_quietly
from codeqa_model.value_types import ValueTypes


def asked_type(intent: str) -> str | None:
    """The builtin type the intent asks the answer to be ("as a string": `str`), or None."""
    match = ASKS_FOR_TYPE.search(intent)
    return None if match is None else TYPE_WORDS.get(match.group("type").lower())


def answers_asked_type(intent: str, code: str, wanted: str | None = None) -> float:
    """1.0 when `code` is one call (alone or assigned to one name) whose result type is known
    and is the type the intent asks for (`wanted`, if the caller read it already); else 0.0."""
    wanted = wanted if wanted is not None else asked_type(intent)
    if wanted is None:
        return 0.0
    tree = parse_quietly(code)
    if tree is None or len(tree.body) != 1:
        return 0.0
    statement = tree.body[0]
    one_target = isinstance(statement, ast.Assign) and len(statement.targets) == 1
    if not (isinstance(statement, ast.Expr) or one_target):
        return 0.0
    value = statement.value  # type: ignore[attr-defined]
    if not isinstance(value, ast.Call):
        return 0.0
    stated = {**name_types(intent), **declared_types(intent)}
    # the other names a call reads are taken for modules of that name (`os.listdir`)
    modules = {n.id: n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    modules = {name: module for name, module in modules.items() if name not in stated}
    return 1.0 if ValueTypes(stated, modules=modules).of(value) == wanted else 0.0
