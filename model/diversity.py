"""Different answers in the first places of a suggestion list, not one answer five times.

The beam and the retrieved pairs often propose the same call with a different optional argument
(`subprocess.run(c, stdout=None)`, `subprocess.run(c, capture_output=False)`) or the same code
spelled twice (`xs[-1]`, `xs[(-1)]`). A list of five is worth most when its entries are
alternatives: a user who rejects the first `subprocess.run` wants to see `check_output` next.
`Variety` admits suggestions in rank order while they add something new; the engine's check
puts the rest behind the admitted ones, so the first suggestion never changes.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections import Counter

from codeqa_model.api_retriever import api_keys

# Per identical set of called APIs, this many passing suggestions keep their place. Chosen on
# validation, once, through the engine with the tuned knobs (CoNaLa valid best-of-5 BLEU,
# executable valid pass@5; the top-1 is the same at every value):
#   off: CoNaLa valid best-of-5 BLEU 35.66, executable valid pass@5 33.3
#   2:   36.03, 33.3
#   1:   36.58, 35.2
MAX_SAME_APIS = 1


class Variety:
    """Admits suggestions in rank order while they add something new: not the same code once
    normalised as an admitted one, and not past `per_api` admitted with the same called APIs."""

    def __init__(self, per_api: int = MAX_SAME_APIS) -> None:
        self.per_api = per_api
        self._codes: set[str] = set()
        self._apis: Counter[tuple[str, ...]] = Counter()

    def admit(self, code: str) -> bool:
        same, apis = _meaning(code)
        if same in self._codes or (apis and self._apis[apis] >= self.per_api):
            return False
        self._codes.add(same)
        self._apis[apis] += 1
        return True


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
