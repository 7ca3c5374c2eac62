"""Python source ↔ code tokens.

The generator reads and writes code as a flat token list, so this module turns source text into
tokens (stdlib ``tokenize``; a regex lexer for text it rejects, e.g. unterminated strings) and
tokens back into readable PEP 8-ish source. Line structure is kept with three layout tokens so
multi-line snippets survive the trip. Pure stdlib: the server and the trainer both import it.
"""

from __future__ import annotations

import io
import keyword
import re
import sys
import tokenize
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

NL, INDENT, DEDENT = "<nl>", "<indent>", "<dedent>"
LEX_CACHE_SIZE = 256
CODE_LAYOUT_TOKENS = (NL, INDENT, DEDENT)

__all__ = [
    "CODE_LAYOUT_TOKENS",
    "CodeToken",
    "detokenize_code",
    "lex_code",
    "tokenize_code",
    "tokenize_replaced",
]


class CodeToken(NamedTuple):
    """One lexical token with its absolute character span in the source.

    ``kind`` is one of: name, number, string, op, comment, newline, indent, dedent, other.
    Spans let callers (``model.slots``) rewrite the source at exact token boundaries. A named
    tuple rather than a frozen dataclass: the matcher makes tens of thousands per second.
    """

    kind: str
    text: str
    start: int
    end: int


_KIND = {
    tokenize.NAME: "name",
    tokenize.NUMBER: "number",
    tokenize.STRING: "string",
    tokenize.OP: "op",
    tokenize.COMMENT: "comment",
    tokenize.NEWLINE: "newline",
    tokenize.INDENT: "indent",
    tokenize.DEDENT: "dedent",
}

# Longest first, so the regex lexer never splits "**=" into "**" "=".
# fmt: off
_OPERATORS = sorted(
    (
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
        "^=", "@=", "==", "!=", "<=", ">=", "<>", "**", "//", "<<", ">>", "+", "-", "*", "/", "%",
        "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "=",
        "!", "`", "$", "?",
    ),
    key=len,
    reverse=True,
)
# fmt: on
_STRING_RE = (
    r"(?:[rRbBuUfF]{0,2})"
    r"(?:'''(?:\\.|[^\\])*?(?:'''|\Z)"
    r'|"""(?:\\.|[^\\])*?(?:"""|\Z)'
    r"|'(?:\\.|[^\\'\n])*(?:'|(?=\n)|\Z)"
    r'|"(?:\\.|[^\\"\n])*(?:"|(?=\n)|\Z))'
)
_FALLBACK_RE = re.compile(
    r"(?P<newline>\r?\n)"
    r"|(?P<space>[ \t\f]+|\\\r?\n)"
    r"|(?P<comment>#[^\r\n]*)"
    rf"|(?P<string>{_STRING_RE})"
    r"|(?P<number>(?:0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)"
    r"(?:[eE][+-]?\d+)?[jJlL]?))"
    r"|(?P<name>\w+)"
    r"|(?P<op>" + "|".join(re.escape(op) for op in _OPERATORS) + r")"
    r"|(?P<other>\S)",
    re.DOTALL,
)


def _line_offsets(code: str) -> list[int]:
    """Absolute offset of each line start, lines split on "\n" only as ``tokenize`` reads them.

    ``str.splitlines`` would also split on form feeds, record separators and the like,
    shifting every span after them.
    """
    offsets = [0]
    for line in code.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


def _lex_stdlib(code: str) -> list[CodeToken]:
    """Lex with ``tokenize``; raises ``tokenize.TokenError``/``SyntaxError`` on bad input."""
    offsets = _line_offsets(code)
    out: list[CodeToken] = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.ERRORTOKEN:
            if tok.string.strip() in ("'", '"'):
                raise tokenize.TokenError("unterminated string", tok.start)
            if not tok.string.strip():
                continue
        kind = _KIND.get(tok.type)
        if kind is None:
            if tok.type != tokenize.ERRORTOKEN:
                continue  # NL, ENCODING, ENDMARKER, and 3.12 f-string parts are not tokens here
            kind = "other"
        (srow, scol), (erow, ecol) = tok.start, tok.end
        start = offsets[min(srow - 1, len(offsets) - 1)] + scol
        end = offsets[min(erow - 1, len(offsets) - 1)] + ecol
        out.append(CodeToken(kind, tok.string, start, end))
    return out


def _lex_regex(code: str) -> list[CodeToken]:
    """Forgiving lexer for text ``tokenize`` rejects; rebuilds indentation from leading spaces."""
    out: list[CodeToken] = []
    indents = [0]
    at_line_start = True
    for match in _FALLBACK_RE.finditer(code):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind == "newline":
            if out and out[-1].kind not in ("newline", "indent", "dedent"):
                out.append(CodeToken("newline", text, match.start(), match.end()))
            at_line_start = True
            continue
        if kind == "space":
            continue
        if at_line_start and kind != "comment":
            line_start = code.rfind("\n", 0, match.start()) + 1
            width = len(code[line_start : match.start()].expandtabs(8))
            if width > indents[-1]:
                indents.append(width)
                out.append(
                    CodeToken("indent", code[line_start : match.start()], line_start, match.start())
                )
            while width < indents[-1]:
                indents.pop()
                out.append(CodeToken("dedent", "", match.start(), match.start()))
            at_line_start = False
        out.append(CodeToken(kind, text, match.start(), match.end()))
    return out


# `_lex_tokenize` is CPython 3.11's `tokenize._tokenize` loop, written out with the module's own
# regular expressions: the same tokens as `_lex_stdlib`, without a `TokenInfo` per token or a
# readline per line (about 3x faster; the matcher lexes every block it scores). Other versions
# tokenize differently (3.12 splits f-strings), so they keep the stdlib.
_SAME_TOKENIZE = sys.version_info[:2] == (3, 11)
_PSEUDO = re.compile(tokenize.PseudoToken, re.UNICODE)
# Most tokens are names, brackets, commas, dots and plain `=`: `_PSEUDO` (an alternation that
# tries comments, strings with every prefix, numbers and all operators first) spans them the
# same as this short pattern, which is tried first (about 3x cheaper per token). Same span
# because: a word that starts with a letter or `_` is `\w+` under `_PSEUDO` unless it is a
# string prefix glued to a quote (excluded by the look-ahead); no longer operator starts with
# a bracket, `,` or `;`; `.` is a number or `...` only before a digit or a dot, `=` is `==`
# only before `=`, and `:` is `:=` only before `=`.
_FAST = re.compile(
    r"[ \f\t]*([^\W\d]\w*+(?!['\"])|[()\[\]{},;]|\.(?![0-9.])|[=:](?!=))", re.UNICODE
)
_END_PROGS = {quote: re.compile(pattern, re.UNICODE) for quote, pattern in tokenize.endpats.items()}
_TRIPLE_QUOTED = frozenset(tokenize.triple_quoted)
_SINGLE_QUOTED = frozenset(tokenize.single_quoted)
_TAB = tokenize.tabsize


def _lex_tokenize(code: str) -> list[CodeToken]:
    """`_lex_stdlib`'s tokens, read the way ``tokenize`` reads (see `_SAME_TOKENIZE`); raises
    what it raises (``tokenize.TokenError``, ``IndentationError``) on the same text."""
    parts = code.split("\n")
    offsets = _line_offsets(code)
    last_row = len(offsets) - 1
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    out: list[CodeToken] = []
    add = out.append
    new = tuple.__new__  # CodeToken's own __new__ without its Python frame
    lnum = parenlev = 0
    continued = False
    contstr, needcont = "", False
    str_start = 0
    endprog = _PSEUDO
    indents = [0]
    last_line = line = ""
    n_lines = len(lines)
    while True:
        last_line = line
        line = lines[lnum] if lnum < n_lines else ""
        lnum += 1
        base = offsets[min(lnum - 1, last_row)]
        pos, end_of_line = 0, len(line)
        if contstr:  # inside a string that spans lines
            if not line:
                raise tokenize.TokenError("EOF in multi-line string", (lnum, 0))
            endmatch = endprog.match(line)
            if endmatch:
                pos = end = endmatch.end(0)
                add(new(CodeToken, ("string", contstr + line[:end], str_start, base + end)))
                contstr, needcont = "", False
            elif needcont and line[-2:] != "\\\n" and line[-3:] != "\\\r\n":
                text = contstr + line
                if text.strip() in ("'", '"'):
                    raise tokenize.TokenError("unterminated string", (lnum, 0))
                if text.strip():
                    add(new(CodeToken, ("other", text, str_start, base + len(line))))
                contstr = ""
                continue
            else:
                contstr += line
                continue
        elif parenlev == 0 and not continued:  # a new statement
            if not line:
                break
            column = 0
            while pos < end_of_line:
                char = line[pos]
                if char == " ":
                    column += 1
                elif char == "\t":
                    column = (column // _TAB + 1) * _TAB
                elif char == "\f":
                    column = 0
                else:
                    break
                pos += 1
            if pos == end_of_line:
                break
            if line[pos] in "#\r\n":  # a comment or blank line
                if line[pos] == "#":
                    comment = line[pos:].rstrip("\r\n")
                    add(new(CodeToken, ("comment", comment, base + pos, base + pos + len(comment))))
                continue
            if column > indents[-1]:
                indents.append(column)
                add(new(CodeToken, ("indent", line[:pos], base, base + pos)))
            while column < indents[-1]:
                if column not in indents:
                    raise IndentationError(
                        "unindent does not match any outer indentation level",
                        ("<tokenize>", lnum, pos, line),
                    )
                indents = indents[:-1]
                add(new(CodeToken, ("dedent", "", base + pos, base + pos)))
        else:  # a continued statement
            if not line:
                raise tokenize.TokenError("EOF in multi-line statement", (lnum, 0))
            continued = False
        while pos < end_of_line:
            pseudo = _FAST.match(line, pos) or _PSEUDO.match(line, pos)
            if pseudo is None:
                char = line[pos]
                if char in ("'", '"'):
                    raise tokenize.TokenError("unterminated string", (lnum, pos))
                if char.strip():
                    add(new(CodeToken, ("other", char, base + pos, base + pos + 1)))
                pos += 1
                continue
            start, end = pseudo.span(1)
            pos = end
            if start == end:
                continue
            token, initial = line[start:end], line[start]
            if token.isidentifier():  # most tokens; no earlier branch of tokenize takes one
                add(new(CodeToken, ("name", token, base + start, base + end)))
            elif initial in "0123456789" or (initial == "." and token not in (".", "...")):
                add(new(CodeToken, ("number", token, base + start, base + end)))
            elif initial in "\r\n":
                if parenlev <= 0:
                    add(new(CodeToken, ("newline", token, base + start, base + end)))
            elif initial == "#":
                add(new(CodeToken, ("comment", token, base + start, base + end)))
            elif token in _TRIPLE_QUOTED:
                endprog = _END_PROGS[token]
                endmatch = endprog.match(line, pos)
                if endmatch:  # all on one line
                    pos = endmatch.end(0)
                    add(new(CodeToken, ("string", line[start:pos], base + start, base + pos)))
                else:
                    str_start = base + start
                    contstr = line[start:]
                    break
            elif (
                initial in _SINGLE_QUOTED
                or token[:2] in _SINGLE_QUOTED
                or token[:3] in (_SINGLE_QUOTED)
            ):
                if token[-1] == "\n":  # a string continued with a backslash
                    str_start = base + start
                    endprog = (
                        _END_PROGS.get(initial) or _END_PROGS.get(token[1]) or _END_PROGS[token[2]]
                    )
                    contstr, needcont = line[start:], True
                    break
                add(new(CodeToken, ("string", token, base + start, base + end)))
            elif initial.isidentifier():
                add(new(CodeToken, ("name", token, base + start, base + end)))
            elif initial == "\\":
                continued = True
            else:
                if initial in "([{":
                    parenlev += 1
                elif initial in ")]}":
                    parenlev -= 1
                add(new(CodeToken, ("op", token, base + start, base + end)))
    # `tokenize` ends a last line that has no line break (and is not a comment) with NEWLINE
    if last_line and last_line[-1] not in "\r\n" and not last_line.strip().startswith("#"):
        at = offsets[min(lnum - 2, last_row)] + len(last_line)
        add(new(CodeToken, ("newline", "", at, at + 1)))
    at = offsets[min(lnum - 1, last_row)]
    out.extend(new(CodeToken, ("dedent", "", at, at)) for _ in indents[1:])
    return out


def lex_code(code: str) -> list[CodeToken]:
    """Tokens with spans: stdlib ``tokenize`` when it accepts the text, else the regex lexer.

    Comments are kept (callers decide); blank and continuation line breaks are not tokens.
    Never raises on any ``str``.
    """
    return list(_lex_cached(code)[0])


# Scoring one pair lexes its code up to three times (slot quoting, slot spans, tokens) and a
# suggestion's candidates share the intent's slot values: the recent few are kept, each with
# whether ``tokenize`` accepted the text (`tokenize_replaced` relies on its rules).
@lru_cache(maxsize=LEX_CACHE_SIZE)
def _lex_cached(code: str) -> tuple[tuple[CodeToken, ...], bool]:
    if code.isascii() and code.isidentifier():  # a lone name (a slot's value): what tokenize gives
        end = len(code)
        return (CodeToken("name", code, 0, end), CodeToken("newline", "", end, end + 1)), True
    try:
        return tuple(_lex_tokenize(code) if _SAME_TOKENIZE else _lex_stdlib(code)), True
    except (tokenize.TokenError, SyntaxError, ValueError):
        return tuple(_lex_regex(code)), False


def tokenize_code(code: str) -> list[str]:
    """Code tokens: comments dropped, lines as ``<nl>``, blocks as ``<indent>``/``<dedent>``.

    Trailing ``<nl>``/``<dedent>`` after the last line are dropped: they carry no information.
    """
    return _words(_lex_cached(code)[0])


def tokenize_replaced(code: str, names: Sequence[tuple[int, int, str]]) -> list[str] | None:
    """``tokenize_code`` of ``code`` with each span ``(start, end)`` replaced by its name, read
    off the tokens of ``code`` instead of lexing the new text; None where that could differ.

    The matcher reads a pair's code with the intent's values as placeholders (`var_0` for
    `df`); lexing that text again cost a third of its lexing. Reading it off is exact when
    ``tokenize`` accepted ``code``, each name is an identifier and each span (in order, apart,
    on one line, no word character next to it, so the name glues to nothing) covers whole
    names, numbers, strings and operators other than brackets: the lexer then reaches every
    span in the same state and leaves it in the same state, so the text around the spans lexes
    the same. Tested against lexing the new text (tests/test_code_tokens.py).
    """
    tokens, exact = _lex_cached(code)
    if not _SAME_TOKENIZE or not exact:
        return None
    out: list[tuple[str, str]] = []
    i, n = 0, len(tokens)
    last = -1
    for start, end, name in names:
        if (
            start <= last  # overlapping or touching: the names would glue
            or end <= start
            or not (name.isascii() and name.isidentifier())
            or "\n" in code[start:end]
            or _is_word_char(code[start - 1 : start])
            or _is_word_char(code[end : end + 1])
        ):
            return None
        last = end
        while i < n and tokens[i].start < start:
            if tokens[i].end > start:
                return None  # a token crosses the span's start
            out.append((tokens[i].kind, tokens[i].text))
            i += 1
        while i < n and tokens[i].start == start and tokens[i].end == start:
            out.append((tokens[i].kind, tokens[i].text))  # a dedent where the span starts
            i += 1
        if i == n or tokens[i].start != start:
            return None
        while i < n and tokens[i].start < end:
            tok = tokens[i]
            if tok.end > end or tok.kind not in _REPLACEABLE or tok.text in _BRACKETS:
                return None
            i += 1
        if tokens[i - 1].end != end:
            return None
        out.append(("name", name))
    out.extend((tok.kind, tok.text) for tok in tokens[i:])
    return _words(out)


_REPLACEABLE = frozenset({"name", "number", "string", "op"})
_TEXT_KINDS = frozenset({"name", "op", "number", "string", "other"})  # a word: their text
_BRACKETS = frozenset("()[]{}")


def _is_word_char(char: str) -> bool:
    """Whether ``char`` (one character or "") is what ``\\w`` matches: it would extend a name."""
    return char.isalnum() or char == "_"


def _words(tokens: Iterable[tuple[str, str]] | Iterable[CodeToken]) -> list[str]:
    """`tokenize_code`'s words from lexed (kind, text, ...) tokens."""
    words: list[str] = []
    add = words.append
    for token in tokens:  # indexed, not unpacked with *_: no list per token
        kind = token[0]
        if kind in _TEXT_KINDS:
            add(token[1])
        elif kind == "newline":
            if words and words[-1] not in (NL, INDENT):
                add(NL)
        elif kind == "indent":
            add(INDENT)
        elif kind == "dedent":
            add(DEDENT)
        elif kind != "comment":
            add(token[1])
    while words and words[-1] in (NL, DEDENT):
        words.pop()
    return words


# --- detokenisation -------------------------------------------------------------------------

_OPEN, _CLOSE = "([{", ")]}"
_NO_SPACE_BEFORE = {")", "]", "}", ",", ":", ";", "."}
_UNARY_CAN_FOLLOW = {"(", "[", "{", ",", ":", "=", "->", ";", "@"} | {
    op for op in _OPERATORS if op not in _CLOSE and op not in (".", "...")
}
_STAR_CAN_FOLLOW = {"(", "[", "{", ",", "=", ";"}  # f(*a), [*a], x = *a, b
_VALUE_KEYWORDS = {"True", "False", "None"}
_ALL_OPERATORS = set(_OPERATORS)


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_" or token[0] in "'\"")


def _is_keyword(token: str) -> bool:
    return token in keyword.kwlist and token not in _VALUE_KEYWORDS


def _is_operand_end(token: str | None) -> bool:
    """True if ``token`` can end an operand (so a following ``-`` is binary, ``(`` a call)."""
    if token is None:
        return False
    if token in _CLOSE:
        return True
    if _is_keyword(token):
        return False
    return _is_word(token) or token == "..."


class _Layout:
    """Bracket and lambda state while walking one logical line."""

    def __init__(self) -> None:
        self.brackets: list[str] = []
        self.lambdas: list[int] = [0]  # open lambdas per bracket depth

    def push(self, tok: str) -> None:
        if tok in _OPEN:
            self.brackets.append(tok)
            self.lambdas.append(0)
        elif tok in _CLOSE and self.brackets:
            self.brackets.pop()
            self.lambdas.pop()
        elif tok == "lambda":
            self.lambdas[-1] += 1

    @property
    def inner(self) -> str | None:
        return self.brackets[-1] if self.brackets else None


def _spacing(
    prev: str, prev2: str | None, cur: str, state: _Layout, flags: tuple[bool, bool]
) -> str:
    """The separator between ``prev`` and ``cur`` (``""`` or ``" "``).

    ``flags`` says whether ``prev`` was a unary operator and whether it was a lambda's colon.
    """
    unary, lambda_colon = flags
    if prev in _ALL_OPERATORS and cur in _ALL_OPERATORS and (prev + cur[0]) in _ALL_OPERATORS:
        return " "  # never glue two operators into a third one
    if prev in (".", "...") and cur in (".", "..."):
        return " "  # ". ." must not fuse into "..." (so "from .. import" reads "from . . import")
    if prev == "..." and prev2 == "from" and cur != "import":
        return ""  # from ...pkg import x
    if cur == "." or prev == ".":
        if prev in ("from", "import") or cur == "import":
            return " "
        if prev[:1].isdigit() and cur == "." and not re.search(r"[.eEjJxX]", prev):
            return " "  # "1 .real", not the float "1."
        return ""
    if prev == "," and cur not in _CLOSE and cur != ",":
        return " "  # also "a[:, 0]"
    if cur in _NO_SPACE_BEFORE:
        return ""
    if prev in _OPEN:
        return ""
    if prev == ":":
        return "" if state.inner == "[" and not lambda_colon else " "
    if prev == "=" or cur == "=":
        return "" if state.inner == "(" else " "
    if unary:
        return ""
    if cur in _OPEN:
        return "" if _is_operand_end(prev) else " "
    if unary:
        return ""
    if prev == "@" and prev2 is None:
        return ""  # decorator
    return " "


def detokenize_code(tokens: list[str]) -> str:
    """Readable Python source from code tokens (the inverse of ``tokenize_code`` up to spacing).

    ``<nl>`` starts a new line, ``<indent>``/``<dedent>`` move the 4-space indentation level.
    """
    lines: list[str] = []
    level = 0
    parts: list[str] = []
    prev: str | None = None
    prev2: str | None = None
    flags = (False, False)
    state = _Layout()

    def flush() -> None:
        if parts:
            lines.append("    " * level + "".join(parts))

    for tok in tokens:
        if tok == NL:
            flush()
            parts, prev, prev2, flags, state = [], None, None, (False, False), _Layout()
            continue
        if tok == INDENT:
            level += 1
            continue
        if tok == DEDENT:
            level = max(0, level - 1)
            continue
        lambda_colon = tok == ":" and state.lambdas[-1] > 0
        if lambda_colon:
            state.lambdas[-1] -= 1
        if prev is not None:
            parts.append(_spacing(prev, prev2, tok, state, flags))
        if tok in ("*", "**"):
            unary = prev is None or prev in _STAR_CAN_FOLLOW or _is_keyword(prev)
        else:
            unary = tok in ("-", "+", "~") and (
                prev is None or prev in _UNARY_CAN_FOLLOW or _is_keyword(prev)
            )
        parts.append(tok)
        state.push(tok)
        prev2, prev, flags = prev, tok, (unary, lambda_colon)
    flush()
    return "\n".join(lines)
