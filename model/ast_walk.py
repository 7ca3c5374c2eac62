"""`ast.walk`'s nodes as one list, in its order, at about a third of its cost.

`ast.walk` is a generator over a deque, fed by `ast.iter_child_nodes`, itself a generator over
`ast.iter_fields`: three Python frames per node. A suggestion checks and reads a dozen candidate
trees several times over (API check, API keys, imports), and the walks were a tenth of its
time. This is the same breadth-first order (each node's fields in `_fields` order, list items
in order) with a list as the queue.
"""

from __future__ import annotations

import ast

__all__ = ["walk"]


def walk(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree`, `tree` first, in `ast.walk`'s order."""
    nodes = [tree]
    add = nodes.append
    node_type, list_type = ast.AST, list
    for node in nodes:  # grows while read: the queue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                add(value)
            elif isinstance(value, list_type):
                for item in value:
                    if isinstance(item, node_type):
                        add(item)
    return nodes
