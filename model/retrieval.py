"""Retrieval of known (intent, code) pairs: training pairs and API-doc entries as candidates.

A small generator cannot know every API; an index over what we do know (curated Stack Overflow
pairs, NL→call pairs mined from the Python docs) can. Entries are stored canonical — quoted values
replaced by `str_N` / `var_N` exactly as the generator sees them (`model.slots`) — so a hit is
turned into code for *this* intent by putting the intent's own values in; a placeholder the
intent lacks gets back the entry's original value. Scoring is TF-IDF cosine (or BM25) over
lightly stemmed intent words, computed with per-word posting arrays: ~1 ms for 20k entries.

Saved as one JSON file (`RETRIEVAL_FILE`) in a bundle, with every entry's terms, so a load only
does the postings' arithmetic (`codeqa_model.retrieval_postings`). Pure numpy + stdlib, no torch.
"""

from __future__ import annotations

import ast
import builtins
import functools
import hashlib
import json
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

import numpy as np
from codeqa_model.api_retriever import ApiRetriever, features
from codeqa_model.ast_walk import walk
from codeqa_model.pyast import SourcePositions, parse_quietly
from codeqa_model.quotes import plain_quotes
from codeqa_model.retrieval_postings import DocTerms, build_postings, starts_with
from codeqa_model.slots import (
    BARE_NUMBER_RE,
    Slot,
    SlotMap,
    canonicalize_intent,
    canonicalize_pair,
    unquote_name_receivers,
)

RETRIEVAL_FILE = "retrieval.json"
VALUE_WORD_WEIGHT = 0.5  # CoNaLa valid API hit@1/5/10: 1.0 13.5/37.0/45.7, 0.5 17.3/37.5/45.7
FORMAT = 2  # 2 stores each entry's terms; 1 (entries only) still loads, tokenised on load
READABLE_FORMATS = (1, 2)
SPOT_CHECKS = 64  # entries whose stored terms a load compares with this code's tokeniser
MAX_PER_API = 2
SCHEMES = ("tfidf", "bm25")

# Sources whose entries are API documentation: their plain argument names are parameters.
DOC_SOURCES = frozenset({"mined", "apidocs"})
_BUILTIN_NAMES = frozenset(dir(builtins))
_PLACEHOLDER = re.compile(r"(?<!\w)(?:str|var)_\d(?!\w)")
_WORD = re.compile(r"[a-z][a-z0-9]*|\d+")
_STOP_WORDS = (
    "a an the of to in on for from by with and or is are be it its this that as at into "
    "using use how do does can i my me we you your python given which when what"
)
_STOP = frozenset(_STOP_WORDS.split(" "))


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A tiny suffix stripper: 'sorting', 'sorted', 'sorts' → 'sort'. Enough for intents."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def fold(term: str) -> str:
    """A term as the word search compares it: a final e dropped, since `stem` strips "-ed" and
    "-ing" but leaves the base form whole ("merged" → merg, "merge" → merge)."""
    return term[:-1] if len(term) > 3 and term.endswith("e") else term


# Docs say "Return ...", users say "get ..."; a few such pairs, after stemming.
_SYNONYMS = {
    "return": "get",
    "obtain": "get",
    "fetch": "get",
    "folder": "directory",
    "dir": "directory",
    "make": "create",
    "delete": "remove",
    "erase": "remove",
    "dict": "dictionary",
    "str": "string",
    "lowercase": "lower",
    "uppercase": "upper",
    "average": "mean",
}


# Short forms inside API names, spelled out as users write them (getcwd, makedirs, splitext).
_ABBREVIATIONS = {
    "dir": "directory",
    "dirs": "directory",
    "cwd": "current working directory",
    "env": "environment",
    "ext": "extension",
    "len": "length",
    "tmp": "temporary",
    "temp": "temporary",
    "mtime": "modification time",
    "num": "number",
    "ch": "change",
}
_SHORT = frozenset({"is", "to", "as", "os"})
_COMMON = 5  # seen this often in intents, a word is a word, not two glued together
_CALLED = re.compile(r"([A-Za-z_][\w.]*)\s*\(")


def _segment(word: str, known: Mapping[str, int]) -> list[str]:
    """`makedirs` → [make, dirs] when every piece is a known word or abbreviation (2 or 3
    pieces of 3+ letters or `_SHORT`, first piece as long as possible); a word common in
    intents (`update`) stays whole, and so does one no split explains."""
    if known.get(word, 0) >= _COMMON or word in _ABBREVIATIONS:
        return [word]

    def ok(piece: str) -> bool:
        return piece in _ABBREVIATIONS or piece in _SHORT or (len(piece) > 2 and piece in known)

    for i in range(len(word) - 2, 1, -1):
        head, rest = word[:i], word[i:]
        if not ok(head):
            continue
        if ok(rest):
            return [head, rest]
        for j in range(len(rest) - 2, 1, -1):
            if ok(rest[:j]) and ok(rest[j:]):
                return [head, rest[:j], rest[j:]]
    return [word] if word in known else []


def name_words(
    code: str, known: Mapping[str, int], cache: dict[str, list[str]] | None = None
) -> list[str]:
    """Index terms spelled inside the names `code` calls: `os.makedirs(p)` → os, create,
    directory; `os.path.getsize(p)` → os, path, get, size. A doc entry's intent often lacks the
    user's words ("Recursive directory creation function") that its API's name carries.
    `cache` remembers each name part's terms (building an index meets the same names often)."""
    out: list[str] = []
    for name in _CALLED.findall(code):
        for part in re.split(r"[._]+", _PLACEHOLDER.sub("", name).lower()):
            if not part:
                continue
            found = cache.get(part) if cache is not None else None
            if found is None:
                pieces = [_ABBREVIATIONS.get(p, p) for p in _segment(part, known)]
                found = terms(" ".join(pieces))
                if cache is not None:
                    cache[part] = found
            out += found
    return out


def terms(canonical_intent: str, values: Iterable[str] = ()) -> list[str]:
    """Index terms of a canonical intent: stemmed words, placeholders and stop words dropped.

    Identifiers split at dots and underscores ('os.path.join' → os, path, join), since users
    write either form. `values` are the slot values the placeholders stand for: their words
    count too ('data.csv' says csv, `df` says pandas-style code).
    """
    text = " ".join([_PLACEHOLDER.sub(" ", canonical_intent), *values]).lower()
    words = (stem(w) for w in _WORD.findall(text.replace("_", " ")) if w not in _STOP)
    return [_SYNONYMS.get(w, w) for w in words]


@dataclass(frozen=True)
class Entry:
    """One known pair, canonical; `values` are the original slot renderings of its placeholders."""

    intent: str
    code: str
    values: tuple[tuple[str, str], ...]
    source: str


@dataclass(frozen=True)
class Hit:
    """A retrieved candidate for one intent: code with the intent's values put in."""

    code: str
    similarity: float  # in [0, 1] for tfidf (cosine); BM25 divided by the query's own best
    slot_spans: tuple[tuple[int, int], ...]
    source: str
    entry: int


_METHOD_CALL = re.compile(r"\.([A-Za-z_]\w*)\s*\(")
_VARIADIC = re.compile(r"\*[A-Za-z_]\w*")  # a documented `*args`-style parameter, not `**kwargs`
_ATTRIBUTE_PLACEHOLDER = re.compile(r"(?<=\.)((?:str|var)_\d)(?!\w)")


def _restore_attribute_names(code: str, values: Mapping[str, str]) -> str:
    """Put the original name back where a `var` placeholder is an attribute name and the same
    placeholder is also a value: doc rows "With arguments `path`" made `os.path.dirname(path)`
    into `os.var_0.dirname(var_0)`, which a user's value would turn into nonsense."""

    def put_back(match: re.Match[str]) -> str:
        name = match.group(1)
        as_value = re.search(rf"(?<![.\w]){name}(?!\w)", code) is not None
        value = values.get(name)
        if as_value and name.startswith("var") and value is not None and value.isidentifier():
            return value
        return match.group()

    return _ATTRIBUTE_PLACEHOLDER.sub(put_back, code)


def entry_from_pair(intent: str, snippet: str, source: str) -> Entry:
    """Canonicalize a pair as the generator's training does and remember its own slot values."""
    canon_intent, canon_code, slots = canonicalize_pair(intent, snippet)
    canon_code = _restore_attribute_names(canon_code, {s.placeholder: s.value for s in slots})
    used = set(_PLACEHOLDER.findall(canon_code))
    values = tuple((s.placeholder, s.render()) for s in slots if s.placeholder in used)
    return Entry(canon_intent, canon_code, values, source)


# Where a placeholder sits in an entry's code decides what may replace it (`value_roles`).
FREE, NAMED, NEVER = "free", "named", "never"
# Doc entries spell methods on their type (`str.isdigit()`); the intent's value is the receiver.
# ... but not the class methods, called on the type itself: `dict.fromkeys(keys, 0)`
_TYPE_RECEIVER = re.compile(
    r"^(str|bytes|list|dict|set|tuple|frozenset|bytearray)\."
    r"(?!(?:fromkeys|maketrans|fromhex)\()(?=(\w+)\()"
)
_STR_TYPES = ("str", "bytes")
# Doc entries of other classes spell methods on the class too (`deque.pop()`, `Counter.subtract`).
_CLASS_RECEIVER = re.compile(r"^([A-Za-z_]\w*)\.(?=\w+\()")


@functools.lru_cache(maxsize=8192)
def value_roles(code: str) -> Mapping[str, str] | None:
    """Per placeholder in `code`: FREE (a value position: call argument, receiver, operand —
    any intent value of a fitting kind may go there), NAMED (inside a lambda, or an attribute
    name: only the intent's value of that very placeholder) or NEVER (a keyword argument's
    name, `f(var_0=None)`: doc entries whose argument names became placeholders). None when the
    code does not parse (then only same-placeholder values are put in). Cached: read-only."""
    tree = parse_quietly(code)
    if tree is None:
        return None
    roles: dict[str, str] = {}
    rank = {FREE: 0, NAMED: 1, NEVER: 2}

    def mark(name: str | None, role: str) -> None:
        if name is not None and _PLACEHOLDER.fullmatch(name):
            roles[name] = max(role, roles.get(name, FREE), key=rank.__getitem__)

    # every node with whether it sits inside a lambda; a stack of fields, not `iter_child_nodes`
    # generators (the marks do not depend on the order)
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_lambda = stack.pop()
        if isinstance(node, ast.Name):
            mark(node.id, NAMED if in_lambda else FREE)
        elif isinstance(node, ast.Attribute):
            mark(node.attr, NAMED)
        elif isinstance(node, ast.keyword | ast.arg):
            mark(node.arg, NEVER)
        inside = in_lambda or isinstance(node, ast.Lambda)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append((value, inside))
            elif isinstance(value, list):
                stack.extend((item, inside) for item in value if isinstance(item, ast.AST))
    return roles


@functools.lru_cache(maxsize=1024)
def _contexts(canonical_intent: str) -> Mapping[str, frozenset[str]]:
    """Per placeholder, the last two content words before it (since the previous placeholder):
    'download url var_0 to file str_0' → var_0: {download, url}, str_0: {file}. Cached
    (read-only): a suggestion fills a dozen entries under one intent."""
    out: dict[str, frozenset[str]] = {}
    last = 0
    for match in _PLACEHOLDER.finditer(canonical_intent):
        words = terms(canonical_intent[last : match.start()])[-2:]
        out.setdefault(match.group(), frozenset(words))
        last = match.end()
    return out


def assign_slots(
    code: str,
    slots: SlotMap,
    entry_intent: str = "",
    intent: str = "",
    numeric: frozenset[str] = frozenset(),
) -> dict[str, Slot]:
    """Which intent value goes into which of the entry's placeholders.

    A value goes only where its role allows (`value_roles`). Among allowed pairings, the one
    whose words before the value match the words before the entry's placeholder wins ("url
    `u` … file 'page.html'" against "url str_0 and save as str_1" puts `u` first), then the same
    placeholder, then the same kind, then the intent's order. Each value is used once. A quoted
    string never goes where a `numeric` placeholder is (a doc entry's `width`, `n`).
    """
    order = list(dict.fromkeys(_PLACEHOLDER.findall(code)))
    if not order or not slots:
        return {}  # nothing to pair (no parse, no context words needed)
    roles = value_roles(code)
    ctx_entry, ctx_intent = _contexts(entry_intent), _contexts(intent)
    ranked = []
    for p_i, name in enumerate(order):
        role = NAMED if roles is None else roles.get(name, NAMED)
        for s_i, slot in enumerate(slots):
            same = slot.placeholder == name
            if role == NEVER or (role == NAMED and not same):
                continue
            if slot.kind == "str" and name in numeric:
                continue
            said = ctx_intent.get(slot.placeholder, frozenset()) | _shape_words(slot.value)
            overlap = len(ctx_entry.get(name, frozenset()) & said)
            score = 2 * overlap + same + 0.5 * name.startswith(slot.kind)
            ranked.append((-score, p_i, s_i, name, slot))
    ranked.sort(key=lambda r: r[:3])
    if len(order) <= _EXACT_UP_TO and len(slots) <= _EXACT_UP_TO:
        return _best_assignment(ranked)
    chosen: dict[str, Slot] = {}
    used: set[str] = set()
    for _, _, _, name, slot in ranked:
        if name not in chosen and slot.placeholder not in used:
            chosen[name] = slot
            used.add(slot.placeholder)
    return chosen


_EXTENSION = re.compile(r"\*?\.[A-Za-z0-9]{1,5}")


def _shape_words(value: str) -> frozenset[str]:
    """What a value's shape says it is, in index terms: '.md' and '*.md' are extensions."""
    return frozenset({"extension", "suffix"}) if _EXTENSION.fullmatch(value) else frozenset()


_EXACT_UP_TO = 5  # placeholders and values: more than this is assigned greedily


def _best_assignment(ranked: list[tuple[float, int, int, str, Slot]]) -> dict[str, Slot]:
    """The pairing with the most values placed, then the best total score, then the earliest
    pairs in rank order: "directory 'docs' ending with '.md'" against "extension str_0 in
    directory var_0" puts '.md' at the extension although 'docs' is the same placeholder."""
    by_name: dict[str, list[tuple[float, int, Slot]]] = {}
    for rank, (neg, _, _, name, slot) in enumerate(ranked):
        by_name.setdefault(name, []).append((-neg, rank, slot))
    names = list(by_name)
    best: tuple[int, float, tuple[int, ...]] | None = None
    best_pick: dict[str, Slot] = {}

    def search(i: int, used: frozenset[str], pick: dict[str, Slot], score: float,
               ranks: tuple[int, ...]) -> None:  # fmt: skip
        nonlocal best, best_pick
        if i == len(names):
            key = (len(pick), score, tuple(-r for r in sorted(ranks)))
            if best is None or key > best:
                best, best_pick = key, dict(pick)
            return
        search(i + 1, used, pick, score, ranks)
        for value, rank, slot in by_name[names[i]]:
            if slot.placeholder not in used:
                pick[names[i]] = slot
                search(i + 1, used | {slot.placeholder}, pick, score + value, (*ranks, rank))
                del pick[names[i]]

    search(0, frozenset(), {}, 0.0, ())
    return best_pick


# A keyword argument passed as None or False in a doc entry: the documented default, which the
# docs' generated pairs spell out (`subprocess.run(args, capture_output=False)`); as a
# suggestion it does nothing but mislead ("capture its output" → capture_output=False).
_DEFAULT_KEYWORD = re.compile(
    r",\s*[A-Za-z_]\w*\s*=\s*(?:None|False)(?=\s*[,)])"
    r"|(?<=\()\s*[A-Za-z_]\w*\s*=\s*(?:None|False)\s*(?:,\s*|(?=\)))"
)


def drop_default_keywords(code: str) -> str:
    """`f(x, a=None, b=False)` → `f(x)`: a doc entry's defaults left out."""
    return _DEFAULT_KEYWORD.sub("", code)


def drop_unpacked_parameters(code: str, fallback: Mapping[str, str], filled: Iterable[str]) -> str:
    """`json.dumps(var_0, var_1)` with var_1 the documented `**kw` → `json.dumps(var_0)`: a
    doc row written from a signature keeps `*args`/`**kwargs` as if they were one positional
    parameter, and left to its own name it is one nothing defines (`json.dumps(obj, **kw)`).
    One the intent gives a value stays (`min(a, b, c)` through `min(arg1, arg2, *args)`)."""
    filled = set(filled)
    for name, value in fallback.items():
        if value.startswith("*") and name not in filled:
            code = re.sub(rf",\s*{name}(?=\s*[,)])|(?<=\()\s*{name}\s*(?:,\s*|(?=\)))", "", code)
    return code


def fill(
    code: str,
    slots: SlotMap,
    fallback: Mapping[str, str],
    entry_intent: str = "",
    intent: str = "",
    parameters: bool = False,
) -> tuple[str, tuple]:
    """Placeholders → the intent's values (spans recorded) or the entry's own; unknown kept.

    `assign_slots` decides which value goes where (`entry_intent`/`intent` are the canonical
    intents, for the words around each value). A doc entry called on its type (`str.isdigit()`)
    gets a leftover intent value as the receiver (`'abc'.isdigit()`): a string only for str
    and bytes methods. Any other class (`deque.pop()`) gets a leftover name the intent calls by
    that class ("the last item of deque `d`" → `d.pop()`). With `parameters` (doc entries,
    whose plain argument names are the documented parameters: `json.load(fp)`), keywords at
    their default (None, False) and `*args`/`**kwargs` written as plain parameters are left
    out, and the values still unused take those names' places in order. The intent's bare
    numbers take the entry's (`_number_edits`).
    """
    code = plain_quotes(code)
    if parameters:
        code = drop_default_keywords(code)
    else:
        code, fallback = _literal_as_value(code, entry_intent, fallback)
    receiver = _TYPE_RECEIVER.match(code)
    called = _called_by_type(*receiver.groups(), slots, intent) if receiver else None
    rest = SlotMap(tuple(s for s in slots if s is not called)) if called else slots
    numeric = (
        frozenset(p for p, v in fallback.items() if v in _NUMBER_PARAMETERS)
        if parameters
        else frozenset()
    )
    chosen = assign_slots(code, rest, entry_intent, intent, numeric)
    if parameters:
        code = drop_unpacked_parameters(code, fallback, chosen.keys())
    code = unquote_name_receivers(code, chosen.get)
    edits: list[tuple[int, int, str, bool]] = []
    taken = {s.placeholder for s in chosen.values()}
    if receiver is not None:
        kinds = ("var", "str") if receiver.group(1) in _STR_TYPES else ("var",)
        spare = called or next(
            (s for s in slots if s.placeholder not in taken and s.kind in kinds), None
        )
        if spare is not None:
            edits.append((0, len(receiver.group(1)), spare.render(), True))
            taken.add(spare.placeholder)
    elif (named := _CLASS_RECEIVER.match(code)) is not None:
        kind = set(terms(named.group(1)))
        before = _contexts(intent)
        spare = next(
            (
                s
                for s in slots
                if s.placeholder not in taken
                and s.kind == "var"
                and kind & before.get(s.placeholder, frozenset())
            ),
            None,
        )
        if spare is not None:
            edits.append((0, len(named.group(1)), spare.render(), True))
    if parameters and not edits:  # a receiver put in ends the filling, as it always did
        edits += _parameter_edits(code, [s for s in slots if s.placeholder not in taken])
    numbers = _number_edits(code, entry_intent, intent)
    edits += numbers
    if numeric and not numbers:  # "center … in 11 characters": str.center(width) → (11)
        spread = frozenset(p for p in numeric if f"*{p}" in code)
        chosen.update(_bare_numbers_into(code, numeric - chosen.keys(), intent, spread))
    elif not numbers:  # "between var_0 and var_1" ~ "between 5 and 10", "power var_1" ~ "power 3"
        chosen.update(_numbers_for_names(code, chosen.keys(), entry_intent, intent))
    starred = _starred_placeholders(code, fallback) if parameters and not edits else {}
    for match in _PLACEHOLDER.finditer(code):
        slot = chosen.get(match.group())
        value = slot.render() if slot is not None else fallback.get(match.group())
        if parameters and slot is None and value in _BUILTIN_NAMES:
            # a documented parameter left unfilled keeps its name; one named like a builtin
            # (`polypow(c, pow)`) would pass the check as a call of the builtin: `pow_`
            value += "_"
        if slot is not None and match.start() in starred:
            # `math.lcm(*integers)` under "lcm of `a` and `b`": math.lcm(a, b); a quoted
            # value is one item, never spread: `os.path.join(path, *paths)` → (…, 'file.txt')
            left = [s for s in slots if s.placeholder not in taken and s.kind == slot.kind]
            if left or _one_item(slot):
                spread = ", ".join([value, *(s.render() for s in left)])
                edits.append((starred[match.start()], match.end(), spread, True))
                taken.update(s.placeholder for s in left)
                continue
        if value is not None:
            edits.append((match.start(), match.end(), value, slot is not None))
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = last = 0
    for start, end, value, from_intent in sorted(edits):
        before = code[last:start]
        pieces += [before, value]
        length += len(before)
        if from_intent:
            spans.append((length, length + len(value)))
        length += len(value)
        last = end
    pieces.append(code[last:])
    return "".join(pieces), tuple(spans)


def _literal_as_value(
    code: str, entry_intent: str, fallback: Mapping[str, str]
) -> tuple[str, Mapping[str, str]]:
    """A Stack Overflow pair whose intent names one value its code never uses, while the code
    writes one plain string literal: the literal is that value, quoted where the asker had
    backticked it ("md5 hash from string `thecakeisalie`" over
    `hashlib.md5('thecakeisalie')`), so it becomes the placeholder and the user's value goes
    there; a user without one gets the literal back. A literal that is more than a word, a path
    or a URL (a regex, `'='`) is code of its own and stays."""
    unused = [p for p in dict.fromkeys(_PLACEHOLDER.findall(entry_intent)) if p not in code]
    if len(unused) != 1 or not unused[0].startswith("var_"):
        return code, fallback
    literals = list(_STRING_LITERAL.finditer(code))
    if (
        len(literals) != 1
        or literals[0].group(1)
        or not _PLAIN_VALUE.fullmatch(literals[0].group(2)[1:-1])
    ):
        return code, fallback
    found = literals[0]
    code = code[: found.start()] + unused[0] + code[found.end() :]
    return code, {**fallback, unused[0]: found.group(2)}


# a one-line string literal in either quote: its prefix (f, b, r, ...), then the literal
_STRING_LITERAL = re.compile(
    r"(?<![\w'\"])([A-Za-z]{0,2})('(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
)
_PLAIN_VALUE = re.compile(r"[\w.:/\- ]+")


def _number_edits(code: str, entry_intent: str, intent: str) -> list[tuple[int, int, str, bool]]:
    """Edits putting the intent's bare numbers where the entry's are ("sleep for 2 seconds":
    the entry `time.sleep(5)` → `time.sleep(2)`). Numbers pair up in order when the entry's
    intent has as many as the user's; with one number in the user's intent and none in the
    entry's, it replaces the code's one number other than 0 and 1, wherever it occurs.
    Nothing otherwise, or when the code does not parse."""
    wanted = BARE_NUMBER_RE.findall(intent)
    if not wanted:
        return []
    tree = parse_quietly(code)
    if tree is None:
        return []
    where = SourcePositions(code)
    found: list[tuple[int, int, str]] = []
    for node in walk(tree):
        if (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and node.lineno == node.end_lineno
        ):
            start = where.offset(node.lineno, node.col_offset)
            end = where.offset(node.end_lineno, node.end_col_offset)
            if BARE_NUMBER_RE.fullmatch(code[start:end]):
                found.append((start, end, code[start:end]))
    own = BARE_NUMBER_RE.findall(entry_intent)
    if own and len(own) == len(wanted):
        swap = dict(zip(own, wanted, strict=True))
    elif not own and len(wanted) == 1:
        values = {text for _, _, text in found if text not in ("0", "1")}
        swap = {values.pop(): wanted[0]} if len(values) == 1 else {}
    else:
        swap = {}
    return [(s, e, swap[t], True) for s, e, t in found if t in swap and swap[t] != t]


# Documented parameter names that take a count or a size: an intent's bare number goes there,
# a quoted string never does.
_NUMBER_PARAMETERS = frozenset(
    {"width", "n", "k", "r", "count", "size", "length", "maxsplit", "ndigits", "secs", "seconds"}
    | {"num", "number", "base", "times", "precision", "digits", "places", "days", "hours"}
    | {"minutes", "weeks", "pow", "power", "exp", "exponent", "integers"}
)

# The words an intent calls a value of each type by ("string `s`", "list `xs`"), stemmed.
_TYPE_WORDS = {
    "str": frozenset({"string", "text"}),
    "bytes": frozenset({"byte"}),
    "list": frozenset({"list"}),
    "dict": frozenset({"dictionary"}),
    "set": frozenset({"set"}),
    "tuple": frozenset({"tuple"}),
}


def _called_by_type(type_name: str, method: str, slots: SlotMap, intent: str) -> Slot | None:
    """The intent's name it calls by the receiver's type ("center string `s` …" for
    `str.center(width, fillchar)`): it is the receiver, not the first parameter. Of several
    (two lists), a method that changes its receiver (`_INTO_METHODS`) takes the one the intent
    puts things into or takes them from ("add the items of list `b` to the end of list `a`":
    `a.append`), any other method the first."""
    words = _TYPE_WORDS.get(type_name, frozenset())
    before = _contexts(intent)
    typed = [s for s in slots if s.kind == "var" and words & before.get(s.placeholder, frozenset())]
    if len(typed) > 1 and method in _INTO_METHODS:
        target = _after_preposition(intent)
        return next((s for s in typed if s.placeholder in target), typed[0])
    return typed[0] if typed else None


# Methods that change their receiver: "add/append/insert `x` to `xs`", "remove `x` from `s`".
_INTO_METHODS = frozenset(
    {"append", "extend", "insert", "update", "add", "remove", "discard", "difference_update"}
)
_INTO = frozenset({"to", "into", "onto", "from"})


def _after_preposition(canonical_intent: str) -> frozenset[str]:
    """The placeholders with "to", "into", "onto" or "from" since the previous placeholder."""
    found, last = set(), 0
    for match in _PLACEHOLDER.finditer(canonical_intent):
        if _INTO.intersection(_WORD.findall(canonical_intent[last : match.start()])):
            found.add(match.group())
        last = match.end()
    return frozenset(found)


def _bare_numbers_into(
    code: str, empty: Set[str], intent: str, spread: Set[str] = frozenset()
) -> dict[str, Slot]:
    """The intent's bare numbers, in order, as the values of the `empty` numeric placeholders
    in the order the code has them; the last, when the code unpacks it (`math.lcm(*integers)`),
    takes every number left ("the least common multiple of 4 and 6": `math.lcm(4, 6)`)."""
    places = [p for p in dict.fromkeys(_PLACEHOLDER.findall(code)) if p in empty]
    numbers = BARE_NUMBER_RE.findall(intent)
    found = {p: Slot(p, n, "var", "") for p, n in zip(places, numbers, strict=False)}
    if places and places[-1] in spread and len(numbers) > len(places):
        rest = ", ".join(numbers[len(places) - 1 :])
        found[places[-1]] = Slot(places[-1], rest, "var", "")
    return found


def _numbers_for_names(
    code: str, filled: Set[str], entry_intent: str, intent: str
) -> dict[str, Slot]:
    """The intent's bare numbers as the values of the entry's named values it left empty, in
    order, when there are as many of each and some number follows the same word as its
    placeholder does ("random integer between var_0 and var_1" under "random integer between 1
    and 6": `random.randint(1, 6)`); else none. The entry's own names (`a`, `b`) would be
    undefined in the user's file."""
    said = set(_PLACEHOLDER.findall(entry_intent))
    empty = [
        p
        for p in dict.fromkeys(_PLACEHOLDER.findall(code))
        if p.startswith("var") and p in said and p not in filled
    ]
    numbers = list(BARE_NUMBER_RE.finditer(intent))
    if not empty or len(empty) != len(numbers):
        return {}
    before_names = _contexts(entry_intent)
    starts = {n.start() for n in numbers}
    marks = sorted([*numbers, *_PLACEHOLDER.finditer(intent)], key=lambda m: m.start())
    before_numbers: dict[int, set[str]] = {}
    last = 0
    for mark in marks:  # the last two words before each number, since the previous value
        if mark.start() in starts:
            before_numbers[mark.start()] = set(terms(intent[last : mark.start()])[-2:])
        last = mark.end()
    if not any(
        before_names.get(p, frozenset()) & before_numbers[n.start()]
        for p, n in zip(empty, numbers, strict=True)
    ):
        return {}
    return {p: Slot(p, n.group(), "var", "") for p, n in zip(empty, numbers, strict=True)}


def _one_item(slot: Slot) -> bool:
    """A quoted string or a bare number: one value, which a `*` would spread apart."""
    return slot.kind == "str" or not slot.quote


def _starred_placeholders(code: str, fallback: Mapping[str, str]) -> dict[int, int]:
    """Where a call unpacks a placeholder (`f(*var_0)`): the placeholder's offset → the `*`'s.
    A doc entry's variadic parameter, which takes every value the intent lists. Some doc rows
    write it without its star and name it in their values instead (`itertools.product(var_0)`
    with var_0 = `*iterables`): there the placeholder's own offset."""
    tree = parse_quietly(code)
    if tree is None:
        return {}
    where = SourcePositions(code)
    found: dict[int, int] = {
        match.start(): match.start()
        for match in _PLACEHOLDER.finditer(code)
        if _VARIADIC.fullmatch(fallback.get(match.group(), ""))
    }
    for node in walk(tree):
        if (
            isinstance(node, ast.Starred)
            and isinstance(node.value, ast.Name)
            and _PLACEHOLDER.fullmatch(node.value.id)
        ):
            star = where.offset(node.lineno, node.col_offset)
            found[where.offset(node.value.lineno, node.value.col_offset)] = star
    return found


def _parameter_edits(code: str, unused: Sequence[Slot]) -> list[tuple[int, int, str, bool]]:
    """Edits putting `unused` values, in order, where the code passes a plain lower-case name
    (not a placeholder, builtin or attribute chain) positionally to a call; every use of that
    name. Nothing when the code does not parse or no value is left."""
    if not unused:
        return []
    tree = parse_quietly(code)
    if tree is None:
        return []
    names: list[str] = []
    for node in walk(tree):
        if isinstance(node, ast.Call):
            for arg in node.args:
                if (
                    isinstance(arg, ast.Name)
                    and arg.id.islower()
                    and not _PLACEHOLDER.fullmatch(arg.id)
                    and arg.id not in _BUILTIN_NAMES
                    and arg.id not in names
                ):
                    names.append(arg.id)
    value_of = {name: slot.render() for name, slot in zip(names, unused, strict=False)}
    where = SourcePositions(code)
    edits = []
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id in value_of and node.lineno == node.end_lineno:
            start = where.offset(node.lineno, node.col_offset)
            edits.append((start, start + len(node.id), value_of[node.id], True))
    return edits


class RetrievalIndex:
    """Entries plus word → (entry ids, weights) postings; `search` and `candidates`."""

    def __init__(
        self,
        entries: Sequence[Entry],
        scheme: str = "tfidf",
        k1: float = 1.2,
        b: float = 0.75,
        learned: ApiRetriever | None = None,
        doc_terms: DocTerms | None = None,
    ) -> None:
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        self.entries = list(entries)
        self.scheme = scheme
        if learned is not None and learned.n_entries != len(self.entries):
            raise ValueError(
                f"the retriever maps {learned.n_entries} entries, the index has "
                f"{len(self.entries)}: built from another index"
            )
        self.learned = learned
        # ties (many doc rows of one API) go to the shortest code: fewest optional arguments
        self._tie = 1e-4 * np.minimum([len(e.code) for e in self.entries], 500) / 500
        if doc_terms is None:
            doc_terms = DocTerms.from_counters(
                [
                    Counter(terms(e.intent, (v for _, v in e.values)) + named)
                    for e, named in zip(self.entries, self.name_terms, strict=True)
                ]
            )
        # every entry's terms (what `to_json` stores, so a load skips the tokenising)
        self.doc_terms = doc_terms
        self.idf, self.postings = build_postings(doc_terms.folded(fold), scheme, k1, b)
        self._k1 = k1

    @functools.cached_property
    def name_terms(self) -> list[list[str]]:
        """The words inside each entry's called names (also what the learned retriever fits
        on); made when first asked for, as a loaded index has them inside `doc_terms`."""
        known = Counter(
            w for e in self.entries for w in _WORD.findall(e.intent.lower()) if len(w) > 1
        )
        cache: dict[str, list[str]] = {}
        return [name_words(e.code, known, cache) for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def codes(self) -> Iterable[str]:
        """The entries' code, in order."""
        return (e.code for e in self.entries)

    def method_names(self) -> frozenset[str]:
        """Every name the entries' code calls as a method (`.writerow(`)."""
        return frozenset(m for e in self.entries for m in _METHOD_CALL.findall(e.code))

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[str, str, str]], scheme: str = "tfidf"
    ) -> RetrievalIndex:
        """Index (intent, snippet, source) triples; exact duplicate entries are kept once."""
        seen: set[tuple[str, str]] = set()
        entries = []
        for intent, snippet, source in pairs:
            entry = entry_from_pair(intent, snippet, source)
            if entry.code.strip() and (entry.intent, entry.code) not in seen:
                seen.add((entry.intent, entry.code))
                entries.append(entry)
        return cls(entries, scheme)

    def search(
        self, canonical_intent: str, k: int, values: Iterable[str] = ()
    ) -> list[tuple[int, float]]:
        """Top `k` (entry id, similarity) for a canonical intent and its slot values, best
        first; ties by id. With a learned retriever the similarity is
        `(1 - w) * lexical + w * learned`, both in [0, 1], `w` chosen on validation."""
        values = list(values)
        scores = self.lexical_scores(canonical_intent, values)
        if scores is None or k < 1:
            return []
        if self.learned is not None and self.learned.weight > 0:
            learned = self.learned.entry_scores(learned_features(canonical_intent, values))
            if learned is not None:
                w = self.learned.weight
                scores = (1 - w) * scores + w * learned - self._tie
                scores[scores < 0] = 0.0
        k = min(k, int((scores > 0).sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = sorted(top.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(min(scores[i], 1.0))) for i in top]

    def lexical_scores(
        self, canonical_intent: str, values: Iterable[str] = ()
    ) -> np.ndarray | None:
        """TF-IDF cosine or BM25 (divided by the query's own bound) of every entry, in [0, 1];
        None when no query word is indexed.

        Numbers are no query words: "the last 3 elements" is about the last elements, and the
        entry's number is replaced by the intent's when filled (`_number_edits`); matching it
        ranked "the first and last 3 elements" above "the last 10 elements"."""
        words = {fold(w) for w in terms(canonical_intent)}
        counts = Counter(
            w
            for w in map(fold, terms(canonical_intent, values))
            if w in self.postings and not w.isdigit()
        )
        if not counts:
            return None
        # a word only the quoted values bring ('data.csv' → csv) counts for less than the
        # intent's own words: values often name files or variables, not operations
        scale = {w: 1.0 if w in words else VALUE_WORD_WEIGHT for w in counts}
        scores = np.zeros(len(self.entries))
        if self.scheme == "tfidf":
            q = {w: scale[w] * (1 + math.log(c)) * self.idf[w] for w, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in q.values()))
            q = {w: v / norm for w, v in q.items()}
            best = 1.0
        else:
            q = scale
            best = sum(self.idf[w] * q[w] for w in q) * (self._k1 + 1)  # the bound as tf grows
        for w, weight in q.items():
            ids, vals = self.postings[w]
            np.add.at(scores, ids, weight * vals)
        return np.minimum(scores / best, 1.0)

    def candidates(self, intent: str, k: int, pool: int | None = None) -> list[Hit]:
        """Up to `k` distinct pieces of code for a raw intent, its quoted values put in.

        With a learned retriever (which knows each entry's APIs) at most `MAX_PER_API` hits
        call the same APIs: ten doc rows of `json.dump` with different optional arguments are
        one answer, and the other slots should offer other ones."""
        return list(self.iter_candidates(intent, k, pool))

    def iter_candidates(self, intent: str, k: int, pool: int | None = None) -> Iterator[Hit]:
        """`candidates`, one at a time (a caller that stops early pays for no more fills)."""
        canon, slots = canonicalize_intent(intent)
        seen: set[str] = set()
        per_api: Counter[tuple[int, ...]] = Counter()
        learned = self.learned
        for i, sim in self.search(
            canon, pool or (8 if learned else 4) * k, (s.value for s in slots)
        ):
            entry = self.entries[i]
            code, spans = fill(
                entry.code,
                slots,
                dict(entry.values),
                entry.intent,
                canon,
                parameters=entry.source in DOC_SOURCES,
            )
            if code in seen:
                continue
            if learned is not None:
                apis = tuple(learned.entry_api[learned.entry_ptr[i] : learned.entry_ptr[i + 1]])
                if per_api[apis] >= MAX_PER_API:
                    continue
                per_api[apis] += 1
            seen.add(code)
            yield Hit(code, sim, spans, entry.source, i)
            if len(seen) == k:
                return

    # -- storage ----------------------------------------------------------------------------

    def to_json(self) -> str:
        """Compact JSON: the entries (canonical), the scheme and each entry's terms (`doc_terms`;
        the postings are computed from them on load)."""
        sources = sorted({e.source for e in self.entries})
        index = {s: i for i, s in enumerate(sources)}
        data = {
            "format": FORMAT,
            "scheme": self.scheme,
            "sources": sources,
            "entries": [
                [e.intent, e.code, [list(v) for v in e.values], index[e.source]]
                for e in self.entries
            ],
            "doc_terms": self.doc_terms.to_dict(),
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, learned: ApiRetriever | None = None) -> RetrievalIndex:
        """Parse `to_json` output (with `learned`, the retriever built for these entries); raises
        ValueError on anything malformed or on a retriever of another index."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"retrieval index is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
            raise ValueError(f"retrieval index format must be one of {READABLE_FORMATS}")
        sources = data.get("sources")
        raw = data.get("entries")
        if not isinstance(sources, list) or not isinstance(raw, list):
            raise ValueError("retrieval index needs 'sources' and 'entries' lists")
        entries = []
        n_sources = len(sources)
        for n, item in enumerate(raw):  # plain type checks: 27k entries are read at start-up
            if type(item) is not list or len(item) != 4:
                raise ValueError(f"retrieval entry {n} is not [intent, code, values, source]")
            intent, code, values, src = item
            ok = (
                type(intent) is str
                and type(code) is str
                and type(values) is list
                and type(src) is int
                and 0 <= src < n_sources
            )
            if ok and values:
                ok = all(
                    type(v) is list and len(v) == 2 and type(v[0]) is str and type(v[1]) is str
                    for v in values
                )
            if not ok:
                raise ValueError(f"retrieval entry {n} is malformed")
            entries.append(Entry(intent, code, tuple(map(tuple, values)), sources[src]))
        if learned is not None and learned.entries_digest != entries_digest(entries):
            raise ValueError("the retriever file was built for another retrieval index")
        doc_terms = _stored_terms(data.get("doc_terms"), entries)
        return cls(entries, str(data.get("scheme", "tfidf")), learned=learned, doc_terms=doc_terms)


def _stored_terms(data: Any, entries: Sequence[Entry]) -> DocTerms | None:
    """The entries' stored terms, or None (format 1, or terms another tokeniser made: a spot
    check of `SPOT_CHECKS` entries' intent terms disagrees) so the index tokenises anew."""
    if data is None:
        return None
    doc_terms = DocTerms.from_dict(data, len(entries))
    step = max(1, len(entries) // SPOT_CHECKS)
    expected = {
        i: list(dict.fromkeys(terms(entries[i].intent, (v for _, v in entries[i].values))))
        for i in range(0, len(entries), step)
    }
    return doc_terms if starts_with(doc_terms, expected) else None


LOADED_KEPT = 4  # indexes `load_index` remembers
_loaded: OrderedDict[tuple[str, str], RetrievalIndex] = OrderedDict()
_loaded_lock = threading.Lock()


def load_index(data: bytes, learned: bytes | None = None) -> RetrievalIndex:
    """`RetrievalIndex.from_json`, with the bundle's learned retriever when it has one;
    remembered per file content: engines built again and again from one bundle (tuning sweeps)
    parse it once, and it is built once. The index is read-only once built. Remembered by the
    files' digests, not their bytes, which a server would otherwise keep (12 MB) for nothing."""
    key = (
        hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        "" if learned is None else hashlib.sha1(learned, usedforsecurity=False).hexdigest(),
    )
    with _loaded_lock:
        found = _loaded.get(key)
        if found is not None:
            _loaded.move_to_end(key)
            return found
        retriever = None if learned is None else ApiRetriever.from_bytes(learned)
        index = RetrievalIndex.from_json(data, retriever)
        _loaded[key] = index
        while len(_loaded) > LOADED_KEPT:
            _loaded.popitem(last=False)
        return index


def entries_digest(entries: Sequence[Entry]) -> str:
    """A short hash of the entries (their order included) that a retriever file belongs to."""
    h = hashlib.sha256()
    for e in entries:
        h.update(f"{e.intent}\x00{e.code}\x00{e.source}\x01".encode())
    return h.hexdigest()[:16]


def learned_features(canonical_intent: str, values: Iterable[str] = ()) -> list[str]:
    """What the learned retriever reads: the intent's terms and their bigrams, then the words
    of its quoted values ('config.json' says json)."""
    own = terms(canonical_intent)
    return [*features(own), *terms("", values)]


def describe(index: RetrievalIndex) -> dict[str, Any]:
    """Entries per source (for model cards and logs)."""
    return {"scheme": index.scheme, "entries": dict(Counter(e.source for e in index.entries))}


def combine_with_retrieval(
    beam_scores: Sequence[float],
    similarities: Sequence[float],
    match_probs: Sequence[float],
    weight: float,
    retrieval_weight: float,
) -> np.ndarray:
    """Rerank scores for generated candidates followed by retrieved ones.

    Generated: `(1 - weight) * beam share + weight * p_match`, exactly `combine_scores`.
    Retrieved: `(1 - weight) * retrieval_weight * similarity + weight * p_match` — the
    similarity stands in for the beam share the generator never gave them. `match_probs` covers
    both lists in that order. `retrieval_weight` is chosen on validation.
    """
    lp = np.asarray(beam_scores, dtype=np.float64)
    share = np.exp(lp - lp.max()) if lp.size else lp
    if lp.size:
        share = share / share.sum()
    prior = np.concatenate([share, retrieval_weight * np.asarray(similarities, dtype=np.float64)])
    probs = np.asarray(match_probs, dtype=np.float64)
    if probs.shape != prior.shape:
        raise ValueError(f"{prior.size} candidates but {probs.size} match probabilities")
    return (1.0 - weight) * prior + weight * probs
