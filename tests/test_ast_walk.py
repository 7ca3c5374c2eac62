"""`ast_walk.walk` lists `ast.walk`'s nodes in its order (the API check reads that order)."""

from __future__ import annotations

import ast
from pathlib import Path

from codeqa_model.ast_walk import walk

_SOURCES = [
    "",
    "x",
    "df.groupby('a').agg({'b': [np.sum, len]})[['b']].reset_index()",
    "lambda *a, k=1, **kw: [y for x in a if x for y in x] or {k: v for k, v in kw.items()}",
    "try:\n    import os.path as p\nexcept (ImportError, OSError) as e:\n    raise\nfinally:\n"
    "    del x[1:2, ...]\n",
    "async def f(a: int = 1, /, b=2, *, c) -> None:\n    async with x as (y, z):\n"
    "        await g(f'{a!r:>{b}}')\n",
    "match p:\n    case [1, *rest] | {'k': _} if rest:\n        pass\n",
]


def test_walk_gives_ast_walks_nodes_in_its_order() -> None:
    trees = [ast.parse(source) for source in _SOURCES]
    trees += [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(Path(ast.__file__).parent.glob("ast.py"))
    ]
    trees += [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((Path(__file__).parents[1] / "model").glob("*.py"))
    ]
    for tree in trees:
        expected = list(ast.walk(tree))
        assert walk(tree) == expected  # the same node objects, in the same order
        assert len(expected) > 0


def test_walk_of_a_subtree_starts_with_it() -> None:
    call = ast.parse("f(g(1), k=h(2))").body[0].value
    assert [type(n).__name__ for n in walk(call)] == [
        "Call", "Name", "Call", "keyword", "Load", "Name", "Constant", "Call", "Load", "Name",
        "Constant", "Load",
    ]  # fmt: skip
