"""Types a back-ticked name's spelling implies, when the intent states none.

"remove the trailing '/' from `url`" says nothing of `url`'s type, but nobody names a list
`url`: a candidate calling `url.pop('/')` will not run. The API check reads these guesses like
stated types (`api_check.declared_types`), so `url.pop` fails and `url.rstrip('/')` passes.
Only plain, unambiguous spellings count, and never when a word before the name gives it some
other type ("pandas series `s`", "file `path`").
"""

from __future__ import annotations

import re

# The last part of a name (`csv_line` → line, `fullName` → name) → the builtin type it implies.
# Only spellings nobody gives another type: not `query` (Django's), `msg`/`email` (email's
# Message), or `lines`/`words` ("split `lines` on newlines" is a string).
_STR_WORDS = frozenset(
    {"s", "str", "string", "text", "line", "word", "sentence", "url", "name", "filename"}
    | {"fname", "title", "password", "pw", "char", "letter"}
)
_LIST_WORDS = frozenset({"xs", "nums", "numbers", "items", "lst"})
# Words that, just before the name, make it something else.
_OTHER_TYPES = frozenset(
    {"series", "array", "arrays", "dataframe", "frame", "df", "column", "columns", "matrix"}
    | {"tensor", "numpy", "pandas", "object", "objects", "file", "instance", "counter", "deque"}
    | {"iterator", "generator", "queue", "bytes", "byte", "buffer", "datetime", "date", "time"}
    | {"number", "int", "integer", "float", "element", "node", "tree", "soup", "model", "path"}
    | {"response", "request", "widget", "image", "img", "field", "variable", "var", "class"}
)
_TICKED = re.compile(r"(?:(?P<before>[A-Za-z]+)\s+)?`(?P<name>[A-Za-z_]\w*)`")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def name_types(intent: str) -> dict[str, str]:
    """{back-ticked name: "str" | "list"} for the names whose spelling implies one."""
    found: dict[str, str] = {}
    typed_otherwise: set[str] = set()
    for match in _TICKED.finditer(intent):
        name, before = match.group("name"), (match.group("before") or "").lower()
        if before in _OTHER_TYPES:
            typed_otherwise.add(name)
        last = _CAMEL.sub("_", name).lower().split("_")[-1]
        kind = "str" if last in _STR_WORDS else "list" if last in _LIST_WORDS else None
        if kind is not None:
            found.setdefault(name, kind)
    return {name: kind for name, kind in found.items() if name not in typed_otherwise}
