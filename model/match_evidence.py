"""API evidence beside the neural matcher: do the block's calls fit the intent's words, and
does a sibling API fit them better?

The matcher reads code as sub-words and misses a swapped call that reads alike (`os.listdir`
for `os.getcwd`). Here each API has a *profile*: the words of the intents whose true code calls
it (learned from training pairs only, so held-out packages stay held out). A block's calls are
read with a regex (no parse, no import: tolerant of code that does not parse, and cheap), keyed
as `module.function` (aliases resolved), `.method` or a bare builtin. Features per pair:

- `fit`: the best cosine between the intent and a called API's profile;
- `worst`: the lowest such cosine (a line added that calls something unrelated);
- `rival`: how much the best *sibling* of a called API (same module, same container type,
  or another builtin) beats `fit` — the API-swap signal;
- `miss`: how much the API the intent's words point to most beats `fit` (any module: `shutil.rmtree`
  under "read a csv file");
- `known`: whether any call has a profile (so a combiner knows when the two above say nothing);
- `name`: the best share of a called function's name parts (`read_csv` → read, csv; `listdir`
  → list, dir: run-together names are split on the intent vocabulary) that the intent's words
  name, a prefix of three letters counting (dir ~ directory). Needs no profile, so it also
  speaks for APIs no training pair called;
- `lexical`: the share of the intent's (IDF-weighted) words found among the code's
  identifier parts.

`opposite` (`Evidence.opposite`): 1 when the block does the opposite of an intent verb and not
the verb itself — a called name part or the file mode of an `open` is an antonym of it (`dump`
under "load", `open(p, "w")` under "read", `decode` under "encode"), from the small `OPPOSITES`
table of verb antonyms.

`values_missing` is apart (it needs no profiles): the share of the intent's quoted values
(`'config.ini'`, `` `path` ``) that the code does not contain — a block on another file or
variable than the intent names. `literal_evidence` splits it by kind (`LITERAL_FEATURES`):
`literal_conflict` (a quoted string is missing and the code has another string literal in its
place: `connect(":memory:")` under 'app.db'), `names_missing` (a back-ticked name the code never
uses as a whole word, an attribute `.path` not counting) and `strings_missing` (a quoted
string the code lacks).

`literal_swap` (`SWAP_FEATURES`) is the sharp case of `literal_conflict`: a quoted file name, path
or URL of the intent is missing and the code writes another one of the same shape in its place
(`savefig("plot.pdf")` under 'plot.png', `parser.read("setup.cfg")` under 'config.ini'). A
mode, an encoding or a bare word beside the intent's file does not count, so true pairs almost
never have it; `codeqa-train fit-combiner --literal-swap-weights` gives it a fixed weight.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from codeqa_model.slots import canonicalize_intent

FEATURES = ("fit", "worst", "rival", "miss", "known", "lexical", "name")
LITERAL_FEATURES = ("literal_conflict", "names_missing", "strings_missing")
SWAP_FEATURES = ("literal_swap",)
_POSTINGS = 16  # APIs kept per word (see Evidence.__init__)
ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "dt": "datetime"}
# a dotted name and `(`; a name is read from its first letter only (a start after a letter fails
# as the one before it did) and never gives back letters (a shorter name is no call): the same
# matches as `([A-Za-z_][\w.]*)\(` at half the cost
_CALL = re.compile(r"(?<![A-Za-z_])([A-Za-z_][\w.]*+)\(")
_IMPORT_AS = re.compile(r"^\s*import\s+([\w.]+)\s+as\s+(\w+)", re.M)
_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?([\w\s,]+)", re.M)
_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NOT_CALLS = frozenset(keyword.kwlist) | {"print"}
_BUILTINS = frozenset(n for n in dir(builtins) if n.islower() and not n.startswith("_"))
_TYPE_METHODS = {
    t.__name__: frozenset(n for n in dir(t) if not n.startswith("_"))
    for t in (str, list, dict, set, bytes)
}
# Words that say nothing about which API is meant; kept small on purpose.
STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "for", "from", "with", "by", "and", "or",
        "is", "are", "be", "as", "at", "it", "its", "this", "that", "into", "each", "all",
        "given", "using", "use", "how", "do", "does", "python", "i", "my", "me", "can",
        "way", "what", "which", "if", "not", "no", "var", "str",
    }
)  # fmt: skip


@lru_cache(maxsize=8192)
def _norm(part: str) -> str:
    w = part.lower()
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return "" if len(w) < 2 or w in STOPWORDS else w


def words(text: str) -> list[str]:
    """Lower-cased content words and identifier parts, a plural `s` dropped (lists → list)."""
    return [w for w in map(_norm, _PART.findall(text)) if w]


@lru_cache(maxsize=2048)
def intent_terms(intent: str) -> tuple[str, ...]:
    """`words` of an intent, read once: the API profiles' vector and the effects' asks both
    start from them."""
    return tuple(words(intent))


@lru_cache(maxsize=2048)
def _prefixes(intent: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the intent's `words` of 3+ letters, every prefix of 3+ letters of them): a name part
    of 3+ letters begins one of those words exactly when it is among the prefixes, and one
    of them begins it exactly when one of its own 3+ letter prefixes is among the words."""
    long = frozenset(w for w in intent_terms(intent) if len(w) >= 3)
    return long, frozenset(w[:k] for w in long for k in range(3, len(w) + 1))


def call_keys(code: str, modules: Iterable[str] | frozenset[str]) -> list[str]:
    """The block's calls as profile keys, in order, without repeats: `os.getcwd`,
    `datetime.strptime` (the last two parts of the resolved name), `.split` (a method on a
    variable), `len` (a bare name). `modules` are the heads that name a module."""
    aliases = dict(ALIASES)
    if "import" in code:
        for full, alias in _IMPORT_AS.findall(code):
            aliases[alias] = full
        for module, names in _FROM.findall(code):
            for name in re.split(r"[\s,]+", names):
                if name.isidentifier():
                    aliases.setdefault(name, f"{module}.{name}")
    keys: list[str] = []
    for match in _CALL.finditer(code):
        written = match.group(1).strip(".")
        head, _, rest = written.partition(".")
        if head in _NOT_CALLS:
            continue
        if head in aliases or head in modules:
            full = f"{aliases.get(head, head)}.{rest}" if rest else aliases.get(head, head)
            key = ".".join(full.split(".")[-2:]) if "." in full else full
        elif rest:
            key = "." + rest.rsplit(".", 1)[-1]
        else:
            key = head
        if key not in keys:
            keys.append(key)
    return keys


# Verb antonyms (after `words`' normalisation); each verb's synonyms count as doing it.
_ANTONYMS = (
    ({"read", "load", "parse"}, {"write", "dump", "save"}),
    ({"encode", "compress", "encrypt", "serialize"}, {"decode", "decompress", "decrypt"}),
    ({"add", "insert", "append", "push", "create", "make", "mkdir", "makedir"}, {"remove", "delete",
     "pop", "rmtree", "rmdir", "unlink", "clear", "discard"}),
    ({"upper", "capitalize"}, {"lower"}),
    ({"max", "largest", "maximum"}, {"min", "smallest", "minimum"}),
    ({"open", "connect", "start", "lock"}, {"close", "disconnect", "stop", "unlock"}),
    ({"join"}, {"split"}),
)  # fmt: skip
OPPOSITES: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
for _one, _other in _ANTONYMS:
    for _verb in _one:
        OPPOSITES[_verb] = (frozenset(_one), frozenset(_other))
    for _verb in _other:
        OPPOSITES[_verb] = (frozenset(_other), frozenset(_one))
_OPEN_MODE = re.compile(r"""\bopen\(([^()]*)\)""")
_WRITE_MODE = re.compile(r"""['"][rbt+]*[wax][rbt+]*['"]""")


def open_modes(code: str) -> set[str]:
    """`write` for an `open(...)` with a w/a/x mode, `read` for one without."""
    return {"write" if _WRITE_MODE.search(args) else "read" for args in _OPEN_MODE.findall(code)}


@lru_cache(maxsize=4096)
def _read_intent(intent: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(canonical intent, its quoted values with their kinds), the intent read once."""
    canon, slots = canonicalize_intent(intent)
    return canon, tuple((s.value, s.kind) for s in slots.slots)


def canonical(intent: str) -> tuple[str, tuple[str, ...]]:
    """(canonical intent, its quoted values), remembered: `values_missing` and the retriever's
    evidence both read them."""
    canon, slots = _read_intent(intent)
    return canon, tuple(value for value, _ in slots)


def values_missing(intent: str, code: str) -> float:
    """The share of the intent's quoted values that `code` does not contain (0 without any)."""
    values = [v for v in canonical(intent)[1] if v]
    if not values:
        return 0.0
    return sum(v not in code for v in values) / len(values)


# a string literal in code (its text without quotes and prefix); no escapes, one line
STRING = re.compile(r"""[rRbBuUfF]{0,2}(?:"([^"\\\n]*)"|'([^'\\\n]*)')""")


def quoted(intent: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(quoted strings, back-ticked names) of an intent."""
    slots = _read_intent(intent)[1]
    strings = tuple(value for value, kind in slots if kind == "str" and value)
    names = tuple(value for value, kind in slots if kind == "var" and value)
    return strings, names


def literal_evidence(intent: str, code: str) -> list[float]:
    """`LITERAL_FEATURES` for one pair: the intent's quoted values the code leaves out, by kind
    (1.0 or 0.0 each; all 0 for an intent that quotes nothing)."""
    strings, names = quoted(intent)
    if not strings and not names:
        return [0.0, 0.0, 0.0]
    lacks_string = any(v not in code for v in strings)
    conflict = lacks_string and any(
        (a or b) and (a or b) not in strings for a, b in STRING.findall(code)
    )
    lacks_name = any(not used_as_name(v, code) for v in names)
    return [float(conflict), float(lacks_name), float(lacks_string)]


def used_as_name(name: str, code: str) -> bool:
    r"""Whether `name` occurs in `code` as a whole word that is no attribute: what
    `(?<![\w.])name(?!\w)` finds, read with `str.find` (a pattern compiled per intent's name
    cost more than the rest of the pair's literal evidence). `\w` is `str.isalnum` or `_`."""
    at = code.find(name)
    while at >= 0:
        before = code[at - 1 : at]
        after = code[at + len(name) : at + len(name) + 1]
        if not _word_or_dot(before) and not _word_char(after):
            return True
        at = code.find(name, at + 1)
    return False


def _word_char(char: str) -> bool:
    r"""`\w` for one character ("" is none)."""
    return char.isalnum() or char == "_"


def _word_or_dot(char: str) -> bool:
    return char == "." or _word_char(char)


_FILE_NAME = re.compile(r"[\w\-. /\\:~]*\.[A-Za-z][A-Za-z0-9]{0,4}")


def literal_shape(value: str) -> str | None:
    """ "url", "file" (a name with an extension: 'plot.png', 'data/x.csv'), "path" (has a
    slash) or None (a word, a mode, an encoding, a sentence)."""
    if value.startswith(("http://", "https://")):
        return "url"
    if _FILE_NAME.fullmatch(value):
        return "file"
    return "path" if "/" in value or "\\" in value else None


def literal_swap(intent: str, code: str) -> float:
    """1.0 when a quoted file name, path or URL of the intent is not in `code` and `code` has a
    string literal of the same shape that the intent does not say; else 0.0."""
    strings = quoted(intent)[0]
    if not strings:
        return 0.0
    shapes = {literal_shape(s) for s in strings if s not in code} - {None}
    if not shapes:
        return 0.0
    for a, b in STRING.findall(code):
        value = a or b
        if value and value not in intent and literal_shape(value) in shapes:
            return 1.0
    return 0.0


def groups_of(key: str) -> tuple[str, ...]:
    """Which APIs a call could be swapped with: its module (`os`), each container type whose
    method it names (`:str`), or `:builtins`; () for a name that is none of these."""
    if key.startswith("."):
        return tuple(f":{t}" for t, names in _TYPE_METHODS.items() if key[1:] in names)
    if "." in key:
        return (key.rpartition(".")[0],)
    return (":builtins",) if key in _BUILTINS else ()


def _strongest(rows: list[str], weights: list[float]) -> tuple[tuple[str, float], ...]:
    """The `_POSTINGS` largest weights of a word, with their APIs."""
    order = sorted(range(len(rows)), key=lambda j: -weights[j])[:_POSTINGS]
    return tuple((rows[j], weights[j]) for j in order)


class Evidence:
    """Profiles of APIs (word → weight, unit length), the IDF of intent words, and the module
    heads; computes `FEATURES` for (intent, code) pairs."""

    def __init__(
        self,
        profiles: Mapping[str, Mapping[str, float]],
        idf: Mapping[str, float],
        modules: Iterable[str],
    ) -> None:
        self.profiles = {k: dict(v) for k, v in profiles.items()}
        self.idf = dict(idf)
        self.modules = frozenset(modules)
        self._default_idf = max(self.idf.values(), default=1.0)
        # the profiles inverted (word → APIs), each word's `_POSTINGS` strongest APIs only: an
        # intent's cosine with the APIs it points to is then a few hundred additions (a common
        # word such as "list" would otherwise add thousands of weak entries)
        by_word: dict[str, tuple[list[str], list[float]]] = {}
        for api, profile in self.profiles.items():
            for w, weight in profile.items():
                apis, weights = by_word.setdefault(w, ([], []))
                apis.append(api)
                weights.append(weight)
        self._postings = {w: _strongest(r, v) for w, (r, v) in by_word.items()}
        self._groups = {api: groups_of(api) for api in self.profiles}
        self._vector = lru_cache(maxsize=1024)(self._intent_vector)
        self._assoc = lru_cache(maxsize=1024)(self._assoc_uncached)
        self._keys = lru_cache(maxsize=2048)(self._keys_uncached)
        self._name_parts = lru_cache(maxsize=2048)(self._name_parts_uncached)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        """From the plain JSON `to_dict` wrote; ValueError when it does not fit."""
        try:
            return cls(data["profiles"], data["idf"], data["modules"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not API evidence ({exc!r})") from None

    def to_dict(self) -> dict[str, Any]:
        return {"profiles": self.profiles, "idf": self.idf, "modules": sorted(self.modules)}

    def _intent_vector(self, intent: str) -> dict[str, float]:
        vec = {w: self.idf.get(w, self._default_idf) for w in set(intent_terms(intent))}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    def _assoc_uncached(self, intent: str) -> tuple[dict[str, float], float]:
        """(api → cosine, for the APIs the intent's words point to most; the largest)."""
        assoc: dict[str, float] = {}
        get = assoc.get
        postings = self._postings
        for w, v in self._vector(intent).items():
            for api, weight in postings.get(w, ()):
                assoc[api] = get(api, 0.0) + v * weight
        return assoc, max(assoc.values(), default=0.0)

    def _keys_uncached(self, code: str) -> tuple[tuple[str, ...], frozenset[str]]:
        keys = tuple(call_keys(code, self.modules))
        return keys, frozenset(words(code))

    def _segment(self, chunk: str) -> list[str]:
        """`getcwd`-style run-together words split on the vocabulary (longest first); the chunk
        itself when it does not split completely."""
        out, i = [], 0
        while i < len(chunk):
            for j in range(len(chunk), i + 1, -1):
                if chunk[i:j] in self.idf:
                    out.append(chunk[i:j])
                    i = j
                    break
            else:
                return [chunk]
        return out

    def _name_parts_uncached(self, key: str) -> tuple[str, ...]:
        name = key.rsplit(".", 1)[-1].replace("_", " ")
        return tuple(p for w in words(name) for p in self._segment(w))

    def _name(self, intent: str, keys: Sequence[str]) -> float:
        """The best share of a called name's parts that the intent's words name: a part equal
        to a word, or of 3+ letters and beginning one of 3+ letters or begun by it (dir ~
        directory)."""
        said = self._vector(intent)
        long, prefixes = _prefixes(intent)
        best = 0.0
        for key in keys:
            parts = self._name_parts(key)
            if parts:
                hits = sum(
                    p in said
                    or (
                        len(p) >= 3
                        and (p in prefixes or any(p[:k] in long for k in range(3, len(p) + 1)))
                    )
                    for p in parts
                )
                best = max(best, hits / len(parts))
        return best

    def opposite(self, intent: str, code: str) -> float:
        """1.0 when a called name part or an `open` mode is an antonym of an intent verb and
        no part does the verb itself (see `OPPOSITES`); else 0.0."""
        keys, _ = self._keys(code)
        parts = {p for k in keys for p in self._name_parts(k)} | open_modes(code)
        for w in self._vector(intent):
            pair = OPPOSITES.get(w)
            if pair is not None and not parts.isdisjoint(pair[1]) and parts.isdisjoint(pair[0]):
                return 1.0
        return 0.0

    def features(self, intent: str, code: str) -> list[float]:
        """`FEATURES` for one pair, in that order."""
        vec = self._vector(intent)
        keys, code_words = self._keys(code)
        covered = sum(v * v for w, v in vec.items() if w in code_words)
        name = self._name(intent, keys)
        known = [k for k in keys if k in self.profiles]
        if not known:
            return [0.0, 0.0, 0.0, 0.0, 0.0, covered, name]
        fits = [self._cosine(vec, k) for k in known]
        fit = max(fits)
        assoc, top = self._assoc(intent)
        groups = {g for k in known for g in self._groups[k]}
        best = fit  # the best sibling not called, when it beats the block's own best call
        for api, value in assoc.items():
            if value > best and api not in keys and not groups.isdisjoint(self._groups[api]):
                best = value
        rival = best - fit
        return [fit, min(fits), rival, max(0.0, top - fit), 1.0, covered, name]

    def _cosine(self, vec: Mapping[str, float], api: str) -> float:
        """The exact cosine of an intent vector and `api`'s profile."""
        profile = self.profiles[api]
        return sum(v * profile.get(w, 0.0) for w, v in vec.items())

    def many(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """`features` for each pair."""
        return [self.features(i, c) for i, c in pairs]
