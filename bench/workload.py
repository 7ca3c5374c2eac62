"""What the benchmark types: CoNaLa test intents, the documents built from them, and edits.

The pairs come straight from the read-only CoNaLa test file (`rewritten_intent`, else `intent`,
with its `snippet`). Test pairs are fine here: nothing is trained on them, they are only text to
type into an editor. Every builder is a pure function of its input, so runs are repeatable.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CONALA_TEST",
    "DistinctIntents",
    "IntentPair",
    "big_document",
    "intent_variant",
    "jedi_document",
    "load_pairs",
    "one_char_edit",
    "our_document",
    "snippet_lines",
    "utf16_len",
]

CONALA_TEST = Path("/work/shared/data/conala/conala-test.json")
LINES_PER_BLOCK = 10
MAX_SNIPPET_LINES = LINES_PER_BLOCK - 2  # the intent line and the blank line that ends a block


@dataclass(frozen=True, slots=True)
class IntentPair:
    intent: str
    snippet: str


def load_pairs(path: Path = CONALA_TEST) -> list[IntentPair]:
    """(intent, snippet) pairs of a CoNaLa JSON file; a bad file raises naming it and the row."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the CoNaLa pairs ({exc})") from None
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of CoNaLa rows")
    pairs = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("snippet"), str):
            raise ValueError(f"{path}: row {i}: expected an object with a string 'snippet'")
        intent = row.get("rewritten_intent") or row.get("intent")
        if not isinstance(intent, str):
            raise ValueError(f"{path}: row {i}: no intent text")
        intent = " ".join(intent.split())
        if intent and row["snippet"].strip():
            pairs.append(IntentPair(intent, row["snippet"]))
    if not pairs:
        raise ValueError(f"{path}: no usable (intent, snippet) rows")
    return pairs


_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
# The engine clips intents to the model's source length (64 words for the shipped bundle);
# two intents count as the same when their first words agree, so a clipped pair never repeats.
_SAME_WORDS = 48


def intent_variant(intent: str, round_: int) -> str:
    """Round 0 is ``intent``; round r renames each `name` to `name_r` (or, with no quoted
    name, asks to keep the result in `result_r`) — what a user writing about other variables
    types, and never a text the model has answered before."""
    if round_ == 0:
        return intent
    renamed, count = _NAME.subn(lambda m: f"`{m.group(1)}_{round_}`", intent)
    return renamed if count else f"{intent} into `result_{round_}`"


class DistinctIntents:
    """Intent number i, never the same text twice: the CoNaLa intents, then their variants.

    Every request a benchmark makes with a new number therefore reaches the model (no cache
    can answer it). Built lazily, so a 10,000-request run costs only what it uses.
    """

    def __init__(self, pairs: list[IntentPair]) -> None:
        self._base = list(dict.fromkeys(p.intent for p in pairs))
        if not self._base:
            raise ValueError("need at least one intent")
        self._made: list[str] = []
        self._seen: set[tuple[str, ...]] = set()
        self._source = self._variants()

    def _variants(self) -> Iterator[str]:
        round_ = 0
        while True:
            for intent in self._base:
                yield intent_variant(intent, round_)
            round_ += 1

    def __getitem__(self, i: int) -> str:
        if i < 0:
            raise IndexError(i)
        while len(self._made) <= i:
            text = next(self._source)
            key = tuple(text.split()[:_SAME_WORDS])
            if key not in self._seen:
                self._seen.add(key)
                self._made.append(text)
        return self._made[i]


def utf16_len(text: str) -> int:
    """A line's length in UTF-16 code units, LSP's default position encoding."""
    return len(text.encode("utf-16-le")) // 2


def our_document(intent: str) -> tuple[str, int, int]:
    """A small file ending in an intent comment; the cursor goes at the end of that line."""
    intent_line = f"# intent: {intent}"
    text = f"import os\n\n\n{intent_line}\n"
    return text, 3, utf16_len(intent_line)


def jedi_document(edit: int) -> tuple[str, int, int]:
    """The reference: completing ``os.path.`` (the comment line changes with each edit)."""
    return f"import os\n\n# edit {edit}\nos.path.", 3, len("os.path.")


def snippet_lines(snippet: str) -> list[str]:
    """The snippet dedented, without blank lines (a blank line would end the intent block)."""
    lines = [line.rstrip() for line in textwrap.dedent(snippet.expandtabs(8)).splitlines()]
    lines = [line for line in lines if line.strip()][:MAX_SNIPPET_LINES]
    if lines and lines[0] != lines[0].lstrip():
        lines[0] = lines[0].lstrip()  # the first line must not be deeper than later ones need
    return lines or ["pass"]


def big_document(pairs: list[IntentPair], blocks: int = 500) -> tuple[str, list[int]]:
    """A file of `blocks` intent blocks, `LINES_PER_BLOCK` lines each (5,000 lines for 500).

    Each block is an intent comment, its snippet, a blank line, then plain filler assignments
    (code outside any block) up to the block size. Returns the text and, per block, the line
    of its first code line (where `one_char_edit` edits).
    """
    if not pairs:
        raise ValueError("need at least one (intent, snippet) pair")
    lines: list[str] = []
    code_starts: list[int] = []
    for b in range(blocks):
        pair = pairs[b % len(pairs)]
        start = len(lines)
        lines.append(f"# intent: {pair.intent}")
        code_starts.append(len(lines))
        lines.extend(snippet_lines(pair.snippet))
        lines.append("")
        filler = 0
        while len(lines) - start < LINES_PER_BLOCK:
            lines.append(f"filler_{b}_{filler} = {filler}")
            filler += 1
    return "\n".join(lines) + "\n", code_starts


def one_char_edit(text: str, line: int) -> tuple[str, dict]:
    """Type one character (``x``) at the end of `line`: the new text and its didChange event."""
    lines = text.split("\n")
    end = utf16_len(lines[line])
    lines[line] += "x"
    change = {
        "range": {
            "start": {"line": line, "character": end},
            "end": {"line": line, "character": end},
        },
        "text": "x",
    }
    return "\n".join(lines), change
