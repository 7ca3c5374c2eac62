"""Whether a candidate answers with the type the intent asks for: `str(n)` under "convert
integer `n` to a string", `set(nums)` under "convert list `nums` to a set".

The API check already sends a candidate whose type plainly contradicts the asked one behind the
others (`api_check`: `int(n)` under "... to a string"). That leaves, among the rest, code of
unknown type (a retrieved `struct.unpack('d', ...)[0]`) ranked above code that plainly gives
what was asked. A call whose result type is known and is the one asked for gets
`engine.type_weight` in the ranking (chosen on validation). Only calls: a list comprehension or
a literal is a list or a dict by its brackets alone, whatever it holds. `answer_type` (a value's
type from the code and the intent's stated names) also tells `counts` what a listing is.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from codeqa_model.api_check import asked_type, one_answer, stated_types
from codeqa_model.pyast import parse_quietly
from codeqa_model.value_types import ValueTypes

__all__ = ["answer_type", "answers_asked_type", "asked_type"]


def answers_asked_type(
    intent: str,
    code: str,
    wanted: str | None = None,
    returns: Mapping[str, str] | None = None,
) -> float:
    """1.0 when `code` is one call (alone or assigned to one name) whose result type is known
    and is the type the intent asks for (`wanted`, if the caller read it already); else 0.0."""
    wanted = wanted if wanted is not None else asked_type(intent)
    if wanted is None:
        return 0.0
    tree = parse_quietly(code)
    value = one_answer(tree) if tree is not None else None
    if not isinstance(value, ast.Call):
        return 0.0
    return 1.0 if answer_type(intent, value, returns) == wanted else 0.0


def answer_type(
    intent: str, value: ast.expr, returns: Mapping[str, str] | None = None
) -> str | None:
    """`value`'s builtin type where the code and the intent make it plain: the intent's stated
    names ("string `text`") have their type, and the other names the value reads are taken for
    modules of that name (`os.listdir`)."""
    stated = stated_types(intent)
    modules = {n.id: n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    modules = {name: module for name, module in modules.items() if name not in stated}
    return ValueTypes(stated, modules=modules, returns=returns or {}).of(value)
