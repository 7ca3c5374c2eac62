"""What a block does that its intent never asks for: an unasked side effect, or nothing at all.

The matcher reads code as sub-words, so `tally.clear()` under "get the 3 most common items of
the counter `tally`" looks right to it (the names match), and `print("hello")` followed by
`return xs` borrows the intent's own names. Two plain facts of the text say otherwise:

- `unasked_effect`: a short block (at most `MAX_LINES` lines, `MAX_CALLS` distinct calls) has
  an effect of `EFFECTS` — it deletes (`os.remove`, `.clear()`), stops a process (`.kill()`),
  sleeps, seeds the random generator, exits, writes (a `write`/`dump`/`save` call,
  `open(p, "w")`, a `ZipFile(p, "w")`), creates a directory, moves or renames a file, or
  changes the working directory — while no intent word asks for that effect ("remove",
  "wait", "seed", "exit", "save" ...; compared by their stems, so "removing" asks for a removal
  and "writing" for a write; under a whether-question the `STATES` ask for nothing: "check if
  the list is empty" asks for no `.clear()`). Long blocks, such as whole mined functions, do
  many things their one-line summary does not list, so they get 0.
- `placeholder`: every statement of the block is a `print` of literals, a `pass`, a bare
  constant, or a `return`/assignment of a name, a constant or an empty container, and it
  prints something the intent does not say, under an intent that asks for no output
  (`print("hello")` then `return link` under "parse the query string of `link`").

Both are 0 or 1 and almost never 1 on a true pair; `codeqa-train fit-combiner
--effect-weights` gives each a fixed weight chosen out of fold (as the literal swap's).
`placeholder_reason` and `unasked_reason` say which fact holds, for the diagnostic.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterable, Sequence
from functools import lru_cache

from codeqa_model.match_evidence import intent_terms

EFFECT_FEATURES = ("unasked_effect", "placeholder")
MAX_LINES = 6  # longer blocks get 0
MAX_CALLS = 4  # distinct called names; more get 0
STEM = 5  # letters compared between an intent word and an effect's words
_ASK_WRITE = frozenset(
    {
        "write", "save", "create", "dump", "export", "store", "append", "log", "output", "copy",
        "download", "compress", "archive", "backup", "generate", "make", "touch",
        "overwrite", "add", "put", "record", "insert", "update", "edit", "modify", "replace",
        "truncate", "empty", "clear", "persist", "serialize", "pickle", "emit", "print",
        "redirect", "upload", "move", "rename", "encrypt", "new",
    }
)  # fmt: skip
# (effect, name parts that do it, intent words that ask for it)
EFFECTS = (
    ("deletes", frozenset({"remove", "rmtree", "rmdir", "removedirs", "unlink", "delete",
     "discard", "popitem", "clear", "drop", "dropna", "truncate"}),
     frozenset({"remove", "delete", "del", "clear", "drop", "kill", "terminate", "stop", "pop",
     "discard", "erase", "empty", "purge", "clean", "cleanup", "rid", "without", "exclude",
     "strip", "trim", "eliminate", "destroy", "cancel", "wipe", "reset", "missing", "nan",
     "null", "duplicate", "dedupe", "unique", "distinct", "filter", "end", "shutdown",
     "close", "uninstall"})),
    ("stops a process", frozenset({"kill", "terminate"}), frozenset({"kill", "terminate",
     "stop", "end", "shutdown", "close", "cancel", "abort", "quit", "exit", "interrupt"})),
    ("sleeps", frozenset({"sleep"}), frozenset({"wait", "sleep", "pause", "delay", "second",
     "minute", "timeout", "throttle", "retry", "poll", "slow", "every", "timer"})),
    ("seeds the random generator", frozenset({"seed"}), frozenset({"seed", "reproducible",
     "deterministic", "repeatable", "same"})),
    ("exits", frozenset({"exit", "abort"}), frozenset({"exit", "quit", "stop", "terminate",
     "abort", "end", "kill", "halt", "status", "code", "close", "fail", "error"})),
    ("writes", frozenset({"write", "writelines", "writerow", "writerows", "dump", "save",
     "savefig"}), _ASK_WRITE),
    ("creates a directory", frozenset({"mkdir", "makedirs", "mkdtemp"}), frozenset({"create",
     "make", "mkdir", "new", "ensure", "sure", "build", "setup", "prepare", "init",
     "initialize", "temp", "temporary", "tmp", "scratch", "output", "copy", "extract",
     "unpack", "unzip", "download", "save", "write", "install", "mirror", "clone"})),
    ("moves a file", frozenset({"rename", "renames", "move"}), frozenset({"move", "rename",
     "mv", "relocate", "transfer", "archive", "backup", "swap", "organize", "replace",
     "name"})),
    ("changes the working directory", frozenset({"chdir", "fchdir"}), frozenset({"change",
     "cd", "chdir", "switch", "enter", "go", "temporarily", "set", "inside", "within"})),
)  # fmt: skip
_CALL = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*))\s*\(")
_OPENER = re.compile(r"""\b((?:\w+\.)?(?:open|ZipFile|TarFile))\(([^()]*)\)""")
_WRITE_MODE = re.compile(r"""['"][rbtxzg2:+]*[wax][rbtxzg2:+]*['"]""")
_OUTPUT = re.compile(r"\b(?:print|display|show|output|echo|say)\b")


def _stem(word: str) -> str:
    """A word's first `STEM` letters once "-ing", "-ed" and a final "e" are gone: "writing",
    "writes" and "write" all give "writ", "saving" and "save" "sav"."""
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    return word.rstrip("e")[:STEM]


def _stems(text_words: Iterable[str]) -> frozenset[str]:
    return frozenset(_stem(w) for w in text_words)


_ASKS = tuple((effect, does, _stems(does) | _stems(asks)) for effect, does, asks in EFFECTS)
# any effect's name part, or an opener: code without one has no effect (most code; cheap test)
_HINT = re.compile(
    "|".join(
        [
            *sorted({w for _, does, _ in EFFECTS for w in does}, key=len)[::-1],
            "open",
            "ZipFile",
            "TarFile",
        ]
    )
)


# words that ask whether something holds ("check if the list is empty"); under them the
# `STATES` describe a state and ask for no effect
WHETHER = frozenset({"check", "whether", "if", "is", "test", "determine", "verify"})
STATES = frozenset({"empty", "missing", "null", "nan", "duplicate", "unique", "distinct", "end",
                    "close", "closed", "clear"})  # fmt: skip


@lru_cache(maxsize=2048)
def _said(intent: str) -> frozenset[str]:
    """The stems of the intent's words that may ask for an effect."""
    said: Sequence[str] = intent_terms(intent)
    if not WHETHER.isdisjoint(intent.lower().split()):
        said = [w for w in said if w not in STATES]
    return _stems(said)


@lru_cache(maxsize=4096)
def unasked(intent: str, code: str) -> tuple[str, str] | None:
    """(what the block does, the call or opener that does it) for the first `EFFECTS` effect
    the intent does not ask for; None when there is none or the block is long."""
    if code.strip().count("\n") >= MAX_LINES or _HINT.search(code) is None:
        return None
    calls = {m.group(1): m.group(2).lower() for m in _CALL.finditer(code)}
    if len(set(calls.values())) > MAX_CALLS:
        return None
    said = _said(intent)
    for effect, does, asks in _ASKS:
        if said & asks:
            continue
        for written, name in calls.items():
            if name in does or not does.isdisjoint(name.split("_")):
                return effect, written
        if effect == "writes":
            for opener, args in _OPENER.findall(code):
                if _WRITE_MODE.search(args):
                    return "opens a file for writing", opener
    return None


def unasked_effect(intent: str, code: str) -> float:
    """1.0 when the short block has an effect no intent word asks for (`unasked`); else 0.0."""
    return 0.0 if unasked(intent, code) is None else 1.0


@lru_cache(maxsize=4096)
def printed_placeholder(intent: str, code: str) -> str | None:
    """The literal a do-nothing block prints (`placeholder`), or None."""
    if "print" not in code:
        return None
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    printed: list[str] = []
    for node in tree.body:
        value = getattr(node, "value", None)
        if isinstance(node, ast.Pass) or (
            isinstance(node, ast.Expr) and isinstance(value, ast.Constant)
        ):
            continue
        if isinstance(node, ast.Return | ast.Assign) and (
            value is None or isinstance(value, ast.Name | ast.Constant) or _empty(value)
        ):
            continue
        if not (
            isinstance(node, ast.Expr)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "print"
            and all(isinstance(a, ast.Constant) for a in value.args)
        ):
            return None
        printed += [str(a.value) for a in value.args]  # type: ignore[attr-defined]
    text = intent.lower()
    if not printed or _OUTPUT.search(text) or any(p and p.lower() in text for p in printed):
        return None
    return printed[0]


def _empty(node: ast.expr) -> bool:
    """`{}`, `[]`, `()`: an empty container a placeholder returns."""
    if isinstance(node, ast.Dict):
        return not node.keys
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and not node.elts


def placeholder(intent: str, code: str) -> float:
    """1.0 when the block only prints a literal the intent does not say (and returns or
    assigns names or constants), under an intent that asks for no output; else 0.0."""
    return 0.0 if printed_placeholder(intent, code) is None else 1.0


def effects(intent: str, code: str) -> list[float]:
    """`EFFECT_FEATURES` for one pair."""
    return [unasked_effect(intent, code), placeholder(intent, code)]


def placeholder_reason(intent: str, code: str) -> str | None:
    """ "only prints 'hello'; nothing here does what the intent says" for a `placeholder`."""
    shown = printed_placeholder(intent, code)
    if shown is None:
        return None
    return f"only prints {shown!r}; nothing here does what the intent says"


def unasked_reason(intent: str, code: str) -> str | None:
    """ "calls os.remove, which deletes; the intent asks for no such thing" for an
    `unasked_effect`; None without one."""
    found = unasked(intent, code)
    if found is None:
        return None
    effect, written = found
    if effect == "opens a file for writing":
        return f"{written}() opens a file for writing; the intent asks for no write"
    return f"calls {written}, which {effect}; the intent asks for no such thing"


def effect_reason(intent: str, code: str) -> str | None:
    """The placeholder's reason, else the unasked effect's; None when neither fact holds."""
    return placeholder_reason(intent, code) or unasked_reason(intent, code)
