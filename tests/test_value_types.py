"""Builtin types read off the code: literals, stated names, builtin and method returns."""

from __future__ import annotations

import ast

import pytest
from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable
from codeqa_model.context import SourceContext
from codeqa_model.value_types import ValueTypes


def expr(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("'a'", "str"),
        ("-2", "int"),
        ("True", "bool"),
        ("len(xs)", "int"),
        ("sorted(xs)", "list"),
        ("s.split(',')", "list"),
        ("s.strip().lower()", "str"),
        ("xs.sort()", "NoneType"),
        ("xs.copy().count(1)", "int"),
        ("open(p).read()", "str"),
        ("open(p, 'rb').read()", "bytes"),
        ("open(p, mode='rb').readlines()", "list"),
        ("open(p, m).read()", None),
        ("d.items()", "dict_items"),
        ("s.startswith('a')", "bool"),
        ("print(s)", "NoneType"),
        ("re.findall('a', s)", "list"),
        ("os.path.join('a', s)", "str"),
        ("max(xs)", None),
        ("d.get(1)", None),
        ("-x", None),
        ("xs[:5]", "list"),  # a slice of a sequence is one of its kind
        ("s[1:].upper()", "str"),
        ("s[0]", "str"),  # any part of a string is a string
        ("xs[0]", None),  # an item is anything
        ("d[1:2]", None),
    ],
)
def test_types_read_off_the_code(code: str, kind: str | None) -> None:
    modules = {"re": "re", "os": "os"}
    assert (
        ValueTypes({"s": "str", "xs": "list", "d": "dict"}, modules=modules).of(expr(code)) == kind
    )


def test_a_rebound_builtin_returns_nothing_known() -> None:
    assert ValueTypes(shadowed=frozenset({"len"})).of(expr("len(xs)")) is None


def test_the_check_reads_returned_types() -> None:
    table = ApiTable(
        {"builtins": {"len": ["f", "obj, /"]}},
        instances={"str": {"strip": ["f", "chars=..., /"]}, "list": {"count": ["f", "x, /"]}},
    )
    checker = ApiChecker(table)
    intent = "count the occurrences of each word in list `words`"
    assert checker.check("len(words).count()", SourceContext.EMPTY, intent).reason == (
        "'int' object has no attribute 'count'"
    )
    assert checker.check("words.sort().count(1)", SourceContext.EMPTY, intent).reason == (
        "'NoneType' object has no attribute 'count'"
    )
    assert checker.check("len(words).bit_length()", SourceContext.EMPTY, intent).ok
    assert checker.check("d.keys().sort()", SourceContext.EMPTY, "dict `d`").reason == (
        "'dict_keys' object has no attribute 'sort'"
    )
    assert checker.check("d.iteritems()", SourceContext.EMPTY, "`d`").reason == (
        "iteritems() is Python 2 only"
    )
    mine = SourceContext.from_source("def len(x):\n    return x\n")
    assert checker.check("len(words).count()", mine, intent).ok  # the file's own len
