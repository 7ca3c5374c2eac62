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

Calls are read with `retriever_evidence.call_paths` (regular expressions, imports and aliases
resolved; nothing is parsed or run). `Siblings` carries its groups and the doc sentences it
needs (written into `combiner.json` by `codeqa-train fit-combiner`), so a combiner naming the
feature needs nothing else from the bundle.
"""

from __future__ import annotations

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
FULL = 0.99  # a sibling's name must be spelled this completely by the intent's words
# Leading words that do not say what to do; with them, the next word is the anchor.
LEAD = frozenset(
    {
        "python", "how", "to", "i", "the", "a", "an", "can", "do", "you", "is", "there", "way",
        "what", "in", "use", "using", "best", "pythonic", "get", "check", "whether", "if",
        "return", "find", "make", "test",
        # the things acted on: "check whether the string ends with" asks for `endswith`
        "string", "str", "list", "dict", "dictionary", "file", "value", "variable", "array",
        "number", "text", "all", "each", "every", "given", "new",
    }
)  # fmt: skip
QUESTION = frozenset({"how", "what", "why", "which", "where", "when", "is", "are", "can", "does"})
_QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")
TYPES = ("str", "bytes", "list", "dict", "set", "tuple")  # builtin types whose methods group
_PIECE = 3  # letters of the anchor a candidate sibling's name must contain
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


def _stem(word: str) -> str:
    return word[:4] if len(word) >= 4 else word


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
        self.docs = dict(docs)
        self._methods: dict[str, list[str]] = {}
        for group, names in self.groups.items():
            if group.startswith(":"):
                for name in names:
                    self._methods.setdefault(name, []).append(group)
        self._index: dict[str, dict[str, tuple[str, ...]]] = {}
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Siblings:
        """From the plain JSON `to_dict` wrote; ValueError when it does not fit."""
        try:
            groups = {str(g): [str(n) for n in names] for g, names in data["groups"].items()}
            return cls(groups, {str(k): str(v) for k, v in data["docs"].items()})
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not sibling groups ({exc!r})") from None

    def to_dict(self) -> dict[str, Any]:
        return {"groups": {g: list(n) for g, n in self.groups.items()}, "docs": self.docs}

    def _group_index(self, group: str) -> dict[str, tuple[str, ...]]:
        """2- and 3-letter piece → the group's names containing it (built on first use)."""
        index = self._index.get(group)
        if index is None:
            found: dict[str, set[str]] = {}
            for name in self.groups[group]:
                text = name.lower().replace("_", "")
                for size in (2, _PIECE):
                    for i in range(len(text) - size + 1):
                        found.setdefault(text[i : i + size], set()).add(name)
            index = {k: tuple(sorted(v)) for k, v in found.items()}
            self._index[group] = index
        return index

    def _calls_uncached(self, code: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(`name_match` key, sibling groups) per call of `code`; the groups may be ()."""
        out = []
        for path in call_paths(code):
            if path.startswith("."):
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
        """(`sibling_gap`, the call, the sibling that beats it); (0.0, "", "") for none."""
        word = anchor(intent)  # remembered per intent: most blocks stop here or at the calls
        if word is None or word in FILLER:
            return 0.0, "", ""
        calls = self._calls(code)
        if not calls or len(calls) > MAX_CALLS or not any(g for _, g in calls):
            return 0.0, "", ""
        words = intent_words(intent)
        if any(self._says(k, word, words) for k, _ in calls):
            return 0.0, "", ""
        pieces = {p[:_PIECE] for p in (word, *SPELLED.get(word, ())) if len(p) >= 2}
        at = words.index(word) if word in words else len(words)
        if len(words) - at >= MIN_INITIALS:  # "current working directory" spells `getcwd`
            pieces.add("".join(w[0] for w in words[at : at + MIN_INITIALS]))
        called = {k.rpartition(".")[2] for k, _ in calls}
        best = (0.0, "", "")
        for key, groups in calls:
            root = key.lower().split(".")[0]
            own_words = tuple(w for w in words if w != root)
            if word not in own_words:
                continue
            without = tuple(w for w in own_words if w != word)
            own = None  # the call's own match, read only once a sibling is spelled in full
            for group in groups:
                index = self._group_index(group)
                prefix = "x" if group.startswith(":") else group
                for name in sorted({n for p in pieces for n in index.get(p, ())} - called):
                    other = f"{prefix}.{name}"
                    value = name_match(other, own_words)
                    if value < FULL or name_match(other, without) >= value:
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
