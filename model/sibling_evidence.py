"""Sibling contrast: the intent's verb names a sibling of the block's call, and nothing the block
calls does that verb.

The matcher reads `os.remove("old.txt")` under "rename the file 'old.txt'" or
`word.startswith("ing")` under "check whether the string `word` ends with 'ing'" as right: the
swapped names share their module, sub-words and contexts. The intent's own words decide
between siblings, though, and API names are mostly the verb of an everyday intent spelled out
(`rename`, `endswith`, `capitalize`, `make_archive` for "create a zip archive").

`sibling_gap` for an (intent, code) pair: the intent's *anchor* is its first word that says
what to do (`LEAD` words such as "how", "python", "get", "check" skipped: the next word names
the thing, as "absolute" does `abspath`; so are quoted values and the things acted on,
"string" in "check whether the string ends with"; an opening gerund is a title's topic,
"Plotting a heatmap", not an instruction). For each call of the block that has siblings (the
other functions of its module, or the methods of the builtin types that have the called method;
read from the bundle's API table) the feature is how much better than the call itself
`api_names.name_match` finds the intent's words spelling a sibling that the block does not
call, when the intent spells that sibling in full and only with its anchor (`os.rename` under
"rename ..."). It is 0 when any call
of the block says the anchor, by name (`sorted` under "sort") or in its documentation's first
sentence (`list.pop`: "Remove and return item at index" under "remove the last element"), and
when a called name is itself a word of the intent (`d.items()` under "get keys and items"), and
for blocks of more than `MAX_CALLS` calls (a long snippet under a question title calls many
things the title's words happen to name). The module's own name is not a word for this
("json" under `json.load` says which package, not which function).

When the anchor spells no sibling, a later word may still *name* one whole
(`_named_sibling`, gap 1 less the call's own match), read only when no call's name spells
the anchor (`sorted` under "sort ... from largest to smallest" does the verb; the rest are its
details): the builtins that stand in for one another (`min`, `max`, `sum`, `len`, `abs`,
`round`, `sorted`, `reversed`, one more group) by their names or `BUILTIN_WORDS`
("the longest string" names `max` beside `min(words, key=len)`), and, under an intent that
asks whether (`check`, `whether`, `if` ...), a predicate named by its word (`isdigit` by
"digits" beside `s.isupper()`, `os.path.exists` by "exists" beside `os.path.isabs`). Other
words that name a sibling are not read ("index" beside `a.pop(1)` names `x.index`, "function"
names `inspect.isfunction` outside a whether-question): they fired on CoNaLa's true pairs.

Calls are read with `retriever_evidence.call_paths` (regular expressions, imports and aliases
resolved; nothing is parsed or run). `Siblings` carries its groups and the doc sentences it
needs (written into `combiner.json` by `codeqa-train fit-combiner`), so a combiner naming the
feature needs nothing else from the bundle.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from codeqa_model.api_names import (
    FILLER,
    MIN_INITIALS,
    MIN_PREFIX,
    SPELLED,
    intent_words,
    name_match,
)
from codeqa_model.retriever_evidence import call_paths

SIBLING_FEATURES = ("sibling_gap",)
MAX_CALLS = 3  # blocks calling more than this many APIs get 0
MIN_NAMED = 4  # letters of a word that names a module's or type's sibling whole
MAX_NAMED = 4  # words of the intent read for a sibling's name, the anchor first
_PREDICATE = re.compile(r"^(?:is|has)_?")  # a predicate's name: `isdigit`, `has_key`
# words that ask whether something holds; only under them does a word name a predicate
_WHETHER = frozenset({"check", "whether", "if", "is", "test", "determine", "verify", "tell"})
FULL = 0.99  # a sibling's name must be spelled this completely by the intent's words
# Leading words that do not say what to do; with them, the next word is the anchor.
LEAD = frozenset(
    {
        "python", "how", "to", "i", "the", "a", "an", "can", "do", "you", "is", "there", "way",
        "what", "in", "use", "using", "best", "pythonic", "get", "check", "whether", "if",
        "return", "find", "make", "test", "compute", "calculate",
        # the things acted on: "check whether the string ends with" asks for `endswith`
        "string", "str", "list", "dict", "dictionary", "file", "value", "variable", "array",
        "number", "text", "all", "each", "every", "given", "new",
    }
)  # fmt: skip
QUESTION = frozenset({"how", "what", "why", "which", "where", "when", "is", "are", "can", "does"})
_QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")
TYPES = ("str", "bytes", "list", "dict", "set", "tuple")  # builtin types whose methods group
# builtin functions that stand in for one another (`min` for `max`), one more group; an intent
# says them by these words too ("the longest string" asks for `max`)
BUILTINS = ":builtins"
BUILTIN_WORDS = {
    "max": ("maximum", "largest", "biggest", "longest", "highest", "greatest"),
    "min": ("minimum", "smallest", "shortest", "lowest", "least"),
    "sum": ("total",),
    "abs": ("absolute",),
    "len": ("length",),
    "round": ("rounded",),
    "sorted": (),
    "reversed": (),
}
_NAMED_BUILTIN = {w: name for name, words in BUILTIN_WORDS.items() for w in (name, *words)}
# what a builtin does besides its naming words: `len(s.split())` counts the words
_SAYS_BUILTIN = {**BUILTIN_WORDS, "len": ("length", "count", "number", "many", "size")}
_PIECE = 3  # letters of the anchor a candidate sibling's name must contain
_SPELLED_WHOLE = 100  # names shorter than this match `FULL` only with their first letter
# a group's names joined (lower case, no `_`, one per line), where each starts, the names,
# and each one's first letter (None: long enough to match `FULL` without it)
_Joined = tuple[str, list[int], tuple[str, ...], tuple[str | None, ...]]
_DOC_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=2048)
def anchor(intent: str) -> str | None:
    """The intent's first word that says what to do, its quoted values and `LEAD` words
    skipped; None when there is none, or when the intent is a question ("How can I plot
    ...?") or opens with a gerund ("Plotting a heatmap with matplotlib"): a question title
    names its topic, not the call that answers it."""
    words = intent_words(_QUOTED.sub(" ", intent))
    if not words or words[0].endswith("ing") or intent.rstrip().endswith("?"):
        return None
    if words[words[0] == "python" and len(words) > 1] in QUESTION:  # "Python: how to ..."
        return None
    return next((w for w in words if len(w) >= 2 and w not in LEAD), None)


@lru_cache(maxsize=2048)
def named_words(intent: str) -> tuple[str, ...]:
    """The anchor and the words after it that may name a sibling whole (3 letters or more,
    neither `LEAD`, `FILLER` nor quoted), at most `MAX_NAMED` of them, in order."""
    first = anchor(intent)
    words = intent_words(_QUOTED.sub(" ", intent))
    at = words.index(first) if first in words else len(words)
    rest = [w for w in words[at:] if len(w) >= 3 and w not in LEAD and w not in FILLER]
    return tuple(dict.fromkeys(rest))[:MAX_NAMED]


def _asks_whether(words: tuple[str, ...]) -> bool:
    return not _WHETHER.isdisjoint(words)


def _stem(word: str) -> str:
    """A word's first five letters, or a short word less a plural `s` (sorts ~ sort). Four
    letters made "strip" and "string" one stem, so `line.split()`, whose doc sentence speaks of
    "the string", said "strip" under "strip the whitespace from both ends of `line`"."""
    if len(word) >= 6:
        return word[:5]
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


@lru_cache(maxsize=2048)
def _doc_stems(doc: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _DOC_WORD.findall(doc.lower()) if len(w) >= 2)


def _may_spell(name: str, word: str) -> bool:
    """False when `name_match(name, (word,))` is surely 0: neither `word` nor a spelling of it
    (`SPELLED`) that is not a filler begins with a piece `name_match` can take (the whole word
    of 2+ letters or its first `MIN_PREFIX` letters). One word has no initials to spell with."""
    for w in (word, *SPELLED.get(word, ())):
        if w in FILLER or len(w) < 2:
            continue
        if (w[:MIN_PREFIX] if len(w) >= MIN_PREFIX else w) in name:
            return True
    return False


@lru_cache(maxsize=2048)
def _initials(words: tuple[str, ...]) -> frozenset[str]:
    """The first letters of `words` and of their spellings (`SPELLED`): a name of fewer than
    `_SPELLED_WHOLE` letters that begins with none of them has a `name_match` below `FULL`
    with any of these words (its first letter unmatched, at most 98 of 99 letters are)."""
    return frozenset(w[:1] for w in set(words).union(*(SPELLED.get(w, ()) for w in words)))


def _prefix(group: str) -> str:
    """How `name_match` keys a group's names: `x.endswith`, `builtins.max`, `os.path.abspath`."""
    if group == BUILTINS:
        return "builtins"
    return "x" if group.startswith(":") else group


def _key(path: str) -> str:
    """A call path as `name_match` reads it (dotted; a method as `x.name`)."""
    if path.startswith("."):
        return "x" + path
    return path if "." in path else f"builtins.{path}"


class Siblings:
    """Groups of sibling names (`"os.path"` → abspath, basename, ...; `":str"` → the str
    methods), the first doc sentence of some APIs (`"list.pop"` → "Remove and return ..."),
    and `sibling_gap` for (intent, code) pairs."""

    def __init__(self, groups: Mapping[str, Iterable[str]], docs: Mapping[str, str]) -> None:
        self.groups = {g: tuple(sorted(set(names))) for g, names in groups.items()}
        self.groups.setdefault(BUILTINS, tuple(sorted(BUILTIN_WORDS)))
        self.docs = dict(docs)
        self._methods: dict[str, list[str]] = {}
        for group, names in self.groups.items():
            if group.startswith(":"):
                for name in names:
                    self._methods.setdefault(name, []).append(group)
        self._joined: dict[str, _Joined] = {}
        self._bare: dict[str, dict[str, tuple[str, ...]]] = {}
        self._calls = lru_cache(maxsize=4096)(self._calls_uncached)

    @classmethod
    def from_table(cls, table: Any, docs: Mapping[str, str]) -> Siblings:
        """From an `api_table.ApiTable` (the functions of each public module, the methods of
        the builtin instance types) and `{dotted name: first doc sentence}` (the matcher's
        `extra["api_docs"]`), of which the called APIs' sentences are read."""
        groups: dict[str, list[str]] = {}
        for module in table.modules():
            if module == "builtins" or any(p.startswith("_") for p in module.split(".")):
                continue
            names = []
            for name in table.names(module):
                entry = table.entry(module, name)
                if not name.startswith("_") and entry is not None and entry.kind == "f":
                    names.append(name)
            if len(names) > 1:
                groups[module] = names
        instances = table.to_json()["instances"]
        for type_name in TYPES:
            members = [n for n in instances.get(type_name, ()) if not n.startswith("_")]
            if members:
                groups[f":{type_name}"] = members
        return cls(groups, {k: str(v) for k, v in docs.items()})

    @classmethod
    def from_docs(cls, docs: Mapping[str, str]) -> Siblings:
        """From `{dotted name: first doc sentence}` alone: the documented functions of each
        module, and the documented methods of the builtin types (`str.endswith` → `:str`).
        Smaller than the API table's groups; for naming a sibling the docs can describe."""
        groups: dict[str, list[str]] = {}
        for dotted in docs:
            module, _, name = dotted.rpartition(".")
            if module and not name.startswith("_"):
                groups.setdefault(f":{module}" if module in TYPES else module, []).append(name)
        return cls({g: n for g, n in groups.items() if len(n) > 1}, docs)

    def doc_name(self, key: str) -> str:
        """A `gap` key as the docs name it: `x.endswith` → `str.endswith` (the first type
        whose method is documented), `builtins.len` → `len`; others unchanged."""
        module, _, name = key.rpartition(".")
        if module == "x":
            return next((f"{t}.{name}" for t in TYPES if f"{t}.{name}" in self.docs), f".{name}")
        return name if module == "builtins" else key

    def to_dict(self) -> dict[str, Any]:
        groups = {g: list(n) for g, n in self.groups.items() if g != BUILTINS}
        return {"groups": groups, "docs": self.docs}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Siblings:
        """From the plain JSON `to_dict` wrote; ValueError when it does not fit."""
        try:
            groups = {str(g): [str(n) for n in names] for g, names in data["groups"].items()}
            return cls(groups, {str(k): str(v) for k, v in data["docs"].items()})
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not sibling groups ({exc!r})") from None

    def _candidates(self, group: str, pieces: Iterable[str], initials: frozenset[str]) -> set[str]:
        """The group's names whose letters (lower case, no `_`) contain a piece of 2 or 3
        letters, less those of under `_SPELLED_WHOLE` letters that begin with none of
        `initials` (their `name_match` is below `FULL`, see `_initials`). Read off the names
        joined into one text (`str.find`, made on first use): an index of every 2- and
        3-letter piece cost more to build (0.24 s for the 1,434 shipped groups) than the few
        lookups most groups get in a process."""
        joined = self._joined.get(group)
        if joined is None:
            names = self.groups[group]
            texts = [name.lower().replace("_", "") for name in names]
            starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
            firsts = tuple(t[:1] if len(t) < _SPELLED_WHOLE else None for t in texts)
            joined = ("\n".join(texts), starts, names, firsts)
            self._joined[group] = joined
        text, starts, names, firsts = joined
        found: set[str] = set()
        for piece in pieces:
            if not 2 <= len(piece) <= _PIECE:
                continue
            at = text.find(piece)
            while at >= 0:
                i = bisect.bisect_right(starts, at) - 1
                if firsts[i] is None or firsts[i] in initials:
                    found.add(names[i])
                if i + 1 == len(starts):
                    break
                at = text.find(piece, starts[i + 1])
        return found

    def _calls_uncached(self, code: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(`name_match` key, sibling groups) per call of `code`; the groups may be ()."""
        out = []
        for path in call_paths(code):
            module, _, name = path.rpartition(".")
            # `code.isalpha()`: a variable named like a module calls a str method
            mislabeled = module and "." not in module and name not in self.groups.get(module, ())
            if mislabeled and name in self._methods:
                path = f".{name}"
            if path in BUILTIN_WORDS:
                groups = (BUILTINS,)
            elif path.startswith("."):
                groups = tuple(self._methods.get(path[1:], ()))
            else:
                module = path.rpartition(".")[0]
                groups = (module,) if module in self.groups else ()
            out.append((_key(path), groups))
        return tuple(out)

    def _says(self, key: str, word: str, words: tuple[str, ...]) -> bool:
        """Whether a called API says `word` (its name spells it or its doc sentence has it), or
        is named by an intent word itself (`d.items()` under "get keys and items of `d`")."""
        name = key.rpartition(".")[2].lower()
        if name in words or f"{name}s" in words:
            return True
        if key.startswith("builtins.") and word in _SAYS_BUILTIN.get(name, ()):
            return True
        if _may_spell(name.replace("_", ""), word) and name_match(key, (word,)) > 0:
            return True
        stem = _stem(word)
        return any(stem in _doc_stems(doc) for doc in self._docs_of(key))

    def _docs_of(self, key: str) -> list[str]:
        """The doc sentences of a `name_match` key (`x.pop`: list.pop's, dict.pop's, ...)."""
        module, _, name = key.rpartition(".")
        if module == "x":
            names = [f"{t}.{name}" for t in TYPES]
        else:
            names = [key, key.removeprefix("builtins.")]
        return [self.docs[n] for n in names if n in self.docs]

    def _doc_overlap(self, intent: str, key: str) -> int:
        """How many of the intent's word stems the key's doc sentences share (breaks ties:
        `os.getcwd`, "current working directory", over `os.curdir`, "the current directory")."""
        stems = _doc_stems(intent)
        return max((len(stems & _doc_stems(doc)) for doc in self._docs_of(key)), default=0)

    def gap(self, intent: str, code: str) -> tuple[float, str, str]:
        """(`sibling_gap`, the call, the sibling that beats it); (0.0, "", "") for none. The
        anchor is read first; without a sibling it spells, a later word of the intent that
        names a sibling whole (`_named_sibling`) counts."""
        word = anchor(intent)  # remembered per intent: most blocks stop here or at the calls
        if word is None or word in FILLER:
            return 0.0, "", ""
        calls = self._calls(code)
        if not calls or len(calls) > MAX_CALLS or not any(g for _, g in calls):
            return 0.0, "", ""
        words = intent_words(intent)
        found = self._anchor_gap(intent, words, word, calls)
        return found if found[0] > 0 else self._named_sibling(intent, words, calls)

    def _named_sibling(
        self, intent: str, words: tuple[str, ...], calls: tuple[tuple[str, tuple[str, ...]], ...]
    ) -> tuple[float, str, str]:
        """A word of the intent (`named_words`) that names a sibling of a call whole (`_named`)
        and that no call of the block says: "longest" beside `min(words, key=len)` (`max`),
        "exists" under "check whether the path `p` exists" beside `os.path.isabs`, "digits"
        under "check ... contains only digits" beside `s.isupper()` (`isdigit`). The gap is 1
        less the call's own `name_match`; none when a call's name spells the anchor."""
        called = {k.rpartition(".")[2] for k, _ in calls}
        first = anchor(intent) or ""
        whether = _asks_whether(words)
        does_verb = None  # whether a call's name spells the anchor, read once a name is found
        for word in named_words(intent):
            found = [
                (key, f"{_prefix(group)}.{name}")
                for key, groups in calls
                for group in groups
                for name in self._named(group, word, word == first, whether)
                if name not in called
            ]
            if not found:
                continue
            if does_verb is None:
                does_verb = any(name_match(k, (first,)) > 0 for k, _ in calls)
            if does_verb:
                return 0.0, "", ""  # a call does the intent's verb: later words are details
            if any(self._says(k, word, words) for k, _ in calls):
                continue
            for key, other in found:
                lead = 1.0 - name_match(key, words)
                if lead > 0:
                    return lead, key, other
        return 0.0, "", ""

    def _named(
        self, group: str, word: str, first: bool, asks_whether: bool = False
    ) -> tuple[str, ...]:
        """The names of `group` that `word` names whole (`BUILTIN_WORDS` for the builtins;
        the anchor only names builtins: the anchor's own spelling is `gap`'s first test)."""
        if group == BUILTINS:
            name = _NAMED_BUILTIN.get(word)
            return () if name is None else (name,)
        if first or not asks_whether or len(word) < MIN_NAMED:
            return ()
        bare = self._bare_names(group)
        found = bare.get(word, ()) or bare.get(word[:-1] if word.endswith("s") else "", ())
        return tuple(n for n in found if _PREDICATE.match(n) or n == word)  # `isdigit`, `exists`

    def _bare_names(self, group: str) -> dict[str, tuple[str, ...]]:
        """A group's names by their bare form (`isdigit` → digit, `exists` → exists), for
        names of `MIN_NAMED` letters or more (built on first use)."""
        found = self._bare.get(group)
        if found is None:
            out: dict[str, list[str]] = {}
            for name in self.groups[group]:
                bare = _PREDICATE.sub("", name.lower()).replace("_", "")
                if len(bare) >= MIN_NAMED:
                    out.setdefault(bare, []).append(name)
            found = {k: tuple(v) for k, v in out.items()}
            self._bare[group] = found
        return found

    def _anchor_gap(
        self,
        intent: str,
        words: tuple[str, ...],
        word: str,
        calls: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> tuple[float, str, str]:
        """`gap` for the anchor: how much better than its call the anchor spells (in full) a
        sibling no call of the block says."""
        if any(self._says(k, word, words) for k, _ in calls):
            return 0.0, "", ""
        pieces = {p[:_PIECE] for p in (word, *SPELLED.get(word, ())) if len(p) >= 2}
        at = words.index(word) if word in words else len(words)
        if len(words) - at >= MIN_INITIALS:  # "current working directory" spells `getcwd`
            pieces.add("".join(w[0] for w in words[at : at + MIN_INITIALS]))
        called = {k.rpartition(".")[2] for k, _ in calls}
        initials = _initials(words)  # those of each call's `own_words` are among them
        best = (0.0, "", "")
        for key, groups in calls:
            root = key.lower().split(".")[0]
            own_words = tuple(w for w in words if w != root) if root in words else words
            if word not in own_words:
                continue
            without = None  # `own_words` less the anchor, made once a sibling is spelled in full
            own = None  # the call's own match, likewise
            for group in groups:
                prefix = _prefix(group)
                for name in sorted(self._candidates(group, pieces, initials) - called):
                    other = f"{prefix}.{name}"
                    value = name_match(other, own_words)
                    if value < FULL:
                        continue
                    if without is None:
                        without = tuple(w for w in own_words if w != word)
                    if name_match(other, without) >= value:
                        continue
                    if own is None:
                        own = name_match(key, own_words)
                    lead = value - own
                    if lead > best[0] or (
                        lead == best[0] > 0
                        and self._doc_overlap(intent, other) > self._doc_overlap(intent, best[2])
                    ):
                        best = (lead, key, other)
        return best

    def many(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """`SIBLING_FEATURES` for each pair, in order."""
        return [[self.gap(i, c)[0]] for i, c in pairs]
