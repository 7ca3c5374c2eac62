"""How much of a called API's name the intent's own words spell out.

The learned intent → API retriever (`api_prior`) learns from how often pairs call an API, so a
popular neighbour wins over the API the words name: for "get the current working directory" it
gives `os.chdir` 0.52 and `os.getcwd` 0.25, because Stack Overflow asks about *changing* the
directory far more often. API names are short run-together words (`getcwd`, `listdir`,
`splitext`, `hexdigest`, `isdigit`), and the intent usually says them: a name part matches an
intent word in full, a 3+ letter prefix of one (`dir` ~ directory, `ext` ~ extension), or the
initials of consecutive words (`cwd` ~ current working directory, `lcm` ~ least common
multiple). The score is the share of the name's letters so matched, and 0 unless some matched
part is more than a filler word (`.get` under "get the last element" says nothing).

Only dotted keys count (`os.getcwd`, `.isdigit`): builtins (`list`, `int`) are named by the
type words every intent uses, and the learned prior knows them well. The match alone would
also crown `.read` under "read a json file" and `venv.create` under "create directory", so it
only reweighs the retriever's likeliest APIs (`reweigh`), by `engine.name_weight` (chosen on
validation by `codeqa-train tune`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# Words that match a name part without saying which API is meant.
FILLER = frozenset(
    {
        "a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "by", "from", "and",
        "or", "into", "is", "are", "be", "has", "have", "do", "does", "get", "set", "make",
        "use", "return", "new", "all", "each", "value", "values", "item", "items",
    }
)  # fmt: skip
# How names say a few everyday intent words (mkdir, makedirs under "create"; rmtree under
# "delete"): each intent word also matches as these.
SPELLED = {
    "create": ("make", "mk", "new"),
    "delete": ("remove", "rm", "del", "unlink"),
    "remove": ("rm", "del", "unlink"),
    "folder": ("dir",),
    "directory": ("dir",),
    "directories": ("dirs",),
    "current": ("cur",),
    "length": ("len",),
    "number": ("num",),
    "temporary": ("temp", "tmp"),
}
MIN_PREFIX = 3  # letters of a word that may stand for it (dir ~ directory)
# Consecutive words whose initials may spell a part (cwd); 2 let "if string" spell "is".
MIN_INITIALS = 3
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1024)
def intent_words(intent: str) -> tuple[str, ...]:
    """The intent's lower-cased words in order, quoted values' words included ('cfg.json')."""
    return tuple(_WORD.findall(intent.lower()))


@lru_cache(maxsize=8192)
def name_match(key: str, words: tuple[str, ...]) -> float:
    """Share of the last name of `key` (`os.path.getsize` → getsize) spelled by `words`, in
    [0, 1]; 0 for undotted keys, names under 3 letters, or matches by filler words only."""
    if "." not in key:
        return 0.0
    name = key.rsplit(".", 1)[-1].lower().replace("_", "")
    n = len(name)
    if n < MIN_PREFIX:
        return 0.0
    # best[i]: (letters matched, letters matched by non-filler words) over name[:i]
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    best[0] = (0, 0)
    by_letter, starts = _by_letter(words)

    def reach(i: int, value: tuple[int, int]) -> None:
        if best[i] is None or value > best[i]:
            best[i] = value

    for i in range(n):
        here = best[i]
        if here is None:
            continue
        matched, specific = here
        reach(i + 1, here)  # a letter no word explains
        rest = name[i:]
        for word in by_letter.get(rest[0], ()):
            length = _common_prefix(rest, word)
            if length == len(word) >= 2 or length >= MIN_PREFIX:
                weight = 0 if word in FILLER else length
                reach(i + length, (matched + length, specific + weight))
        for j in starts.get(rest[0], ()):
            k = 0
            while j + k < len(words) and k < len(rest) and words[j + k][0] == rest[k]:
                k += 1
            if k >= MIN_INITIALS:
                reach(i + k, (matched + k, specific + k))
    matched, specific = best[n] or (0, 0)
    return matched / n if specific else 0.0


@lru_cache(maxsize=64)
def _by_letter(
    words: tuple[str, ...],
) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """The intent's words and their spellings (`SPELLED`) by first letter, and where each
    letter starts a word: only those can reach on from a letter of a name. Once per intent
    (`reweigh` matches `NAME_TOP` names against the same words)."""
    by_letter: dict[str, list[str]] = {}
    for word in set(words).union(*(SPELLED.get(w, ()) for w in words)):
        by_letter.setdefault(word[:1], []).append(word)
    starts: dict[str, list[int]] = {}
    for j, word in enumerate(words):
        starts.setdefault(word[:1], []).append(j)
    return by_letter, starts


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def reweigh(
    probs: np.ndarray, api_names: Sequence[str], words: tuple[str, ...], weight: float, top: int
) -> np.ndarray:
    """`probs` (P(api | intent) over `api_names`) with each of the `top` likeliest APIs times
    exp(weight * name_match), renormalised: the name decides between APIs the retriever
    already finds plausible (getcwd 0.25 over chdir 0.52 at weight 2), and cannot lift one it
    finds implausible (`.read`, 0.03, under "read a json file") over a likely one."""
    if weight <= 0 or probs.size == 0:
        return probs
    ids = np.argpartition(-probs, min(top, probs.size) - 1)[:top]
    boost = np.array([math.exp(weight * name_match(api_names[i], words)) for i in ids])
    out = probs.copy()
    out[ids] = probs[ids] * boost
    return out / out.sum()
