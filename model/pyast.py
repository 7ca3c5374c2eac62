"""Readings of Python syntax trees shared by the API checker, the mismatch explainer and the
training code: dotted names and what a snippet's own imports bind. `ast` only: nothing named
is ever imported."""

from __future__ import annotations

import ast

__all__ = ["dotted", "dotted_parts", "import_aliases"]


def dotted_parts(node: ast.expr) -> list[str] | None:
    """`os.path.join` → ["os", "path", "join"]; None when the chain does not start at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def dotted(node: ast.expr) -> str | None:
    """`os.path.join` for that attribute chain; None when it does not start at a name."""
    parts = dotted_parts(node)
    return ".".join(parts) if parts is not None else None


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Bound name → module path for every absolute import in `tree`: `import numpy as np` →
    {"np": "numpy"}, `import os.path` → {"os": "os"}, `from json import loads` →
    {"loads": "json.loads"}; star imports bind nothing readable."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases
