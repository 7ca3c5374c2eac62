"""A block that never uses the number its intent states: `start.weekday()` under "add 7 days to
the date `start`", `time.time()` under "wait 2 seconds", `int(p)` under "round `p` to 2 decimal
places", `pool.sort()` under "pick 3 random items from `pool`".

A stated count, size or amount is part of what is asked, and right code writes it (or one next
to it: `range(1, 11)` for "1 to 10"; or the same amount in another unit: 300 for "5 minutes").
The matcher reads such blocks as on topic (hand-written validation blocks: 0.83, 0.37, 0.40,
0.39, all unflagged). Quoted values are `values_left_out`'s and `match_evidence`'s; here only
the intent's own whole numbers count, and not 0 and 1 (defaults as often as stated: "a random
float between 0 and 1" is `random.random()`), nor numbers that name a standard or a version
("RFC 5322", "Python 3", "utf-8", "2-tuples"), and only in an intent of at most `MAX_WORDS`
words: a documentation sentence's numbers describe behaviour ("returns a 10-tuple; the first 9
elements ...", "a 16 character salt"), an instruction's state what to do. The
combiner weighs the fact (`NUMBER_FEATURES`, a fixed weight chosen out of fold by
`codeqa-train fit-combiner --number-weights`), and `number_reason` says which number is missing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from codeqa_model.slots import canonicalize_intent

NUMBER_FEATURES = ("number_missing",)
# Longer intents are descriptions; on the matcher's validation rows the feature fired on 1.3% of
# the true API-doc pairs (apidocs) at any length and 0.4% at 16 words or fewer, and on 8 of the
# 150 wrong hand-written blocks either way.
MAX_WORDS = 16

# A whole number standing alone: not inside a word, a dotted version, a hyphenated name or a
# decimal, and not a percentage.
_NUMBER = re.compile(r"(?<![\w.\-])(\d{1,6})(?![\w\-%]|\.\d)")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s*$")
# Words after which a number names a thing rather than an amount.
_NAMING = frozenset({"python", "py", "version", "rfc", "pep", "iso", "ipv", "utf", "sha", "md"})
_CODE_NUMBER = re.compile(r"(?<![A-Za-z_\d])(\d+)(?!\d)")  # `.2f` writes 2
# Other spellings of an amount of time or size in code (5 minutes: 300 seconds).
_FACTORS = (60, 3600, 1000, 1024, 86400)


@lru_cache(maxsize=4096)
def stated_numbers(intent: str) -> frozenset[int]:
    """The amounts the intent states outside its quoted values, 0 and 1 left out; none for an
    intent of more than `MAX_WORDS` words."""
    if len(intent.split()) > MAX_WORDS:
        return frozenset()
    canon, _ = canonicalize_intent(intent)
    found: set[int] = set()
    for match in _NUMBER.finditer(canon):
        before = _WORD_BEFORE.search(canon, 0, match.start())
        word = before.group(1) if before else ""
        if word.lower() in _NAMING or (len(word) > 1 and word.isupper()):
            continue
        value = int(match.group(1))
        if value > 1:
            found.add(value)
    return frozenset(found)


def missing_number(intent: str, code: str) -> int | None:
    """The smallest number the intent states when `code` writes none of them in any form
    (itself, one more or less, with or without a minus sign, or times a unit factor); None when
    the code writes one of them or the intent states none."""
    stated = stated_numbers(intent)
    if not stated:
        return None
    written = {int(n) for n in _CODE_NUMBER.findall(code) if len(n) < 10}
    for n in stated:
        forms = {n, n - 1, n + 1, *(n * f for f in _FACTORS)}
        if written & forms:
            return None
    return min(stated)


def number_missing(intent: str, code: str) -> float:
    """`NUMBER_FEATURES` for one pair: 1.0 when the code writes none of the intent's numbers."""
    return 0.0 if missing_number(intent, code) is None else 1.0


def number_reason(intent: str, code: str) -> str | None:
    """ "the intent says 7; the code never uses it", or None."""
    n = missing_number(intent, code)
    return None if n is None else f"the intent says {n}; the code never uses it"
