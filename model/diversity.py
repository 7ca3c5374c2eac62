"""Different answers in the first places of a suggestion list, not one answer five times.

The beam and the retrieved pairs often propose the same call with a different optional argument
(`subprocess.run(c, stdout=None)`, `subprocess.run(c, capture_output=False)`) or the same code
spelled twice (`xs[-1]`, `xs[(-1)]`). A list of five is worth most when its entries are
alternatives: a user who rejects the first `subprocess.run` wants to see `check_output` next.
The order of the first suggestion never changes; later ones that repeat an earlier one's meaning
move behind those that do not.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

from codeqa_model.api_retriever import api_keys

# Per identical set of called APIs, this many suggestions keep their place (2: one variant of
# the same call is often the fix the first one needed, e.g. an argument order).
MAX_SAME_APIS = 2


class _HasCode(Protocol):
    @property
    def code(self) -> str: ...


S = TypeVar("S", bound=_HasCode)


def diversify(ranked: Sequence[S], per_api: int = MAX_SAME_APIS) -> list[S]:
    """`ranked` reordered (stable): a suggestion whose normalised code repeats an earlier one's,
    or whose set of called APIs already has `per_api` places, goes after all that do not."""
    kept: list[S] = []
    later: list[S] = []
    seen_code: set[str] = set()
    per_key: Counter[tuple[str, ...]] = Counter()
    for suggestion in ranked:
        same, apis = _meaning(suggestion.code)
        if same in seen_code or (apis and per_key[apis] >= per_api):
            later.append(suggestion)
            continue
        seen_code.add(same)
        per_key[apis] += 1
        kept.append(suggestion)
    return kept + later


@functools.lru_cache(maxsize=4096)
def _meaning(code: str) -> tuple[str, tuple[str, ...]]:
    """(the code as `ast.unparse` writes it, or itself when it does not parse; its API keys)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            normal = ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code, ()
    return normal, api_keys(code)
