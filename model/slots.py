"""Intent slots: quoted values in an intent ↔ placeholders in the intent and in the code.

CoNaLa's rewritten intents quote the values the snippet uses (``'hello'``, ``"a,b"``) and
back-tick the names (```df```). Replacing both with ``str_N`` / ``var_N`` in the intent and in
the code lets the generator learn "copy slot N here" instead of memorising rare literals; at
inference ``restore_code`` puts the user's values back. Pure stdlib.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from codeqa_model.code_tokens import CodeToken, lex_code

MAX_SLOTS = 10  # per kind; matches the str_0..str_9 / var_0..var_9 special tokens
# Intents remembered by `canonicalize_intent`: a score call's batch (256) and then some.
INTENT_CACHE_SIZE = 1024

__all__ = [
    "MAX_SLOTS",
    "PLACEHOLDER_RE",
    "Slot",
    "SlotMap",
    "canonical_spans",
    "canonicalize_code",
    "canonicalize_intent",
    "canonicalize_pair",
    "restore_code",
    "spelled_numbers_as_digits",
    "unquote_name_receivers",
]

# An opening quote not glued to a word (so "user's" is no quote), a lazy value, the same closing
# quote not followed by a word character. ''x'' (two single quotes) is CoNaLa's odd double quote.
_QUOTED_RE = re.compile(
    r"(?<![\w'\"`])(?:''(?P<dq>[^'\n]+?)''|(?P<q>['\"`])(?P<v>[^\n]*?)(?P=q))(?!\w)"
)
# A placeholder word (`str_0` … `var_9`) standing alone; the one definition the package uses.
# A number written bare in an intent ("sleep for 2 seconds"; not "utf-8", "md5", "1.5x" or
# "3-letter"): the retrieval fill puts it in, the missing-values penalty looks for it.
BARE_NUMBER_RE = re.compile(r"(?<![\w.\-])\d+(?:\.\d+)?(?![\w.\-])")
PLACEHOLDER_RE = re.compile(r"(?<!\w)(?P<p>(?:str|var)_\d)(?!\w)")
_LITERAL_RE = re.compile(r"(?P<prefix>[rRbBuUfF]{0,2})(?P<quote>'''|\"\"\"|'|\")", re.DOTALL)
_LAYOUT_KINDS = ("newline", "indent", "dedent", "comment")
# A `var` placeholder alone inside a string literal whose method is called: `'var_0'.upper()`.
_QUOTED_RECEIVER_RE = re.compile(
    r"""(?<![\w'"])[uU]?(?P<q>'''|\"\"\"|'|")(?P<p>var_\d)(?P=q)(?=\s*\.\s*[A-Za-z_])"""
)
_DOTTED_NAME_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Slot:
    """One intent value: its placeholder, the text between the quotes, and how it was quoted.

    ``quote`` is the intent's quote (``'``, ``"``, ```` ` ```` or ``''``). ``code_prefix`` /
    ``code_quote`` are how the snippet spells the literal (e.g. ``r`` and ``'``), once seen.
    """

    placeholder: str
    value: str
    kind: str  # "str" or "var"
    quote: str
    code_prefix: str = ""
    code_quote: str | None = None

    def render(self) -> str:
        """The code text this slot stands for (a quoted literal for ``str`` slots)."""
        if self.kind == "var":
            return self.value
        if self.code_quote is not None:
            return f"{self.code_prefix}{self.code_quote}{self.value}{self.code_quote}"
        quote = self.quote if self.quote in ("'", '"') else "'"
        if quote in self.value and ('"' if quote == "'" else "'") not in self.value:
            quote = '"' if quote == "'" else "'"
        return f"{quote}{self.value}{quote}"


@dataclass(frozen=True)
class SlotMap:
    """Ordered placeholder → ``Slot`` (``str_0``, ``str_1``, …, ``var_0``, … in intent order)."""

    slots: tuple[Slot, ...] = ()

    def __iter__(self) -> Iterator[Slot]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)

    def __getitem__(self, placeholder: str) -> Slot:
        for slot in self.slots:
            if slot.placeholder == placeholder:
                return slot
        raise KeyError(placeholder)

    def get(self, placeholder: str) -> Slot | None:
        """The slot for ``placeholder``, or None (model output may name slots the intent lacks)."""
        return next((s for s in self.slots if s.placeholder == placeholder), None)

    def observe(self, code: str) -> SlotMap:
        """A copy whose ``str`` slots spell their literal the way ``code`` first does.

        Needed for an exact round trip when the snippet quotes differently from the intent
        (intent ``'a'``, code ``"a"`` or ``r'a'``): ``canonicalize_code`` only replaces literals
        that ``restore_code`` will rebuild byte for byte.
        """
        literals = [_split_literal(t.text) for t in lex_code(code) if t.kind == "string"]
        out = []
        for slot in self.slots:
            if slot.kind == "str" and slot.code_quote is None:
                for found in literals:
                    if found is not None and found[2] == slot.value:
                        slot = replace(slot, code_prefix=found[0], code_quote=found[1])
                        break
            out.append(slot)
        return SlotMap(tuple(out))


@lru_cache(maxsize=INTENT_CACHE_SIZE)
def canonicalize_intent(intent: str) -> tuple[str, SlotMap]:
    """Replace quoted values with ``str_N`` and back-ticked names with ``var_N``.

    The same value quoted twice gets the same placeholder; past ``MAX_SLOTS`` of a kind the
    text is left as written. Remembered (the answer is immutable): scoring a pair asks it
    three times (matcher, match evidence twice), a suggestion once per candidate.
    """
    slots: list[Slot] = []
    by_value: dict[tuple[str, str], str] = {}
    counts = {"str": 0, "var": 0}
    pieces: list[str] = []
    last = 0
    for match in _QUOTED_RE.finditer(intent):
        if match.group("dq") is not None:
            quote, value = "''", match.group("dq")
        else:
            quote, value = match.group("q"), match.group("v")
        kind = "var" if quote == "`" else "str"
        if kind == "var":
            value = value.strip()
            if not value:
                continue
        key = (kind, value)
        placeholder = by_value.get(key)
        if placeholder is None:
            if counts[kind] >= MAX_SLOTS:
                continue
            placeholder = f"{kind}_{counts[kind]}"
            counts[kind] += 1
            by_value[key] = placeholder
            slots.append(Slot(placeholder, value, kind, quote))
        pieces.append(intent[last : match.start()])
        pieces.append(placeholder)
        last = match.end()
    pieces.append(intent[last:])
    return "".join(pieces), SlotMap(tuple(slots))


def _split_literal(text: str) -> tuple[str, str, str] | None:
    """``(prefix, quote, body)`` of a string literal token, or None if it is not one."""
    match = _LITERAL_RE.match(text)
    if match is None:
        return None
    quote = match.group("quote")
    body_start = match.end()
    if len(text) - body_start < len(quote) or not text.endswith(quote):
        return None  # unterminated (regex-lexer output)
    return match.group("prefix"), quote, text[body_start : len(text) - len(quote)]


def _str_spans(code: str, tokens: list[CodeToken], slot: Slot) -> list[tuple[int, int]]:
    """Spans of literals that ``slot.render()`` rebuilds exactly."""
    rendered = slot.render()
    return [(t.start, t.end) for t in tokens if t.kind == "string" and t.text == rendered]


def _var_spans(code: str, tokens: list[CodeToken], slot: Slot) -> list[tuple[int, int]]:
    """Token runs spelling ``slot.value`` exactly; else exact substrings at word boundaries."""
    want = [t.text for t in lex_code(slot.value) if t.kind not in _LAYOUT_KINDS]
    spans: list[tuple[int, int]] = []
    if want:
        n = len(want)
        for i in range(len(tokens) - n + 1):
            run = tokens[i : i + n]
            if [t.text for t in run] == want and code[run[0].start : run[-1].end] == slot.value:
                spans.append((run[0].start, run[-1].end))
    if spans or slot.value.isidentifier() or not re.search(r"\w\W|\W\w", slot.value):
        return spans  # no substring search for bare names or lone punctuation like "?"
    return [(m.start(), m.end()) for m in re.finditer(re.escape(slot.value), code)]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _standalone(before: str, after: str) -> bool:
    """A placeholder between these characters stays one word (so ``restore_code`` finds it)."""
    return not (_is_word_char(before) or _is_word_char(after))


def canonicalize_code(code: str, slots: SlotMap) -> str:
    """Put the slots' placeholders into ``code`` where their values occur.

    ``str`` slots replace whole string literals (quotes and prefix included) whose text equals
    the slot's rendering — call ``slots.observe(code)`` first (or use ``canonicalize_pair``) to
    also catch literals quoted differently from the intent. ``var`` slots replace exact token
    runs (names, dotted names, numbers, expressions); a non-identifier value that matches no
    token run is replaced as an exact substring. A name that merely equals a ``str`` value is
    left alone: ``restore_code`` could not tell it from a literal.
    """
    pieces: list[str] = []
    last = 0
    for start, end, placeholder in canonical_spans(code, slots):
        pieces += [code[last:start], placeholder]
        last = end
    pieces.append(code[last:])
    return "".join(pieces)


def canonical_spans(code: str, slots: SlotMap) -> list[tuple[int, int, str]]:
    """The ``(start, end, placeholder)`` replacements `canonicalize_code` makes, in order
    (the matcher reads the canonical tokens off the code's own, `tokenize_replaced`)."""
    if not slots:
        return []
    tokens = [t for t in lex_code(code) if t.kind not in _LAYOUT_KINDS]
    candidates: list[tuple[int, int, str]] = []
    for slot in slots:
        find = _str_spans if slot.kind == "str" else _var_spans
        candidates += [(s, e, slot.placeholder) for s, e in find(code, tokens, slot) if e > s]
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    kept: list[tuple[int, int, str]] = []
    last = 0
    for start, end, placeholder in candidates:
        before = kept[-1][2][-1:] if start == last and kept else code[start - 1 : start]
        if start < last or not _standalone(before, code[end : end + 1]):
            continue
        kept.append((start, end, placeholder))
        last = end
    return kept


def restore_code(code: str, slots: SlotMap) -> str:
    """Replace every placeholder word in ``code`` with the value its slot stands for.

    Works on any text (model output included); placeholders the map lacks are left as is.
    """

    def put_back(match: re.Match[str]) -> str:
        slot = slots.get(match.group("p"))
        return match.group() if slot is None else slot.render()

    return PLACEHOLDER_RE.sub(put_back, code)


def unquote_name_receivers(code: str, slot_of: Callable[[str], Slot | None]) -> str:
    """`'var_0'.upper()` → `var_0.upper()` where the slot is a back-ticked *name* (`name`).

    CoNaLa back-ticks some string values (`test.mp3`, used as `'test.mp3'.endswith(…)`), so
    models learn to quote a `var` placeholder that receives a method call. Under the product's
    convention (strings quoted, names back-ticked) a user's `` `filename` `` is a variable: the
    literal `'filename'.endswith('.py')` would test the constant. Only method receivers change;
    a quoted name elsewhere (`d['gold']`, `df['hour']`) is usually a key and stays.
    """

    def unquote(match: re.Match[str]) -> str:
        slot = slot_of(match.group("p"))
        if slot is None or slot.kind != "var" or not _DOTTED_NAME_RE.fullmatch(slot.value):
            return match.group()
        return match.group("p")

    return _QUOTED_RECEIVER_RE.sub(unquote, code)


def canonicalize_pair(intent: str, code: str) -> tuple[str, str, SlotMap]:
    """Canonical intent, canonical code and the slot map that restores that code exactly.

    The one call the data pipeline needs: the map has observed the snippet's quoting.
    """
    canon_intent, slots = canonicalize_intent(intent)
    slots = slots.observe(code)
    return canon_intent, canonicalize_code(code, slots), slots


_SPELLED = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "hundred": "100", "thousand": "1000",
}  # fmt: skip
# A spelled cardinal before a word ("two decimal places"), or "half a" before one ("half a
# second"). Not "one": it is as often a pronoun ("the one with the largest value").
_SPELLED_NUMBER = re.compile(
    rf"\b(?:(?P<half>half an?)|(?P<n>{'|'.join(_SPELLED)}))\b(?= [a-z])", re.IGNORECASE
)


def spelled_numbers_as_digits(intent: str) -> str:
    """The intent with numbers it spells written in digits, outside its quoted values: "round
    `x` to two decimal places" → "… to 2 decimal places", "sleep for half a second" → "sleep
    for 0.5 second". The training intents write numbers in digits, and the retrieval fill and
    the missing-values penalty read digits."""
    out, last = [], 0
    for quoted in [*_QUOTED_RE.finditer(intent), None]:
        end = quoted.start() if quoted is not None else len(intent)
        out.append(_SPELLED_NUMBER.sub(_digits, intent[last:end]))
        if quoted is not None:
            out.append(quoted.group())
            last = quoted.end()
    return "".join(out)


def _digits(match: re.Match[str]) -> str:
    return "0.5" if match.group("half") else _SPELLED[match.group("n").lower()]
