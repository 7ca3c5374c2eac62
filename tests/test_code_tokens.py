"""Code tokenizer: stdlib tokens, layout tokens, regex fallback, and the detokenize round trip."""

from __future__ import annotations

import ast
import json
import random
import tokenize
from collections.abc import Callable
from pathlib import Path

import pytest
from codeqa_model import code_tokens
from codeqa_model.code_tokens import CODE_LAYOUT_TOKENS, detokenize_code, lex_code, tokenize_code

FIXTURES = Path(__file__).parent / "fixtures" / "text"
CONALA_TRAIN = Path(__file__).resolve().parents[2] / "shared/data/conala/conala-train.json"


def _fixture_snippets() -> list[str]:
    return [row["snippet"] for row in json.loads((FIXTURES / "conala_rows.json").read_text())]


def test_layout_tokens_are_exported() -> None:
    assert CODE_LAYOUT_TOKENS == ("<nl>", "<indent>", "<dedent>")


def test_single_line_drops_comment_and_trailing_newline() -> None:
    assert tokenize_code("x = foo(a, 'b')  # call\n") == [
        "x",
        "=",
        "foo",
        "(",
        "a",
        ",",
        "'b'",
        ")",
    ]


def test_blocks_become_layout_tokens_and_blank_lines_vanish() -> None:
    code = "if (key in d):\n\n    pass\nelse:\n    x = [1,\n         2]\n"
    assert tokenize_code(code) == [
        "if", "(", "key", "in", "d", ")", ":", "<nl>", "<indent>", "pass", "<nl>", "<dedent>",
        "else", ":", "<nl>", "<indent>", "x", "=", "[", "1", ",", "2", "]",
    ]  # fmt: skip


def test_fallback_handles_python2_and_unterminated_string() -> None:
    assert tokenize_code("print 'abc\nx = 1") == ["print", "'abc", "<nl>", "x", "=", "1"]
    assert tokenize_code("foo(\n  bar") == ["foo", "(", "<nl>", "<indent>", "bar"]
    assert tokenize_code("a = $b") == ["a", "=", "$", "b"]
    dots = tokenize_code("[1, . . . , 9]")
    assert dots == ["[", "1", ",", ".", ".", ".", ",", "9", "]"]
    assert tokenize_code(detokenize_code(dots)) == dots


@pytest.mark.parametrize(
    "text", ["", "\n\n", "'''", '"', "\\", "\t\x0c", "  x\n y", "é = 1", "def f(:\n\treturn"]
)
def test_never_raises(text: str) -> None:
    tokens = tokenize_code(text)
    assert all(isinstance(t, str) and t for t in tokens)
    assert tokenize_code(detokenize_code(tokens)) == tokens


@pytest.mark.parametrize(
    "code", ["a = 'x'\nif a:\n    b(a)\n", "a = '\x1e'\nb = a", "a = 'x\nb = a"]
)
def test_lex_spans_index_the_source(code: str) -> None:
    tokens = lex_code(code)
    assert [t.text for t in tokens if t.kind == "name"][-2:] == ["b", "a"]
    for tok in tokens:
        assert code[tok.start : tok.end] == tok.text


@pytest.mark.parametrize(
    "code",
    [
        "sum(d * 10 ** i for i, d in enumerate(x[::-1]))",
        "wx.TextCtrl(self, -1, size=(300, -1))",
        "sorted(l, key=lambda x: x[1], reverse=True)",
        "[lambda x: x[1:-1]]",
        "x = {'a': 1, 'b': [2, 3]}",
        "def f(*args, **kw):\n    if not x:\n        return -1\n    return a[:, 0]",
        "from . import x\nfrom .a import *",
        "@dec\nclass A(B):\n    pass",
        "re.findall(r'\\d+', s)",
        "print(f(*[1, 2]), g(**{'a': 1}))",
        "y = x if x is not None else -x ** 2",
    ],
)
def test_pep8_snippets_come_back_verbatim(code: str) -> None:
    assert detokenize_code(tokenize_code(code)) == code


def test_detokenize_rebuilds_indentation_with_four_spaces() -> None:
    tokens = ["for", "x", "in", "y", ":", "<nl>", "<indent>", "print", "(", "x", ")", "<nl>",
              "<dedent>", "z", "=", "1"]  # fmt: skip
    assert detokenize_code(tokens) == "for x in y:\n    print(x)\nz = 1"


def _assert_round_trip(snippets: list[str]) -> None:
    for snippet in snippets:
        tokens = tokenize_code(snippet)
        text = detokenize_code(tokens)
        assert tokenize_code(text) == tokens, snippet
        try:
            ast.parse(snippet)
        except SyntaxError:
            continue
        ast.parse(text)  # parseable stays parseable


def test_round_trip_on_fixture_snippets() -> None:
    _assert_round_trip(_fixture_snippets())


@pytest.mark.skipif(not CONALA_TRAIN.exists(), reason="shared CoNaLa data not on this machine")
def test_round_trip_on_300_conala_snippets() -> None:
    rows = json.loads(CONALA_TRAIN.read_text())
    _assert_round_trip([row["snippet"] for row in rows[::8][:300]])


_EDGE_CASES = [
    "x = '''a\nb''' + \"\"\"c\n",
    "s = 'abc\\\n def'\n",
    "s = 'abc\\\n def\n",
    "'''never closed\n",
    "f(a,\n  b)\n",
    "x = 1 + \\\n    2\n",
    "if a:\n  b\n c\n",
    "if a:\n\tb\n        c\n",
    "\x0cx = 1\r\ny = 2\r\n",
    "a = 'x'\rb = 1",
    "é = $a ? !b `c`",
    "  # only a comment",
    "x\n   ",
    "def f():\n    return [\n1]\n",
    "x = f'{a}' + rb'\\d' + u'é'\n",
    ".5 + 1.e3j + 0x_ff + 1_000 ... x.y",
    # what the short first pattern (`_FAST`) must leave to the full one
    'rb\'x\' + Rb"y" + br"""z""" + f"{a}" + xb\'w\' + r\'\' + b2\'v\'\n',
    "a == b; c := d; e.f = g[h:i] .. j .1 ..2 x.5\n",
    "ab\u00b2c = \u0663x + _\u00e9 + \u00b2\n",
]


def _lexed(lexer: Callable[[str], list[code_tokens.CodeToken]], text: str) -> object:
    try:
        return lexer(text)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return "rejected"  # `lex_code` then uses the regex lexer


@pytest.mark.skipif(not code_tokens._SAME_TOKENIZE, reason="a port of Python 3.11's tokenize")
def test_the_tokenize_port_lexes_exactly_as_the_stdlib() -> None:
    """`_lex_tokenize` (the fast path) against `_lex_stdlib` on snippets, edge cases and
    every one-character cut and insertion of them that a half-typed block can be."""
    texts = [*_fixture_snippets(), *_EDGE_CASES]
    rng = random.Random(7)
    for text in list(texts):
        for _ in range(6):
            i = rng.randrange(len(text) + 1)
            texts.append(
                text[:i] + rng.choice(["'", '"', "\\\n", "(", ")", "\t", "#", "\n"]) + text[i:]
            )
            texts.append(text[:i])
    rejected = 0
    for text in texts:
        fast = _lexed(code_tokens._lex_tokenize, text)
        assert fast == _lexed(code_tokens._lex_stdlib, text), text
        rejected += fast == "rejected"
    assert 0 < rejected < len(texts)  # both outcomes were compared


def test_lex_code_answers_equal_texts_with_fresh_lists() -> None:
    first = lex_code("x = f(a)")
    first.clear()
    assert [t.text for t in lex_code("x = f(a)")] == ["x", "=", "f", "(", "a", ")", ""]


@pytest.mark.parametrize("name", ["df", "my_list", "_", "if", "x1", "None"])
def test_a_lone_name_lexes_as_tokenize_lexes_it(name: str) -> None:
    assert lex_code(name) == code_tokens._lex_stdlib(name)


def _replaced(code: str, spans: list[tuple[int, int, str]]) -> str:
    pieces, last = [], 0
    for start, end, name in spans:
        pieces += [code[last:start], name]
        last = end
    return "".join([*pieces, code[last:]])


@pytest.mark.skipif(not code_tokens._SAME_TOKENIZE, reason="relies on Python 3.11's tokenize")
def test_tokenize_replaced_is_lexing_the_replaced_text() -> None:
    """Random spans of snippets, edge cases and their half-typed cuts (aligned to tokens or
    not, touching, across lines): wherever `tokenize_replaced` answers, it is what lexing the
    text with the names put in gives."""
    rng = random.Random(11)
    texts = [*_fixture_snippets(), *_EDGE_CASES]
    texts += [t[: rng.randrange(len(t) + 1)] for t in list(texts)]
    answered = declined = 0
    for text in texts:
        tokens = [t for t in lex_code(text) if t.end > t.start and t.end <= len(text)]
        for _ in range(40):
            spans: list[tuple[int, int, str]] = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                if tokens and rng.random() < 0.9:  # a run of whole tokens
                    i = rng.randrange(len(tokens))
                    j = min(len(tokens) - 1, i + rng.choice([0, 0, 0, 1, 2]))
                    span = (tokens[i].start, tokens[j].end)
                else:  # anywhere
                    a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
                    span = (a, b)
                spans.append((*span, f"{rng.choice(['str', 'var'])}_{rng.randrange(10)}"))
            spans.sort()
            got = code_tokens.tokenize_replaced(text, spans)
            if got is None:
                declined += 1
                continue
            answered += 1
            assert got == tokenize_code(_replaced(text, spans)), (text, spans)
    assert answered > 400 and declined > 400  # both outcomes were exercised


def test_tokenize_replaced_declines_what_would_lex_differently() -> None:
    assert code_tokens.tokenize_replaced("f(a)", [(0, 2, "var_0")]) is None  # a bracket
    assert code_tokens.tokenize_replaced("ab + c", [(0, 1, "var_0")]) is None  # inside a name
    assert code_tokens.tokenize_replaced("a+b", [(0, 1, "x"), (1, 2, "y")]) is None  # touching
    assert code_tokens.tokenize_replaced("x = 'a", [(0, 1, "var_0")]) is None  # not tokenize's
    assert code_tokens.tokenize_replaced("x = df.a + 1", [(4, 8, "var_0")]) == [
        "x",
        "=",
        "var_0",
        "+",
        "1",
    ]
