"""Why a block does not match its intent, in words, when the evidence is clear.

The clearest evidence comes first: the intent's verb spells a documented sibling of a called
API and nothing the block calls says it (`sibling_evidence`: "calls os.path.getmtime; the
intent asks for a normalized absolutized version of the pathname `path` (os.path.abspath)").
Then the block's own calls, read with `ast` (never executed): for each call that resolves to a
documented API, the matcher scores the intent against that call alone and against its
documented siblings (`os.getcwd` beside `os.listdir`). When a sibling is judged right
(p ≥ 0.5) and clearly better than the call (by `WRONG_MARGIN`), the reason names both
("calls os.listdir; the intent asks for the current working directory (os.getcwd)"); when the
block's only documented call is judged wrong alone, it names the call and what its
documentation says it does. A block that only prints a placeholder says so before the calls are
read ("only prints 'hello'; ...", `effect_evidence`), and so does one that sorts, slices or ends
the wrong way round ("takes the first 10; the intent asks for the last 10", `contrary_evidence`).
Without such a call, plain facts still make a reason, in this order: the block does the opposite
of the intent's verb (`opposite_reason`: opens the file for writing under "read", calls
`pickle.dump` under "load"; `match_evidence.OPPOSITES`), it has a side effect no intent word
asks for (`effect_evidence`: "calls tally.clear, which deletes; the intent asks for no such
thing"), or it never uses a value the intent quotes (`value_reason`: 'config.ini'), naming the
string it uses in its place when it has one ("uses 'setup.cfg' where the intent names
'config.ini'"), or, last, it never writes a number the intent states (`number_evidence`: "the
intent says 7; the code never uses it"). Anything less clear gives None: a vague reason is worse
than none.

The documentation summaries (`{dotted name: first doc sentence}`) travel in the matcher's
config (`extra["api_docs"]`), so a bundle without them simply explains nothing.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from codeqa_model.api_check import stated_types
from codeqa_model.ast_walk import walk
from codeqa_model.contrary_evidence import contrary_reason
from codeqa_model.effect_evidence import placeholder_reason, unasked_reason
from codeqa_model.intent_conflicts import conflict
from codeqa_model.match_evidence import OPPOSITES, STRING, canonical, open_modes, quoted, words
from codeqa_model.number_evidence import number_reason
from codeqa_model.pyast import dotted, import_aliases, parse_quietly
from codeqa_model.sibling_evidence import Siblings, anchor

# Common import aliases in Stack Overflow code; an `import x as y` inside the block wins.
ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "dt": "datetime"}
_TYPE_METHODS = {
    t.__name__: frozenset(n for n in dir(t) if not n.startswith("_"))
    for t in (str, list, dict, set, bytes)
}
_LEAD = re.compile(r"^(?:return|returns|get|gets)\s+", re.IGNORECASE)
_MAX_SIBLINGS = 8  # the server explains up to 64 flagged blocks before it publishes
_MAX_SUMMARY = 90
# heads that name a module, never a variable holding a str/list/dict (`requests.get`, `np.sort`)
_MODULES = frozenset(sys.stdlib_module_names) | {"requests", "numpy", "pandas", "np", "pd", "plt"}
_WORD = re.compile(r"[a-z]+")
WRONG_MARGIN = 0.3  # a sibling must beat the called API by this much to be named
SIBLING_GAP = 0.5  # the sibling contrast names a sibling spelled this much better than the call
_SIBLINGS: dict[int, tuple[Mapping[str, str], Siblings]] = {}  # per docs mapping (see `_siblings`)
MAX_SUSPECTS = 1  # calls compared with their siblings (each costs one batch of scores)
_RULE_LINES = 6  # longer blocks do many things their one-line intent never says


def called_apis(code: str, docs: Mapping[str, str]) -> list[tuple[str, str]]:
    """(as written, documented name) for each call in `code` whose API `docs` knows, in order.

    `datetime.strptime` after `from datetime import datetime` is `datetime.datetime.strptime`;
    a method on a variable (`s.upper()`) is looked up as `str.upper` / `list.sort` / ...
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    aliases = {**ALIASES, **import_aliases(tree)}
    found: list[tuple[int, int, str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        written = dotted(node.func)
        if written is None:
            continue
        head, _, rest = written.partition(".")
        full = f"{aliases[head]}.{rest}" if head in aliases and rest else aliases.get(head, written)
        candidates = [full, written, ".".join(full.split(".")[-2:])]
        if rest and "." not in rest and head not in aliases and head not in _MODULES:
            candidates += [f"{t}.{rest}" for t, names in _TYPE_METHODS.items() if rest in names]
        name = next((c for c in candidates if c in docs), None)
        if name is not None:
            found.append((node.lineno, node.col_offset, written, name))
    found.sort()
    return [(w, n) for _, _, w, n in found]


def token_calls(tokens: Sequence[str], docs: Mapping[str, str]) -> list[str]:
    """Documented names called in a code-token list (`os . getcwd (` → "os.getcwd"), without
    parsing: the matcher's fast path, tolerant of code that does not parse."""
    found: list[str] = []
    for i, tok in enumerate(tokens):
        if tok != "(" or i == 0 or not tokens[i - 1].isidentifier():
            continue
        j = i - 1
        while j >= 2 and tokens[j - 1] == "." and tokens[j - 2].isidentifier():
            j -= 2
        written = "".join(tokens[j:i])
        head, _, rest = written.partition(".")
        full = f"{ALIASES[head]}.{rest}" if head in ALIASES and rest else written
        candidates = [full, ".".join(full.split(".")[-2:])]
        if rest and "." not in rest and head not in ALIASES and head not in _MODULES:
            candidates += [f"{t}.{rest}" for t, names in _TYPE_METHODS.items() if rest in names]
        name = next((c for c in candidates if c in docs), None)
        if name is not None and name not in found:
            found.append(name)
    return found


def _words(text: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower())}


def siblings(name: str, docs: Mapping[str, str], intent: str = "") -> list[str]:
    """Functions of the same module as `name` (itself excluded; builtins and str/list/dict
    methods have no siblings: too loosely related to name one). With `intent`, only those
    whose doc shares a word with it, most shared first, at most `_MAX_SIBLINGS`."""
    module = name.rpartition(".")[0]
    if not module or module in _TYPE_METHODS:
        return []
    found = [n for n in docs if n.rpartition(".")[0] == module and n != name]
    if not intent:
        return found[:_MAX_SIBLINGS]
    wanted = _words(intent) - {"the", "a", "an", "of", "to", "in", "and", "or", "for", "get"}
    shared = {n: len(wanted & _words(docs[n])) for n in found}
    found = sorted((n for n in found if shared[n]), key=lambda n: -shared[n])
    return found[:_MAX_SIBLINGS]


def summary(doc: str) -> str:
    """A doc sentence as a phrase: "Return a string representing X" → "a string representing X"."""
    text = doc.strip().rstrip(".")
    stripped = _LEAD.sub("", text)
    out = stripped if stripped and stripped != text else text[:1].lower() + text[1:]
    out = out.split("; ")[0]
    if len(out) > _MAX_SUMMARY:
        out = out[:_MAX_SUMMARY].rsplit(" ", 1)[0] + " …"
    return out


_NAME_PART = re.compile(r"[a-z]+")


def _does(name: str, verbs: frozenset[str]) -> bool:
    """A called name does one of `verbs`: a part of it is one (`to_csv`: to, csv), or for
    verbs of 4+ letters contains one (`b64decode`, `makedirs`)."""
    parts = _NAME_PART.findall(name.lower())
    return any(p in verbs or any(len(v) >= 4 and v in p for v in verbs) for p in parts)


def plain_reason(intent: str, code: str) -> str | None:
    """A reason from plain facts of the text: the block undoes the intent's verb
    (`opposite_reason`), or leaves out a value the intent quotes (`value_reason`); None when
    neither holds."""
    return opposite_reason(intent, code) or value_reason(intent, code)


def opposite_reason(intent: str, code: str) -> str | None:
    """'opens the file for writing; the intent says "read"', 'calls base64.b64decode; the
    intent says "encode"' (`match_evidence.OPPOSITES`); None when the block does no opposite of
    an intent verb, or also does the verb."""
    modes = open_modes(code)
    calls = [m.group(1) for m in re.finditer(r"([A-Za-z_][\w.]*)\s*\(", code)]
    for verb in dict.fromkeys(words(intent)):
        pair = OPPOSITES.get(verb)
        if pair is None:
            continue
        same, other = pair
        if any(_does(c, same) for c in calls if c != "open"):
            continue
        if "read" in same and modes == {"write"}:
            return f'opens the file for writing; the intent says "{verb}"'
        if "write" in same and modes == {"read"}:
            return f'opens the file for reading; the intent says "{verb}"'
        wrong = next((c for c in calls if c != "open" and _does(c, other)), None)
        if wrong is not None:
            return f'calls {wrong}; the intent says "{verb}"'
    return None


def rule_reason(intent: str, code: str) -> str | None:
    """The suggestion check's intent rule a short flagged block breaks ("calls json.dumps,
    which writes; the intent asks to read or parse", "uses no hashlib; the intent asks for
    it"), read only once the matcher has flagged it: on the hand-written validation blocks the
    rules hold for 30 of 150 wrong and none of the right ones, but read as combiner evidence
    for every block scored they cost 43-50% of `Engine.score`'s pairs per second for two more
    flagged blocks in 150 (the fit gave them weight -1)."""
    if code.strip().count("\n") >= _RULE_LINES:
        return None
    tree = parse_quietly(code)
    if tree is None:
        return None
    return conflict(walk(tree), intent, stated_types(intent))


def value_reason(intent: str, code: str) -> str | None:
    """ "uses 'setup.cfg' where the intent names 'config.ini'" or "does not use 'config.ini',
    which the intent names"; None when the block has every value the intent quotes."""
    missing = [v for v in canonical(intent)[1] if v and v not in code]
    if not missing:
        return None
    strings = quoted(intent)[0]
    if missing[0] in strings:
        instead = next((a or b for a, b in STRING.findall(code) if (a or b) not in strings), None)
        if instead:
            return f"uses {instead!r} where the intent names {missing[0]!r}"
    return f"does not use {missing[0]!r}, which the intent names"


def _siblings(docs: Mapping[str, str]) -> Siblings:
    """The documented sibling groups of `docs`, built once per mapping (an explainer is made
    per request; the docs mapping lives as long as the matcher)."""
    found = _SIBLINGS.get(id(docs))
    if found is None or found[0] is not docs:
        found = (docs, Siblings.from_docs(docs))
        _SIBLINGS[id(docs)] = found
    return found[1]


def sibling_reason(intent: str, code: str, docs: Mapping[str, str]) -> str | None:
    """'calls os.remove; the intent asks for rename the file or directory `src` to `dst`
    (os.rename)' when the intent's verb spells a documented sibling of a call and nothing the block
    calls says it (`sibling_evidence.Siblings.gap`); None otherwise."""
    siblings = _siblings(docs)
    gap, call, other = siblings.gap(intent, code)
    if gap < SIBLING_GAP:
        return None
    name, written = siblings.doc_name(other), siblings.doc_name(call)
    doc = docs.get(name)
    what = f"{summary(doc)} ({name})" if doc else f'{name} (it says "{anchor(intent)}")'
    return f"calls {written}; the intent asks for {what}"


@dataclass(frozen=True)
class Explainer:
    """Names the call that makes a block wrong, using the matcher as the judge of each call."""

    docs: Mapping[str, str]
    score: Callable[[Sequence[tuple[str, str]]], Sequence[float]]
    threshold: float

    def explain(self, intent: str, code: str) -> str | None:
        if not intent.strip():
            return None
        return (
            sibling_reason(intent, code, self.docs)
            or placeholder_reason(intent, code)
            or contrary_reason(intent, code)
            or self._by_calls(intent, code)
            or opposite_reason(intent, code)
            or unasked_reason(intent, code)
            or value_reason(intent, code)
            or number_reason(intent, code)
            or rule_reason(intent, code)
        )

    def _by_calls(self, intent: str, code: str) -> str | None:
        calls = called_apis(code, self.docs)
        if not calls:
            return None
        unique = list(dict.fromkeys(calls))
        own = self.score([(intent, f"{name}()") for _, name in unique])
        order = sorted(range(len(unique)), key=lambda i: own[i])
        for i in order[:MAX_SUSPECTS]:  # the calls that fit the intent worst
            written, name = unique[i]
            if own[i] >= 0.5:
                break  # the worst call fits the intent: no sibling can beat it by the margin
            best = self._best_sibling(intent, name)
            if best is not None and best[1] >= max(0.5, own[i] + WRONG_MARGIN):
                other = best[0]
                return f"calls {written}; the intent asks for {summary(self.docs[other])} ({other})"
        written, name = unique[order[0]]
        if len(unique) == 1 and own[order[0]] < self.threshold:
            return f"calls {written}, which does this: {summary(self.docs[name])}"
        return None

    def _best_sibling(self, intent: str, name: str) -> tuple[str, float] | None:
        options = siblings(name, self.docs, intent)
        if not options:
            return None
        probs = self.score([(intent, f"{n}()") for n in options])
        i = max(range(len(options)), key=lambda j: probs[j])
        # a plain name over its variant when both fit (getcwd, not getcwdb)
        last = options[i].rpartition(".")[2]
        for j, other in enumerate(options):
            short = other.rpartition(".")[2]
            if short != last and last.startswith(short) and probs[j] >= probs[i] - 0.1:
                i = j
                last = short
        return options[i], float(probs[i])
