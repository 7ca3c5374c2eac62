"""English intent → word tokens for the generator's and classifier's encoders.

Lower-cased words and single punctuation marks, but placeholders (``str_0``), dotted or
underscored identifiers (``os.path``, ``my_list``) and numbers (``3.14``) stay whole: they are
the words the model most needs to copy or match. Pure stdlib.
"""

from __future__ import annotations

import re

__all__ = ["tokenize_intent"]

_INTENT_RE = re.compile(
    r"(?:str|var)_\d(?![\w])"  # placeholder, even when glued to ".attr"
    r"|\d+(?:[.,]\d+)*(?![\w])"  # number: 3, 3.14, 1,000
    r"|[^\W\d]\w*(?:\.[^\W\d]\w*)+"  # dotted name: os.path, df.groupby
    r"|\w+(?:'\w+)?"  # word, snake_case name, contraction (don't, user's)
    r"|[^\w\s]"  # one punctuation mark
)


def tokenize_intent(text: str) -> list[str]:
    """Word tokens of ``text``, lower-cased; placeholders, identifiers and numbers kept whole."""
    return _INTENT_RE.findall(text.lower())
