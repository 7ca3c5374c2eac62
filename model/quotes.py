'''One-line string literals spelled with plain quotes: `""" """.join(words)` → `' '.join(words)`.

CoNaLa's snippets were tokenised and detokenised, which turned many literals into triple-quoted
ones (`"""""".join(x)` for `''.join(x)`); the generator learned that spelling and retrieval
stores it. Nobody writes it. Applied to canonical code (placeholders in), before slots are put
back, so slot spans need no moving. Only literals with no quote, backslash or newline inside
change; their value is the same.
'''

from __future__ import annotations

import re

_TRIPLE = re.compile(
    r"""(?<![\w'"])(?P<prefix>[rRbBuU]?)(?P<q>\"\"\"|''')(?P<body>[^"'\\\n]*)(?P=q)"""
)


def plain_quotes(code: str) -> str:
    """`code` with each one-line triple-quoted literal written with single quotes."""
    return _TRIPLE.sub(lambda m: f"{m.group('prefix')}'{m.group('body')}'", code)
