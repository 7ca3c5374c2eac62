"""The module a bare name is imported from: `Counter(votes)` needs `from collections import
Counter`.

Stack Overflow answers call `Counter`, `chain`, `defaultdict` or `choice(ascii_uppercase)`
with the `from ... import` line left above the snippet, so the API check found the name
unbound and failed the answer, however right it was. The module is read off the code the engine
already knows (its retrieval index: answers and doc rows that spell `collections.Counter`,
`itertools.chain.from_iterable`, `random.choice`): a bare name stands for `module.name` when the
API table lists that name in the module and the known code spells it that way at least
`MIN_SEEN` times and `DOMINANCE` times as often as through any other module (`random.choice`
over `secrets.choice`; `statistics.Counter`, a re-export nobody calls, never competes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from codeqa_model.api_table import CLASS, FUNCTION, VALUE, ApiTable

MIN_SEEN = 2
DOMINANCE = 3
# `a.b.c` not preceded by a name character or a dot: each of its prefixes of two parts or more
# is a reference (`itertools.chain.from_iterable` spells `itertools.chain`)
_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def dotted_references(codes: Iterable[str]) -> Counter[str]:
    """How often each dotted path (and each prefix of it) is written in `codes`."""
    seen: Counter[str] = Counter()
    for code in codes:
        for match in _DOTTED.findall(code):
            parts = match.split(".")
            seen.update(".".join(parts[:n]) for n in range(2, len(parts) + 1))
    return seen


def from_import_paths(references: Mapping[str, int], table: ApiTable) -> dict[str, str]:
    """{bare name: "module.name"} for the names one module clearly owns (see the module doc)."""
    by_name: dict[str, list[tuple[int, str]]] = {}
    for path, count in references.items():
        module, _, name = path.rpartition(".")
        if count < MIN_SEEN or name.startswith("_") or not table.has_module(module):
            continue
        entry = table.entry(module, name)
        if entry is not None and entry.kind in (CLASS, FUNCTION, VALUE):
            by_name.setdefault(name, []).append((count, path))
    found = {}
    for name, paths in by_name.items():
        paths.sort(reverse=True)
        if len(paths) == 1 or paths[0][0] >= DOMINANCE * paths[1][0]:
            found[name] = paths[0][1]
    return found


def import_line(path: str) -> str:
    """`collections.Counter` → `from collections import Counter`."""
    module, _, name = path.rpartition(".")
    return f"from {module} import {name}"
